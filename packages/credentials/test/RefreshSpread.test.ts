// The refresh spread (Refresh.Options.spread, on by default in IdentityPool): identities that got
// their sessions at one instant refresh over a window of the lifetime, each before its expiry, and
// no credential is ever served expired. TestClock and a seeded Random: deterministic.
import { describe, expect, it } from "@effect/vitest"
import { Clock, DateTime, Duration, Effect, Random, TestClock } from "effect"
import * as Credential from "../src/Credential.js"
import * as IdentityPool from "../src/IdentityPool.js"
import { defaultSpread, refreshDelayMillis } from "../src/internal/refresh/timing.js"
import type { Source } from "../src/Source.js"
import { hourCredential } from "./hourCredential.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe("refresh spread", () => {
  it("draws the moment within 35%-80% of the lifetime, never past the refresh-ahead point", () => {
    const credential = Effect.runSync(hourCredential("a", 1))
    const now = DateTime.toEpochMillis(credential.expiration!) - HOUR
    const delay = (random: number) => refreshDelayMillis(credential, now, { spread: defaultSpread }, random)
    expect(delay(0)).toBe(21 * MINUTE)
    // capped at expiry - 15 minutes (the stale window), not 80% (48 minutes)
    expect(delay(0.999_999)).toBeLessThanOrEqual(45 * MINUTE)
    expect(delay(0.999_999)).toBeGreaterThan(44.9 * MINUTE)
    // the ECS prefetch hour is kept: a 6-hour credential is refreshed at most 5 hours in
    const ecs = { spread: defaultSpread, prefetchWindow: Duration.hours(1) }
    const six = Credential.make({ ...credential, expiration: DateTime.unsafeMake(now + 6 * HOUR) })
    expect(refreshDelayMillis(six, now, ecs, 0.999_999)).toBeLessThanOrEqual(5 * HOUR)
    // shorter-lived than the stale window: halfway, as without the spread
    const short = Credential.make({ ...credential, expiration: DateTime.unsafeMake(now + 10 * MINUTE) })
    expect(refreshDelayMillis(short, now, { spread: defaultSpread }, 0.5)).toBe(5 * MINUTE)
    // off: the stale window and its jitter, as before
    expect(refreshDelayMillis(credential, now, { spread: false, jitter: 0 }, 0.5)).toBe(45 * MINUTE)
    expect(refreshDelayMillis(credential, now, {}, 0)).toBe(45 * MINUTE)
  })

  it.scoped("100 identities issued at one instant refresh spread over the window, never served expired", () =>
    Effect.gen(function*() {
      const refreshedAt = new Map<string, Array<number>>()
      const lookup = (key: string): Source =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const times = refreshedAt.get(key) ?? []
          times.push(now)
          refreshedAt.set(key, times)
          return yield* hourCredential(key, times.length)
        })
      const pool = yield* IdentityPool.make({ lookup })
      const keys = Array.from({ length: 100 }, (_, i) => `tenant-${i}`)
      const identities = yield* Effect.forEach(keys, (key) => pool.identity(key))
      const t0 = yield* Clock.currentTimeMillis
      yield* Effect.forEach(identities, (identity) => identity.get)
      for (let minute = 1; minute <= 60; minute++) {
        yield* TestClock.adjust("1 minute")
        const now = yield* Clock.currentTimeMillis
        for (const identity of identities) {
          const credential = yield* identity.get
          expect(DateTime.toEpochMillis(credential.expiration!)).toBeGreaterThan(now)
        }
      }
      const perMinute = new Map<number, number>()
      for (const times of refreshedAt.values()) {
        // issued at t0, first refreshed within 21-45 minutes (before the 60-minute expiry); an
        // early one refreshes its second session within the hour too
        expect(times.length).toBeGreaterThanOrEqual(2)
        const at = times[1]! - t0
        expect(at).toBeGreaterThanOrEqual(21 * MINUTE)
        expect(at).toBeLessThanOrEqual(45 * MINUTE)
        const minute = Math.floor(at / MINUTE)
        perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1)
      }
      // 100 over 24 minutes: ~4 a minute (this seed: 24 minutes, at most 9); without the spread,
      // all 100 within 3 minutes (jitter 0.2 of the 15-minute lead)
      expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(12)
      expect(perMinute.size).toBeGreaterThanOrEqual(18)
    }).pipe(Effect.withRandom(Random.make("spread"))))

  it.scoped("spread: false keeps the engine's stale window and jitter in the pool", () =>
    Effect.gen(function*() {
      const at: Array<number> = []
      const lookup = (key: string): Source =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          at.push(now)
          return hourCredential(key, at.length)
        })
      const pool = yield* IdentityPool.make({ lookup, refresh: { spread: false, jitter: 0 } })
      const identity = yield* pool.identity("a")
      yield* identity.get
      yield* TestClock.adjust("44 minutes")
      expect(at.length).toBe(1)
      yield* TestClock.adjust("1 minute")
      expect(at).toEqual([0, 45 * MINUTE])
    }))
})
