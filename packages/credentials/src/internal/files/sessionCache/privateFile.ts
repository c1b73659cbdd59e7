// Reading and writing a file of the (checked) cache folder, never through a planted one.
//
// Read: `open` with O_NOFOLLOW (a symbolic link is refused by the kernel, not by a check that could
// race) and O_NONBLOCK (a FIFO does not block), then `fstat` on what was opened: a regular file,
// owned by the process's user, with no permission for group or others (0600: a session another
// user could read is spent, one they could write may be theirs), no larger than the cap; read
// through the shared bounded loop. Anything else is `UntrustedFile`: the caller treats it as a
// miss, logs it, and never hands its content out.
//
// Write: a new temporary file beside the entry (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600), written,
// fsync'ed, then renamed over the entry: the rename replaces a planted link or file itself, never
// what it points to. There is no in-place fallback: if a step fails, the temporary file is removed
// and the failure is the caller's to log.
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { decodeUtf8, formatBytes } from "../boundedFile.js"
import * as Posix from "./posix.js"

/** A cache file that is not used: planted, shared or unreadable. Never an error of the credential. */
export class UntrustedFile extends Data.TaggedError("UntrustedFile")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.path} ${this.reason}`
  }
}

const untrusted = (path: string, reason: string) => new UntrustedFile({ path, reason })

const checkOpened = (path: string, info: Posix.Stats, maxBytes: number): Effect.Effect<void, UntrustedFile> => {
  const uid = Posix.currentUid()
  if (!info.isFile()) return Effect.fail(untrusted(path, `is ${Posix.kindOf(info)}, not a regular file`))
  if (uid !== undefined && info.uid !== uid) {
    return Effect.fail(untrusted(path, `is owned by uid ${info.uid}, not by this process's user (uid ${uid})`))
  }
  if (uid !== undefined && (info.mode & 0o077) !== 0) {
    return Effect.fail(untrusted(path, `is open to group or others (mode ${Posix.octal(info.mode)}), not 0600`))
  }
  if (info.size > maxBytes) return Effect.fail(untrusted(path, `is larger than ${formatBytes(maxBytes)}`))
  return Effect.void
}

/** The text of a private file of the cache folder; none when it does not exist. */
export const readPrivateFile = (path: string, maxBytes: number): Effect.Effect<Option.Option<string>, UntrustedFile> =>
  Effect.scoped(Effect.gen(function*() {
    const opened = yield* Effect.either(Posix.openForRead(path))
    if (opened._tag === "Left") {
      const error = opened.left
      if (error.code === "ENOENT") return Option.none()
      return yield* untrusted(
        path,
        Posix.isSymlinkRefusal(error) ? "is a symbolic link" : `cannot be read (${error.message})`
      )
    }
    const handle = opened.right
    const cannotRead = (error: Posix.FsError) => untrusted(path, `cannot be read (${error.message})`)
    yield* checkOpened(path, yield* Effect.mapError(Posix.fstat(handle), cannotRead), maxBytes)
    const bytes = yield* Posix.readAll(
      handle,
      maxBytes,
      () => untrusted(path, `grew larger than ${formatBytes(maxBytes)} while it was read`)
    ).pipe(
      Effect.catchTag("FsError", (error) => Effect.fail(cannotRead(error)))
    )
    return Option.some(decodeUtf8(bytes))
  }))

/** Creates `path` (it must not exist: O_EXCL, no link followed) with `bytes`, mode 0600, flushed. */
export const createPrivateFile = (path: string, bytes: Uint8Array): Effect.Effect<void, Posix.FsError> =>
  Effect.scoped(Effect.flatMap(Posix.openNew(path), (handle) =>
    // Only a file this call made is removed: a failed open (EEXIST) leaves what is there alone.
    Posix.writeAndSync(handle, bytes).pipe(Effect.onError(() => Effect.ignore(Posix.unlink(path))))))

/**
 * Writes `content` to `path` by a new private temporary file `temporary` (same folder) renamed over
 * it; the temporary file is removed when a step fails. No in-place fallback.
 */
export const replacePrivateFile = (
  path: string,
  temporary: string,
  content: string
): Effect.Effect<void, Posix.FsError> =>
  createPrivateFile(temporary, new TextEncoder().encode(content)).pipe(
    Effect.zipRight(Posix.rename(temporary, path).pipe(Effect.onError(() => Effect.ignore(Posix.unlink(temporary)))))
  )
