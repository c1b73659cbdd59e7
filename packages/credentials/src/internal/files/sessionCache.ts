// The session file cache (see SessionCache.ts), as the sources use it: its options and keys
// (sessionCache/options.ts), and `cached`, whose implementation (sessionCache/fetchThrough.ts: the
// entry's Schema, the folder, the lock, the private files) is loaded when a source's options first
// ask for a cache. A source without a cache loads none of it.
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Credential from "../../Credential.js"
import type { CredentialsError, InvalidConfiguration } from "../../CredentialsError.js"
import { loadedOnce } from "../chain/loaded.js"
import type { Key, Options } from "./sessionCache/options.js"

export { DEFAULT_DIRECTORY, fileName, type Key, type Options } from "./sessionCache/options.js"

const fetchThrough = loadedOnce(() => import("./sessionCache/fetchThrough.js"))

/**
 * `fetch`, through the file cache: a valid cached session (more than the stale window left) is
 * returned without running `fetch`; otherwise, under the lock, `fetch` runs and its session is
 * stored (see sessionCache/fetchThrough.ts).
 */
export const cached = <E extends CredentialsError, R>(
  options: Options,
  key: Key,
  fetch: Effect.Effect<Credential.Credential, E, R>
): Effect.Effect<Credential.Credential, E | InvalidConfiguration, R | FileSystem.FileSystem> =>
  Effect.flatMap(fetchThrough, (cache) => cache.cached(options, key, fetch))
