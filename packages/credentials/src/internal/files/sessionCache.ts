// The session file cache (see SessionCache.ts): read, lock, fetch, write. Every failure of the
// cache is a warning and the fetch goes upstream: the cache only ever saves requests.
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import * as Credential from "../../Credential.js"
import type { CredentialsError, InvalidConfiguration } from "../../CredentialsError.js"
import * as Rules from "../config/rules.js"
import { STALE_WINDOW } from "../refresh/timing.js"
import { describePlatformError, errnoCode, readTextFileOption } from "./boundedFile.js"
import { replaceFile } from "./cliConfig/writeBack.js"
import { homeDirectory } from "./home.js"

/** The session cache's options (`SessionCache.Options`). */
export interface Options {
  /** The folder of the cache files. Default `~/.alibabacloud/cache` (HOME, else USERPROFILE, through Config). */
  readonly directory?: string | undefined
  /** A cached session with less than this left is not used. Default 15 minutes (the refresh engine's `staleWindow`). */
  readonly staleWindow?: Duration.DurationInput | undefined
  /** How long a process waits for another one's fetch (the lock) before taking the lock over. Default 20 seconds. */
  readonly lockWait?: Duration.DurationInput | undefined
  /** A lock older than this is taken over at once (its process is gone). Default 60 seconds. */
  readonly staleLock?: Duration.DurationInput | undefined
}

export const DEFAULT_DIRECTORY = ".alibabacloud/cache"

const POLL = Duration.millis(100)
const MAX_BYTES = 64 * 1024

/** The file name of a key: SHA-256 of its fields, sorted, as JSON. Identifiers only go in. */
export const fileName = (key: Readonly<Record<string, string | number | undefined>>): string => {
  const fields = Object.keys(key).sort().filter((k) => key[k] !== undefined).map((k) => [k, key[k]])
  return `${createHash("sha256").update(JSON.stringify(fields)).digest("hex")}.json`
}

const Entry = Schema.Struct({
  version: Schema.Literal(1),
  accessKeyId: Schema.NonEmptyString,
  accessKeySecret: Schema.Redacted(Schema.NonEmptyString),
  securityToken: Schema.Redacted(Schema.NonEmptyString),
  expiration: Schema.DateTimeUtc,
  providerName: Schema.String
})
const EntryJson = Schema.parseJson(Entry)
const LockJson = Schema.parseJson(Schema.Struct({ id: Schema.String, at: Schema.Number }))

// A lock holds `{ id, at }`: a few dozen bytes. It is read through the bounded reader like every
// file (regular files only, capped): a lock that is a FIFO, a device or a link to one, or a huge
// file, reads as no lock, and the wait stays bounded by `lockWait`.
const LOCK_MAX_BYTES = 1024

const readLock = (env: Env, lockPath: string) =>
  readTextFileOption(lockPath, { source: env.source, maxBytes: LOCK_MAX_BYTES }).pipe(
    Effect.orElseSucceed(() => Option.none<string>())
  )

const warn = (message: string, fields: Record<string, string>) =>
  Effect.logWarning(message).pipe(Effect.annotateLogs(fields))

const describe = (error: PlatformError.PlatformError) => describePlatformError(error)

/** Where the cache lives, or none (a warning) when no home directory is known. */
const directoryOf = (directory: string | undefined) =>
  directory !== undefined
    ? Effect.succeed(Option.some(directory))
    : Effect.map(homeDirectory, Option.map((home) => `${home.replace(/[\\/]+$/, "")}/${DEFAULT_DIRECTORY}`))

interface Settings {
  readonly directory: string | undefined
  readonly staleMillis: number
  readonly lockWaitMillis: number
  readonly staleLockMillis: number
}

// The options come from TypeScript or plain JavaScript: each is checked, a bad one is the source's
// InvalidConfiguration naming `cache.<option>`.
const settings = (source: string, options: Options): Effect.Effect<Settings, InvalidConfiguration> =>
  Effect.gen(function*() {
    const millis = (field: string, input: Duration.DurationInput) =>
      Effect.map(Rules.decodeDuration(source, `cache.${field}`, input), Duration.toMillis)
    return {
      // Left out: ~/.alibabacloud/cache; given, it must name a folder (a blank one is a mistake, not
      // "not set": the option has no official counterpart whose blank users rely on).
      directory: options.directory === undefined ? undefined : yield* Rules.decodeRequired({
        source,
        origin: Rules.option("cache.directory"),
        schema: Rules.Text,
        fix: "pass the folder of the cache files, or leave it out for ~/.alibabacloud/cache"
      }, options.directory),
      staleMillis: yield* millis("staleWindow", options.staleWindow ?? STALE_WINDOW),
      lockWaitMillis: yield* millis("lockWait", options.lockWait ?? "20 seconds"),
      staleLockMillis: yield* millis("staleLock", options.staleLock ?? "60 seconds")
    }
  })

export interface Key {
  /** The source, for warnings. */
  readonly source: string
  /** What identifies the session: identifiers only. */
  readonly fields: Readonly<Record<string, string | number | undefined>>
}

/**
 * `fetch`, through the file cache: a valid cached session (more than the stale window left) is
 * returned without running `fetch`; otherwise, under the lock, `fetch` runs and its session is stored.
 */
