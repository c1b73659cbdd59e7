// The session cache against another local user (docs/session-cache.md, "Threat model"): planted
// links, shared or foreign files and folders, an entry of another identity, hostile locks. Real
// files and modes in temp folders, the defaults as shipped, the emulator for the credential. The
// cases that need a file of another uid use chown, so they run as root only (skipped otherwise).
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Effect, Fiber, Option, Ref, TestClock } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import { hostname } from "node:os"
import { recording } from "./recordingTracer.js"
import { cacheDir, cacheFiles, captureWarnings, role } from "./sessionCacheHelpers.js"
import { withEmulator } from "./withEmulator.js"

const isRoot = process.getuid?.() === 0
const OTHER_UID = 12345
const PLANTED_ID = "STS.PLANTED-BY-ANOTHER-USER"

/**
 * A folder with one genuine cache entry (from a first fetch), its path, and that entry's text with
 * the AccessKey ID replaced: a well-formed entry for this identity, as another user would plant it.
 */
const seeded = (stsUrl: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* cacheDir
    yield* role(stsUrl, dir)
    const [name] = yield* cacheFiles(dir)
    const entry = `${dir}/${name}`
    const genuine = yield* fs.readFileString(entry)
    const planted = genuine.replace(/"accessKeyId":"[^"]+"/, `"accessKeyId":"${PLANTED_ID}"`)
    expect(planted).toContain(PLANTED_ID)
    const secrets = [...genuine.matchAll(/"(?:accessKeySecret|securityToken)":"([^"]+)"/g)].map((m) => m[1]!)
    expect(secrets).toHaveLength(2)
    return { dir, entry, planted, secrets }
  })

/** No warning quotes a secret of the entry (the warnings name paths and reasons only). */
const expectNoSecret = (lines: string, secrets: ReadonlyArray<string>) => {
  for (const secret of secrets) expect(lines).not.toContain(secret)
}

/** After a refused plant: the fetch asked STS, got its own session, and stored it as a private file. */
const expectFetchedAndStored = (entry: string, credential: { readonly accessKeyId: string }) => {
  expect(credential.accessKeyId).not.toBe(PLANTED_ID)
  const info = NodeFs.lstatSync(entry)
  expect(info.isFile()).toBe(true)
  expect(info.mode & 0o777).toBe(0o600)
  expect(info.uid).toBe(process.getuid?.())
  expect(NodeFs.readFileSync(entry, "utf8")).toContain(credential.accessKeyId)
}

/** A folder `name` with exactly `mode` (chmod: no umask) inside a scoped temp folder `base`. */
const folderWithMode = (name: string, mode: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const base = yield* fs.makeTempDirectoryScoped()
    const folder = `${base}/${name}`
    yield* fs.makeDirectory(folder)
    yield* fs.chmod(folder, mode)
    return { base, folder }
  })

