// What a fetch through the session cache costs in file calls: the entry read once after a wait for
// another process's lock, the folder's checks once per folder per process. Real files in temp
// folders, the emulator for STS, time on the TestClock; the node:fs calls are counted (not faked).
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Effect, Fiber, Ref, TestClock } from "effect"
import * as NodeFs from "node:fs"
import { cacheDir, captureWarnings, emptiedEntry, polling, role, writeLiveLock } from "./sessionCacheHelpers.js"
import { withEmulator } from "./withEmulator.js"

afterEach(() => {
  vi.restoreAllMocks()
})

/** The paths passed to `NodeFs.promises[name]` from now on; the real call is made. */
const recordPaths = (name: "open" | "lstat" | "stat" | "realpath") => {
  const paths: Array<string> = []
  const real = NodeFs.promises[name] as (path: string, ...rest: Array<unknown>) => Promise<unknown>
  vi.spyOn(NodeFs.promises, name).mockImplementation(
    ((path: string, ...rest: Array<unknown>) => {
      paths.push(String(path))
      return real.call(NodeFs.promises, path, ...rest)
    }) as never
  )
  return paths
}

describe("SessionCache: the file calls of a fetch", () => {
  it.scoped("after waiting for another process's lock, the session it stored is read once (the poll's read is used)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, entry, lock, stored } = yield* emptiedEntry(emulator.stsUrl)
        // Another process holds the lock.
        yield* writeLiveLock(lock, "holder")
        const opens = recordPaths("open")
        const fiber = yield* Effect.fork(role(emulator.stsUrl, dir))
        // Until the waiter sleeps its first poll.
        for (let i = 0; i < 10_000 && !(yield* polling); i++) yield* fs.exists(dir)
        expect(yield* polling).toBe(true)
        // The holder stores its session; the waiter's next poll finds it.
        yield* fs.writeFileString(entry, stored, { mode: 0o600 })
        yield* TestClock.adjust("100 millis")
        const credential = yield* Fiber.join(fiber)
        expect(stored).toContain(credential.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        // One read before the lock (a miss), one by the poll (the hit): not a third after the wait.
        expect(opens.filter((path) => path === entry)).toHaveLength(2)
        yield* fs.remove(lock)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the folder and the folders above it are checked once per process; a later fetch lstats the folder only", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dir = yield* cacheDir
        yield* role(emulator.stsUrl, dir)
        const lstats = recordPaths("lstat")
        const stats = recordPaths("stat")
        const realpaths = recordPaths("realpath")
        const credential = yield* role(emulator.stsUrl, dir)
        expect(credential.type).toBe("sts")
        expect((yield* emulator.counters("sts")).received).toBe(1)
        // The old walk: lstat of the folder, realpath of its parent, a stat of every folder above.
        expect({ lstats, stats, realpaths }).toEqual({ lstats: [dir], stats: [], realpaths: [] })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a checked folder replaced later (by a link to it, or made 777) is checked again and refused", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        const warnings = yield* captureWarnings
        yield* role(emulator.stsUrl, dir)
        // The same folder (same inode behind the link), reached through a symbolic link now.
        yield* fs.rename(dir, `${dir}.real`)
        yield* fs.symlink(`${dir}.real`, dir)
        yield* role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer))
        expect((yield* emulator.counters("sts")).received).toBe(2)
        expect((yield* Ref.get(warnings.lines)).join("\n")).toContain(`the folder ${dir} is a symbolic link`)
        // Back in place and trusted again, then opened to others.
        yield* fs.remove(dir)
        yield* fs.rename(`${dir}.real`, dir)
        yield* role(emulator.stsUrl, dir)
        expect((yield* emulator.counters("sts")).received).toBe(2)
        yield* fs.chmod(dir, 0o777)
        yield* role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer))
        expect((yield* emulator.counters("sts")).received).toBe(3)
        expect((yield* Ref.get(warnings.lines)).join("\n")).toContain(
          `the folder ${dir} is writable by group or others (mode 0777)`
        )
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a folder above made writable by others after the check: not seen by this process (only its owner or root can)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        yield* role(emulator.stsUrl, dir)
        const parent = dir.slice(0, dir.lastIndexOf("/"))
        yield* fs.chmod(parent, 0o777)
        // The documented limit (docs/session-cache.md, "The folder"): the next process refuses it.
        yield* role(emulator.stsUrl, dir)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        yield* fs.chmod(parent, 0o700)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})
