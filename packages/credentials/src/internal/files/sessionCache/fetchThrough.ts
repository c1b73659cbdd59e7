// The session file cache (see SessionCache.ts): read, lock, fetch, write. Every failure of the
// cache is a warning and the fetch goes upstream: the cache only ever saves requests. Loaded when a
// source's options ask for a cache (../sessionCache.ts).
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import * as Credential from "../../../Credential.js"
import type { CredentialsError, InvalidConfiguration } from "../../../CredentialsError.js"
import * as Rules from "../../config/rules.js"
import { STALE_WINDOW } from "../../refresh/timing.js"
import { homeDirectory } from "../home.js"
import { secureFolder } from "./folder.js"
import { acquireLock } from "./lock.js"
import { canonicalKey, DEFAULT_DIRECTORY, fileName, type Key, type Options } from "./options.js"
import { unlink } from "./posix.js"
import { readPrivateFile, replacePrivateFile } from "./privateFile.js"

const MAX_BYTES = 64 * 1024

// Version 2 records the identity it was issued for; a version-1 file (no identity) does not decode:
// it is removed and fetched anew like any malformed file.
const Entry = Schema.Struct({
  version: Schema.Literal(2),
  identity: Schema.String,
  accessKeyId: Schema.NonEmptyString,
  accessKeySecret: Schema.Redacted(Schema.NonEmptyString),
  securityToken: Schema.Redacted(Schema.NonEmptyString),
  expiration: Schema.DateTimeUtc,
  providerName: Schema.String
})
const EntryJson = Schema.parseJson(Entry)

const warn = (message: string, fields: Record<string, string>) =>
  Effect.logWarning(message).pipe(Effect.annotateLogs(fields))

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

/**
 * `fetch`, through the file cache: a valid cached session (more than the stale window left) is
 * returned without running `fetch`; otherwise, under the lock, `fetch` runs and its session is stored.
 * The cache's own files go through node:fs (posix.ts): Effect's FileSystem cannot open without
 * following links nor tell a file's owner. The FileSystem requirement stays in the type (the
 * sources' public types name it).
 */
export const cached = <E extends CredentialsError, R>(
  options: Options,
  key: Key,
  fetch: Effect.Effect<Credential.Credential, E, R>
): Effect.Effect<Credential.Credential, E | InvalidConfiguration, R | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const set = yield* settings(key.source, options)
    const dir = yield* directoryOf(set.directory)
    if (Option.isNone(dir)) {
      yield* warn("session cache: no home directory (HOME) and no directory given; not caching", { source: key.source })
      return yield* fetch
    }
    const folder = yield* Effect.either(secureFolder(dir.value))
    if (folder._tag === "Left") {
      // Refused (or not makeable): named with the fix, and nothing is read or written there.
      yield* warn(folder.left.message, { source: key.source, folder: folder.left.path })
      return yield* fetch
    }
    const env: Env = {
      path: `${folder.right}/${fileName(key.fields)}`,
      source: key.source,
      identity: canonicalKey(key.fields),
      staleMillis: set.staleMillis
    }
    const hit = yield* readValid(env)
    if (Option.isSome(hit)) return hit.value
    return yield* Effect.scoped(Effect.gen(function*() {
      const stored = yield* acquireLock({
        entryPath: env.path,
        source: env.source,
        waitMillis: set.lockWaitMillis,
        staleMillis: set.staleLockMillis,
        // polled every 100 ms while another process holds the lock: its misses are not told again
        sessionReady: readValid(env, { quiet: true })
      })
      // The holder stored it while this process waited: used as the poll read it, not read again.
      if (Option.isSome(stored)) return stored.value
      // Another process may have stored the session just before this one took the lock.
      const after = yield* readValid(env)
      if (Option.isSome(after)) return after.value
      const credential = yield* fetch
      yield* store(env, credential)
      return credential
    }))
  })

interface Env {
  readonly path: string
  readonly source: string
  /** The canonical description of the key the entry must have been issued for. */
  readonly identity: string
  readonly staleMillis: number
}

/**
 * The cached session if the file is private (see privateFile.ts), holds a well-formed entry issued
 * for this identity, with more than the stale window left. Anything else is a miss: an untrusted
 * file is left alone (the store renames over it), a malformed one removed.
 */
const readValid = (
  env: Env,
  options: { readonly quiet: boolean } = { quiet: false }
): Effect.Effect<Option.Option<Credential.Credential>> =>
  Effect.gen(function*() {
    const say = options.quiet ? () => Effect.void : warn
    const text = yield* readPrivateFile(env.path, MAX_BYTES).pipe(
      Effect.catchTag("UntrustedFile", (error) =>
        say("session cache: a cache file that is not private to this user was ignored", {
          source: env.source,
          file: error.path,
          reason: error.reason
        }).pipe(Effect.as(Option.none<string>())))
    )
    if (Option.isNone(text)) {
      return Option.none()
    }
    const entry = yield* Effect.option(Schema.decodeUnknown(EntryJson)(text.value))
    if (Option.isNone(entry)) {
      yield* say("session cache: a malformed cache file was removed; fetching anew", {
        source: env.source,
        file: env.path
      })
      yield* Effect.ignore(unlink(env.path))
      return Option.none()
    }
    if (entry.value.identity !== env.identity) {
      yield* say("session cache: a cache file issued for another identity was ignored", {
        source: env.source,
        file: env.path
      })
      return Option.none()
    }
    const now = yield* Clock.currentTimeMillis
    if (DateTime.toEpochMillis(entry.value.expiration) - now <= env.staleMillis) {
      return Option.none()
    }
    return Option.some(Credential.make({
      type: "sts",
      accessKeyId: entry.value.accessKeyId,
      accessKeySecret: entry.value.accessKeySecret,
      securityToken: entry.value.securityToken,
      expiration: entry.value.expiration,
      providerName: entry.value.providerName
    }))
  })

/** Stores the session by an atomic rename; a failure is a warning, never the credential's. */
const store = (env: Env, credential: Credential.Credential): Effect.Effect<void> =>
  Effect.gen(function*() {
    if (credential.expiration === undefined || credential.securityToken === undefined) return
    const content = yield* Schema.encode(EntryJson)({
      version: 2,
      identity: env.identity,
      accessKeyId: credential.accessKeyId,
      accessKeySecret: credential.accessKeySecret,
      securityToken: credential.securityToken,
      expiration: credential.expiration,
      providerName: credential.providerName
    })
    const suffix = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36) +
      (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    yield* replacePrivateFile(env.path, `${env.path}.${suffix}.tmp`, content)
  }).pipe(
    Effect.catchAll((error) =>
      warn("session cache: the session cannot be stored", {
        source: env.source,
        reason: error._tag === "FsError" ? error.message : "it cannot be encoded"
      })
    )
  )
