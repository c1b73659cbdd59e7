/**
 * `alicloud-credentials serve`: a credentials-URI server on loopback for the other processes of
 * the host, over one refreshing `Credentials` service. Runs until SIGINT or SIGTERM.
 *
 * @since 0.1.0
 */
import { Credentials } from "@effect-alicloud/credentials"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as ChainOptions from "../ChainOptions.js"
import * as Failure from "../Failure.js"
import * as Serve from "../Serve.js"

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "serve",
  {
    chain: ChainOptions.options,
    host: Options.text("host").pipe(
      Options.withPseudoName("HOST"),
      Options.withDefault("127.0.0.1"),
      Options.withDescription("Loopback address to bind (127.0.0.0/8 or ::1; anything else is refused)")
    ),
    port: Options.integer("port").pipe(
      Options.withPseudoName("PORT"),
      Options.withDefault(0),
      Options.withDescription("Port to bind; 0 picks a free one")
    ),
    json: Options.boolean("json").pipe(Options.withDescription("Print the start line as JSON"))
  },
  ({ chain, host, json, port }) =>
    Effect.gen(function*() {
      const credentials = yield* Credentials
      const started = yield* Serve.start(credentials, { host, port })
      const uri = Redacted.value(started.credentialsUri)
      yield* Console.log(
        json
          ? JSON.stringify({ credentialsUri: uri, host: started.host, port: started.port })
          : `serving credentials at ${uri} (give it to clients as ALIBABA_CLOUD_CREDENTIALS_URI; stop with SIGINT or SIGTERM)`
      )
      // Fetch the first credential now, so that a broken configuration shows at once.
      yield* credentials.get.pipe(
        Effect.catchAll((error) =>
          Console.error(
            `no credential yet (clients get 503): ${Failure.summary(error, ChainOptions.failureContext(chain))}`
          )
        ),
        Effect.forkScoped
      )
      return yield* Effect.never
    }).pipe(Effect.scoped, Effect.provide(Credentials.layerDefault(ChainOptions.toChainOptions(chain))))
).pipe(Command.withDescription(
  "Serve the credential to local processes as a credentials URI (127.0.0.1 only, behind a random token) until SIGINT/SIGTERM"
))
