// Two takers of one stale lock (docs/session-cache.md, "Two processes at once"): P1 and P2 both judge
// the lock stale; P1 removes it and takes a fresh one; P2 must not then remove P1's fresh lock. Two
// fibers with their own lock ids on the same folder, put in that order without real sleeps: each
// pauses inside a Clock call (the TestClock underneath), which the lock makes right after reading
// the lock's record (its judgement) and which the fetch makes once it holds the lock.
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Clock, Deferred, Effect, Fiber, Option, TestClock } from "effect"
import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import { hostname } from "node:os"
import { emptiedEntry, polling, role, writeLiveLock } from "./sessionCacheHelpers.js"
import { withEmulator } from "./withEmulator.js"

afterEach(() => {
  vi.restoreAllMocks()
})

/** `clock`, except that its first `currentTimeMillis` for which `when()` holds waits for `gate` (after `reached`). */
const pausingClock = (
  clock: Clock.Clock,
  when: () => boolean,
  reached: Deferred.Deferred<void>,
  gate: Deferred.Deferred<void>
): Clock.Clock => {
  let paused = false
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis(),
    unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos(),
    currentTimeNanos: clock.currentTimeNanos,
    sleep: (duration) => clock.sleep(duration),
    currentTimeMillis: Effect.suspend(() => {
      if (paused || !when()) return clock.currentTimeMillis
      paused = true
      return Deferred.succeed(reached, undefined).pipe(
        Effect.zipRight(Deferred.await(gate)),
        Effect.zipRight(clock.currentTimeMillis)
      )
    })
  }
}

/** The id of the record at `lock` now, if any (read without the cache's checks: a test's look). */
const recordId = (lock: string): string | undefined => {
  try {
    return (JSON.parse(NodeFs.readFileSync(lock, "utf8")) as { readonly id?: string }).id
  } catch {
    return undefined
  }
}

describe("SessionCache: a stale lock taken over by two processes at once", () => {
  it.scoped(
    "the second taker does not remove the first one's fresh lock: one AssumeRole, not two",
    () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          const { dir, lock, name } = yield* emptiedEntry(emulator.stsUrl)
          // Stale: the record of a process that exited.
          const gone = spawnSync(process.execPath, ["-e", ""]).pid
          const now = yield* Clock.currentTimeMillis
          yield* fs.writeFileString(lock, JSON.stringify({ id: "gone", pid: gone, host: hostname(), at: now }), {
            mode: 0o600
          })
          // P2's judgement: its first Clock call after it opened the lock to read it.
          let lockRead = false
          const open = NodeFs.promises.open
          vi.spyOn(NodeFs.promises, "open").mockImplementation(
            ((path: NodeFs.PathLike, ...rest: Array<never>) => {
              if (String(path) === lock) lockRead = true
              return open.call(NodeFs.promises, path, ...rest)
            }) as never
          )
          const clock = yield* Effect.clock
          const [p2Judging, p2Go, p1Holding, p1Go] = yield* Effect.all(
            Array.from({ length: 4 }, () => Deferred.make<void>())
          )
          const p2 = yield* Effect.fork(
            role(emulator.stsUrl, dir).pipe(Effect.withClock(pausingClock(clock, () => lockRead, p2Judging, p2Go)))
          )
          yield* Deferred.await(p2Judging)
          expect(recordId(lock)).toBe("gone")
          // P1 judges the same lock stale, removes it and takes a fresh one (paused while it holds it).
          const p1 = yield* Effect.fork(
            role(emulator.stsUrl, dir).pipe(
              Effect.withClock(
                pausingClock(clock, () => ![undefined, "gone"].includes(recordId(lock)), p1Holding, p1Go)
              )
            )
          )
          yield* Deferred.await(p1Holding)
          const p1Id = recordId(lock)
          expect(p1Id).not.toBe("gone")
          // P2 goes on with its judgement ("stale") while P1 holds its fresh lock: until it asks STS
          // (P1's lock removed) or waits for P1 (a poll of 100 ms pending).
          yield* Deferred.succeed(p2Go, undefined)
          for (let i = 0; i < 100_000; i++) {
            if ((yield* emulator.counters("sts")).received > 1 || (yield* polling)) break
            yield* fs.exists(dir)
          }
          yield* Deferred.succeed(p1Go, undefined)
          for (
            let i = 0;
            i < 1000 && (Option.isNone(yield* Fiber.poll(p1)) || Option.isNone(yield* Fiber.poll(p2)));
            i++
          ) {
            if (yield* polling) yield* TestClock.adjust("100 millis")
            else yield* fs.exists(dir)
          }
          const [first, second] = [yield* Fiber.join(p1), yield* Fiber.join(p2)]
          // The seeding fetch and P1's: P2 waited for P1 and used its session.
          expect((yield* emulator.counters("sts")).received).toBe(2)
          expect(second.accessKeyId).toBe(first.accessKeyId)
          // Nothing left behind: no lock, no renamed stale lock, no temporary file.
          expect(yield* fs.readDirectory(dir)).toEqual([name])
        })
      ).pipe(Effect.provide(NodeFileSystem.layer)),
    30_000
  )

  it.scoped("after lockWait, only the lock waited for is taken over: a holder's fresh lock that replaced it stays", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, lock, name } = yield* emptiedEntry(emulator.stsUrl)
        yield* writeLiveLock(lock, "first-holder")
        const fiber = yield* Effect.fork(role(emulator.stsUrl, dir, { lockWait: "1 second" }))
        // Ten polls of 100 ms; before the last, the first holder is gone and another took the lock.
        for (let poll = 0; poll < 10; poll++) {
          for (let i = 0; i < 100_000 && !(yield* polling); i++) {
            yield* fs.exists(dir)
          }
          if (poll === 9) {
            yield* fs.remove(lock)
            yield* writeLiveLock(lock, "second-holder")
          }
          yield* TestClock.adjust("100 millis")
        }
        for (let i = 0; i < 100_000 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
          yield* fs.exists(dir)
        }
        yield* Fiber.join(fiber)
        // The waiter fetched (its wait was over) without removing the second holder's lock.
        expect((yield* emulator.counters("sts")).received).toBe(2)
        expect(recordId(lock)).toBe("second-holder")
        expect((yield* fs.readDirectory(dir)).sort()).toEqual([name, `${name}.lock`])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})
