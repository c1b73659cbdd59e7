/**
 * The `env` source: an AccessKey pair, and optionally an STS token, from environment variables.
 *
 * Read through Effect `Config` on every call (as the official tool reads `process.env` on every
 * call), so a test replaces the environment with a `ConfigProvider`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Credential from "../Credential.js"
import { InvalidConfiguration, NotConfigured } from "../CredentialsError.js"
import * as Rules from "../internal/config/variables.js"
import type { Source } from "../Source.js"

/**
 * @example
 * ```ts
 * import { Environment } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // A test's environment, by the variables' names
 * const env = ConfigProvider.fromMap(
 *   new Map([[Environment.ACCESS_KEY_ID, "LTAI5tExampleKeyId"], [Environment.ACCESS_KEY_SECRET, "s3cr3t-value"]])
 * )
 * const credential = Effect.runSync(Environment.make().pipe(Effect.withConfigProvider(env)))
 * assert.strictEqual(credential.type, "access_key")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
/**
 * @example
 * ```ts
 * import { Environment } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // A test's environment, by the variables' names
 * const env = ConfigProvider.fromMap(
 *   new Map([[Environment.ACCESS_KEY_ID, "LTAI5tExampleKeyId"], [Environment.ACCESS_KEY_SECRET, "s3cr3t-value"]])
 * )
 * const credential = Effect.runSync(Environment.make().pipe(Effect.withConfigProvider(env)))
 * assert.strictEqual(credential.type, "access_key")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
/**
 * @example
 * ```ts
 * import { Environment } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(
 *   new Map([
 *     [Environment.ACCESS_KEY_ID, "STS.NExampleKeyId"],
 *     [Environment.ACCESS_KEY_SECRET, "s3cr3t-value"],
 *     [Environment.SECURITY_TOKEN, "t0ken-value"]
 *   ])
 * )
 * const credential = Effect.runSync(Environment.make().pipe(Effect.withConfigProvider(env)))
 * assert.strictEqual(credential.type, "sts")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"

const name = "env"

// The variables are read at each run of the source, not when it is made; unset, empty and only
// whitespace are all "not set" (the one environment reader's rule): a key of spaces is no key.
const source: Source = Effect.gen(function*() {
  const env = yield* Effect.all({
    accessKeyId: Rules.env(ACCESS_KEY_ID),
    accessKeySecret: Rules.envSecret(ACCESS_KEY_SECRET),
    securityToken: Rules.envSecret(SECURITY_TOKEN)
  })
  if (Option.isNone(env.accessKeyId)) {
    return yield* new NotConfigured({
      source: name,
      reason: `${ACCESS_KEY_ID} is not set`,
      fix: `export ${ACCESS_KEY_ID} and ${ACCESS_KEY_SECRET} (and ${SECURITY_TOKEN} for an STS token)`
    })
  }
  if (Option.isNone(env.accessKeySecret)) {
    return yield* new InvalidConfiguration({
      source: name,
      field: ACCESS_KEY_SECRET,
      reason: `is not set, but ${ACCESS_KEY_ID} is`,
      fix: `export ${ACCESS_KEY_SECRET} with the secret of that AccessKey, or unset ${ACCESS_KEY_ID}`
    })
  }
  const securityToken = Option.getOrUndefined(env.securityToken)
  return Credential.make({
    type: securityToken === undefined ? "access_key" : "sts",
    accessKeyId: env.accessKeyId.value,
    accessKeySecret: env.accessKeySecret.value,
    securityToken,
    providerName: "env"
  })
})

/**
 * The environment source (provider name `env`), read through `Config` at every run:
 * - no `ALIBABA_CLOUD_ACCESS_KEY_ID` (unset or empty): `NotConfigured`, a chain moves on;
 * - an id without `ALIBABA_CLOUD_ACCESS_KEY_SECRET`: `InvalidConfiguration` naming the variable;
 * - with a non-empty `ALIBABA_CLOUD_SECURITY_TOKEN`: an `sts` credential, else `access_key`.
 *
 * @example
 * ```ts
 * import { Environment } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const source = Environment.make()
 * // Nothing set: NotConfigured, and a chain moves on
 * const error = Effect.runSync(Effect.flip(source).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
 * assert.strictEqual(error._tag, "NotConfigured")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Source => source
