// The External mode of a CLI profile: `process_command` is split into argv (POSIX rules, no
// shell), run as a child process, and its standard output decoded as a credential. As the official
// Node tool (`src/providers/external.ts`, `src/utils/command.ts`), output read as it reads it (see
// "Output", and the table in docs/config-files.md), but no error ever repeats the command's
// arguments or output: both may hold secrets.
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { CommandFailed, InvalidConfiguration, MalformedResponse, Timeout } from "../../CredentialsError.js"
import { concatBytes } from "../decode/bytes.js"
import { decodeJson, isNestedDeeper } from "../decode/json.js"

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

/**
 * The credential a command printed. `mode` is normalized: `"StsToken"` exactly when `stsToken` is
 * there, whatever the output's own `mode` said (see `decodeOutput`).
 */
export interface ExternalOutput {
  readonly mode: "AK" | "StsToken"
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsToken?: Redacted.Redacted<string>
  readonly expiration?: DateTime.Utc
}

// What the official tool (`src/providers/external.ts` of `@alicloud/credentials` 2.4.7) does with
// the parsed output `data`:
//   if (!data || !data.access_key_id || !data.access_key_secret) throw ...
//   if (data.mode === 'StsToken' && !data.sts_token) throw ...
//   credential: access_key_id, access_key_secret, securityToken = data.sts_token
//   expiration: data.expiration ? Math.floor(new Date(data.expiration).getTime() / 1000) : 0, NaN -> 0
// So `mode` is looked at only to demand a token; the JSON falsy values (null, false, 0, "") of a
// field mean "none"; any truthy value is taken as it is.
//
// Ours, field by field:
// - mode: any value, or none. Only exactly "StsToken" demands a token (not "ststoken").
// - access_key_id, access_key_secret: non-empty strings. The official takes any truthy value (a
//   number, an object) and hands it on unconverted; a number may not even be the digits printed
//   (above 2^53). No real key is a number: ours names the field instead.
// - sts_token: a string; null, false, 0 or "" mean none (the official's falsy values). A present
//   token makes the credential an STS credential, whatever `mode` said (the official attaches
//   `sts_token` as the security token in every mode). Other types: an error, as for the keys.
// - expiration: see `expirationOf`.
const Falsy = Schema.Literal(null, false, 0)

// The falsy values where a field is optional: helpers written in other languages print `null` for "none".
const OutputJson = Schema.Struct({
  mode: Schema.optional(Schema.Unknown),
  access_key_id: Schema.String,
  access_key_secret: Schema.Redacted(Schema.String),
  sts_token: Schema.optional(Schema.Union(Schema.Redacted(Schema.String), Falsy)),
  expiration: Schema.optional(Schema.Union(Schema.String, Schema.Number, Schema.Literal(null, false)))
})

// Compared as Redacted values, so the secret is never unwrapped here.
const emptySecret = Redacted.make("")
const isEmpty = (secret: Redacted.Redacted<string>): boolean => Equal.equals(secret, emptySecret)

/** The local time zone of this process (`TZ` honoured, as JavaScript's `Date`); none if it cannot be read. */
export const localZone = (): DateTime.TimeZone | undefined => {
  try {
    return DateTime.zoneMakeLocal()
  } catch {
    return undefined
  }
}

// The dates a helper prints, in the forms JavaScript's `Date` reads the way ISO 8601 means them:
//   2030-01-01                        a date alone: UTC midnight (as `new Date`)
//   2030-01-01T00:00[:00[.000…]]      no offset: LOCAL time (as `new Date`), `t` too
//   2030-01-01 00:00[:00[.000…]]      the same with a space: local time
//   …Z, …+08:00, …+0800               that offset (also lower-case `z`)
//   2030-01-01 00:00:00 +0800         with a space: also ` UTC`, ` GMT`, ` Z` (any case), as V8 reads them
// Digits are exact (two per field, four for the year); fractions of a second are cut to
// milliseconds, as `new Date` does. Everything else `new Date` reads (`Jan 1 2030`, `2030/01/01`,
// `2030-1-1`, a day 30 of February rolled over to March, hour 24, years before 1970) is refused
// here: ours says the expiration cannot be read rather than guess.
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/
// The `T` form is ISO 8601 itself (V8 refuses a space before its offset); the space form is read
// by V8's older parser, which also takes a space before the offset, and `UTC`/`GMT`.
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?$/
const spacedPattern =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz]|[+-]\d{2}:?\d{2})| ([Zz]|[Uu][Tt][Cc]|[Gg][Mm][Tt]|[+-]\d{2}:?\d{2}))?$/

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : [4, 6, 9, 11].includes(month)
    ? 30
    : 31

