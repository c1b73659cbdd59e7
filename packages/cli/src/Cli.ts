/**
 * The command `alicloud-credentials` and its subcommands.
 *
 * @since 0.1.0
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Color from "./Color.js"
import * as Explain from "./commands/Explain.js"
import * as Export from "./commands/Export.js"
import * as Resolve from "./commands/Resolve.js"
import * as Serve from "./commands/Serve.js"
import * as Failure from "./Failure.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "alicloud-credentials",
  {},
  () => Failure.usage("missing command: resolve, explain, export or serve (see --help)")
).pipe(
  Command.withDescription(
    "See which Alibaba Cloud credential the default chain picks and why, export it, or serve it to local processes"
  ),
  Command.withSubcommands([Resolve.command, Explain.command, Export.command, Serve.command])
)

/**
 * Runs the command line (`process.argv`); a failure's line is printed on stderr, and the failure
 * is kept for the exit code (see `Failure.exitCodeOfExit`). Colour only on the streams that are
 * terminals, and none under `NO_COLOR` (see `Color`).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>, terminals: Color.Terminals = { stdout: true, stderr: true }) =>
  Command.run(command, { name: "alicloud-credentials", version })(argv).pipe(
    Effect.tapErrorTag("CliFailure", (failure) => Console.error(`alicloud-credentials: ${failure.message}`)),
    // A defect is a bug of this program: say so, with the cause (exit code 1).
    Effect.tapDefect((cause) => Console.error(`alicloud-credentials: internal error (a bug): ${Cause.pretty(cause)}`)),
    Effect.provide(CliConfig.layer({ showBuiltIns: false })),
    Color.onlyForTerminals(terminals)
  )
