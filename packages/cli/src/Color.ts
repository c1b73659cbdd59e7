/**
 * Colour only for a terminal: @effect/cli renders `--help` (and its usage errors) with ANSI colour
 * codes whatever the output is. When the stream is not a terminal, or `NO_COLOR` is set (and not
 * empty, https://no-color.org), the codes are taken out of what is printed on it.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Where the output goes: whether standard output and standard error are terminals.
 *
 * @since 0.1.0
 * @category models
 */
export interface Terminals {
  readonly stdout: boolean
  readonly stderr: boolean
}

// SGR sequences (colour, bold): what @effect/printer-ansi writes.
// eslint-disable-next-line no-control-regex
const sgr = /\u001b\[[0-9;]*m/g

/**
 * `text` without its colour codes.
 *
 * @since 0.1.0
 * @category formatting
 */
export const plain = (text: string): string => text.replace(sgr, "")

const plainArgs = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? plain(arg) : arg))

/**
 * Runs `effect` with a console that prints colour only on a terminal, and never under `NO_COLOR`.
 *
 * @since 0.1.0
 * @category running
 */
export const onlyForTerminals = (terminals: Terminals) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const noColorValue = yield* Config.string("NO_COLOR").pipe(
      Config.option,
      Effect.orElseSucceed(() => Option.none<string>())
    )
    const noColor = Option.isSome(Option.filter(noColorValue, (value) => value !== ""))
    const colourOut = terminals.stdout && !noColor
    const colourErr = terminals.stderr && !noColor
    if (colourOut && colourErr) return yield* effect
    return yield* Console.consoleWith((current) =>
      Console.withConsole(effect, {
        ...current,
        log: (...args: ReadonlyArray<unknown>) => current.log(...(colourOut ? args : plainArgs(args))),
        error: (...args: ReadonlyArray<unknown>) => current.error(...(colourErr ? args : plainArgs(args))),
        unsafe: {
          ...current.unsafe,
          log: (...args: ReadonlyArray<unknown>) => current.unsafe.log(...(colourOut ? args : plainArgs(args))),
          error: (...args: ReadonlyArray<unknown>) => current.unsafe.error(...(colourErr ? args : plainArgs(args)))
        }
      })
    )
  })