describe("SessionCache against another local user", () => {
  it.scoped("an untrusted entry while another process holds the lock: told once, not at every poll", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, entry, planted } = yield* seeded(emulator.stsUrl)
        yield* fs.writeFileString(entry, planted)
        yield* fs.chmod(entry, 0o644)
        // a live lock of this host's process, as another process waiting for STS would hold it
        const now = yield* Clock.currentTimeMillis
        yield* fs.writeFileString(
          `${entry}.lock`,
          JSON.stringify({ id: "other", pid: process.pid, host: hostname(), at: now })
        )
        yield* fs.chmod(`${entry}.lock`, 0o600)
        const warnings = yield* captureWarnings
        const fiber = yield* Effect.fork(role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer)))
        // the lock is polled every 100 ms for lockWait (20 s as shipped), then taken over
        for (let step = 0; step < 400 && Option.isNone(yield* Fiber.poll(fiber)); step++) {
          yield* TestClock.adjust("100 millis")
          yield* fs.exists(dir)
        }
        const credential = yield* Fiber.join(fiber)
        expect(credential.accessKeyId).not.toBe(PLANTED_ID)
        const told = (yield* Ref.get(warnings.lines)).filter((line) => line.includes("not private to this user"))
        expect(told.length).toBeGreaterThanOrEqual(1)
        expect(told.length).toBeLessThanOrEqual(2)
      }).pipe(Effect.provide(NodeFileSystem.layer))
    ))

  it.scoped("a planted symbolic link <hash>.json to a file outside: that file is neither read nor written", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { entry, planted, secrets } = yield* seeded(emulator.stsUrl)
        const warnings = yield* captureWarnings
        // The target is a private, well-formed entry: followed, it would be used; written through,
        // it would receive the session.
        const outside = `${yield* fs.makeTempDirectoryScoped()}/victim.json`
        yield* fs.writeFileString(outside, planted, { mode: 0o600 })
        yield* fs.remove(entry)
        yield* fs.symlink(outside, entry)
        const credential = yield* role(emulator.stsUrl, entry.slice(0, entry.lastIndexOf("/"))).pipe(
          Effect.provide(warnings.layer)
        )
        expect((yield* emulator.counters("sts")).received).toBe(2)
        expect(yield* fs.readFileString(outside)).toBe(planted)
        expect(NodeFs.statSync(outside).mode & 0o777).toBe(0o600)
        // The link itself was replaced by the new entry (the rename never follows it).
        expectFetchedAndStored(entry, credential)
        const lines = (yield* Ref.get(warnings.lines)).join("\n")
        expect(lines).toContain("is a symbolic link")
        expectNoSecret(lines, secrets)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  for (
    const plant of [
      { name: "mode 666", root: false },
      { name: "mode 644", root: false },
      { name: "owned by another uid", root: true },
      { name: "a FIFO", root: false },
      { name: "a directory", root: false }
    ] as const
  ) {
    it.scoped.skipIf(plant.root && !isRoot)(
      `a planted entry (${plant.name}) is a miss: AssumeRole is called, the plant never handed out` +
        (plant.root ? " (needs root for chown)" : ""),
      () =>
        withEmulator((emulator) =>
          Effect.gen(function*() {
            const fs = yield* FileSystem.FileSystem
            const { dir, entry, planted, secrets } = yield* seeded(emulator.stsUrl)
            const warnings = yield* captureWarnings
            yield* fs.remove(entry)
            switch (plant.name) {
              case "mode 666":
              case "mode 644":
                yield* fs.writeFileString(entry, planted)
                yield* fs.chmod(entry, plant.name === "mode 666" ? 0o666 : 0o644)
                break
              case "owned by another uid":
                yield* fs.writeFileString(entry, planted, { mode: 0o600 })
                yield* fs.chown(entry, OTHER_UID, OTHER_UID)
                break
              case "a FIFO":
                execFileSync("mkfifo", ["-m", "600", entry])
                break
              case "a directory":
                yield* fs.makeDirectory(entry)
            }
            const credential = yield* role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer))
            expect((yield* emulator.counters("sts")).received).toBe(2)
            const lines = (yield* Ref.get(warnings.lines)).join("\n")
            expect(lines).toContain("not private to this user was ignored")
            expectNoSecret(lines, secrets)
            if (plant.name === "a directory") {
              // Nothing can be renamed over a folder: the store fails, the credential does not.
              expect(credential.accessKeyId).not.toBe(PLANTED_ID)
              expect(lines).toContain("the session cannot be stored")
              expect(yield* fs.readDirectory(dir)).toEqual([entry.slice(dir.length + 1)])
            } else {
              expectFetchedAndStored(entry, credential)
              // The next fetch reads the private entry that replaced the plant.
              yield* role(emulator.stsUrl, dir)
              expect((yield* emulator.counters("sts")).received).toBe(2)
            }
          })
        ).pipe(Effect.provide(NodeFileSystem.layer))
    )
  }

  it.scoped("a folder writable by others (777) is refused, named with the fix; nothing is read or written there", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, entry, planted } = yield* seeded(emulator.stsUrl)
        const warnings = yield* captureWarnings
        yield* fs.writeFileString(entry, planted, { mode: 0o600 })
        yield* fs.chmod(dir, 0o777)
        const first = yield* role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer))
        yield* role(emulator.stsUrl, dir)
        expect(first.accessKeyId).not.toBe(PLANTED_ID)
        expect((yield* emulator.counters("sts")).received).toBe(3)
        expect(yield* fs.readFileString(entry)).toBe(planted)
        expect(yield* fs.readDirectory(dir)).toEqual([entry.slice(dir.length + 1)])
        const lines = (yield* Ref.get(warnings.lines)).join("\n")
        expect(lines).toContain(`the folder ${dir} is writable by group or others (mode 0777)`)
        expect(lines).toContain(`chmod 700 ${dir}`)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a folder inside a folder writable by others (not sticky) is refused", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { folder: shared } = yield* folderWithMode("shared", 0o777)
        const warnings = yield* captureWarnings
        yield* role(emulator.stsUrl, `${shared}/cache`).pipe(Effect.provide(warnings.layer))
        yield* role(emulator.stsUrl, `${shared}/cache`)
        expect((yield* emulator.counters("sts")).received).toBe(2)
        expect(yield* cacheFiles(`${shared}/cache`)).toEqual([])
        expect((yield* Ref.get(warnings.lines)).join("\n")).toContain(
          `is inside ${shared}, which is writable by group or others`
        )
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a shared sticky folder (1777, as /tmp): a private subfolder alibabacloud-cache-<uid>, mode 700", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { folder: shared } = yield* folderWithMode("tmp", 0o1777)
        const first = yield* role(emulator.stsUrl, shared)
        const second = yield* role(emulator.stsUrl, shared)
        expect(second.accessKeyId).toBe(first.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        const own = `${shared}/alibabacloud-cache-${process.getuid?.()}`
        expect(yield* fs.readDirectory(shared)).toEqual([own.slice(shared.length + 1)])
        expect(NodeFs.lstatSync(own).mode & 0o7777).toBe(0o700)
        expect(yield* cacheFiles(own)).toHaveLength(1)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the private subfolder planted as a link, or a folder of another uid, is refused", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { base, folder: shared } = yield* folderWithMode("tmp", 0o1777)
        const elsewhere = `${base}/elsewhere`
        yield* fs.makeDirectory(elsewhere, { mode: 0o700 })
        const own = `${shared}/alibabacloud-cache-${process.getuid?.()}`
        yield* fs.symlink(elsewhere, own)
        const warnings = yield* captureWarnings
        yield* role(emulator.stsUrl, shared).pipe(Effect.provide(warnings.layer))
        expect(yield* fs.readDirectory(elsewhere)).toEqual([])
        expect((yield* Ref.get(warnings.lines)).join("\n")).toContain(`the folder ${own} is a symbolic link`)
        if (isRoot) {
          yield* fs.remove(own)
          yield* fs.makeDirectory(own, { mode: 0o700 })
          yield* fs.chown(own, OTHER_UID, OTHER_UID)
          yield* role(emulator.stsUrl, shared).pipe(Effect.provide(warnings.layer))
          expect(yield* fs.readDirectory(own)).toEqual([])
          expect((yield* Ref.get(warnings.lines)).join("\n")).toContain(
            `the folder ${own} is owned by uid ${OTHER_UID}`
          )
        }
        expect((yield* emulator.counters("sts")).received).toBe(isRoot ? 2 : 1)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a symbolically linked cache folder is refused: its entries are not used, nothing is written there", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, entry, planted } = yield* seeded(emulator.stsUrl)
        yield* fs.writeFileString(entry, planted, { mode: 0o600 })
        const linked = `${yield* fs.makeTempDirectoryScoped()}/cache`
        yield* fs.symlink(dir, linked)
        const warnings = yield* captureWarnings
        const credential = yield* role(emulator.stsUrl, linked).pipe(Effect.provide(warnings.layer))
        expect(credential.accessKeyId).not.toBe(PLANTED_ID)
        expect((yield* emulator.counters("sts")).received).toBe(2)
        expect(yield* fs.readFileString(entry)).toBe(planted)
        expect(yield* fs.readDirectory(dir)).toEqual([entry.slice(dir.length + 1)])
        expect((yield* Ref.get(warnings.lines)).join("\n")).toContain(`the folder ${linked} is a symbolic link`)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped.skipIf(!isRoot)(
    "a cache folder owned by another uid is refused (needs root for chown)",
    () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          const { dir, entry, planted } = yield* seeded(emulator.stsUrl)
          yield* fs.writeFileString(entry, planted, { mode: 0o600 })
          yield* fs.chown(entry, OTHER_UID, OTHER_UID)
          yield* fs.chown(dir, OTHER_UID, OTHER_UID)
          const warnings = yield* captureWarnings
          const credential = yield* role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer))
          expect(credential.accessKeyId).not.toBe(PLANTED_ID)
          expect((yield* emulator.counters("sts")).received).toBe(2)
          expect(yield* fs.readFileString(entry)).toBe(planted)
          expect((yield* Ref.get(warnings.lines)).join("\n")).toContain(`is owned by uid ${OTHER_UID}`)
        })
      ).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("role B's entry under role A's name is a miss: the entry records the identity it was issued for", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        const roleB = "acs:ram::1234567890123456:role/other-role"
        const a = yield* role(emulator.stsUrl, dir)
        const before = new Set(yield* cacheFiles(dir))
        const b = yield* role(emulator.stsUrl, dir, {}, roleB)
        const fileB = (yield* cacheFiles(dir)).find((name) => !before.has(name))!
        const [fileA] = [...before]
        // B's file copied over A's (mode 600, the user's own: only the identity tells them apart).
        yield* fs.writeFileString(`${dir}/${fileA}`, yield* fs.readFileString(`${dir}/${fileB}`), { mode: 0o600 })
        const warnings = yield* captureWarnings
        const again = yield* role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer))
        expect(again.accessKeyId).not.toBe(b.accessKeyId)
        expect(again.accessKeyId).not.toBe(a.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(3)
        expect((yield* Ref.get(warnings.lines)).join("\n")).toContain("issued for another identity was ignored")
        // B's own file still serves B.
        expect((yield* role(emulator.stsUrl, dir, {}, roleB)).accessKeyId).toBe(b.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(3)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  /**
   * Whether `fiber` ends without ever waiting on the clock for less than a second (the lock's poll
   * is 100 ms; the fetch's own timeouts are seconds). The clock is never moved here: a process that
   * waited for the lock would wait for ever, and this says so as soon as its poll is pending.
   */
  const endsWithoutWaiting = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, dir: string) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      for (let i = 0; i < 1_000_000; i++) {
        if (Option.isSome(yield* Fiber.poll(fiber))) return true
        const now = yield* Clock.currentTimeMillis
        if (Chunk.some(yield* TestClock.sleeps(), (at) => at - now < 1000)) return false
        yield* fs.exists(dir)
      }
      return false
    })

  // A process that exited: its pid is free (not reused within the test).
  const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid

  for (
    const lock of [
      { name: "empty", content: () => "", reason: "does not hold a lock record" },
      { name: "garbage", content: () => "\u0000\u0001 not a lock \u00ff", reason: "does not hold a lock record" },
      {
        name: "future-dated",
        content: (now: number) => JSON.stringify({ id: "x", pid: process.pid, host: hostname(), at: now + 3_600_000 }),
        reason: "is dated in the future"
      },
      {
        name: "of a process that is gone",
        content: (now: number) => JSON.stringify({ id: "x", pid: deadPid(), host: hostname(), at: now }),
        reason: "is gone"
      },
      {
        name: "mode 644 (not private)",
        content: (now: number) => JSON.stringify({ id: "x", pid: process.pid, host: hostname(), at: now }),
        reason: "is open to group or others",
        mode: 0o644
      },
      {
        name: "of another uid (needs root for chown)",
        content: (now: number) => JSON.stringify({ id: "x", pid: process.pid, host: hostname(), at: now }),
        reason: `is owned by uid ${OTHER_UID}`,
        chown: true
      }
    ] as const
  ) {
    it.scoped.skipIf("chown" in lock && !isRoot)(
      `a lock that is ${lock.name}: stale at once, the next process does not wait lockWait`,
      () =>
        withEmulator((emulator) =>
          Effect.gen(function*() {
            const fs = yield* FileSystem.FileSystem
            const { dir, entry } = yield* seeded(emulator.stsUrl)
            yield* fs.remove(entry)
            const start = yield* Clock.currentTimeMillis
            yield* fs.writeFileString(`${entry}.lock`, lock.content(start), { mode: 0o600 })
            if ("mode" in lock) yield* fs.chmod(`${entry}.lock`, lock.mode)
            if ("chown" in lock) yield* fs.chown(`${entry}.lock`, OTHER_UID, OTHER_UID)
            const warnings = yield* captureWarnings
            // The default lockWait (20 s); the clock is never moved (see endsWithoutWaiting).
            const fiber = yield* Effect.fork(role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer)))
            expect(yield* endsWithoutWaiting(fiber, dir)).toBe(true)
            yield* Fiber.join(fiber)
            expect(yield* Clock.currentTimeMillis).toBe(start)
            expect((yield* emulator.counters("sts")).received).toBe(2)
            const lines = (yield* Ref.get(warnings.lines)).join("\n")
            expect(lines).toContain("a stale lock was removed")
            expect(lines).toContain(lock.reason)
            // Taken over and released: no lock nor temporary file left.
            expect((yield* fs.readDirectory(dir)).sort()).toEqual([entry.slice(dir.length + 1)])
          })
        ).pipe(Effect.provide(NodeFileSystem.layer))
    )
  }

  it.scoped("a lock that cannot be removed (a folder in its place): no wait, the fetch goes on without the lock", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, entry } = yield* seeded(emulator.stsUrl)
        yield* fs.remove(entry)
        yield* fs.makeDirectory(`${entry}.lock`, { mode: 0o700 })
        const warnings = yield* captureWarnings
        const start = yield* Clock.currentTimeMillis
        const fiber = yield* Effect.fork(role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer)))
        expect(yield* endsWithoutWaiting(fiber, dir)).toBe(true)
        yield* Fiber.join(fiber)
        expect(yield* Clock.currentTimeMillis).toBe(start)
        expect((yield* emulator.counters("sts")).received).toBe(2)
        // Said once, not once per try.
        const lines = (yield* Ref.get(warnings.lines)).filter((line) => line.includes("lock"))
        expect(lines).toHaveLength(1)
        expect(lines[0]).toContain("a stale lock cannot be removed; fetching without it")
        // The session was stored all the same: the next fetch reads it.
        yield* role(emulator.stsUrl, dir)
        expect((yield* emulator.counters("sts")).received).toBe(2)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the note of an ignored file is an event on the caller's span (annotations: file, reason), no secret", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, entry, planted, secrets } = yield* seeded(emulator.stsUrl)
        yield* fs.writeFileString(entry, planted)
        yield* fs.chmod(entry, 0o666)
        const { spans, tracer } = yield* recording
        yield* role(emulator.stsUrl, dir).pipe(Effect.withSpan("caller"), Effect.withTracer(tracer))
        const caller = spans.find((span) => span.name === "caller") as unknown as {
          readonly events: ReadonlyArray<readonly [string, bigint, Record<string, unknown>]>
        }
        const note = caller.events.find(([name]) => name.includes("not private to this user was ignored"))
        expect(note?.[2]).toMatchObject({ file: entry, reason: "is open to group or others (mode 0666), not 0600" })
        expectNoSecret(JSON.stringify(caller.events, (_, v) => typeof v === "bigint" ? String(v) : v), secrets)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})
