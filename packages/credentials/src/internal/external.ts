// The External mode of a CLI profile: `process_command` is split into argv (POSIX rules, no
// shell), run as a child process, and its standard output decoded as a credential. As the official
// Node tool (`src/providers/external.ts`, `src/utils/command.ts`), but no error ever repeats the
// command's arguments or output: both may hold secrets.
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { CommandFailed, InvalidConfiguration, MalformedResponse, Timeout } from "../CredentialsError.js"
import { describeParseError } from "./decode.js"

// ---------------------------------------------------------------------------------------------
// Splitting
// ---------------------------------------------------------------------------------------------

/**
 * Splits a command line into argv with the POSIX rules of the official tool: whitespace separates;
 * `'...'` is literal; in `"..."` a backslash escapes only `"`, `\`, `$` and backquote; outside
 * quotes it escapes any character; backslash-newline is removed outside single quotes; `''` and
 * `""` are kept as empty arguments. Left is the reason the command is rejected.
 */
export const splitCommand = (command: string): Either.Either<ReadonlyArray<string>, string> => {
  // Trimmed first, as the official tool: a trailing "\ " is a trailing backslash, not an escaped space.
  const input = command.trim()
  const args: Array<string> = []
  let current = ""
  // A word has started even if it is still empty, so `tool "" x` keeps its empty argument.
  let inWord = false
  let quote: "'" | "\"" | undefined
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!
    const next = input[i + 1]
    if (quote === "'") {
      if (c === "'") quote = undefined
      else current += c
    } else if (quote === "\"") {
      if (c === "\"") quote = undefined
      else if (c === "\\" && next === "\n") i++
      else if (c === "\\" && next !== undefined && "\"\\$`".includes(next)) {
        current += next
        i++
      } else current += c
    } else if (c === "\\") {
      if (next === undefined) return Either.left("ends with a backslash")
      i++
      if (next !== "\n") {
        current += next
        inWord = true
      }
    } else if (c === "'" || c === "\"") {
      quote = c
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current)
      current = ""
      inWord = false
    } else {
      current += c
      inWord = true
    }
  }
  if (quote !== undefined) return Either.left("has an unclosed quote")
  if (inWord) args.push(current)
  // An empty program name is "empty" too (the official tool says so; spawning "" cannot work).
  return args.length === 0 || args[0] === "" ? Either.left("is empty") : Either.right(args)
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/** The credential a command printed. */
export interface ExternalOutput {
  readonly mode: "AK" | "StsToken"
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsToken?: Redacted.Redacted<string>
  readonly expiration?: DateTime.Utc
}

// `null` is accepted where a field is optional: helpers written in other languages print it for "none".
const OutputJson = Schema.Struct({
  mode: Schema.String,
  access_key_id: Schema.String,
  access_key_secret: Schema.Redacted(Schema.String),
  sts_token: Schema.optional(Schema.NullOr(Schema.Redacted(Schema.String))),
  expiration: Schema.optional(Schema.NullOr(Schema.String))
})

// Compared as Redacted values, so the secret is never unwrapped here.
const emptySecret = Redacted.make("")
const isEmpty = (secret: Redacted.Redacted<string>): boolean => Equal.equals(secret, emptySecret)

/** Checks what the schema cannot say by itself; Left names the field, never its value. */
const toOutput = (json: typeof OutputJson.Type): Either.Either<ExternalOutput, string> => {
  if (json.mode !== "AK" && json.mode !== "StsToken") return Either.left("mode is neither \"AK\" nor \"StsToken\"")
  if (json.access_key_id === "") return Either.left("access_key_id is empty")
  if (isEmpty(json.access_key_secret)) return Either.left("access_key_secret is empty")
  const stsToken = json.sts_token == null || isEmpty(json.sts_token) ? undefined : json.sts_token
  if (json.mode === "StsToken" && stsToken === undefined) return Either.left("sts_token is missing or empty (mode is StsToken)")
  const output: ExternalOutput = {
    mode: json.mode,
    accessKeyId: json.access_key_id,
    accessKeySecret: json.access_key_secret,
    ...(stsToken === undefined ? {} : { stsToken })
  }
  // A null or empty expiration means none. One that cannot be read is an error: the official tool
  // ignores it silently (and then re-runs the command on every call).
  if (json.expiration == null || json.expiration === "") return Either.right(output)
  const expiration = DateTime.make(json.expiration)
  return Option.isNone(expiration)
    ? Either.left("expiration is not a date")
    : Either.right({ ...output, expiration: expiration.value })
}

