/**
 * The `access_key` source: a long-lived AccessKey pair given in code.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Credential from "../Credential.js"
import * as Rules from "../internal/config/rules.js"
import type { Source } from "../Source.js"

/**
 * @example
 * ```ts
 * import { AccessKey } from "@effect-alicloud/credentials"
 * import { Config, Effect } from "effect"
 *
 * // From your own configuration, the secret kept Redacted
 * const source = Effect.gen(function*() {
 *   const options: AccessKey.Options = {
 *     accessKeyId: yield* Config.string("APP_ACCESS_KEY_ID"),
 *     accessKeySecret: yield* Config.redacted("APP_ACCESS_KEY_SECRET")
 *   }
 *   return AccessKey.make(options)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly accessKeyId: string
  readonly accessKeySecret: string | Redacted.Redacted<string>
}

const source = "access_key"
const fix = "pass the AccessKey pair of a RAM user (RAM console > Users > AccessKey), e.g. from Config.redacted"
const field = (name: string) => ({ source, origin: Rules.option(name), fix })

/**
 * A source that hands out the given AccessKey pair (provider name `static_ak`). Missing, empty or
 * mistyped fields fail with `InvalidConfiguration` naming the field.
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const source = AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
 * const layer = Credentials.layer(source)
 *
 * const credential = Effect.runSync(source)
 * assert.strictEqual(credential.providerName, "static_ak")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Source =>
  Effect.gen(function*() {
    const accessKeyId = yield* Rules.decodeRequired(
      { ...field("accessKeyId"), schema: Rules.Text },
      options?.accessKeyId
    )
    const accessKeySecret = yield* Rules.decodeSecret(field("accessKeySecret"), options?.accessKeySecret)
    return Credential.make({ type: "access_key", accessKeyId, accessKeySecret, providerName: "static_ak" })
  })