/** Minutes east of UTC, of `Z`, `UTC`, `GMT`, `+08:00` or `-0800`; undefined if out of range. */
const offsetMinutes = (zone: string): number | undefined => {
  if (/^(?:z|utc|gmt)$/i.test(zone)) return 0
  const hours = Number(zone.slice(1, 3))
  const minutes = Number(zone.slice(-2))
  if (hours > 23 || minutes > 59) return undefined
  return (zone[0] === "-" ? -1 : 1) * (hours * 60 + minutes)
}

/**
 * The instant of an expiration string, as the official tool's `new Date(expiration)` reads it
 * (local time when there is no offset); Left says why not, never the value.
 */
export const parseExpiration = (
  text: string,
  zone: () => DateTime.TimeZone | undefined = localZone
): Either.Either<DateTime.Utc, string> => {
  const notADate = Either.left("expiration is not a date")
  const dateOnly = datePattern.exec(text)
  const match = dateOnly ?? isoPattern.exec(text) ?? spacedPattern.exec(text)
  if (match === null) return notADate
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return notADate
  if (dateOnly !== null) return Either.right(DateTime.unsafeMake({ year, month, day }))
  const parts = {
    year,
    month,
    day,
    hours: Number(match[4]),
    minutes: Number(match[5]),
    seconds: match[6] === undefined ? 0 : Number(match[6]),
    millis: match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, "0"))
  }
  if (parts.hours > 23 || parts.minutes > 59 || parts.seconds > 59) return notADate
  const offset = match[8] ?? match[9]
  if (offset !== undefined) {
    const minutes = offsetMinutes(offset)
    return minutes === undefined
      ? notADate
      : Either.right(DateTime.subtract(DateTime.unsafeMake(parts), { minutes }))
  }
  // No offset: the wall clock of this process's zone. In a gap (clocks put forward) the time
  // moves forward, in an overlap it is the earlier of the two: "compatible", as `Date` does.
  const local = zone()
  if (local === undefined) return Either.left("expiration has no offset and the local time zone cannot be read")
  return Option.match(
    DateTime.makeZoned(parts, { timeZone: local, adjustForTimeZone: true, disambiguation: "compatible" }),
    {
      onNone: () => notADate,
      onSome: (zoned) => Either.right(DateTime.toUtc(zoned))
    }
  )
}

/** JavaScript's largest time value, in milliseconds either side of 1970. */
const maxTimeValue = 8.64e15

/**
 * The expiration, if any: null, false, 0 or "" mean none (the official's falsy values). A string
 * is read by `parseExpiration`. A number is milliseconds since 1970, as `new Date(number)` reads it
 * (so unix seconds mean a date in January 1970: an expired credential). Another type, or a string
 * that is not a date: an error. The official reads those as no expiration, and then re-runs the
 * command at every call; ours never treats garbage as "no expiration".
 */
const expirationOf = (
  value: string | number | null | false | undefined,
  zone: () => DateTime.TimeZone | undefined
): Either.Either<DateTime.Utc | undefined, string> => {
  if (value === undefined || value === null || value === false || value === 0 || value === "") {
    return Either.right(undefined)
  }
  if (typeof value === "number") {
    return Number.isFinite(value) && Math.abs(value) <= maxTimeValue
      ? Either.right(DateTime.unsafeMake(Math.trunc(value)))
      : Either.left("expiration is not a date")
  }
  return parseExpiration(value, zone)
}

