// The keyed pool of identities, on the TestClock: one engine and one fetch in flight per key, an
// idle identity closed after its TTL (no fiber left), the capacity and what happens at it, a failed
// identity that does not poison the others.
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Supervisor, TestClock } from "effect"
import { Credentials } from "../src/Credentials.js"
import { UpstreamError } from "../src/CredentialsError.js"
import * as IdentityPool from "../src/IdentityPool.js"
import type { Source } from "../src/Source.js"
import { hourCredential } from "./hourCredential.js"

/** A source per tenant: counts its fetches, takes `latency`, fails for tenants named `bad-*`. */
const tenants = (latency: Duration.DurationInput = 0) => {
  const calls = new Map<string, number>()
  const lookup = (key: string): Source =>
    Effect.gen(function*() {
      const n = (calls.get(key) ?? 0) + 1
      calls.set(key, n)
      yield* Effect.sleep(latency)
      if (key.startsWith("bad-")) {
        return yield* new UpstreamError({
          source: "fake",
          endpoint: "http://127.0.0.1/",
          status: 403,
          code: "NoPermission"
        })
      }
      return yield* hourCredential(key, n, `tenant/${key}`)
    })
  return { calls, lookup }
}

describe("IdentityPool", () => {
  it.scoped("one engine and one fetch per key, however many ask at once", () =>
    Effect.gen(function*() {
      const { calls, lookup } = tenants("1 second")
      const pool = yield* IdentityPool.make({ lookup })
      const fiber = yield* Effect.fork(
        Effect.all(
          [...Array(50).fill("a"), ...Array(50).fill("b")].map((key: string) => pool.get(key)),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      const credentials = yield* Fiber.join(fiber)
      expect(new Set(credentials.map((c) => c.accessKeyId))).toEqual(new Set(["STS.a-1", "STS.b-1"]))
      expect([calls.get("a"), calls.get("b")]).toEqual([1, 1])
      expect(yield* pool.size).toBe(2)
    }))

  it.scoped("an identity already made is served while the pool, at capacity, waits on closing another", () =>
    Effect.gen(function*() {
      // "a"'s second fetch (its background refresh) holds on for 30 s when interrupted
      const calls = new Map<string, number>()
      const lookup = (key: string): Source =>
        Effect.gen(function*() {
          const n = (calls.get(key) ?? 0) + 1
          calls.set(key, n)
          if (key === "a" && n > 1) yield* Effect.uninterruptible(Effect.sleep("30 seconds"))
          return yield* hourCredential(key, n, `tenant/${key}`)
        })
      const pool = yield* IdentityPool.make({
        lookup,
        capacity: 2,
        idleTimeToLive: "2 hours",
        refresh: { spread: false }
      })
      yield* pool.get("a")
      yield* pool.get("b")
      yield* TestClock.adjust("46 minutes") // past the refresh-ahead point: "a"'s refresh is in flight
      expect(calls.get("a")).toBe(2)
      // "c" at capacity: the pool closes "a" (idle, least recently used), which waits on its fetch
      const making = yield* Effect.fork(pool.get("c"))
      yield* Effect.yieldNow()
      // "b", made already, is served meanwhile (it waited for the close, under one lock, before)
      const served = yield* Effect.fork(pool.get("b"))
      for (let i = 0; i < 100 && Option.isNone(yield* Fiber.poll(served)); i++) yield* Effect.yieldNow()
      expect(Option.isSome(yield* Fiber.poll(served))).toBe(true)
      expect(Option.isNone(yield* Fiber.poll(making))).toBe(true)
      yield* TestClock.adjust("30 seconds")
      expect((yield* Fiber.join(making)).accessKeyId).toBe("STS.c-1")
      expect((yield* Fiber.join(served)).accessKeyId).toBe("STS.b-2")
    }))

  it.scoped("a lookup that throws or answers no source: that key's get fails typed, naming the key; the others are served", () =>
    Effect.gen(function*() {
      const { lookup } = tenants()
      const pool = yield* IdentityPool.make({
        lookup: (key) => {
          if (key === "throws") throw new Error("a careless lookup")
          if (key === "nothing\nforged") return undefined as unknown as Source
          return lookup(key)
        }
      })
      const thrown = yield* Effect.flip(pool.get("throws"))
      expect(thrown).toMatchObject({ _tag: "InvalidConfiguration", field: "lookup" })
      expect(thrown.message).toContain("threw for the key \"throws\"")
      const nothing = yield* Effect.flip(pool.get("nothing\nforged"))
      expect(nothing.message).toContain("answered something other than a source")
      expect(nothing.message).not.toContain("\n")
      expect((yield* pool.get("a")).accessKeyId).toBe("STS.a-1")
    }))

  it.scoped("an idle identity is closed after its TTL: its fibers end, a later use makes a new one", () =>
    Effect.gen(function*() {
      const { calls, lookup } = tenants()
      const supervisor = yield* Supervisor.track
      const live = Effect.map(supervisor.value, (fibers) => fibers.length)
      const pool = yield* IdentityPool.make({ lookup, idleTimeToLive: "10 minutes" })
      // the identities' fibers (the pool's one sweeper is not counted)
      yield* Effect.gen(function*() {
        yield* pool.get("a")
        expect(yield* live).toBeGreaterThan(0)
        yield* TestClock.adjust("9 minutes")
        expect(yield* pool.get("a")).toMatchObject({ accessKeyId: "STS.a-1" }) // a use restarts the TTL
        yield* TestClock.adjust("9 minutes")
        expect(yield* pool.size).toBe(1)
        yield* TestClock.adjust("1 minute")
        expect(yield* pool.size).toBe(0)
        // the refresh fiber, the idle timer: none left
        expect(yield* live).toBe(0)
        expect((yield* pool.get("a")).accessKeyId).toBe("STS.a-2")
        expect(calls.get("a")).toBe(2)
      }).pipe(Effect.supervised(supervisor))
    }))

  it.scoped("an identity held in a scope is not closed, however long", () =>
    Effect.gen(function*() {
      const { lookup } = tenants()
      const pool = yield* IdentityPool.make({ lookup, idleTimeToLive: "10 minutes" })
      yield* Effect.scoped(Effect.gen(function*() {
        const held = yield* pool.identity("a")
        yield* held.get
        yield* TestClock.adjust("3 hours")
        expect(yield* pool.size).toBe(1)
        // refreshed in the background meanwhile: still valid
        expect((yield* held.get).accessKeyId).not.toBe("STS.a-1")
      }))
      yield* TestClock.adjust("10 minutes")
      expect(yield* pool.size).toBe(0)
    }))

  it.scoped("invalidate while held: out of the pool at once, closed by its last holder", () =>
    Effect.gen(function*() {
      const { calls, lookup } = tenants()
      const supervisor = yield* Supervisor.track
      const live = Effect.map(supervisor.value, (fibers) => fibers.length)
      const pool = yield* IdentityPool.make({ lookup })
      yield* Effect.scoped(Effect.gen(function*() {
        const held = yield* pool.identity("a")
        yield* held.get
        yield* pool.invalidate("a")
        expect(yield* pool.size).toBe(0)
        // still working for its holder, meanwhile a new use makes a new identity
        expect((yield* held.refresh).accessKeyId).toBe("STS.a-2")
        expect((yield* pool.get("a")).accessKeyId).toBe("STS.a-3")
        expect(yield* live).toBeGreaterThan(0)
      })).pipe(Effect.supervised(supervisor))
      yield* pool.invalidate("a")
      expect(yield* live).toBe(0)
      expect(calls.get("a")).toBe(3)
    }))

  it.scoped("at capacity: the least recently used idle identity makes room; all held: IdentityPoolFull", () =>
    Effect.gen(function*() {
      const { lookup } = tenants()
      const pool = yield* IdentityPool.make({ lookup, capacity: 2 })
      yield* pool.get("a")
      yield* pool.get("b")
      yield* pool.get("a")
      // "b" is the least recently used
      yield* pool.get("c")
      expect(yield* pool.size).toBe(2)
      yield* Effect.scoped(Effect.gen(function*() {
        yield* pool.identity("a")
        yield* pool.identity("c")
        const error = yield* Effect.flip(pool.get("d"))
        expect(error._tag).toBe("IdentityPoolFull")
        expect(error.message).toContain("all 2 identities are in use (capacity)")
        expect(error.message).toContain("\"d\"")
      }))
      expect((yield* pool.get("d")).accessKeyId).toBe("STS.d-1")
      expect(yield* pool.size).toBe(2)
    }))

  it.scoped("a failed identity does not poison the others, and is asked again at its next use", () =>
    Effect.gen(function*() {
      const { calls, lookup } = tenants()
      const pool = yield* IdentityPool.make({ lookup })
      const results = yield* Effect.all(
        ["bad-1", "good", "bad-1", "other"].map((key) => Effect.either(pool.get(key))),
        { concurrency: "unbounded" }
      )
      expect(results.map((r) => r._tag)).toEqual(["Left", "Right", "Left", "Right"])
      const failed = yield* Effect.flip(pool.get("bad-1"))
      expect(failed).toMatchObject({ _tag: "UpstreamError", code: "NoPermission" })
      expect(calls.get("bad-1")).toBeGreaterThanOrEqual(2)
      expect((yield* pool.get("good")).accessKeyId).toBe("STS.good-1")
    }))

  it.scoped("use: the key's identity as the Credentials of an effect", () =>
    Effect.gen(function*() {
      const { lookup } = tenants()
      const pool = yield* IdentityPool.make({ lookup })
      const whoAmI = Effect.flatMap(Credentials, (credentials) => credentials.get)
      expect((yield* pool.use("a")(whoAmI)).providerName).toBe("tenant/a")
      expect((yield* pool.use("b")(whoAmI)).providerName).toBe("tenant/b")
    }))

  it.scoped("closing the pool's scope closes every identity", () =>
    Effect.gen(function*() {
      const { lookup } = tenants()
      const supervisor = yield* Supervisor.track
      const live = Effect.map(supervisor.value, (fibers) => fibers.length)
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* IdentityPool.make({ lookup })
        yield* Effect.forEach(["a", "b", "c"], pool.get)
        expect(yield* live).toBeGreaterThanOrEqual(3)
      })).pipe(Effect.supervised(supervisor))
      expect(yield* live).toBe(0)
    }))

  it.scoped("invalid options: an InvalidConfiguration naming the option", () =>
    Effect.gen(function*() {
      const { lookup } = tenants()
      const capacity = yield* Effect.flip(IdentityPool.make({ lookup, capacity: 0 }))
      expect(capacity.message).toContain("IdentityPool: invalid configuration: capacity")
      const ttl = yield* Effect.flip(IdentityPool.make({ lookup, idleTimeToLive: "soon" as Duration.DurationInput }))
      expect(ttl.message).toContain("idleTimeToLive")
      for (
        const spread of [{ from: 0.8, to: 0.3 }, { from: -0.1, to: 0.5 }, { from: 0.2, to: 1.5 }, {
          from: Number.NaN,
          to: 0.5
        }]
      ) {
        const refused = yield* Effect.flip(IdentityPool.make({ lookup, refresh: { spread } }))
        expect(refused.message).toContain("refresh.spread")
      }
    }))
})
