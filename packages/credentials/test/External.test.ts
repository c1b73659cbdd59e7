import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Clock, DateTime, Duration, Effect, Either, Fiber, Option, Redacted, Schedule } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { inspect } from "node:util"
import { splitCommand } from "../src/internal/process/commandLine.js"
import { maxOutputBytes, runExternal } from "../src/internal/process/external.js"
import { decodeOutput } from "../src/internal/process/helperOutput.js"

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/external/${name}`, import.meta.url))
const node = process.execPath
const field = "profiles[\"ext\"].process_command"

// POSIX single quotes, so any path survives the splitter.
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`
const nodeCommand = (script: string, ...args: ReadonlyArray<string>) =>
  [node, fixture(script)].map(quote).concat(args).join(" ")

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
    ["double quotes keep other backslashes", "\"C:\\Program Files\\tool.exe\" --x", [
      "C:\\Program Files\\tool.exe",
      "--x"
    ]],
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

// Every test starts real processes (some wait on their 10 s command timeout): a generous limit, so
// that a loaded machine does not fail them on wall-clock speed.
describe("runExternal", { timeout: 60_000 }, () => {
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
      const output = yield* run(
        nodeCommand("credential.mjs", "argv", "'a b'", "\"c\\\"d\"", "''", "e\\ f", "\"$HOME\"", "*")
      )
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
      expect(error).toMatchObject({
        _tag: "CommandFailed",
        command: script,
        detail: "is not executable (permission denied)"
      })
      expectNoSecret(error)
      yield* fs.chmod(script, 0o755)
      const output = yield* run(`${quote(script)} 'LTAI sh'`)
      expect(output).toMatchObject({ mode: "AK", accessKeyId: "LTAI sh" })
      expect(Redacted.value(output.accessKeySecret)).toBe("SECRET-sh-secret")
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("a command that does not split: InvalidConfiguration naming the field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run("get-creds --token 'SECRET-arg"))
      expect(error).toMatchObject({
        _tag: "InvalidConfiguration",
        source: "cli_profile",
        field,
        reason: "has an unclosed quote"
      })
      expect(error.message).toContain(`${field} has an unclosed quote`)
      expectNoSecret(error)
      expect(yield* Effect.flip(run("  "))).toMatchObject({ _tag: "InvalidConfiguration", reason: "is empty" })
    }))

  it.live("a program that does not exist: CommandFailed, was not found", () =>
    Effect.gen(function*() {
      for (const program of ["/nonexistent/get-creds", "effect-alicloud-no-such-helper"]) {
        const error = yield* Effect.flip(run(`${program} --token SECRET-arg`))
        expect(error).toMatchObject({
          _tag: "CommandFailed",
          source: "cli_profile",
          command: program,
          detail: "was not found"
        })
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
    ["bad-expiration", "expiration is not a date"]
  ]
  it.live("malformed output: MalformedResponse naming the field, never the output", () =>
    Effect.gen(function*() {
      const errors = yield* Effect.forEach(
        malformed,
        ([kind]) => Effect.flip(run(nodeCommand("credential.mjs", kind))),
        {
          concurrency: "unbounded"
        }
      )
      errors.forEach((error, i) => {
        expect(error).toMatchObject({
          _tag: "MalformedResponse",
          source: "cli_profile",
          endpoint: node,
          detail: malformed[i]![1]
        })
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
      yield* expectAllGone(pidFile)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  // A fixture that writes its pid and its child's to a file, run to its end.
  const withPids = (script: string, kind: string, timeout: Duration.DurationInput = "10 seconds") =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const pidFile = `${yield* fs.makeTempDirectoryScoped()}/pids`
      const result = yield* Effect.either(run(nodeCommand(script, quote(pidFile), kind, "SECRET-arg"), timeout))
      return { result, pidFile }
    })

  // linger.mjs exits, but a child of its own keeps its standard output open for 60 s.
  const lingering = (kind: string, timeout: Duration.DurationInput = "10 seconds") =>
    withPids("linger.mjs", kind, timeout)

  // hang-setsid.mjs's child called setsid: a session and a group of its own, which a kill of the
  // helper's group misses.
  it.live("longer than the timeout with a child that called setsid: the child, out of the group, is killed too", () =>
    Effect.gen(function*() {
      const { pidFile, result } = yield* withPids("hang-setsid.mjs", "hang", "800 millis")
      expect(Either.getLeft(result)).toMatchObject(Option.some({ _tag: "Timeout", phase: "command" }))
      yield* expectAllGone(pidFile)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("the limit: a setsid child of a helper that has exited is not found (docs/security.md)", () =>
    Effect.gen(function*() {
      const { pidFile, result } = yield* withPids("hang-setsid.mjs", "exit")
      expect(yield* result).toMatchObject({ mode: "AK", accessKeyId: "LTAI-setsid" })
      const child: number = JSON.parse(
        yield* FileSystem.FileSystem.pipe(Effect.flatMap((fs) => fs.readFileString(pidFile)))
      )[1]
      // Once the helper is gone, its child belongs to init: no link back to the run is left.
      expect(isAlive(child)).toBe(true)
      process.kill(child, "SIGKILL")
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("exits 0 leaving a child that holds its output: the credential at once, and the child is killed", () =>
    Effect.gen(function*() {
      // Without the early finish this is a Timeout after 10 s (and the test's own 5 s limit before).
      const { pidFile, result } = yield* lingering("ak")
      const output = yield* result
      expect(output).toMatchObject({ mode: "AK", accessKeyId: "LTAI-linger" })
      expect(Redacted.value(output.accessKeySecret)).toBe("SECRET-linger")
      yield* expectAllGone(pidFile)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("exits 0 with half a document: reading goes on until the rest arrives", () =>
    Effect.gen(function*() {
      // The child left behind prints the second half after the exit, and holds the output open.
      const { pidFile, result } = yield* lingering("late")
      expect(yield* result).toMatchObject({ mode: "AK", accessKeyId: "LTAI-linger" })
      yield* expectAllGone(pidFile)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("exits 0 with half a document that never ends: Timeout, and the child left behind is killed", () =>
    Effect.gen(function*() {
      const { pidFile, result } = yield* lingering("incomplete", "800 millis")
      const error = yield* Effect.flip(result)
      expect(error).toMatchObject({ _tag: "Timeout", source: "cli_profile", endpoint: node, phase: "command" })
      expectNoSecret(error)
      yield* expectAllGone(pidFile)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("a non-zero exit while a child holds the output: CommandFailed at once, and the child is killed", () =>
    Effect.gen(function*() {
      const { pidFile, result } = yield* lingering("exit3")
      const error = yield* Effect.flip(result)
      expect(error).toMatchObject({ _tag: "CommandFailed", command: node, detail: "exited with code 3" })
      expectNoSecret(error)
      yield* expectAllGone(pidFile)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.live("interrupted: the command and its children are killed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const pidFile = `${yield* fs.makeTempDirectoryScoped()}/pids`
      const fiber = yield* Effect.fork(run(nodeCommand("hang.mjs", quote(pidFile)), "60 seconds"))
      // Interrupted once both pids are written, i.e. once the helper's child runs too.
      yield* fs.readFileString(pidFile).pipe(
        Effect.filterOrFail((text) => text.length > 0),
        Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 200 })
      )
      yield* Fiber.interrupt(fiber)
      yield* expectAllGone(pidFile)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  const rawCases: ReadonlyArray<readonly [string, string]> = [
    ["deep", "the output is nested more than 64 levels deep"],
    ["deep-object", "the output is nested more than 64 levels deep"],
    ["invalid-utf8", "the output is not valid UTF-8"],
    ["control", "the output is not valid JSON"],
    ["control-outside", "the output is not valid JSON"],
    ["huge-number-id", "access_key_id has the wrong type"],
    ["infinity-expiration", "expiration is not a date"],
    ["blob", "the output has the wrong type"]
  ]
  // The official tool looks at `mode` only to demand a token when it is exactly "StsToken"; any
  // other value is accepted (it used to be refused here). test/ExternalOfficial.test.ts compares more.
  it.live("another mode is accepted as the official accepts it: AK without a token", () =>
    Effect.gen(function*() {
      const output = yield* run(nodeCommand("credential.mjs", "wrong-mode"))
      expect(output).toMatchObject({ mode: "AK", accessKeyId: "LTAI-external" })
      expect(Object.keys(output).sort()).toEqual(["accessKeyId", "accessKeySecret", "mode"])
      // Not kept, not shown: it may be anything.
      expect(inspect(output, { depth: 10 })).not.toContain("SECRET-")
    }))

  it.live("output no decoder should choke on: MalformedResponse, never a defect, never the output", () =>
    Effect.gen(function*() {
      const exits = yield* Effect.forEach(rawCases, ([kind]) => Effect.exit(run(nodeCommand("raw.mjs", kind))), {
        concurrency: "unbounded"
      })
      exits.forEach((exit, i) => {
        // A failure with one typed error: no defect, no interruption.
        const [kind, detail] = rawCases[i]!
        expect({ kind, exit }).toMatchObject({
          kind,
          exit: {
            _tag: "Failure",
            cause: { _tag: "Fail", error: { _tag: "MalformedResponse", source: "cli_profile", endpoint: node, detail } }
          }
        })
        expectNoSecret(exit)
      })
    }))

  // In `mode`, any value is accepted, as the official tool accepts it (these used to be refused).
  it.live("a huge number or an infinity as the mode: AK, as the official tool reads it", () =>
    Effect.gen(function*() {
      for (const kind of ["huge-number", "infinity"]) {
        expect(yield* run(nodeCommand("raw.mjs", kind))).toMatchObject({ mode: "AK", accessKeyId: "SECRET-id" })
      }
    }))
})

describe("decodeOutput", () => {
  const credential = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ mode: "AK", access_key_id: "LTAI-id", access_key_secret: "SECRET-secret", ...extra })
  const bytes = (...parts: ReadonlyArray<string | ReadonlyArray<number>>) =>
    Buffer.concat(parts.map((part) => typeof part === "string" ? Buffer.from(part) : Buffer.from(part)))
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)
  const detail = (input: string | Uint8Array) =>
    Either.match(decodeOutput(input), { onLeft: (reason) => reason, onRight: (output) => output.accessKeyId })

  it("text and bytes alike; a byte-order mark is dropped", () => {
    expect(detail(credential())).toBe("LTAI-id")
    expect(detail(bytes(credential()))).toBe("LTAI-id")
    expect(detail(bytes([0xef, 0xbb, 0xbf], credential()))).toBe("LTAI-id")
    expect(detail(bytes(`\n\t ${credential()}\r\n`))).toBe("LTAI-id")
  })

  it("64 levels of nesting are read, 65 are not, even if the document is never closed", () => {
    expect(detail(credential({ extra: JSON.parse(nested(63)) }))).toBe("LTAI-id")
    expect(detail(credential({ extra: JSON.parse(nested(64)) }))).toBe("the output is nested more than 64 levels deep")
    expect(detail("[".repeat(65))).toBe("the output is nested more than 64 levels deep")
    // Brackets inside strings (escaped quotes too) are text, not nesting.
    expect(detail(credential({ extra: "[{\"".repeat(100) }))).toBe("LTAI-id")
  })

  it("200000 levels: a Left, not a stack overflow", () => {
    expect(detail(nested(200000))).toBe("the output is nested more than 64 levels deep")
    expect(detail("{\"a\":".repeat(200000) + "1" + "}".repeat(200000))).toBe(
      "the output is nested more than 64 levels deep"
    )
    expect(detail(bytes(nested(200000)))).toBe("the output is nested more than 64 levels deep")
  })

  it("invalid UTF-8 is refused, not replaced", () => {
    const [before, after] = credential({ access_key_id: "LTAI-|" }).split("|")
    for (const bad of [[0x80], [0xff], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      expect(detail(bytes(before!, bad, after!))).toBe("the output is not valid UTF-8")
    }
  })

  it("control characters, huge numbers, a 1 MiB blob: Left descriptions", () => {
    expect(detail(credential({ access_key_id: "LTAI|" }).replace("|", "\u0000\u001b"))).toBe(
      "the output is not valid JSON"
    )
    expect(detail(`\u0000${credential()}`)).toBe("the output is not valid JSON")
    // (`mode` may be anything, as for the official tool: the numbers go where a string or a date is wanted.)
    expect(detail(credential().replace("\"LTAI-id\"", "1".repeat(100000)))).toBe("access_key_id has the wrong type")
    expect(detail(credential({ expiration: "|" }).replace("\"|\"", "-1e999999"))).toBe("expiration is not a date")
    expect(detail(`"${"x".repeat(maxOutputBytes)}"`)).toBe("the output has the wrong type")
    expect(detail(`[${"1,".repeat(maxOutputBytes / 2)}1]`)).toBe("the output has the wrong type")
  })

  // As the official tool: `mode` only demands a token when it is exactly "StsToken"; the type follows
  // the token (the official attaches `sts_token` in every mode). Compared with the official itself in
  // test/ExternalOfficial.test.ts.
  it("mode is normalized: StsToken exactly when there is a token", () => {
    const mode = (extra: Record<string, unknown>) =>
      Either.match(decodeOutput(credential(extra)), { onLeft: (reason) => reason, onRight: (output) => output.mode })
    expect(mode({ mode: "AK", sts_token: "SECRET-t" })).toBe("StsToken")
    expect(mode({ mode: undefined })).toBe("AK")
    expect(mode({ mode: "ststoken" })).toBe("AK")
    expect(mode({ mode: "RamRoleArn", sts_token: "SECRET-t" })).toBe("StsToken")
    expect(mode({ mode: "StsToken", sts_token: "SECRET-t" })).toBe("StsToken")
    expect(mode({ mode: "AK", sts_token: "" })).toBe("AK")
    expect(mode({ mode: "StsToken", sts_token: 0 })).toBe("sts_token is missing or empty (mode is StsToken)")
  })

  it("an expiration without an offset is read in the zone given (the process's own by default)", () => {
    const at = (expiration: unknown, zone: () => DateTime.TimeZone | undefined) =>
      Either.match(decodeOutput(credential({ expiration }), zone), {
        onLeft: (reason) => reason,
        onRight: (output) => output.expiration && DateTime.formatIso(output.expiration)
      })
    const shanghai = () => DateTime.zoneUnsafeMakeNamed("Asia/Shanghai")
    expect(at("2030-01-01 00:00:00", shanghai)).toBe("2029-12-31T16:00:00.000Z")
    expect(at("2030-01-01T00:00:00.123456", shanghai)).toBe("2029-12-31T16:00:00.123Z")
    expect(at("2030-01-01T00:00:00Z", shanghai)).toBe("2030-01-01T00:00:00.000Z")
    expect(at("2030-01-01", shanghai)).toBe("2030-01-01T00:00:00.000Z")
    expect(at(1893456000123.9, shanghai)).toBe("2030-01-01T00:00:00.123Z")
    // No zone to read: an error, not a guess.
    expect(at("2030-01-01 00:00:00", () => undefined)).toBe(
      "expiration has no offset and the local time zone cannot be read"
    )
    expect(at("2030-01-01T00:00:00+08:00", () => undefined)).toBe("2029-12-31T16:00:00.000Z")
    for (
      const bad of [
        "2030-02-29T00:00:00Z",
        "2030-01-01T24:00:00Z",
        "1969-12-31T00:00:00Z",
        "2030-01-01T00:00:00+24:00",
        " 2030-01-01",
        "2030-01-01T00:00:00 +08:00"
      ]
    ) {
      expect(at(bad, shanghai)).toBe("expiration is not a date")
    }
  })

  it("any bytes: a value, never a throw", () => {
    // A fixed pseudo-random sequence (xorshift), biased towards JSON's structural characters.
    let seed = 0x2545f491
    const next = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return seed >>> 0
    }
    const alphabet = Buffer.from("[]{}\":,\\ 0123456789.eE-+truefalsnu")
    for (let i = 0; i < 2000; i++) {
      const input = Buffer.alloc(1 + (next() % 200), 0)
      for (let j = 0; j < input.length; j++) {
        input[j] = next() % 4 === 0 ? next() % 256 : alphabet[next() % alphabet.length]!
      }
      expect(() => decodeOutput(input)).not.toThrow()
      expect(Either.isEither(decodeOutput(input))).toBe(true)
    }
  })
})

// Reads the pids a fixture wrote and waits, a bounded number of times, for every one to be gone.
const expectAllGone = (pidFile: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const pids: ReadonlyArray<number> = JSON.parse(yield* fs.readFileString(pidFile))
    expect(pids).toHaveLength(2)
    // A SIGKILLed process may take a moment to disappear.
    yield* Effect.sync(() => pids.filter(isAlive)).pipe(
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (left) => left.length === 0, times: 40 })
    )
    expect(pids.filter(isAlive)).toEqual([])
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
