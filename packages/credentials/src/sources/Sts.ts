/**
 * The `sts` source: an STS token (AccessKey pair plus security token) given in code.
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Credential from "../Credential.js"
import * as Rules from "../internal/config/rules.js"
import type { Source } from "../Source.js"

/**
 * @example
 * ```ts
 * import { Sts } from "@effect-alicloud/credentials"
 * import { DateTime } from "effect"
 *
 * // What an AssumeRole answered elsewhere
 * const options: Sts.Options = {
 *   accessKeyId: "STS.NExampleKeyId",
 *   accessKeySecret: "s3cr3t-value",
 *   securityToken: "t0ken-value",
 *   expiration: DateTime.unsafeMake("2030-01-01T00:00:00Z")
 * }
 * const source = Sts.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly accessKeyId: string
  readonly accessKeySecret: string | Redacted.Redacted<string>
  readonly securityToken: string | Redacted.Redacted<string>
  /** When the token expires, if known; an expired token is then reported instead of used. */
  readonly expiration?: DateTime.Utc | undefined
}

const source = "sts"
const fix = "pass the AccessKeyId, AccessKeySecret and SecurityToken that STS AssumeRole returned"
const field = (name: string) => ({ source, origin: Rules.option(name), fix })

/**
 * A source that hands out the given STS token (provider name `static_sts`).
 *
 * @example
 * ```ts
 * import { Sts } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const credential = Effect.runSync(
 *   Sts.make({ accessKeyId: "STS.NExampleKeyId", accessKeySecret: "s3cr3t-value", securityToken: "t0ken-value" })
 * )
 * assert.strictEqual(credential.type, "sts")
 * assert.strictEqual(credential.providerName, "static_sts")
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
    const securityToken = yield* Rules.decodeSecret(field("securityToken"), options?.securityToken)
    return Credential.make({
      type: "sts",
      accessKeyId,
      accessKeySecret,
      securityToken,
      expiration: options.expiration,
      providerName: "static_sts"
    })
  })