/** Decodes a command's standard output; Left is a description naming the field, never a value. */
export const decodeOutput = (stdout: string): Either.Either<ExternalOutput, string> =>
  Schema.decodeUnknownEither(Schema.parseJson(OutputJson), { errors: "all" })(stdout).pipe(
    Either.mapLeft((error) => describeParseError(error, "the output")),
    Either.flatMap(toOutput)
  )

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/** The most standard output read from a command (as Node's `execFile` `maxBuffer`). */
export const maxOutputBytes = 1024 * 1024

export interface RunExternalOptions {
  /** The source named in errors. */
  readonly source: string
  /** Where the command comes from, e.g. `profiles["ext"].process_command`. */
  readonly field: string
  readonly processCommand: string
  readonly timeout: Duration.Duration
}

/**
 * Runs `processCommand` without a shell, in this process's environment, and decodes what it
 * prints. The child is killed (its whole process group) when the timeout passes, when its output
 * is too large, or when the caller is interrupted.
 */
export const runExternal = (
  options: RunExternalOptions
): Effect.Effect<
  ExternalOutput,
  InvalidConfiguration | CommandFailed | Timeout | MalformedResponse,
  CommandExecutor.CommandExecutor
> =>
  Either.match(splitCommand(options.processCommand), {
    onLeft: (reason) =>
      Effect.fail(
        new InvalidConfiguration({
          source: options.source,
          field: options.field,
          reason,
          fix: "write the program and its arguments, quoted as in a POSIX shell"
        })
      ),
    onRight: (argv) => execute(options, argv)
  })

const execute = (options: RunExternalOptions, argv: ReadonlyArray<string>) => {
  // Only the program is ever named: its arguments may hold secrets.
  const program = argv[0]!
  const failed = (detail: string, fix?: string) => new CommandFailed({ source: options.source, command: program, detail, fix })
  const command = Command.make(program, ...argv.slice(1)).pipe(
    // The child reads an empty input rather than waiting on ours; its diagnostics go where ours go,
    // which is where "see its standard error" points: we never read them, they may hold secrets.
    Command.stdin(Stream.empty),
    Command.stderr("inherit")
  )
  const notStarted = (error: PlatformError) =>
    error._tag === "SystemError" && error.reason === "NotFound"
      ? failed("was not found", `install it, or correct ${options.field}`)
      : error._tag === "SystemError" && error.reason === "PermissionDenied"
      ? failed("is not executable (permission denied)", `make it executable, or correct ${options.field}`)
      : failed(`could not be started (${error._tag === "SystemError" ? error.reason : "bad argument"})`)
  // Counts bytes before decoding, so a runaway command cannot fill the memory.
  const readStdout = (stdout: Stream.Stream<Uint8Array, PlatformError>) =>
    stdout.pipe(
      Stream.mapError(() => failed("failed while its standard output was read")),
      Stream.mapAccumEffect(0, (size, bytes) =>
        size + bytes.length > maxOutputBytes
          ? Effect.fail(failed("wrote more than 1 MiB to its standard output", "make it print only the credential JSON"))
          : Effect.succeed([size + bytes.length, bytes] as const)),
      Stream.decodeText(),
      Stream.mkString
    )
  return Effect.scoped(
    Effect.gen(function*() {
      const child = yield* Command.start(command).pipe(Effect.mapError(notStarted))
      // Runs before the platform's own release, which sends SIGTERM and then waits for the exit:
      // a helper that ignores SIGTERM would keep us waiting past the deadline. SIGKILL to the
      // process group also takes the helper's own children with it.
      yield* Effect.addFinalizer(() => Effect.ignore(Effect.whenEffect(child.kill("SIGKILL"), child.isRunning)))
      const [stdout, exitCode] = yield* Effect.all([
        readStdout(child.stdout),
        Effect.mapError(child.exitCode, () => failed("was stopped by a signal", "see its standard error"))
      ], { concurrency: 2 })
      if (exitCode !== 0) {
        return yield* failed(`exited with code ${exitCode}`, "see its standard error, or run it by hand")
      }
      return yield* Either.match(decodeOutput(stdout), {
        onLeft: (detail) => Effect.fail(new MalformedResponse({ source: options.source, endpoint: program, detail })),
        onRight: Effect.succeed
      })
    })
  ).pipe(
    // Interrupting the scoped run closes its scope, which kills the child before the Timeout is returned.
    Effect.timeoutFail({
      duration: options.timeout,
      onTimeout: () => new Timeout({ source: options.source, endpoint: program, phase: "command", after: options.timeout })
    }),
    Effect.withSpan("external.runExternal", { attributes: { program } })
  )
}