export const cached = <E extends CredentialsError, R>(
  options: Options,
  key: Key,
  fetch: Effect.Effect<Credential.Credential, E, R>
): Effect.Effect<Credential.Credential, E | InvalidConfiguration, R | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const set = yield* settings(key.source, options)
    const dir = yield* directoryOf(set.directory)
    if (Option.isNone(dir)) {
      yield* warn("session cache: no home directory (HOME) and no directory given; not caching", { source: key.source })
      return yield* fetch
    }
    const made = yield* fs.makeDirectory(dir.value, { recursive: true, mode: 0o700 }).pipe(
      Effect.as(true),
      Effect.catchAll((error) =>
        warn("session cache: the folder cannot be made; not caching", { source: key.source, reason: describe(error) })
          .pipe(Effect.as(false))
      )
    )
    if (!made) return yield* fetch
    const path = `${dir.value}/${fileName(key.fields)}`
    const env = { fs, path, source: key.source, staleMillis: set.staleMillis }
    const hit = yield* readValid(env)
    if (Option.isSome(hit)) return hit.value
    return yield* Effect.scoped(Effect.gen(function*() {
      yield* acquireLock(env, set)
      // Another process may have stored the session while this one waited.
      const after = yield* readValid(env)
      if (Option.isSome(after)) return after.value
      const credential = yield* fetch
      yield* store(env, credential)
      return credential
    }))
  })

interface Env {
  readonly fs: FileSystem.FileSystem
  readonly path: string
  readonly source: string
  readonly staleMillis: number
}

/** The cached session if the file holds a well-formed one with more than the stale window left. */
const readValid = (env: Env): Effect.Effect<Option.Option<Credential.Credential>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const text = yield* readTextFileOption(env.path, { source: env.source, maxBytes: MAX_BYTES }).pipe(
      Effect.catchAll((error) =>
        warn("session cache: the cache file cannot be read; removing it", { source: env.source, reason: error.reason })
          .pipe(
            Effect.zipRight(Effect.ignore(env.fs.remove(env.path))),
            Effect.as(Option.none<string>())
          )
      )
    )
    if (Option.isNone(text)) return Option.none()
    const entry = yield* Effect.option(Schema.decodeUnknown(EntryJson)(text.value))
    if (Option.isNone(entry)) {
      yield* warn("session cache: a malformed cache file was removed; fetching anew", {
        source: env.source,
        file: env.path
      })
      yield* Effect.ignore(env.fs.remove(env.path))
      return Option.none()
    }
    const now = yield* Clock.currentTimeMillis
    if (DateTime.toEpochMillis(entry.value.expiration) - now <= env.staleMillis) return Option.none()
    return Option.some(Credential.make({
      type: "sts",
      accessKeyId: entry.value.accessKeyId,
      accessKeySecret: entry.value.accessKeySecret,
      securityToken: entry.value.securityToken,
      expiration: entry.value.expiration,
      providerName: entry.value.providerName
    }))
  })

const store = (env: Env, credential: Credential.Credential): Effect.Effect<void, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (credential.expiration === undefined || credential.securityToken === undefined) return
    const content = yield* Schema.encode(EntryJson)({
      version: 1,
      accessKeyId: credential.accessKeyId,
      accessKeySecret: credential.accessKeySecret,
      securityToken: credential.securityToken,
      expiration: credential.expiration,
      providerName: credential.providerName
    })
    yield* replaceFile(env.path, content, { mode: 0o600 })
  }).pipe(
    Effect.catchAll((error) =>
      warn("session cache: the session cannot be stored", {
        source: env.source,
        reason: error._tag === "WriteFailed" ? error.detail : "it cannot be encoded"
      })
    )
  )

// The lock: `<file>.lock`, created exclusively (`wx`), holding its owner's id and the Clock time it
// was taken. Released (removed, if still ours) when the fetch's scope closes, interrupted or not.
const acquireLock = (env: Env, set: Settings) =>
  Effect.gen(function*() {
    const lockPath = `${env.path}.lock`
    const id = `${(yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)}${
      (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    }`
    const waitMillis = set.lockWaitMillis
    const staleMillis = set.staleLockMillis
    const tries = Math.max(1, Math.ceil(waitMillis / Duration.toMillis(POLL)))
    const take = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      return yield* env.fs.writeFileString(lockPath, JSON.stringify({ id, at: now }), { flag: "wx", mode: 0o600 })
    })
    const holderAge = Effect.gen(function*() {
      const text = yield* readLock(env, lockPath)
      if (Option.isNone(text)) return Option.none<number>()
      const lock = yield* Effect.option(Schema.decodeUnknown(LockJson)(text.value))
      const now = yield* Clock.currentTimeMillis
      return Option.map(lock, (l) => now - l.at)
    })
    let owned = false
    for (let i = 0; i <= tries && !owned; i++) {
      const result = yield* Effect.either(take)
      if (result._tag === "Right") {
        owned = true
        break
      }
      if (errnoCode(result.left) !== "EEXIST") {
        yield* warn("session cache: the lock file cannot be made; fetching without it", {
          source: env.source,
          reason: describe(result.left)
        })
        return
      }
      const age = yield* holderAge
      if (Option.isSome(age) && age.value > staleMillis) {
        yield* warn("session cache: a stale lock was taken over", { source: env.source })
        yield* Effect.ignore(env.fs.remove(lockPath))
        continue
      }
      if (i === tries) break
      yield* Effect.sleep(POLL)
      // The holder may have stored the session meanwhile: the caller reads it once the lock is ours;
      // here, stop waiting as soon as the file is valid.
      if (Option.isSome(yield* readValid(env))) return
    }
    if (!owned) {
      yield* warn("session cache: the lock was held too long; taking it over", { source: env.source })
      yield* Effect.ignore(env.fs.remove(lockPath))
      owned = (yield* Effect.either(take))._tag === "Right"
      if (!owned) return
    }
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const text = yield* readLock(env, lockPath)
        if (Option.isSome(text) && text.value.includes(`"${id}"`)) yield* Effect.ignore(env.fs.remove(lockPath))
      })
    )
  })
