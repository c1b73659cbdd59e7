// What a source hands the session cache (see SessionCache.ts): its options, and the key of a
// session with the name of its file. Loaded with every source that can cache; the cache itself
// (fetchThrough.ts) only when a source's options ask for it.
import type * as Duration from "effect/Duration"
import { createHash } from "node:crypto"

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

/**
 * The canonical description of a key: its defined fields, sorted, as JSON. Identifiers only go in.
 * An entry records it (`identity`) and is used only for the same one.
 */
export const canonicalKey = (key: Readonly<Record<string, string | number | undefined>>): string =>
  JSON.stringify(Object.keys(key).sort().filter((k) => key[k] !== undefined).map((k) => [k, key[k]]))

/** The file name of a key: SHA-256 of its canonical description. */
export const fileName = (key: Readonly<Record<string, string | number | undefined>>): string =>
  `${createHash("sha256").update(canonicalKey(key)).digest("hex")}.json`

export interface Key {
  /** The source, for warnings. */
  readonly source: string
  /** What identifies the session: identifiers only. */
  readonly fields: Readonly<Record<string, string | number | undefined>>
}
