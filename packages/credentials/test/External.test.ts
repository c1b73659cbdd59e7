import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Clock, DateTime, Duration, Effect, Either, Redacted, Schedule } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { inspect } from "node:util"
import { fileURLToPath } from "node:url"
import { runExternal, splitCommand } from "../src/internal/external.js"

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/external/${name}`, import.meta.url))
const node = process.execPath
const field = "profiles[\"ext\"].process_command"

// POSIX single quotes, so any path survives the splitter.
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`
const nodeCommand = (script: string, ...args: ReadonlyArray<string>) => [node, fixture(script)].map(quote).concat(args).join(" ")

const run = (processCommand: string, timeout: Duration.DurationInput = "10 seconds") =>
  runExternal({ source: "cli_profile", field, processCommand, timeout: Duration.decode(timeout) }).pipe(
    Effect.provide(NodeContext.layer)
  )

// Every secret of the fixtures starts with "SECRET-"; no view of an error may show one.
const expectNoSecret = (error: unknown) => {
  for (const view of [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]) {
    expect(view).not.toContain("SECRET-")
  }
}

describe("splitCommand", () => {
  const nl = "\n"
  const cases: ReadonlyArray<readonly [string, string, ReadonlyArray<string> | string]> = [
    ["words", "/usr/local/bin/get-creds --json", ["/usr/local/bin/get-creds", "--json"]],
    ["any whitespace, trimmed", `  a \t b${nl} c  `, ["a", "b", "c"]],
    ["single quotes", "a 'b c' d", ["a", "b c", "d"]],
    ["single quotes are literal", "'a\\b \"c\" $HOME'", ["a\\b \"c\" $HOME"]],
    ["double quotes escape \" \\ $ `", "\"a\\\"b\\\\c\\$d\\`e\"", ["a\"b\\c$d`e"]],
    ["double quotes keep other backslashes", "\"C:\\Program Files\\tool.exe\" --x", ["C:\\Program Files\\tool.exe", "--x"]],
    ["outside quotes a backslash escapes any char", "a\\ b c\\'d \\x \\\"", ["a b", "c'd", "x", "\""]],
    ["backslash-newline outside quotes", `a\\${nl}b c \\${nl} d`, ["ab", "c", "d"]],
    ["backslash-newline in double quotes", `"a\\${nl}b"`, ["ab"]],
    ["backslash-newline in single quotes is kept", `'a\\${nl}b'`, [`a\\${nl}b`]],
    ["quoted empty strings are arguments", "tool \"\" '' x", ["tool", "", "", "x"]],
    ["adjacent parts form one word", "a\"b c\"'d'e", ["ab cde"]],
    ["a variable is not expanded", "tool $HOME", ["tool", "$HOME"]],
    ["empty", "", "is empty"],
    ["blank", ` ${nl}\t `, "is empty"],
    ["empty program name", "'' x", "is empty"],
    ["empty quoted program name", "\"\"", "is empty"],
    ["trailing backslash", "tool \\", "ends with a backslash"],
    ["trailing backslash before trailing blanks", "tool \\  ", "ends with a backslash"],
    ["unclosed single quote", "tool 'a b", "has an unclosed quote"],
    ["unclosed double quote", "tool \"a b", "has an unclosed quote"],
    ["backslash at the end inside double quotes", "tool \"a\\", "has an unclosed quote"]
  ]
  it.each(cases)("%s", (_, input, expected) => {
    const result = Either.match(splitCommand(input), { onLeft: (reason) => reason, onRight: (argv) => argv })
    expect(result).toEqual(expected)
  })
})

