// The few file calls the session cache needs that Effect's FileSystem cannot express: `open` with
// O_NOFOLLOW, O_EXCL and O_NONBLOCK, `lstat`, `fstat` with the owner (uid), `link`, and the
// process's uid. Each is an Effect whose error is the syscall and its errno code, never a path's
// content. On Windows O_NOFOLLOW and O_NONBLOCK do not exist (0 here) and there is no uid: see
// docs/session-cache.md.
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as NodeFs from "node:fs"
import type * as NodeFsPromises from "node:fs/promises"
import { readAllBounded } from "../boundedFile.js"

/** A failed file call: which one, and its errno code ("ENOENT", "ELOOP"...). */
export class FsError extends Data.TaggedError("FsError")<{ readonly syscall: string; readonly code: string }> {
  override get message(): string {
    return `${this.syscall}: ${this.code}`
  }
}

const call = <A>(syscall: string, run: () => Promise<A>): Effect.Effect<A, FsError> =>
  Effect.tryPromise({
    try: run,
    catch: (error) =>
      new FsError({
        syscall,
        code: Predicate.hasProperty(error, "code") && typeof error.code === "string" ? error.code : "unknown"
      })
  })

const { O_CREAT, O_EXCL, O_RDONLY, O_WRONLY } = NodeFs.constants
const O_NOFOLLOW = NodeFs.constants.O_NOFOLLOW ?? 0
// A FIFO opened for reading without it would block the open until a writer comes.
const O_NONBLOCK = NodeFs.constants.O_NONBLOCK ?? 0

/** The process's user, or undefined where there is none (Windows). */
export const currentUid = (): number | undefined => typeof process.getuid === "function" ? process.getuid() : undefined

/** `open` refused the path because its last component is a symbolic link (Linux ELOOP, BSD EMLINK). */
export const isSymlinkRefusal = (error: FsError): boolean => error.code === "ELOOP" || error.code === "EMLINK"

export type Stats = NodeFs.Stats
type Handle = NodeFsPromises.FileHandle

const closeOnRelease = (handle: Handle) => Effect.ignore(call("close", () => handle.close()))

/** Opens an existing file for reading, never through a symbolic link, never blocking on a FIFO. */
export const openForRead = (path: string) =>
  Effect.acquireRelease(
    call("open", () => NodeFs.promises.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)),
    closeOnRelease
  )

/** Creates a new file (fails if anything, a link included, is at the path), mode 0600 before the umask. */
export const openNew = (path: string) =>
  Effect.acquireRelease(
    call("open", () => NodeFs.promises.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)),
    closeOnRelease
  )

export const fstat = (handle: Handle) => call("fstat", () => handle.stat())
export const lstat = (path: string) => call("lstat", () => NodeFs.promises.lstat(path))
export const stat = (path: string) => call("stat", () => NodeFs.promises.stat(path))
export const realpath = (path: string) => call("realpath", () => NodeFs.promises.realpath(path))
export const makeDirectory = (path: string, recursive: boolean) =>
  call("mkdir", () => NodeFs.promises.mkdir(path, { recursive, mode: 0o700 }))
export const rename = (from: string, to: string) => call("rename", () => NodeFs.promises.rename(from, to))
/** A hard link: atomic, and fails with EEXIST when anything is at `to`. */
export const link = (from: string, to: string) => call("link", () => NodeFs.promises.link(from, to))
export const unlink = (path: string) => call("unlink", () => NodeFs.promises.unlink(path))

/** Writes all of `bytes` and flushes them to the disk (a few hundred bytes: cheap). */
export const writeAndSync = (handle: Handle, bytes: Uint8Array) =>
  Effect.zipRight(call("write", () => handle.writeFile(bytes)), call("fsync", () => handle.sync()))

/** Reads the opened file to its end, failing with `tooLarge()` past `maxBytes` (the shared bounded loop). */
export const readAll = <E>(handle: Handle, maxBytes: number, tooLarge: () => E) =>
  readAllBounded(
    (buffer) => call("read", () => handle.read(buffer, 0, buffer.length, null)).pipe(Effect.map((r) => r.bytesRead)),
    maxBytes,
    tooLarge
  )

/** The permission bits as `ls` shows them in octal ("0644"). */
export const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, "0")}`

/** Writable by the group or by others. */
export const sharedWritable = (info: Stats): boolean => (info.mode & 0o022) !== 0

/** The sticky bit: in such a folder (/tmp) only an entry's owner may rename or remove it. */
export const sticky = (info: Stats): boolean => (info.mode & 0o1000) !== 0

/** What a non-regular file is, for a message. */
export const kindOf = (info: Stats): string =>
  info.isSymbolicLink()
    ? "a symbolic link"
    : info.isDirectory()
    ? "a directory"
    : info.isFIFO()
    ? "a FIFO (named pipe)"
    : info.isCharacterDevice() || info.isBlockDevice()
    ? "a device"
    : info.isSocket()
    ? "a socket"
    : info.isFile()
    ? "a regular file"
    : "not a regular file"
