/**
 * `alicloud-credentials explain`: every source of the default chain, in order, with why it was
 * skipped, picked, or not tried. No secret is printed.
 *
 * @since 0.1.0
 */
import { CredentialsError, DefaultChain, HttpTransport } from "@effect-alicloud/credentials"
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
  "explain",
  {
    chain: ChainOptions.options,
    json: Options.boolean("json").pipe(Options.withDescription("Print one JSON object (no secret)"))
  },
  ({ chain, json }) =>
    Effect.gen(function*() {
      const options = ChainOptions.toChainOptions(chain)
      const steps = yield* DefaultChain.explain(options).pipe(
        Effect.provide(HttpTransport.layerNode({ connectTimeout: options.connectTimeout }))
      )
      const now = yield* Clock.currentTimeMillis
      const picked = steps.find((step) => step._tag === "Picked")
      yield* Console.log(
        json
          ? JSON.stringify({
            chain: "default",
            picked: picked?.name ?? null,
            steps: steps.map((step) => Output.stepView(step, now))
          })
          : Output.stepsText(steps, now)
      )
      if (picked === undefined) {
        // a selected profile that cannot be used ended the chain: its error is the answer
        const ended = steps.find((step) =>
          step._tag === "Skipped" && "selection" in step.error && step.error.selection !== undefined
        )
        if (ended?._tag === "Skipped") {
          return yield* Failure.fromCredentialsError(ended.error, ChainOptions.failureContext(chain))
        }
        const failures = steps.flatMap((step) =>
          step._tag === "Skipped" && step.error._tag !== "ChainExhausted" ? [step.error] : []
        )
        const exhausted = new CredentialsError.ChainExhausted({ source: "default", failures })
        return yield* Failure.fromCredentialsError(exhausted, ChainOptions.failureContext(chain))
      }
    })
).pipe(Command.withDescription(
  "List every source of the default chain in order, with why it was skipped, which one was picked, and those not tried"
))
