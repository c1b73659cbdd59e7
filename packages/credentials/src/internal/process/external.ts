// The External mode of a CLI profile: `process_command` is split into argv (POSIX rules, no
// shell: commandLine.ts), run as a child process, and its standard output decoded as a credential
// (helperOutput.ts), as the official Node tool (`src/providers/external.ts`,
// `src/utils/command.ts`) does, but no error ever repeats the command's arguments or output: both
// may hold secrets.
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { CommandFailed, InvalidConfiguration, MalformedResponse, Timeout } from "../../CredentialsError.js"
import { concatBytes } from "../decode/bytes.js"
import { splitCommand } from "./commandLine.js"
import { descendantsOf } from "./descendants.js"
import { decodeOutput, type ExternalOutput, isComplete } from "./helperOutput.js"

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
  CommandExecutor.CommandExecutor | FileSystem.FileSystem
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
 *
 * A child that called `setsid` has left that group. While the command still runs, it is found as
 * a descendant in /proc (Linux, descendants.ts) before anything is killed, and killed with the
 * group it leads. One that the command left behind after it exited (or that forked twice to
 * detach, a daemon) has no link back to the command: it is not found (docs/security.md).
 */
// Each kill on its own: one process gone already (ESRCH) does not spare the others.
const sigkill = (target: number) => Effect.ignore(Effect.try(() => process.kill(target, "SIGKILL")))

const killAll = (child: CommandExecutor.Process): Effect.Effect<void, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const pid: number = child.pid
    const running = yield* Effect.orElseSucceed(child.isRunning, () => false)
    // Read before the command dies: after, its children belong to init and cannot be told apart.
    const detached = running && Number.isSafeInteger(pid) ? yield* descendantsOf(pid) : []
    if (process.platform !== "win32" && Number.isSafeInteger(pid) && pid > 1 && pid !== process.pid) {
      yield* sigkill(-pid)
      for (const descendant of detached) {
        // a leader of another group (setsid, detached) takes its group with it
        const leader = descendant.pgid === descendant.pid
        if (descendant.pid > 1 && descendant.pid !== process.pid) {
          yield* sigkill(leader ? -descendant.pid : descendant.pid)
        }
      }
    }
    yield* Effect.ignore(Effect.whenEffect(child.kill("SIGKILL"), child.isRunning))
  })
