// Issue 18, item 9: the External write-back into an existing config.json open to every user (644,
// the default umask's) put the helper's secret in a world-readable file. Now such a file becomes
// the owner's only (0600, as aliyun creates it) and a warning says so; a group-only mode (640) is
// the owner's choice and is kept. Real files and modes, a real process_command.
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { fileURLToPath } from "node:url"
import * as HttpTransport from "../src/HttpTransport.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import { withEnv } from "./withEmulator.js"

// The fixture helper that prints an STS credential (its secrets start with "SECRET-").
const helper = `'${process.execPath}' '${
  fileURLToPath(new URL("./fixtures/external/credential.mjs", import.meta.url))
}' sts`

// A config.json of `mode`, in a temporary folder, whose External profile runs the helper.
const externalHome = (mode: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = `${yield* fs.makeTempDirectoryScoped()}/config.json`
    const profile = { name: "ext", mode: "External", process_command: helper }
    yield* fs.writeFileString(path, JSON.stringify({ current: "ext", profiles: [profile] }))
    yield* fs.chmod(path, mode)
    return path
  })

// Runs the source on `path`, with the warnings it logs.
const fetchLogging = (path: string) =>
  Effect.gen(function*() {
    const logs: Array<string> = []
    const logger = Logger.make(({ message }) => {
      logs.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    const credential = yield* CliProfile.make({ path }).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      withEnv({})
    )
    return { credential, logs }
  })

const modeOf = (path: string) =>
  Effect.map(FileSystem.FileSystem, (fs) => fs.stat(path)).pipe(
    Effect.flatten,
    Effect.map((info) => info.mode & 0o777)
  )

describe("the External write-back and the file's mode", { timeout: 60_000 }, () => {
  it.scoped("a 644 config.json: written 600, and a warning naming the path and both modes", () =>
    Effect.gen(function*() {
      const path = yield* externalHome(0o644)
      const { credential, logs } = yield* fetchLogging(path)
      expect(credential.accessKeyId).toBe("STS.external")
      expect(yield* modeOf(path)).toBe(0o600)
      const fs = yield* FileSystem.FileSystem
      expect(JSON.parse(yield* fs.readFileString(path)).profiles[0]).toMatchObject({ sts_token: "SECRET-sts-token" })
      const warning = logs.find((line) => line.includes("open to every user"))
      expect(warning).toBe(
        `${path} was open to every user of this host (mode 0644) and now holds secrets: its mode is now 0600`
      )
      for (const line of logs) expect(line).not.toContain("SECRET-")
    }).pipe(Effect.provide([NodeContext.layer, HttpTransport.layer()])))

  it.scoped("a 604 config.json (others only): 600 too", () =>
    Effect.gen(function*() {
      const path = yield* externalHome(0o604)
      yield* fetchLogging(path)
      expect(yield* modeOf(path)).toBe(0o600)
    }).pipe(Effect.provide([NodeContext.layer, HttpTransport.layer()])))

  for (const mode of [0o600, 0o640]) {
    it.scoped(`a ${mode.toString(8)} config.json: its mode kept, no warning`, () =>
      Effect.gen(function*() {
        const path = yield* externalHome(mode)
        const { logs } = yield* fetchLogging(path)
        expect(yield* modeOf(path)).toBe(mode)
        expect(logs.filter((line) => line.includes("open to every user"))).toEqual([])
      }).pipe(Effect.provide([NodeContext.layer, HttpTransport.layer()])))
  }
})
