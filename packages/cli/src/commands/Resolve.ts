/**
 * `alicloud-credentials resolve`: which credential the default chain gives, from which source,
 * until when. No secret is printed.
 *
 * @since 0.1.0
 */
import { Credentials } from "@effect-alicloud/credentials"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as ChainOptions from "../ChainOptions.js"
import * as Failure from "../Failure.js"
import * as Output from "../Output.js"

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "resolve",
  {
    chain: ChainOptions.options,
    json: Options.boolean("json").pipe(Options.withDescription("Print one JSON object (no secret)"))
  },
  ({ chain, json }) =>
    Effect.gen(function*() {
      const result = yield* Effect.either(Effect.flatMap(Credentials, (credentials) => credentials.get))
      const now = yield* Clock.currentTimeMillis
      if (result._tag === "Left") {
        if (json) yield* Console.log(JSON.stringify({ error: Output.errorView(result.left) }))
        return yield* Failure.fromCredentialsError(result.left, ChainOptions.failureContext(chain))
      }
      yield* Console.log(
        json ? JSON.stringify(Output.credentialView(result.right, now)) : Output.credentialText(result.right, now)
      )
    }).pipe(Effect.provide(Credentials.layerDefault(ChainOptions.toChainOptions(chain))))
).pipe(Command.withDescription(
  "Run the default chain (or the --profile) and print the source picked, the credential type, the masked AccessKey ID and the expiry"
))
