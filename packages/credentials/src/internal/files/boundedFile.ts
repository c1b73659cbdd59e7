// The one way this library reads a file the user points it at (config.json, the ini file, an OIDC
// token file): bounded, and typed at every step.
//
// - `stat` first (it follows symbolic links): only a regular file is opened. A FIFO would block the
//   open forever (and with it the process's exit), `/dev/zero` or `/dev/urandom` never ends, a
//   directory or a socket cannot be read: each is an `InvalidConfiguration` that says what the path is.
// - A size cap (10 MiB unless told otherwise), checked on the size `stat` gives before the file is
//   opened AND on the bytes actually read: a file that grows while it is read fails at the cap, it
//   never makes us hold more than the cap (plus one chunk).
// - The bytes are decoded as UTF-8 without ever throwing (invalid sequences become U+FFFD; a BOM
//   is dropped).
// - A missing file is its own error (`FileNotFound`), so a caller can say "not configured".
//
// What was opened is checked again (`fstat`), so a path swapped for a device between the `stat`
// and the `open` is still refused. One race is left: a path swapped for a FIFO in that window
// blocks the `open` (Effect's FileSystem cannot ask for O_NONBLOCK).
//
// No message holds the file's content: these files hold secrets.
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { InvalidConfiguration } from "../../CredentialsError.js"
import { concatBytes } from "../decode/bytes.js"

/** The default size cap: 10 MiB, far above any credentials file, far below a memory problem. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024

/** How much one `read` asks for. */
const CHUNK_BYTES = 64 * 1024

export interface ReadOptions {
  /** The source that reads the file; every error names it. */
  readonly source: string
  /**
   * What the error names as the faulty setting: the path itself (the default), or an option or a
   * variable that holds the path (the message then says "names <path>, which ...").
   */
  readonly field?: string | undefined
  /** The size cap in bytes. Default `DEFAULT_MAX_BYTES`. */
  readonly maxBytes?: number | undefined
  /** Overrides the fix of every error but "not found" (which is the caller's to word). */
  readonly fix?: string | undefined
}

/** The path does not exist (or a symbolic link on it points nowhere). */
export class FileNotFound extends Data.TaggedError("FileNotFound")<{ readonly path: string }> {
  override get message(): string {
    return `${this.path} does not exist`
  }
}

const kinds: { readonly [K in FileSystem.File.Type]: string } = {
  File: "a regular file",
  Directory: "a directory",
  SymbolicLink: "a symbolic link",
  BlockDevice: "a block device",
  CharacterDevice: "a character device",
  FIFO: "a FIFO (named pipe)",
  Socket: "a socket",
  Unknown: "not a regular file"
}

/** "1 MiB", "10 MiB", "512 bytes". */
export const formatBytes = (n: number): string =>
  n >= 1024 * 1024 && n % (1024 * 1024) === 0
    ? `${n / (1024 * 1024)} MiB`
    : n >= 1024 && n % 1024 === 0
    ? `${n / 1024} KiB`
    : `${n} bytes`

const errnoText: { readonly [code: string]: string } = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  ELOOP: "too many levels of symbolic links",
  ENOTDIR: "a part of the path is not a directory",
  ENAMETOOLONG: "the path is too long",
  EISDIR: "it is a directory",
  EIO: "an input/output error",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  EBUSY: "the file is busy (a bind-mounted file?)",
  EXDEV: "a cross-device link (a bind-mounted file?)",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device"
}

/** The `ENOENT`-style code of a platform error, when the platform gave one. */
export const errnoCode = (error: PlatformError.PlatformError): string | undefined =>
  error._tag === "SystemError" && Predicate.hasProperty(error.cause, "code") && typeof error.cause.code === "string"
    ? error.cause.code
    : undefined

/** A short description of a platform error: never its `description`, which may quote a path's content. */
export const describePlatformError = (error: PlatformError.PlatformError): string => {
  if (error._tag === "BadArgument") return "bad argument"
  const code = errnoCode(error)
  if (code !== undefined) return errnoText[code] ?? (error.syscall === undefined ? code : `${error.syscall}: ${code}`)
  switch (error.reason) {
    case "PermissionDenied":
      return "permission denied"
    case "NotFound":
      return "not found"
    case "BadResource":
      return "not a regular file"
    case "Busy":
      return "the file is busy"
    default:
      return error.syscall === undefined ? error.reason : `${error.syscall}: ${error.reason}`
  }
}

