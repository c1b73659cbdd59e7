import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  DateTime,
  Duration,
  Effect,
  Exit,
  Fiber,
  Redacted,
  Ref,
  Schedule,
  Scope,
  Stream,
  TestClock
} from "effect"
import * as Changes from "../src/Changes.js"
import * as Credential from "../src/Credential.js"
import { refreshDelayMillis } from "../src/internal/refresh/timing.js"
import * as Refresh from "../src/Refresh.js"
import type { Source } from "../src/Source.js"
import { makeFakeUpstream, upstreamDown } from "./fakeUpstream.js"

const noJitter = { jitter: 0 } as const

describe("Refresh", () => {
  it.scoped("1,000 concurrent callers on a cold source cause one fetch and share its credential", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour", latency: "200 millis" })
      const refreshing = yield* Refresh.make(upstream.source)
      const callers = yield* Effect.all(Array.from({ length: 1000 }, () => refreshing.get), {
        concurrency: "unbounded"
      }).pipe(Effect.fork)
      yield* TestClock.adjust("200 millis")
      const credentials = yield* Fiber.join(callers)
      expect(yield* upstream.calls).toBe(1)
      expect(new Set(credentials).size).toBe(1)
      expect(credentials[0]!.accessKeyId).toBe("STS.fake-1")
    }))

  it.scoped("options at fault: every get fails with InvalidConfiguration naming the option; nothing fetched, no defect", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      // what a value decoded from JSON or given by JavaScript may hold (the types say otherwise)
      const cases: ReadonlyArray<readonly [Refresh.Options, string]> = [
        [{ staleWindow: "fifteen minutes" as Duration.DurationInput }, "staleWindow is not a duration"],
        [{ prefetchWindow: Duration.infinity }, "prefetchWindow must be a finite duration"],
        [{ minRefreshInterval: {} as Duration.DurationInput }, "minRefreshInterval is not a duration"],
        [{ jitter: Number.NaN }, "jitter must be a fraction from 0 to 1"],
        [{ jitter: 2 }, "jitter must be a fraction from 0 to 1"],
        [{ spread: { from: 0.8, to: 0.2 } }, "spread must be { from, to }"]
      ]
      for (const [options, says] of cases) {
        const refreshing = yield* Refresh.make(upstream.source, options)
        const exit = yield* Effect.exit(refreshing.get)
        expect(exit).toMatchObject({
          _tag: "Failure",
          cause: { _tag: "Fail", error: { _tag: "InvalidConfiguration" } }
        })
        if (Exit.isFailure(exit)) {
          expect(Cause.squash(exit.cause)).toHaveProperty("message", expect.stringContaining(says))
        }
        expect((yield* Effect.flip(refreshing.refresh))._tag).toBe("InvalidConfiguration")
      }
      expect(yield* upstream.calls).toBe(0)
    }))

  it.scoped("a prefetchWindow function that throws or answers no duration: the stale window applies, the refresh still runs", () =>
    Effect.gen(function*() {
      for (
        const pick of [() => {
          throw new Error("a careless window")
        }, () => "soon" as Duration.DurationInput]
      ) {
        const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
        const refreshing = yield* Refresh.make(upstream.source, { ...noJitter, prefetchWindow: pick })
        yield* refreshing.get
        yield* TestClock.adjust("45 minutes")
        expect(yield* upstream.calls).toBe(2)
      }
    }))

  it.scoped("hands out the cached credential without fetching again while it is valid", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, noJitter)
      const first = yield* refreshing.get
      yield* TestClock.adjust("30 minutes")
      expect(yield* refreshing.get).toBe(first)
      expect(yield* upstream.calls).toBe(1)
    }))

  it.scoped("refreshes in the background at expiry minus the stale window (15 minutes by default)", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, noJitter)
      yield* refreshing.get
      yield* TestClock.adjust(Duration.minutes(45).pipe(Duration.subtract(Duration.seconds(1))))
      expect(yield* upstream.calls).toBe(1)
      yield* TestClock.adjust("1 second")
      expect(yield* upstream.calls).toBe(2)
      expect((yield* refreshing.get).accessKeyId).toBe("STS.fake-2")
      // and again 45 minutes after that, with no caller asking
      yield* TestClock.adjust("45 minutes")
      expect(yield* upstream.calls).toBe(3)
    }))

  it.scoped("honours a configured prefetch window (the ECS source's 1 hour)", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "6 hours" })
      const refreshing = yield* Refresh.make(upstream.source, { ...noJitter, prefetchWindow: "1 hour" })
      yield* refreshing.get
      yield* TestClock.adjust("299 minutes")
      expect(yield* upstream.calls).toBe(1)
      yield* TestClock.adjust("1 minute")
      expect(yield* upstream.calls).toBe(2)
    }))

  it.scoped("honours a configured stale window", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, { ...noJitter, staleWindow: "5 minutes" })
      yield* refreshing.get
      yield* TestClock.adjust("54 minutes")
      expect(yield* upstream.calls).toBe(1)
      yield* TestClock.adjust("1 minute")
      expect(yield* upstream.calls).toBe(2)
    }))

  it("spreads refreshes over the jitter, never earlier than halfway through the lifetime", () => {
    const expiringAt = (millis: number) =>
      Credential.make({
        type: "sts",
        accessKeyId: "STS.x",
        accessKeySecret: Redacted.make("s"),
        expiration: DateTime.unsafeMake(millis),
        providerName: "test"
      })
    const hour = 3_600_000
    const minute = 60_000
    // default: 15 minutes ahead, up to 20% of that (3 minutes) earlier at random
    expect(refreshDelayMillis(expiringAt(hour), 0, {}, 0)).toBe(45 * minute)
    expect(refreshDelayMillis(expiringAt(hour), 0, {}, 0.5)).toBe(43.5 * minute)
    expect(refreshDelayMillis(expiringAt(hour), 0, {}, 0.999)).toBeGreaterThan(42 * minute)
    expect(refreshDelayMillis(expiringAt(hour), 0, { jitter: 0 }, 0.999)).toBe(45 * minute)
    // the larger window wins
    expect(refreshDelayMillis(expiringAt(6 * hour), 0, { prefetchWindow: "1 hour", jitter: 0 }, 0)).toBe(
      5 * hour
    )
    // a 10-minute credential is not refetched in a loop: halfway, 5 minutes on
    expect(refreshDelayMillis(expiringAt(10 * minute), 0, {}, 0.5)).toBe(5 * minute)
    // a credential that never expires is never refreshed
    const permanent = Credential.make({
      type: "access_key",
      accessKeyId: "a",
      accessKeySecret: Redacted.make("s"),
      providerName: "t"
    })
    expect(refreshDelayMillis(permanent, 0, {}, 0.5)).toBeUndefined()
  })

  it.scoped("a failed refresh while the credential is valid is invisible to callers and retried with backoff", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, noJitter)
      const first = yield* refreshing.get
      yield* upstream.failWith(upstreamDown)
      yield* TestClock.adjust("45 minutes") // refresh due: attempt 2 fails
      expect(yield* upstream.calls).toBe(2)
      // callers get the still-valid credential at once: no fetch, no wait
      expect(yield* refreshing.get).toBe(first)
      expect(yield* upstream.calls).toBe(2)
      // retries back off: after a few minutes there have been a handful of attempts, not hundreds
      yield* TestClock.adjust("2 minutes")
      const attempts = (yield* upstream.calls) - 1
      expect(attempts).toBeGreaterThanOrEqual(4)
      expect(attempts).toBeLessThanOrEqual(10)
      expect(yield* refreshing.get).toBe(first)
      // upstream recovers: the next retry (at most a minute later) replaces the credential
      yield* upstream.recover
      yield* TestClock.adjust("1 minute")
      const second = yield* refreshing.get
      expect(second).not.toBe(first)
    }))

  it.scoped("never hands out an expired credential: a caller then waits for a fetch", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour", latency: "1 second" })
      const refreshing = yield* Refresh.make(upstream.source, noJitter)
      const first = yield* refreshing.get.pipe(
        Effect.fork,
        Effect.tap(() => TestClock.adjust("1 second")),
        Effect.flatMap(Fiber.join)
      )
      yield* upstream.failWith(upstreamDown)
      yield* TestClock.adjust("61 minutes") // every background retry failed; the credential has expired
      yield* upstream.recover
      const caller = yield* Effect.fork(refreshing.get)
      yield* TestClock.adjust("1 second")
      const second = yield* Fiber.join(caller)
      expect(second).not.toBe(first)
      expect(second.accessKeyId).not.toBe(first.accessKeyId)
    }))

  it.scoped("a caller of an expired credential gets the typed error when the fetch fails", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, noJitter)
      yield* refreshing.get
      yield* upstream.failWith(upstreamDown)
      yield* TestClock.adjust("1 hour")
      const error = yield* Effect.flip(refreshing.get)
      expect(error).toMatchObject({ _tag: "UpstreamError", status: 503, code: "ServiceUnavailable" })
    }))

  it.scoped("after expiry the background loop stops: an idle program makes no more requests", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, noJitter)
      yield* refreshing.get
      yield* upstream.failWith(upstreamDown)
      // background retries run while the credential is valid; the last one lands within a minute
      yield* TestClock.adjust("61 minutes")
      const attempts = yield* upstream.calls
      yield* TestClock.adjust("10 hours")
      expect(yield* upstream.calls).toBe(attempts)
    }))

  it.scoped("credentials that expire 50 ms after issue: an idle program makes one request in 10 s, not hundreds", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "50 millis" })
      const refreshing = yield* Refresh.make(upstream.source)
      yield* refreshing.get
      // the refresh falls due at 25 ms, the floor holds it to 5 s, the credential has expired by
      // then: the background fiber stops
      yield* TestClock.adjust("10 seconds")
      expect(yield* upstream.calls).toBe(1)
    }))

  it.scoped("credentials that expire 50 ms after issue: a caller once a second fetches at once, the background fiber adds nothing", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "50 millis" })
      const refreshing = yield* Refresh.make(upstream.source)
      for (let second = 1; second <= 10; second++) {
        // every get finds an expired credential and fetches without waiting for the floor
        const credential = yield* refreshing.get
        expect(credential.accessKeyId).toBe(`STS.fake-${second}`)
        yield* TestClock.adjust("1 second")
      }
      expect(yield* upstream.calls).toBe(10)
    }))

  it.scoped("the floor delays the refresh of a short-lived credential that is still valid then", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "8 seconds" })
      const refreshing = yield* Refresh.make(upstream.source)
      yield* refreshing.get
      // halfway is 4 s; the default floor is 5 s
      yield* TestClock.adjust("4999 millis")
      expect(yield* upstream.calls).toBe(1)
      yield* TestClock.adjust("1 milli")
      expect(yield* upstream.calls).toBe(2)
      expect((yield* refreshing.get).accessKeyId).toBe("STS.fake-2")
    }))

  it.scoped("honours a configured minRefreshInterval", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 minute" })
      const refreshing = yield* Refresh.make(upstream.source, { minRefreshInterval: "40 seconds" })
      yield* refreshing.get
      yield* TestClock.adjust("39 seconds") // halfway (30 s) has passed, the floor has not
      expect(yield* upstream.calls).toBe(1)
      yield* TestClock.adjust("1 second")
      expect(yield* upstream.calls).toBe(2)
    }))

  it.scoped("failed background refreshes are retried no sooner than the floor, whatever the schedule says", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      // (a schedule without any delay is held to the floor too; without the floor it would spin
      // and hang this test rather than fail it, so the test uses 100 ms: 600 retries a minute)
      const retrySchedule = Schedule.spaced("100 millis")
      const refreshing = yield* Refresh.make(upstream.source, { ...noJitter, retrySchedule })
      const first = yield* refreshing.get
      yield* upstream.failWith(upstreamDown)
      yield* TestClock.adjust("45 minutes") // refresh due: attempt 2 fails
      expect(yield* upstream.calls).toBe(2)
      // one retry every 5 s, not a spin
      yield* TestClock.adjust("1 minute")
      expect(yield* upstream.calls).toBe(2 + 12)
      expect(yield* refreshing.get).toBe(first)
    }))

  it.scoped("a credential that is already expired when fetched is an error, not a new current value", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "0 millis" })
      const refreshing = yield* Refresh.make(upstream.source)
      const error = yield* Effect.flip(refreshing.get)
      expect(error._tag).toBe("MalformedResponse")
      expect(error.message).toContain("expired")
    }))

  it.effect("closing the scope interrupts the background fiber and the fetch in flight", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour", latency: "10 seconds" })
      const interrupted = yield* Ref.make(false)
      const scope = yield* Scope.make()
      const refreshing = yield* Refresh.make(
        upstream.source.pipe(Effect.onInterrupt(() => Ref.set(interrupted, true))),
        noJitter
      ).pipe(Scope.extend(scope))
      const caller = yield* Effect.fork(refreshing.get)
      yield* TestClock.adjust("1 second")
      yield* Scope.close(scope, Exit.void)
      expect(yield* Ref.get(interrupted)).toBe(true)
      const exit = yield* Fiber.await(caller)
      expect(Exit.isInterrupted(exit)).toBe(true)
      // nothing runs after the scope closed
      const calls = yield* upstream.calls
      yield* TestClock.adjust("10 hours")
      expect(yield* upstream.calls).toBe(calls)
    }))

  it.scoped("changes emits the current credential and every refresh", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, noJitter)
      const seen = yield* Changes.of(refreshing).pipe(Stream.take(3), Stream.runCollect, Effect.fork)
      yield* refreshing.get
      yield* TestClock.adjust("45 minutes")
      yield* TestClock.adjust("45 minutes")
      const ids = Chunk.toReadonlyArray(yield* Fiber.join(seen)).map((c) => c.accessKeyId)
      expect(ids).toEqual(["STS.fake-1", "STS.fake-2", "STS.fake-3"])
    }))

  it.scoped("a credential without expiration is fetched once and kept", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const { source } = yield* makeFakeUpstream({ ttl: "1 hour" })
      const permanent = Ref.update(calls, (n) => n + 1).pipe(
        Effect.zipRight(source),
        Effect.map((c) => ({ ...c, expiration: undefined }) as typeof c)
      )
      const refreshing = yield* Refresh.make(permanent)
      yield* refreshing.get
      yield* TestClock.adjust("100 days")
      yield* refreshing.get
      expect(yield* Ref.get(calls)).toBe(1)
    }))
})

