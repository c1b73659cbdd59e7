// Runs `alicloud-credentials` as a real process, as it ships: its bin over the built packages
// (`pnpm test` builds them first), with an explicit environment and a temp HOME; every wait is
// bounded and a process still running is killed. Not from source under tsx: compiling the whole
// library at every start took 6 s and more on a loaded 2-core machine, past the waits below.
import { FileSystem } from "@effect/platform"
import { Data, Deferred, Duration, Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const bin = fileURLToPath(new URL("../bin/alicloud-credentials.js", import.meta.url))

/** The command line that runs the built CLI (its bin: dist/main.js over the built library). */
export const nodeArgs = [bin] as const

export const accessKey = { accessKeyId: "LTAI5tTestAccessKey01", accessKeySecret: "test-secret-0001" } as const
export const roleArn = "acs:ram::1234567890123456:role/test-role"

/** A secret that needs quoting in a shell and escaping in JSON. */
export const trickySecret = `s3cr'et "$HOME" \`id\` \\ end`

export class ProcessTimeout
  extends Data.TaggedError("ProcessTimeout")<{ readonly args: string; readonly output: string }>
{
  override get message() {
    return `alicloud-credentials ${this.args} did not finish in time; output so far: ${this.output}`
  }
}

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment of a run: nothing inherited but PATH; the metadata service off unless `extra` says otherwise. */
export const envFor = (home: string, extra: Record<string, string> = {}): Record<string, string> => ({
  HOME: home,
  PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
  ...extra
})

/** Runs the CLI to its end, killed after `timeout`. */
export const run = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: {
    readonly timeout?: Duration.DurationInput
    readonly command?: (args: ReadonlyArray<string>) => readonly [string, ReadonlyArray<string>]
  } = {}
): Effect.Effect<Result, ProcessTimeout> =>
  Effect.async<Result, ProcessTimeout>((resume) => {
    const [file, argv] = options.command?.(args) ?? [process.execPath, [...nodeArgs, ...args]]
    const child = spawn(file, argv, { cwd: packageDir, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let timedOut = false
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, Duration.toMillis(options.timeout ?? "40 seconds"))
    child.on("error", (error) => {
      clearTimeout(timer)
      resume(Effect.die(error))
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resume(
        timedOut
          ? Effect.fail(new ProcessTimeout({ args: args.join(" "), output: stdout + stderr }))
          : Effect.succeed({ code, signal, stdout, stderr })
      )
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      child.kill("SIGKILL")
    })
  })

/** A long-running CLI (serve): its first stdout line, signals, and its end; killed when the scope closes. */
export const start = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function*() {
    const firstLine = yield* Deferred.make<string>()
    const exited = yield* Deferred.make<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>()
    const output = { stdout: "", stderr: "" }
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [...nodeArgs, ...args], { cwd: packageDir, env, stdio: ["ignore", "pipe", "pipe"] })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output.stdout += chunk
      const newline = output.stdout.indexOf("\n")
      if (newline !== -1) Deferred.unsafeDone(firstLine, Effect.succeed(output.stdout.slice(0, newline)))
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk))
    child.on("close", (code, signal) => Deferred.unsafeDone(exited, Effect.succeed({ code, signal })))
    const timeout = (what: string) =>
      Effect.timeoutFail({
        duration: "40 seconds",
        onTimeout: () =>
          new ProcessTimeout({ args: `${args.join(" ")} (${what})`, output: output.stdout + output.stderr })
      })
    return {
      firstLine: Deferred.await(firstLine).pipe(timeout("start line")),
      exited: Deferred.await(exited).pipe(timeout("exit")),
      signal: (signal: NodeJS.Signals) => Effect.sync(() => child.kill(signal)),
      output
    }
  })

/** A temp HOME; `config` is written as `~/.aliyun/config.json` (a string as is, else as JSON). */
export const makeHome = (config?: unknown): Effect.Effect<string, unknown, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const home = yield* fs.makeTempDirectoryScoped({ prefix: "alicloud-cli-test-" })
    if (config !== undefined) {
      yield* fs.makeDirectory(`${home}/.aliyun`)
      yield* fs.writeFileString(
        `${home}/.aliyun/config.json`,
        typeof config === "string" ? config : JSON.stringify(config)
      )
    }
    return home
  })

/** A loopback port where nothing listens: connections are refused. */
export const closedPort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 9
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** One line on stderr, no stack trace. */
export const isOneLine = (stderr: string): boolean =>
  stderr.trim().split("\n").length === 1 && !/^\s+at /m.test(stderr) && stderr.trim().length > 0
