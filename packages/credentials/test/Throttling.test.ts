// Throttled answers (Throttling*, HTTP 429): retried on a longer, jittered backoff than other
// transient failures, never sooner than Retry-After, within the fetch's time budget; the final error
// says how many attempts were throttled. All on the TestClock, against a scripted STS.
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Schedule, TestClock } from "effect"
import { isThrottled } from "../src/internal/upstream/throttle.js"
import * as RequestBudget from "../src/RequestBudget.js"
import { role, stubSts, success, throttled, unavailable } from "./stubSts.js"

/** Forks `effect` and moves the clock 100 ms at a time until it is done (at most `limit`). */
const onTestClock = <A, E>(effect: Effect.Effect<A, E>, limit: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const steps = Duration.toMillis(limit) / 100
    for (let i = 0; i < steps && Option.isNone(yield* Fiber.poll(fiber)); i++) yield* TestClock.adjust("100 millis")
    return yield* Fiber.join(fiber)
  })

const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((t, i) => t - times[i]!)

describe("throttling", () => {
  it.effect("a throttled answer is retried after about 1 s, then 2 s (jittered), longer than a 5xx retry", () =>
    Effect.gen(function*() {
      const sts = stubSts((n) => n < 2 ? throttled() : success())
      const credential = yield* onTestClock(role().pipe(Effect.provide(sts.layer)))
      expect(credential.accessKeyId).toMatch(/^STS\.stub-/)
      expect(sts.times.length).toBe(3)
      const [first, second] = gaps(sts.times)
      expect(first).toBeGreaterThanOrEqual(500)
      expect(first).toBeLessThanOrEqual(1500)
      expect(second).toBeGreaterThanOrEqual(1000)
      expect(second).toBeLessThanOrEqual(3000)

      // another code that says throttled is waited for alike (one test of "throttled" for both paths)
      const otherCode = stubSts((n) =>
        n < 1 ? { ...throttled(), body: { Code: "Request.Throttled", RequestId: "req-o" } } : success()
      )
      yield* onTestClock(role().pipe(Effect.provide(otherCode.layer)))
      expect(gaps(otherCode.times)[0]).toBeGreaterThanOrEqual(500)

      const other = stubSts((n) => n < 1 ? unavailable : success())
      yield* onTestClock(role().pipe(Effect.provide(other.layer)))
      expect(gaps(other.times)[0]).toBeLessThan(500)
    }))

  it.effect("HTTP 429 with Retry-After: not retried sooner", () =>
    Effect.gen(function*() {
      const sts = stubSts((n) => n < 1 ? throttled(429, { "retry-after": "7" }) : success())
      yield* onTestClock(role().pipe(Effect.provide(sts.layer)))
      expect(sts.times.length).toBe(2)
      expect(gaps(sts.times)[0]).toBeGreaterThanOrEqual(7000)
    }))

  it.effect("a caller's schedule and a Retry-After: the longer of the two waits, not their sum", () =>
    Effect.gen(function*() {
      // Retry-After 7 s, the caller's schedule 2 s: 7 s (the old sum: 9 s)
      const longer = stubSts((n) => n < 1 ? throttled(429, { "retry-after": "7" }) : success())
      yield* onTestClock(role({ retrySchedule: Schedule.spaced("2 seconds") }).pipe(Effect.provide(longer.layer)))
      expect(longer.times.length).toBe(2)
      expect(gaps(longer.times)[0]).toBeGreaterThanOrEqual(7000)
      expect(gaps(longer.times)[0]).toBeLessThan(7200)
      // Retry-After 1 s, the caller's schedule 4 s: 4 s
      const shorter = stubSts((n) => n < 1 ? throttled(429, { "retry-after": "1" }) : success())
      yield* onTestClock(role({ retrySchedule: Schedule.spaced("4 seconds") }).pipe(Effect.provide(shorter.layer)))
      expect(gaps(shorter.times)[0]).toBeGreaterThanOrEqual(4000)
      expect(gaps(shorter.times)[0]).toBeLessThan(4200)
      // the caller's schedule still bounds the attempts: recurs(1), throttled twice, fails after 2
      const bounded = stubSts(() => throttled(429, { "retry-after": "1" }))
      const error = yield* onTestClock(
        Effect.flip(role({ retrySchedule: Schedule.recurs(1) }).pipe(Effect.provide(bounded.layer)))
      )
      expect(bounded.times.length).toBe(2)
      expect(isThrottled(error)).toBe(true)
    }))

  it.effect("throttled until the budget is spent: the final error says it was throttled, within the budget", () =>
    Effect.gen(function*() {
      const sts = stubSts(() => throttled())
      const error = yield* onTestClock(Effect.flip(role().pipe(Effect.provide(sts.layer))))
      expect(error._tag).toBe("UpstreamError")
      expect(isThrottled(error)).toBe(true)
      if (error._tag !== "UpstreamError") return
      expect(error.code).toBe("Throttling.User")
      expect(error.tried?.throttled).toBe(error.tried?.attempts)
      expect(error.tried?.attempts).toBeGreaterThanOrEqual(3)
      expect(Duration.toMillis(error.tried!.elapsed)).toBeLessThanOrEqual(15_000)
      expect(error.message).toMatch(/Throttling\.User.*\(\d attempts in \d+\.\d s, \d throttled\)/)
      expect(error.message).toContain("STS throttled the request")
    }))

  it.effect("a Retry-After beyond the time budget: the fetch fails at once, throttled", () =>
    Effect.gen(function*() {
      const sts = stubSts(() => throttled(429, { "retry-after": "60" }))
      const error = yield* onTestClock(Effect.flip(role().pipe(Effect.provide(sts.layer))))
      expect(sts.times.length).toBe(1)
      expect(error.message).toContain("HTTP 429")
      expect(error.message).toContain("(1 attempt in 0.0 s, 1 throttled)")
      if (error._tag === "UpstreamError") expect(Duration.toSeconds(error.retryAfter!)).toBe(60)
    }))

  it.effect("a throttled answer holds the shared budget off: the next identity waits as long", () =>
    Effect.gen(function*() {
      const sts = stubSts((n) => n === 0 ? throttled(429, { "retry-after": "3" }) : success())
      const budget = yield* RequestBudget.make({ perSecond: 100 })
      const both = Effect.all([
        role(),
        Effect.zipRight(Effect.sleep("10 millis"), role({ roleSessionName: "other" }))
      ], { concurrency: "unbounded" })
      yield* onTestClock(
        both.pipe(Effect.provide(sts.layer), Effect.provideService(RequestBudget.RequestBudget, budget))
      )
      // the second identity's first request waited for the hold-off, not only the throttled one's retry
      expect(sts.times.length).toBe(3)
      expect(sts.times[1]).toBeGreaterThanOrEqual(3000)
      expect(sts.times[2]).toBeGreaterThanOrEqual(3000)
    }))
  it.effect("a Retry-After of an hour holds the shared budget off for one time budget at most, not the hour", () =>
    Effect.gen(function*() {
      const sts = stubSts((n) => n === 0 ? throttled(429, { "retry-after": "3600" }) : success())
      const budget = yield* RequestBudget.make({ perSecond: 100 })
      const both = Effect.all([
        Effect.either(role()),
        Effect.zipRight(Effect.sleep("10 millis"), role({ roleSessionName: "other" }))
      ], { concurrency: "unbounded" })
      const [first] = yield* onTestClock(
        both.pipe(Effect.provide(sts.layer), Effect.provideService(RequestBudget.RequestBudget, budget))
      )
      expect(first._tag).toBe("Left")
      // the other identity waited the hold-off, capped at the fetch's time budget (15 s as shipped)
      expect(sts.times.length).toBe(2)
      expect(sts.times[1]).toBeGreaterThanOrEqual(15_000)
      expect(sts.times[1]).toBeLessThanOrEqual(15_100)
    }))
})