describe("runExternal", () => {
  it.live("AK output", () =>
    Effect.gen(function*() {
      const output = yield* run(nodeCommand("credential.mjs", "ak"))
      expect(output.mode).toBe("AK")
      expect(output.accessKeyId).toBe("LTAI-external")
      expect(Redacted.value(output.accessKeySecret)).toBe("SECRET-ak-secret")
      expect(output.stsToken).toBeUndefined()
      expect(output.expiration).toBeUndefined()
      expectNoSecret(output)
    }))

  it.live("StsToken output with an expiration", () =>
    Effect.gen(function*() {
      const output = yield* run(nodeCommand("credential.mjs", "sts"))
      expect(output).toMatchObject({ mode: "StsToken", accessKeyId: "STS.external" })
      expect(Redacted.value(output.accessKeySecret)).toBe("SECRET-sts-secret")
      expect(output.stsToken && Redacted.value(output.stsToken)).toBe("SECRET-sts-token")
      expect(output.expiration && DateTime.formatIso(output.expiration)).toBe("2030-01-01T00:00:00.000Z")
      expectNoSecret(output)
    }))

  it.live("null or empty sts_token and expiration mean none", () =>
    Effect.gen(function*() {
      for (const kind of ["nulls", "empty-expiration"]) {
        const output = yield* run(nodeCommand("credential.mjs", kind))
        expect(Object.keys(output).sort()).toEqual(["accessKeyId", "accessKeySecret", "mode"])
      }
    }))

  it.live("quoted arguments reach the program as the splitter read them", () =>
    Effect.gen(function*() {
      const output = yield* run(nodeCommand("credential.mjs", "argv", "'a b'", "\"c\\\"d\"", "''", "e\\ f", "\"$HOME\"", "*"))
      expect(JSON.parse(output.accessKeyId)).toEqual(["a b", "c\"d", "", "e f", "$HOME", "*"])
    }))

  it.live("the child inherits this process's environment", () =>
    Effect.gen(function*() {
      const name = "EFFECT_ALICLOUD_EXTERNAL_TEST_ID"
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          process.env[name] = "LTAI-from-env"
        }),
        () => Effect.sync(() => delete process.env[name])
      )
      const output = yield* run(nodeCommand("credential.mjs", "env"))
      expect(output.accessKeyId).toBe("LTAI-from-env")
    }).pipe(Effect.scoped))

  it.live("an executable script by path; not executable: CommandFailed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const script = `${dir}/ak helper.sh`
      yield* fs.copyFile(fixture("ak.sh"), script)
      yield* fs.chmod(script, 0o644)
      const error = yield* Effect.flip(run(`${quote(script)} SECRET-arg`))
      expect(error).toMatchObject({ _tag: "CommandFailed", command: script, detail: "is not executable (permission denied)" })
      expectNoSecret(error)
      yield* fs.chmod(script, 0o755)
      const output = yield* run(`${quote(script)} 'LTAI sh'`)
      expect(output).toMatchObject({ mode: "AK", accessKeyId: "LTAI sh" })
      expect(Redacted.value(output.accessKeySecret)).toBe("SECRET-sh-secret")
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("a command that does not split: InvalidConfiguration naming the field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run("get-creds --token 'SECRET-arg"))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "cli_profile", field, reason: "has an unclosed quote" })
      expect(error.message).toContain(`${field} has an unclosed quote`)
      expectNoSecret(error)
      expect(yield* Effect.flip(run("  "))).toMatchObject({ _tag: "InvalidConfiguration", reason: "is empty" })
    }))

  it.live("a program that does not exist: CommandFailed, was not found", () =>
    Effect.gen(function*() {
      for (const program of ["/nonexistent/get-creds", "effect-alicloud-no-such-helper"]) {
        const error = yield* Effect.flip(run(`${program} --token SECRET-arg`))
        expect(error).toMatchObject({ _tag: "CommandFailed", source: "cli_profile", command: program, detail: "was not found" })
        expect(error.message).toContain(`install it, or correct ${field}`)
        expectNoSecret(error)
      }
    }))

  it.live("a non-zero exit: CommandFailed with the code, not the output", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run(nodeCommand("credential.mjs", "exit3", "SECRET-arg")))
      expect(error).toMatchObject({ _tag: "CommandFailed", command: node, detail: "exited with code 3" })
      expect(error.message).toContain("see its standard error")
      expect(error.message).not.toContain("login required")
      expectNoSecret(error)
    }))

  it.live("killed by a signal: CommandFailed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run(nodeCommand("credential.mjs", "signal")))
      expect(error).toMatchObject({ _tag: "CommandFailed", command: node, detail: "was stopped by a signal" })
    }))

  it.live("more than 1 MiB of output: CommandFailed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run(nodeCommand("credential.mjs", "big")))
      expect(error).toMatchObject({ _tag: "CommandFailed", detail: "wrote more than 1 MiB to its standard output" })
    }))

  const malformed: ReadonlyArray<readonly [string, string]> = [
    ["not-json", "the output is not valid JSON"],
    ["not-object", "the output has the wrong type"],
    ["missing-secret", "access_key_secret is missing"],
    ["wrong-type", "access_key_secret has the wrong type"],
    ["empty-id", "access_key_id is empty"],
    ["empty-secret", "access_key_secret is empty"],
    ["sts-without-token", "sts_token is missing or empty (mode is StsToken)"],
    ["wrong-mode", "mode is neither \"AK\" nor \"StsToken\""],
    ["bad-expiration", "expiration is not a date"]
  ]
  it.live("malformed output: MalformedResponse naming the field, never the output", () =>
    Effect.gen(function*() {
      const errors = yield* Effect.forEach(malformed, ([kind]) => Effect.flip(run(nodeCommand("credential.mjs", kind))), {
        concurrency: "unbounded"
      })
      errors.forEach((error, i) => {
        expect(error).toMatchObject({ _tag: "MalformedResponse", source: "cli_profile", endpoint: node, detail: malformed[i]![1] })
        expectNoSecret(error)
      })
    }))

  it.live("longer than the timeout: Timeout, and the command and its children are killed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const pidFile = `${dir}/pids`
      const start = yield* Clock.currentTimeMillis
      const error = yield* Effect.flip(run(nodeCommand("hang.mjs", quote(pidFile), "SECRET-arg"), "800 millis"))
      const elapsed = (yield* Clock.currentTimeMillis) - start
      expect(error).toMatchObject({ _tag: "Timeout", source: "cli_profile", endpoint: node, phase: "command" })
      expect(Duration.toMillis(error._tag === "Timeout" ? error.after : Duration.zero)).toBe(800)
      expectNoSecret(error)
      // hang.mjs ignores SIGTERM: it took a SIGKILL to its process group to come back this soon.
      expect(elapsed).toBeLessThan(3000)
      const pids: ReadonlyArray<number> = JSON.parse(yield* fs.readFileString(pidFile))
      expect(pids).toHaveLength(2)
      // A SIGKILLed process may take a moment to disappear.
      yield* Effect.sync(() => pids.filter(isAlive)).pipe(
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (left) => left.length === 0, times: 40 })
      )
      expect(pids.filter(isAlive)).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
})

// Alive and not a zombie: an orphan killed here may wait for a reaper that the container lacks.
const isAlive = (pid: number): boolean => {
  try {
    if (existsSync("/proc/self/stat")) return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
