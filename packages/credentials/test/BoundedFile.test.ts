// The bounded reader every file source uses: real files, FIFOs, devices, sockets and links in a
// temporary directory. Only a regular file is opened, never more than the cap is held, a missing
// file is told apart, and every failure is a typed InvalidConfiguration that names the path.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import * as Net from "node:net"
import {
  DEFAULT_MAX_BYTES,
  readFileBounded,
  readRequiredTextFile,
  readTextFile,
  readTextFileOption
} from "../src/internal/files/boundedFile.js"

type Body = (dir: string) => Effect.Effect<void, unknown, FileSystem.FileSystem | Scope.Scope>

// Live clock: the "promptly" of the FIFO and device cases is a real deadline. The FIFO cases start
// a real process (mkfifo): a generous test limit, so that a loaded machine does not fail them.
const test = (name: string, body: Body) =>
  it.live(name, () =>
    Effect.scoped(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* body(yield* fs.makeTempDirectoryScoped())
    })).pipe(Effect.provide(NodeContext.layer)), 60_000)

const write = (path: string, content: string | Uint8Array) =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) => typeof content === "string" ? fs.writeFileString(path, content) : fs.writeFile(path, content)
  )

// A read that would block (a FIFO) or never end (a device) must not get near this deadline.
const promptly = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(effect, { duration: "2 seconds", onTimeout: () => new Error("the read did not finish promptly") })

const options = { source: "test" } as const

