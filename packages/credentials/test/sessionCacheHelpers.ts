// Shared by the SessionCache tests: a cache folder in a temp folder, the cached ram_role_arn source
// against the emulator, the cache files of a folder, and a logger that keeps warnings.
import { FileSystem } from "@effect/platform"
import { Effect, Logger, LogLevel, Ref } from "effect"
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
