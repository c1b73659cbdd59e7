// Shared by the SessionCache tests: a cache folder in a temp folder, the cached ram_role_arn source
// against the emulator, the cache files of a folder, and a logger that keeps warnings.
import { FileSystem } from "@effect/platform"
import { Chunk, Clock, Effect, Logger, LogLevel, Ref, TestClock } from "effect"
import { hostname } from "node:os"
import type * as SessionCache from "../src/SessionCache.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import { accessKey, retryNow, roleArn } from "./withEmulator.js"

export const signer = AccessKey.make(accessKey)

/** A `cache` folder (not made yet) inside a scoped temp folder. */
export const cacheDir = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  return `${dir}/cache`
})

export const role = (
  stsEndpoint: string,
  directory: string,
  extra: Partial<SessionCache.Options> = {},
  arn: string = roleArn
) =>
  RamRoleArn.make({
    source: signer,
    roleArn: arn,
    stsEndpoint,
    retrySchedule: retryNow(0),
    cache: { directory, ...extra }
  })

export const cacheFiles = (dir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    return (yield* fs.readDirectory(dir)).filter((name) => name.endsWith(".json"))
  })

// Captures warnings, to assert that the cache said what it did.
export const captureWarnings = Effect.gen(function*() {
  const lines = yield* Ref.make<ReadonlyArray<string>>([])
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    if (LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)) {
      const text = `${String(Array.isArray(message) ? message.join(" ") : message)} ${JSON.stringify([...annotations])}`
      Effect.runSync(Ref.update(lines, (all) => [...all, text]))
    }
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

/** A cache folder whose one session was fetched, then removed: its paths, and the text it held. */
export const emptiedEntry = (stsUrl: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* cacheDir
    yield* role(stsUrl, dir)
    const [name = ""] = yield* cacheFiles(dir)
    const entry = `${dir}/${name}`
    const stored = yield* fs.readFileString(entry)
    yield* fs.remove(entry)
    return { dir, name, entry, lock: `${entry}.lock`, stored }
  })

/** The lock record of a live holder (this host, a running pid, taken now), mode 600, at `lock`. */
export const writeLiveLock = (lock: string, id: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const at = yield* Clock.currentTimeMillis
    yield* fs.writeFileString(lock, JSON.stringify({ id, pid: process.pid, host: hostname(), at }), { mode: 0o600 })
  })

/** Whether a poll of the lock (a sleep of 100 ms from now) is pending on the TestClock. */
export const polling = Effect.gen(function*() {
  const at = yield* Clock.currentTimeMillis
  return Chunk.some(yield* TestClock.sleeps(), (sleep) => sleep === at + 100)
})
