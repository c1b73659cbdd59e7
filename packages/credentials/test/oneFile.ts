// A file system that holds one regular file, served through `stat` and `open` as the bounded
// reader (src/internal/boundedFile.ts) reads it, for property tests that run a parser over
// thousands of inputs without touching the disk. Every path names that file; nothing is writable.
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, type Layer, Option } from "effect"

export const layerOneFile = (content: string | Uint8Array): Layer.Layer<FileSystem.FileSystem> => {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
  const info: FileSystem.File.Info = {
    type: "File",
    size: FileSystem.Size(bytes.length),
    mode: 0o100600,
    mtime: Option.none(),
    atime: Option.none(),
    birthtime: Option.none(),
    dev: 0,
    ino: Option.none(),
    nlink: Option.none(),
    uid: Option.none(),
    gid: Option.none(),
    rdev: Option.none(),
    blksize: Option.none(),
    blocks: Option.none()
  }
  const open = (): FileSystem.File => {
    let position = 0
    const read = (buffer: Uint8Array) =>
      Effect.sync(() => {
        const n = Math.max(0, Math.min(buffer.length, bytes.length - position))
        buffer.set(bytes.subarray(position, position + n))
        position += n
        return FileSystem.Size(n)
      })
    return {
      [FileSystem.FileTypeId]: FileSystem.FileTypeId,
      fd: FileSystem.FileDescriptor(3),
      stat: Effect.succeed(info),
      seek: (offset, from) =>
        Effect.sync(() => {
          position = from === "start" ? Number(offset) : position + Number(offset)
        }),
      sync: Effect.void,
      read,
      readAlloc: (size) =>
        Effect.suspend(() => {
          const buffer = new Uint8Array(Number(size))
          return Effect.map(
            read(buffer),
            (n) => (Number(n) === 0 ? Option.none() : Option.some(buffer.subarray(0, Number(n))))
          )
        }),
      truncate: () => Effect.void,
      write: () => Effect.succeed(FileSystem.Size(0)),
      writeAll: () => Effect.void
    }
  }
  return FileSystem.layerNoop({
    stat: () => Effect.succeed(info),
    open: () => Effect.sync(open),
    realPath: (path) => Effect.succeed(path),
    readFileString: () => Effect.succeed(new TextDecoder().decode(bytes))
  })
}