describe("Refresh: credentials marked cache \"none\"", () => {
  // An AccessKey helper that rotates its key on every run (n = the run), as an External `AK` helper may.
  const rotatingKeys = Effect.gen(function*() {
    const runs = yield* Ref.make(0)
    const source: Source = Ref.updateAndGet(runs, (n) => n + 1).pipe(
      Effect.map((n) =>
        Credential.uncached(Credential.make({
          type: "access_key",
          accessKeyId: `LTAI-rotated-${n}`,
          accessKeySecret: Redacted.make(`secret-${n}`),
          providerName: "helper"
        }))
      )
    )
    return { source, runs: Ref.get(runs) }
  })

  it.scoped("every get asks the source again: a rotation is seen at the next get", () =>
    Effect.gen(function*() {
      const helper = yield* rotatingKeys
      const refreshing = yield* Refresh.make(helper.source)
      expect((yield* refreshing.get).accessKeyId).toBe("LTAI-rotated-1")
      expect((yield* refreshing.get).accessKeyId).toBe("LTAI-rotated-2")
      yield* TestClock.adjust("1 second")
      const third = yield* refreshing.get
      expect(third.accessKeyId).toBe("LTAI-rotated-3")
      expect(third.cache).toBe("none")
      expect(yield* helper.runs).toBe(3)
    }))

  it.scoped("concurrent callers still share one fetch", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour", latency: "100 millis" })
      const refreshing = yield* Refresh.make(Effect.map(upstream.source, Credential.uncached))
      const callers = yield* Effect.all(Array.from({ length: 100 }, () => refreshing.get), {
        concurrency: "unbounded"
      }).pipe(Effect.fork)
      yield* TestClock.adjust("100 millis")
      const credentials = yield* Fiber.join(callers)
      expect(yield* upstream.calls).toBe(1)
      expect(new Set(credentials.map((c) => c.accessKeyId))).toEqual(new Set(["STS.fake-1"]))
      // the next get, even within the expiration, fetches again
      const next = yield* Effect.fork(refreshing.get)
      yield* TestClock.adjust("100 millis")
      expect((yield* Fiber.join(next)).accessKeyId).toBe("STS.fake-2")
      expect(yield* upstream.calls).toBe(2)
    }))

  it.scoped("an uncached credential with an expiration is never refreshed in the background: idle, no request", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(Effect.map(upstream.source, Credential.uncached), noJitter)
      yield* refreshing.get
      yield* TestClock.adjust("10 hours")
      expect(yield* upstream.calls).toBe(1)
      expect(refreshDelayMillis(yield* refreshing.get, 0, {}, 0)).toBeUndefined()
    }))

  it.scoped("changes emits an uncached credential only when it differs from the current one", () =>
    Effect.gen(function*() {
      const answers = yield* Ref.make(["k1", "k1", "k2", "k2", "k1"])
      const source: Source = Ref.modify(answers, ([head, ...rest]) => [head!, rest]).pipe(
        Effect.map((key) =>
          Credential.uncached(Credential.make({
            type: "access_key",
            accessKeyId: key,
            accessKeySecret: Redacted.make(`secret-of-${key}`),
            providerName: "helper"
          }))
        )
      )
      const refreshing = yield* Refresh.make(source)
      const seen = yield* Changes.of(refreshing).pipe(Stream.take(3), Stream.runCollect, Effect.fork)
      yield* Effect.yieldNow()
      for (let i = 0; i < 5; i++) yield* refreshing.get
      const ids = Chunk.toReadonlyArray(yield* Fiber.join(seen)).map((c) => c.accessKeyId)
      expect(ids).toEqual(["k1", "k2", "k1"])
    }))

  it.scoped("a source whose answer becomes cacheable is kept again (the hot path is back)", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const source: Source = Ref.updateAndGet(runs, (n) => n + 1).pipe(Effect.map((n) => {
        const credential = Credential.make({
          type: "access_key",
          accessKeyId: `LTAI-${n}`,
          accessKeySecret: Redacted.make("s"),
          providerName: "helper"
        })
        return n < 3 ? Credential.uncached(credential) : credential
      }))
      const refreshing = yield* Refresh.make(source)
      const ids: Array<string> = []
      for (let i = 0; i < 6; i++) ids.push((yield* refreshing.get).accessKeyId)
      expect(ids).toEqual(["LTAI-1", "LTAI-2", "LTAI-3", "LTAI-3", "LTAI-3", "LTAI-3"])
      expect(yield* Ref.get(runs)).toBe(3)
    }))

  it("the mark survives a new provider name (a chain's prefix) and shows in the printable view, without secrets", () => {
    const credential = Credential.uncached(Credential.make({
      type: "access_key",
      accessKeyId: "LTAI-abcdefgh1234",
      accessKeySecret: Redacted.make("the-secret"),
      providerName: "external"
    }))
    const renamed = Credential.withProviderName(credential, "default/cli_profile/external")
    expect(Credential.isCacheable(renamed)).toBe(false)
    expect(renamed.toJSON()).toMatchObject({ cache: "none", providerName: "default/cli_profile/external" })
    expect(String(renamed)).not.toContain("the-secret")
    expect(Credential.isCacheable(Credential.make({ ...credential, cache: undefined }))).toBe(true)
  })
})

describe("Refresh after its scope is closed", () => {
  it.effect("a get does not hang: it is interrupted", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const scope = yield* Scope.make()
      const refreshing = yield* Refresh.make(upstream.source).pipe(Scope.extend(scope))
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Effect.exit(refreshing.get)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(yield* upstream.calls).toBe(0)
    }))
})
