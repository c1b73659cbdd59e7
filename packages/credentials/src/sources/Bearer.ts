/**
 * The `bearer` source: a bearer token given in code (used by products such as Cloud Call Center).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Credential from "../Credential.js"
import * as Rules from "../internal/config/rules.js"
import type { Source } from "../Source.js"

/**
 * @example
 * ```ts
 * import { Bearer } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const options: Bearer.Options = { bearerToken: Redacted.make("bearer-t0ken") }
 * const source = Bearer.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly bearerToken: string | Redacted.Redacted<string>
}

const source = "bearer"
const fix = "pass the bearer token that the product issued to you"
const field = (name: string) => ({ source, origin: Rules.option(name), fix })

/**
 * A source that hands out the given bearer token (provider name `bearer`). The AccessKey fields
 * are empty, as in the official tool.
 *
 * @example
 * ```ts
 * import { Bearer } from "@effect-alicloud/credentials"
 * import { Effect, Redacted } from "effect"
 *
 * const credential = Effect.runSync(Bearer.make({ bearerToken: "bearer-t0ken" }))
 * assert.strictEqual(credential.type, "bearer")
 * assert.strictEqual(credential.bearerToken && Redacted.value(credential.bearerToken), "bearer-t0ken")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Source =>
  Effect.gen(function*() {
    const bearerToken = yield* Rules.decodeSecret(field("bearerToken"), options?.bearerToken)
    return Credential.make({
      type: "bearer",
      accessKeyId: "",
      accessKeySecret: Redacted.make(""),
      bearerToken,
      providerName: "bearer"
    })
  })