/** Checks what the schema cannot say by itself; Left names the field, never its value. */
const toOutput =
  (zone: () => DateTime.TimeZone | undefined) =>
  (json: typeof OutputJson.Type): Either.Either<ExternalOutput, string> => {
    if (json.access_key_id === "") return Either.left("access_key_id is empty")
    if (isEmpty(json.access_key_secret)) return Either.left("access_key_secret is empty")
    const stsToken = Redacted.isRedacted(json.sts_token) && !isEmpty(json.sts_token) ? json.sts_token : undefined
    if (json.mode === "StsToken" && stsToken === undefined) {
      return Either.left("sts_token is missing or empty (mode is StsToken)")
    }
    return Either.map(expirationOf(json.expiration, zone), (expiration): ExternalOutput => ({
      mode: stsToken === undefined ? "AK" : "StsToken",
      accessKeyId: json.access_key_id,
      accessKeySecret: json.access_key_secret,
      ...(stsToken === undefined ? {} : { stsToken }),
      ...(expiration === undefined ? {} : { expiration })
    }))
  }

/** The text of the output; a helper that prints invalid UTF-8 is broken, not merely odd. */
const outputText = (stdout: string | Uint8Array): Either.Either<string, string> =>
  typeof stdout === "string"
    ? Either.right(stdout)
    : Either.try({
      // A byte-order mark is dropped, as Node's own decoding does.
      try: () => new TextDecoder("utf-8", { fatal: true }).decode(stdout),
      catch: () => "the output is not valid UTF-8"
    })

/**
 * Decodes a command's standard output, as bytes or text, accepting what the official tool accepts
 * (but for the few differences above); Left is a description naming the field, never a value.
 * Total on any input (json.ts). `zone` gives the zone of an expiration without an offset: this
 * process's local zone unless a test names one.
 */
export const decodeOutput = (
  stdout: string | Uint8Array,
  zone: () => DateTime.TimeZone | undefined = localZone
): Either.Either<ExternalOutput, string> =>
  Either.flatMap(outputText(stdout), (text) =>
    Either.flatMap(
      // A union names its field once per member that failed: once is enough.
      Either.mapLeft(
        decodeJson(OutputJson, text, "the output"),
        (detail) => [...new Set(detail.split("; "))].join("; ")
      ),
      toOutput(zone)
    ))

/**
 * Whether `bytes` are a whole document already, so that nothing a helper's leftover children might
 * still write can change the answer: it parses as JSON, or it is nested too deeply to be accepted
 * anyway. A split character at the end decodes as U+FFFD, which is not JSON: not complete yet.
 */