describe("readTextFile", () => {
  test("reads a regular file; drops a BOM", (dir) =>
    Effect.gen(function*() {
      yield* write(`${dir}/a`, "\uFEFF{\"x\":1}\n")
      expect(yield* readTextFile(`${dir}/a`, options)).toBe("{\"x\":1}\n")
      yield* write(`${dir}/empty`, "")
      expect(yield* readTextFile(`${dir}/empty`, options)).toBe("")
    }))

  test("invalid UTF-8 does not throw: bad bytes become U+FFFD", (dir) =>
    Effect.gen(function*() {
      yield* write(`${dir}/bad`, new Uint8Array([0x61, 0xff, 0xfe, 0xc3, 0x28, 0x62, 0xe2, 0x82]))
      const text = yield* readTextFile(`${dir}/bad`, options)
      expect(text.startsWith("a\uFFFD")).toBe(true)
      expect(text).toContain("b")
    }))

  test("a file larger than the chunk size is read whole", (dir) =>
    Effect.gen(function*() {
      const big = "0123456789abcdef".repeat(20_000) // 320 000 bytes, several reads
      yield* write(`${dir}/big`, big)
      expect(yield* readTextFile(`${dir}/big`, options)).toBe(big)
    }))

  test("missing: FileNotFound (told apart); Option.none; or InvalidConfiguration when required", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/nope`
      expect(yield* Effect.flip(readTextFile(path, options))).toMatchObject({ _tag: "FileNotFound", path })
      expect(yield* readTextFileOption(path, options)).toEqual(Option.none())
      yield* write(`${dir}/yes`, "y")
      expect(yield* readTextFileOption(`${dir}/yes`, options)).toEqual(Option.some("y"))
      const required = yield* Effect.flip(
        readRequiredTextFile(path, { ...options, field: "tokenFile", missingFix: "mount it" })
      )
      expect(required).toMatchObject({
        _tag: "InvalidConfiguration",
        source: "test",
        field: "tokenFile",
        fix: "mount it"
      })
      expect(required.message).toContain(`names ${path}, which does not exist`)
    }))

  test("a directory: InvalidConfiguration naming the path", (dir) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readTextFile(dir, options))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "test", field: dir })
      expect(error.message).toContain("is a directory, not a regular file")
    }))

  test("a FIFO is never opened: InvalidConfiguration, promptly", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/fifo`
      execFileSync("mkfifo", [path])
      const error = yield* Effect.flip(promptly(readTextFile(path, options)))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: path })
      expect(error.message).toContain("is a FIFO (named pipe), not a regular file")
    }))

  test("a FIFO behind a symbolic link, named through a field: the message names the path", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      execFileSync("mkfifo", [`${dir}/fifo`])
      yield* fs.symlink(`${dir}/fifo`, `${dir}/link`)
      const error = yield* Effect.flip(
        promptly(readTextFile(`${dir}/link`, { source: "oidc", field: "ALIBABA_CLOUD_OIDC_TOKEN_FILE" }))
      )
      expect(error).toMatchObject({
        _tag: "InvalidConfiguration",
        source: "oidc",
        field: "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
      })
      expect(error.message).toContain(`names ${dir}/link, which is a FIFO (named pipe), not a regular file`)
    }))

  test("/dev/zero (a device that never ends): InvalidConfiguration, promptly, nothing read", () =>
    Effect.gen(function*() {
      if (!existsSync("/dev/zero")) return
      const before = process.memoryUsage().rss
      const error = yield* Effect.flip(promptly(readTextFile("/dev/zero", options)))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "/dev/zero" })
      expect(error.message).toContain("is a character device, not a regular file")
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024)
    }))

  test("a socket: InvalidConfiguration", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/sock`
      const server = Net.createServer()
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(path, () => resume(Effect.void))
        }),
        () =>
          Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
          })
      )
      const error = yield* Effect.flip(promptly(readTextFile(path, options)))
      expect(error.message).toContain("is a socket, not a regular file")
    }))

  test("over the cap (checked on the size before reading): InvalidConfiguration; at the cap: read", (dir) =>
    Effect.gen(function*() {
      yield* write(`${dir}/a`, "x".repeat(101))
      const error = yield* Effect.flip(readTextFile(`${dir}/a`, { ...options, maxBytes: 100 }))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: `${dir}/a` })
      expect(error.message).toContain("is larger than 100 bytes")
      yield* write(`${dir}/b`, "x".repeat(100))
      expect(yield* readTextFile(`${dir}/b`, { ...options, maxBytes: 100 })).toHaveLength(100)
    }))

  test("the default cap is 10 MiB", (dir) =>
    Effect.gen(function*() {
      expect(DEFAULT_MAX_BYTES).toBe(10 * 1024 * 1024)
      const fs = yield* FileSystem.FileSystem
      // A sparse file: 10 MiB + 1 byte of size, no data written.
      yield* Effect.scoped(
        Effect.flatMap(fs.open(`${dir}/big`, { flag: "w" }), (file) => file.truncate(DEFAULT_MAX_BYTES + 1))
      )
      const error = yield* Effect.flip(readTextFile(`${dir}/big`, options))
      expect(error.message).toContain("is larger than 10 MiB")
    }))

  test("a file whose size stat does not tell (/proc) is still capped while it is read", () =>
    Effect.gen(function*() {
      if (!existsSync("/proc/self/status")) return
      // /proc files are regular files of size 0 whose content is made as they are read.
      const error = yield* Effect.flip(readFileBounded("/proc/self/status", { ...options, maxBytes: 64 }))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "/proc/self/status" })
      expect(error.message).toContain("grew larger than 64 bytes while it was read")
      expect((yield* readFileBounded("/proc/self/status", options)).length).toBeGreaterThan(64)
    }))

  test("symbolic links are followed; a dangling one is FileNotFound", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* write(`${dir}/target`, "t")
      yield* fs.symlink(`${dir}/target`, `${dir}/link`)
      expect(yield* readTextFile(`${dir}/link`, options)).toBe("t")
      yield* fs.symlink(`${dir}/gone`, `${dir}/dangling`)
      expect(yield* Effect.flip(readTextFile(`${dir}/dangling`, options))).toMatchObject({ _tag: "FileNotFound" })
    }))

  test("a symbolic link loop: InvalidConfiguration, not a defect", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* fs.symlink(`${dir}/b`, `${dir}/a`)
      yield* fs.symlink(`${dir}/a`, `${dir}/b`)
      const error = yield* Effect.flip(readTextFile(`${dir}/a`, options))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration" })
      expect(error.message).toContain("too many levels of symbolic links")
    }))

  test("a path through a file: InvalidConfiguration", (dir) =>
    Effect.gen(function*() {
      yield* write(`${dir}/file`, "x")
      const error = yield* Effect.flip(readTextFile(`${dir}/file/inner`, options))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration" })
      expect(error.message).toContain("a part of the path is not a directory")
    }))

  test("an unreadable file (not as root): InvalidConfiguration, permission denied", (dir) =>
    Effect.gen(function*() {
      if (process.getuid?.() === 0) return
      const fs = yield* FileSystem.FileSystem
      yield* write(`${dir}/secret`, "x")
      yield* fs.chmod(`${dir}/secret`, 0o000)
      const error = yield* Effect.flip(readTextFile(`${dir}/secret`, options))
      expect(error.message).toContain("cannot be read (permission denied)")
    }))
})
