// A keyed pool of identities (IdentityPool.make): one refresh engine per key, made on first use
// (RcMap: one engine per key however many ask at once; its fetch is single flight), kept while it
// is used and for idleTimeToLive after, then closed (its scope closed: the background refresh and
// any fetch in flight interrupted). At capacity, the least recently used idle identity is closed to
// make room; when every identity is in use, a typed PoolFull names the option.
//
// Idle identities are closed by one sweeper fiber per pool, not by RcMap's idle timer, which is a
// fiber per idle identity (about 6 KiB each: a tenth of an identity's memory).
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as RcMap from "effect/RcMap"
import type * as Scope from "effect/Scope"
import type { Credential } from "../../Credential.js"
import { type CredentialsError, InvalidConfiguration } from "../../CredentialsError.js"
import type { Source } from "../../Source.js"
import { decodeDuration } from "../config/rules.js"
import * as Engine from "../refresh/engine.js"
import type { Options as RefreshOptions } from "../refresh/timing.js"

/** Every identity of the pool is in use and it holds `capacity` of them. */
export class PoolFull extends Data.TaggedError("IdentityPoolFull")<{
  readonly capacity: number
  readonly key: string
}> {
  override get message(): string {
    return `IdentityPool: no room for identity "${this.key}": all ${this.capacity} identities are in use (capacity); ` +
      `raise capacity, or hold identities for shorter scopes`
  }
}

export interface PoolOptions<R> {
  /** The source of a key's identity, e.g. `RamRoleArn.make({ roleArn: arnOf(key), ... })`. */
  readonly lookup: (key: string) => Source<R>
  /** How long an identity no one uses is kept (and refreshed). Default 15 minutes. */
  readonly idleTimeToLive?: Duration.DurationInput | undefined
  /** The most identities kept at once. Default 10,000. */
  readonly capacity?: number | undefined
  /** The refresh engine's options, for every identity. */
  readonly refresh?: RefreshOptions | undefined
}

export interface Pool {
  readonly get: (key: string) => Effect.Effect<Credential, CredentialsError | PoolFull>
  readonly identity: (key: string) => Effect.Effect<Engine.Refreshing, PoolFull, Scope.Scope>
  readonly invalidate: (key: string) => Effect.Effect<void>
  readonly size: Effect.Effect<number>
}

export const DEFAULT_IDLE_TIME_TO_LIVE = Duration.minutes(15)
export const DEFAULT_CAPACITY = 10_000

const source = "IdentityPool"

export const make = <R>(options: PoolOptions<R>): Effect.Effect<Pool, InvalidConfiguration, Scope.Scope | R> =>
  Effect.gen(function*() {
    const idleTimeToLive = yield* decodeDuration(
      source,
      "idleTimeToLive",
      options.idleTimeToLive ?? DEFAULT_IDLE_TIME_TO_LIVE
    )
    const capacity = options.capacity ?? DEFAULT_CAPACITY
    if (!(Number.isSafeInteger(capacity) && capacity > 0)) {
      return yield* new InvalidConfiguration({
        source,
        field: "capacity",
        reason: "must be a positive whole number of identities",
        fix: `leave it out for ${DEFAULT_CAPACITY}`
      })
    }
    // Keys by the time of their last use, oldest first (a Map keeps insertion order), and how many
    // scopes hold each.
    const lastUse = new Map<string, number>()
    const holders = new Map<string, number>()
    const map = yield* RcMap.make({
      lookup: (key: string) =>
        Effect.zipRight(
          Effect.addFinalizer(() => Effect.sync(() => lastUse.delete(key))),
          Engine.make(options.lookup(key), options.refresh)
        ),
      // never closed by RcMap: the sweeper below closes idle identities
      idleTimeToLive: Duration.infinity,
      capacity
    })
    // A use (or its end) moves the key to the end; `released` only for a key still kept.
    const touch = (key: string, released = false) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (released && !lastUse.has(key)) return
        lastUse.delete(key)
        lastUse.set(key, now)
      })
    const ttl = Duration.toMillis(idleTimeToLive)
    // Closes the identities idle for the TTL: at most `every` late.
    const every = Duration.millis(Math.min(Math.max(ttl / 10, 1000), 60_000))
    const sweep = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const idle: Array<string> = []
      for (const [key, at] of lastUse) {
        if (now - at < ttl) break
        if (!holders.has(key)) idle.push(key)
      }
      for (const key of idle) {
        lastUse.delete(key)
        yield* RcMap.invalidate(map, key)
      }
    })
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(every), sweep)))
    const held = (key: string, delta: number) => {
      const n = (holders.get(key) ?? 0) + delta
      if (n > 0) holders.set(key, n)
      else holders.delete(key)
    }
    // At capacity, a new key closes the least recently used identity no one holds.
    const makeRoom = (key: string) =>
      Effect.gen(function*() {
        if (lastUse.has(key) || lastUse.size < capacity) return
        for (const candidate of lastUse.keys()) {
          if (!holders.has(candidate)) {
            lastUse.delete(candidate)
            return yield* RcMap.invalidate(map, candidate)
          }
        }
      })
    const identity = (key: string): Effect.Effect<Engine.Refreshing, PoolFull, Scope.Scope> =>
      Effect.gen(function*() {
        yield* makeRoom(key)
        yield* Effect.acquireRelease(
          Effect.sync(() => held(key, 1)),
          () => Effect.zipRight(Effect.sync(() => held(key, -1)), touch(key, true))
        )
        const engine = yield* RcMap.get(map, key).pipe(
          Effect.catchTag("ExceededCapacityException", () => new PoolFull({ capacity, key }))
        )
        yield* touch(key)
        return engine
      })
    return {
      identity,
      get: (key) => Effect.scoped(Effect.flatMap(identity(key), (engine) => engine.get)),
      invalidate: (key) =>
        Effect.suspend(() => {
          lastUse.delete(key)
          return RcMap.invalidate(map, key)
        }),
      size: Effect.map(RcMap.keys(map), (keys) => keys.length)
    }
  })