const isComplete = (bytes: Uint8Array): boolean => {
  const text = new TextDecoder("utf-8").decode(bytes)
  return isNestedDeeper(text) || Either.isRight(Schema.decodeUnknownEither(Schema.parseJson())(text))
}

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
 * prints. Its output is used as soon as it has exited with 0 and printed a whole JSON document,
 * even if a child it left behind holds its standard output open. However the run ends (a
 * credential, an error, the timeout, an interruption), its whole process group is then killed.
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
  const failed = (detail: string, fix?: string) =>
    new CommandFailed({ source: options.source, command: program, detail, fix })
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
  // Standard output and the exit, as one stream of events. A non-zero exit or a signal fails it at
  // once: nothing the command printed matters then.
  const events = (child: CommandExecutor.Process): Stream.Stream<OutputEvent, CommandFailed> =>
    Stream.merge(
      child.stdout.pipe(
        Stream.mapError(() => failed("failed while its standard output was read")),
        Stream.map((bytes): OutputEvent => ({ _tag: "Bytes", bytes }))
      ),
      Stream.fromEffect(
        child.exitCode.pipe(
          Effect.mapError(() => failed("was stopped by a signal", "see its standard error")),
          Effect.filterOrFail(
            (code) => code === 0,
            (code) => failed(`exited with code ${code}`, "see its standard error, or run it by hand")
          ),
          Effect.as<OutputEvent>({ _tag: "Exited" })
        )
      )
    )
  // Reads until the output ends, or, once the command has exited with 0, until what it printed is a
  // complete document: a child it left behind may hold its standard output open for long. Counts
  // bytes as they come, so a runaway command cannot fill the memory.
  const readOutput = (child: CommandExecutor.Process) =>
    Stream.runFoldWhileEffect(
      events(child),
      initialRead,
      (read) => !read.complete,
      (read, event): Effect.Effect<Read, CommandFailed> => {
        if (event._tag === "Exited") {
          return Effect.succeed({ ...read, exited: true, complete: isComplete(concatBytes(read.chunks, read.size)) })
        }
        const size = read.size + event.bytes.length
        if (size > maxOutputBytes) {
          return Effect.fail(
            failed("wrote more than 1 MiB to its standard output", "make it print only the credential JSON")
          )
        }
        const chunks = Chunk.append(read.chunks, event.bytes)
        // After the exit, only a chunk that may close the document is worth a parse of all of it.
        const complete = read.exited && mayClose(event.bytes) && isComplete(concatBytes(chunks, size))
        return Effect.succeed({ chunks, size, exited: read.exited, complete })
      }
    ).pipe(Effect.map((read) => concatBytes(read.chunks, read.size)))
  return Effect.scoped(
    Effect.gen(function*() {
      const child = yield* Command.start(command).pipe(Effect.mapError(notStarted))
      // Runs before the platform's own release, which sends SIGTERM only while the command runs or
      // after a non-zero exit, and then waits for it: a helper that ignores SIGTERM would keep us
      // waiting past the deadline, and the children of one that exited with 0 would live on.
      yield* Effect.addFinalizer(() => killAll(child))
      const stdout = yield* readOutput(child)
      return yield* Either.match(decodeOutput(stdout), {
        onLeft: (detail) => Effect.fail(new MalformedResponse({ source: options.source, endpoint: program, detail })),
        onRight: Effect.succeed
      })
    })
  ).pipe(
    // Interrupting the scoped run closes its scope, which kills the child before the Timeout is returned.
    Effect.timeoutFail({
      duration: options.timeout,
      onTimeout: () =>
        new Timeout({ source: options.source, endpoint: program, phase: "command", after: options.timeout })
    }),
    Effect.withSpan("external.runExternal", { attributes: { program } })
  )
}

type OutputEvent = { readonly _tag: "Bytes"; readonly bytes: Uint8Array } | { readonly _tag: "Exited" }

interface Read {
  readonly chunks: Chunk.Chunk<Uint8Array>
  /** Their total length. */
  readonly size: number
  /** The command has exited with 0. */
  readonly exited: boolean
  /** It has, and the chunks make a whole document: stop reading. */
  readonly complete: boolean
}

const initialRead: Read = { chunks: Chunk.empty(), size: 0, exited: false, complete: false }

/** Whether the last byte of `bytes` that is not JSON whitespace is `}` or `]`. */
const mayClose = (bytes: Uint8Array): boolean => {
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes[i]!
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b === 0x7d || b === 0x5d
  }
  return false
}

/**
 * SIGKILL to the command's whole process group, whether or not the command itself still runs: a
 * child it left behind must not outlive the run. The Node executor spawns the command `detached`
 * on POSIX, so it leads a group of its own whose id is its pid; the platform's `kill` signals that
 * group too, but only while the command runs. A group is never reused while a member lives, so
 * `-pid` names the command's group or none (ESRCH, ignored). Never 0 or 1 (`kill(0)` and `kill(-1)`
 * would reach this process's group, or every process), never this process's own pid. On Windows
 * the platform's `kill` (`taskkill /T /F`) is all there is.
 */
const killAll = (child: CommandExecutor.Process): Effect.Effect<void> =>
  Effect.zipRight(
    Effect.ignore(Effect.try(() => {
      const pid: number = child.pid
      if (process.platform !== "win32" && Number.isSafeInteger(pid) && pid > 1 && pid !== process.pid) {
        process.kill(-pid, "SIGKILL")
      }
    })),
    Effect.ignore(Effect.whenEffect(child.kill("SIGKILL"), child.isRunning))
  )
