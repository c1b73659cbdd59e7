// The shared request budget: every AssumeRole of a program takes a slot per STS endpoint and signing
// account (default 100 per second), so a warm-up of many identities queues instead of being
// throttled; the first slot's wait is not counted in the fetch's time budget.
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Option, TestClock } from "effect"
import * as RequestBudget from "../src/RequestBudget.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import { role, stubSts, success } from "./stubSts.js"
import { accessKey, roleArn, withEmulator } from "./withEmulator.js"

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** How many of `times` fall in each second. */
const perSecond = (times: ReadonlyArray<number>) => {
  const counts = new Map<number, number>()
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1)
  return [...counts.values()]
}

const warm = (n: number) =>
  Effect.forEach(range(n), (i) => role({ roleSessionName: `tenant-${i}` }), { concurrency: "unbounded" })

const untilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, limit: Duration.DurationInput) =>
  Effect.gen(function*() {
    for (let i = 0; i < Duration.toMillis(limit) / 100 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
      yield* TestClock.adjust("100 millis")
    }
    return yield* Fiber.join(fiber)
  })

describe("RequestBudget", () => {
  it.effect("250 identities at once: a burst of 50, then 100 per second; none fails", () =>
    Effect.gen(function*() {
      const sts = stubSts(() => success())
      const budget = yield* RequestBudget.make()
      const fiber = yield* Effect.fork(
        warm(250).pipe(Effect.provide(sts.layer), Effect.provideService(RequestBudget.RequestBudget, budget))
      )
      const credentials = yield* untilDone(fiber, "10 seconds")
      expect(credentials.length).toBe(250)
      expect(sts.times.length).toBe(250)
      expect(Math.max(...perSecond(sts.times))).toBeLessThanOrEqual(150)
      // the last slot: 200 after the burst of 50, 10 ms apart
      expect(Math.max(...sts.times)).toBeGreaterThanOrEqual(1990)
      expect(Math.max(...sts.times)).toBeLessThanOrEqual(2100)
    }), 60_000)

  it.effect(
    "a queue longer than the time budget: the wait for a slot is not counted in it",
    () =>
      Effect.gen(function*() {
        const sts = stubSts(() => success())
        const budget = yield* RequestBudget.make({ perSecond: 5, burst: 1 })
        // 100 identities at 5 per second: the last one waits 20 s, more than the 15 s budget
        const fiber = yield* Effect.fork(
          warm(100).pipe(Effect.provide(sts.layer), Effect.provideService(RequestBudget.RequestBudget, budget))
        )
        expect((yield* untilDone(fiber, "1 minute")).length).toBe(100)
        expect(Math.max(...perSecond(sts.times))).toBeLessThanOrEqual(5)
        expect(Math.max(...sts.times)).toBeGreaterThanOrEqual(19_800)
      }),
    60_000
  )

  it.effect("layerDisabled: the off-switch, every request at once", () =>
    Effect.gen(function*() {
      const sts = stubSts(() => success())
      yield* warm(150).pipe(Effect.provide(sts.layer), Effect.provide(RequestBudget.layerDisabled))
      expect(sts.times.every((t) => t === 0)).toBe(true)
    }), 60_000)

  it.effect("per signing account: another signer has its own slots", () =>
    Effect.gen(function*() {
      const sts = stubSts(() => success())
      const budget = yield* RequestBudget.make({ perSecond: 1, burst: 1 })
      const other = AccessKey.make({ accessKeyId: "LTAI5tOtherSigner01", accessKeySecret: "other-secret" })
      yield* Effect.all([role(), role({ source: other })], { concurrency: "unbounded" }).pipe(
        Effect.provide(sts.layer),
        Effect.provideService(RequestBudget.RequestBudget, budget)
      )
      expect(sts.times).toEqual([0, 0])
    }))

  it.effect("invalid options: an InvalidConfiguration naming the option", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(RequestBudget.make({ perSecond: 0 }))
      expect(error.message).toContain("RequestBudget: invalid configuration: perSecond")
      expect(error.message).toContain("RequestBudget.layerDisabled")
      const burst = yield* Effect.flip(RequestBudget.make({ burst: 1.5 }))
      expect(burst.message).toContain("burst")
    }))

  it.effect("the default is one budget for the whole process, 100 per second", () =>
    Effect.gen(function*() {
      const a = yield* RequestBudget.RequestBudget
      const b = yield* Effect.provide(RequestBudget.RequestBudget, Layer.empty)
      expect(a).toBe(b)
      expect(a.perSecond).toBe(100)
    }))

  it.scoped(
    "against STS limited to 100 per second: 150 identities warmed at once, 0 throttled answers",
    () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          const identities = range(150).map((i) =>
            RamRoleArn.make({
              source: AccessKey.make(accessKey),
              roleArn,
              roleSessionName: `tenant-${i}`,
              stsEndpoint: emulator.stsUrl
            })
          )
          const fiber = yield* Effect.fork(Effect.all(identities, { concurrency: "unbounded" }))
          // a burst of 50, then a slot every 10 ms: by 100 ms steps, 10 more requests each
          for (let step = 0; step < 11; step++) {
            yield* emulator.awaitRequests("sts", Math.min(150, 50 + 10 * step))
            yield* TestClock.adjust("100 millis")
          }
          yield* emulator.awaitRequests("sts", 150)
          expect((yield* Fiber.join(fiber)).length).toBe(150)
          expect(yield* emulator.throttled).toBe(0)
          expect((yield* emulator.counters("sts")).received).toBe(150)
        }), { rateLimit: { perSecond: 100 } }),
    60_000
  )
})