const isNotFound = (error: PlatformError.PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

const defaultFixes = {
  kind: "point it at a regular file (a symbolic link to one is fine)",
  size: "point it at the right file; a credentials file is a few KiB",
  read: "make it a readable file (check its permissions)"
} as const

const invalid = (path: string, options: ReadOptions, what: string, fix: string) =>
  new InvalidConfiguration({
    source: options.source,
    field: options.field ?? path,
    reason: options.field === undefined || options.field === path ? what : `names ${path}, which ${what}`,
    fix: options.fix ?? fix
  })

const cannotRead = (path: string, options: ReadOptions) => (error: PlatformError.PlatformError) =>
  isNotFound(error)
    ? new FileNotFound({ path })
    : invalid(path, options, `cannot be read (${describePlatformError(error)})`, defaultFixes.read)

const checkInfo = (
  path: string,
  options: ReadOptions,
  maxBytes: number,
  info: FileSystem.File.Info
): Effect.Effect<void, InvalidConfiguration> =>
  info.type !== "File"
    ? Effect.fail(invalid(path, options, `is ${kinds[info.type]}, not a regular file`, defaultFixes.kind))
    : info.size > BigInt(maxBytes)
    ? Effect.fail(invalid(path, options, `is larger than ${formatBytes(maxBytes)}`, defaultFixes.size))
    : Effect.void

/**
 * The bounded read loop: `read` fills a buffer and says how many bytes it put there (0 at the end);
 * past `maxBytes` it fails with `tooLarge()` without reading further (one byte more than the cap is
 * enough to know). Shared with readers that open their file themselves (the session cache).
 */
export const readAllBounded = <E, E2>(
  read: (buffer: Uint8Array) => Effect.Effect<number, E>,
  maxBytes: number,
  tooLarge: () => E2
): Effect.Effect<Uint8Array, E | E2> =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    let total = 0
    for (;;) {
      const buffer = new Uint8Array(Math.min(CHUNK_BYTES, maxBytes + 1 - total))
      const count = yield* read(buffer)
      if (count === 0) break
      total += count
      if (total > maxBytes) return yield* Effect.fail(tooLarge())
      chunks.push(count === buffer.length ? buffer : buffer.subarray(0, count))
    }
    return concatBytes(chunks, total)
  })

/**
 * Reads at most `maxBytes` bytes of the regular file at `path` (symbolic links followed). A
 * FIFO, a device, a socket or a directory is never opened; a file larger than the cap, or one
 * that grows past it while it is read, fails without reading further.
 */
export const readFileBounded = (
  path: string,
  options: ReadOptions
): Effect.Effect<Uint8Array, InvalidConfiguration | FileNotFound, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const maxBytes = Math.max(0, Math.floor(options.maxBytes ?? DEFAULT_MAX_BYTES))
    const before = yield* Effect.mapError(fs.stat(path), cannotRead(path, options))
    yield* checkInfo(path, options, maxBytes, before)
    return yield* Effect.scoped(Effect.gen(function*() {
      const file = yield* Effect.mapError(fs.open(path, { flag: "r" }), cannotRead(path, options))
      // The path may have been replaced between the stat and the open: check what was opened.
      yield* checkInfo(path, options, maxBytes, yield* Effect.mapError(file.stat, cannotRead(path, options)))
      return yield* readAllBounded(
        (buffer) => Effect.map(Effect.mapError(file.read(buffer), cannotRead(path, options)), Number),
        maxBytes,
        () => invalid(path, options, `grew larger than ${formatBytes(maxBytes)} while it was read`, defaultFixes.size)
      )
    }))
  })

/** UTF-8 without throwing: invalid sequences become U+FFFD, a leading BOM is dropped. */
export const decodeUtf8 = (bytes: Uint8Array): string => new TextDecoder("utf-8", { fatal: false }).decode(bytes)

/**
 * `readFileBounded`, decoded as UTF-8 (a BOM dropped, invalid bytes replaced, never a throw). A
 * missing file is `FileNotFound`: the caller decides whether that means "not configured".
 */
export const readTextFile = (
  path: string,
  options: ReadOptions
): Effect.Effect<string, InvalidConfiguration | FileNotFound, FileSystem.FileSystem> =>
  Effect.map(readFileBounded(path, options), decodeUtf8)

/** `readTextFile`, with a missing file as `Option.none()`. */
export const readTextFileOption = (
  path: string,
  options: ReadOptions
): Effect.Effect<Option.Option<string>, InvalidConfiguration, FileSystem.FileSystem> =>
  readTextFile(path, options).pipe(
    Effect.map(Option.some),
    Effect.catchTag("FileNotFound", () => Effect.succeed(Option.none<string>()))
  )

/**
 * `readTextFile` for a file that must exist (an OIDC token file, say): a missing file is an
 * `InvalidConfiguration` too ("does not exist"), with `missingFix` as its fix.
 */
export const readRequiredTextFile = (
  path: string,
  options: ReadOptions & { readonly missingFix?: string | undefined }
): Effect.Effect<string, InvalidConfiguration, FileSystem.FileSystem> =>
  readTextFile(path, options).pipe(
    Effect.catchTag("FileNotFound", () =>
      Effect.fail(
        invalid(path, { ...options, fix: options.missingFix }, "does not exist", "create it, or correct the path")
      ))
  )
