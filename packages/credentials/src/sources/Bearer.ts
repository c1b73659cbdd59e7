/**
 * The `bearer` source: a bearer token given in code (used by products such as Cloud Call Center).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Credential from "../Credential.js"
import { requiredSecret } from "../internal/validate.js"
import type { Source } from "../Source.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly bearerToken: string | Redacted.Redacted<string>
}

const source = "bearer"
const fix = "pass the bearer token that the product issued to you"

/**
 * A source that hands out the given bearer token (provider name `bearer`). The AccessKey fields
 * are empty, as in the official tool.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Source =>
  Effect.gen(function*() {
    const bearerToken = yield* requiredSecret({ source, field: "bearerToken", fix }, options?.bearerToken)
    return Credential.make({
      type: "bearer",
      accessKeyId: "",
      accessKeySecret: Redacted.make(""),
      bearerToken,
      providerName: "bearer"
    })
  })
