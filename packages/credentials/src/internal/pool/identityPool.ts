// A keyed pool of identities (IdentityPool.make): one refresh engine per key, made on first use
// (under a lock: one engine per key however many ask at once; its fetch is single flight; one
// already made is taken without it), kept while it is held and for idleTimeToLive after, then
// closed (its scope closed: the background refresh and any fetch in flight interrupted). At
// capacity, the least recently used idle identity is closed to make room; when every identity is
// held, a typed PoolFull names the option.
//
// This is what Effect's RcMap does (reference counts, idle time to live, capacity), written out for
// the memory of an identity: through RcMap an idle identity took 48 KiB (a Deferred, a copy of the
// context and a timer fiber per entry, besides the 36 KiB engine); here an entry is its engine, its
// scope and two numbers, and one sweeper fiber per pool closes the idle ones.
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { Credential } from "../../Credential.js"
import { type CredentialsError, InvalidConfiguration } from "../../CredentialsError.js"
import type { Source } from "../../Source.js"
import { decodeDuration } from "../config/rules.js"
import * as Engine from "../refresh/engine.js"
import { defaultSpread, invalidOption, type Options as RefreshOptions } from "../refresh/timing.js"
import { escapeControlCharacters } from "../text/escape.js"

/** Every identity of the pool is in use and it holds `capacity` of them. */
export class PoolFull extends Data.TaggedError("IdentityPoolFull")<{
  readonly capacity: number
  readonly key: string
}> {
  override get message(): string {
    return `IdentityPool: no room for identity "${
      escapeControlCharacters(this.key)
    }": all ${this.capacity} identities are in use (capacity); ` +
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
  /**
   * The refresh engine's options, for every identity. `spread` defaults to `defaultSpread` here
   * (identities warmed together refresh apart); `spread: false` turns it off.
   */
  readonly refresh?: RefreshOptions | undefined
}

interface Entry {
  readonly engine: Engine.Refreshing
  readonly scope: Scope.CloseableScope
  holders: number
  lastUse: number
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
    const refresh: RefreshOptions = { ...options.refresh, spread: options.refresh?.spread ?? defaultSpread }
    // Checked here, at make, rather than at each identity's first get
    const invalid = invalidOption(source, refresh, "refresh.")
    if (invalid !== undefined) return yield* invalid
    const capacity = options.capacity ?? DEFAULT_CAPACITY
    if (!(Number.isSafeInteger(capacity) && capacity > 0)) {
      return yield* new InvalidConfiguration({
        source,
        field: "capacity",
        reason: "must be a positive whole number of identities",
        fix: `leave it out for ${DEFAULT_CAPACITY}`
      })
    }
    // The identities by key, in the order of their last use, oldest first (a Map keeps insertion
    // order; a use moves its key to the end).
    const entries = new Map<string, Entry>()
    const context = yield* Effect.context<R>()
    const lock = yield* Effect.makeSemaphore(1)
    // The key's source, from the caller's `lookup`, called once per identity: one that throws or
    // answers something other than an Effect gives a source that fails, typed, naming the key (every
    // get of that identity says so until it is closed), not a defect.
    const sourceOf = (key: string): Source<R> => {
      const invalid = (reason: string) =>
        Effect.fail(
          new InvalidConfiguration({
            source,
            field: "lookup",
            reason: `${reason} for the key "${escapeControlCharacters(key)}"`,
            fix: "return a source, e.g. RamRoleArn.make({ ... }), for every key the pool is asked for"
          })
        )
      try {
        const found: unknown = options.lookup(key)
        return Effect.isEffect(found) ? found as Source<R> : invalid("answered something other than a source")
      } catch {
        return invalid("threw")
      }
    }
    // Takes the identity out of the pool; its scope is closed once no one holds it.
    const close = (key: string, entry: Entry) =>
      Effect.suspend(() => {
        if (entries.get(key) === entry) entries.delete(key)
        return entry.holders > 0 ? Effect.void : Scope.close(entry.scope, Exit.void)
      })
    yield* Effect.addFinalizer(() =>
      Effect.forEach([...entries.values()], (entry) => Scope.close(entry.scope, Exit.void), { discard: true })
    )
    const touch = (key: string, entry: Entry, now: number) => {
      entry.lastUse = now
      if (entries.get(key) !== entry) return
      entries.delete(key)
      entries.set(key, entry)
    }
    const ttl = Duration.toMillis(idleTimeToLive)
    // Closes the identities idle for the TTL: at most `every` late.
    const every = Duration.millis(Math.min(Math.max(ttl / 10, 1000), 60_000))
    const sweep = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const idle: Array<readonly [string, Entry]> = []
      for (const [key, entry] of entries) {
        if (now - entry.lastUse < ttl) break
        if (entry.holders === 0) idle.push([key, entry])
      }
      yield* Effect.forEach(idle, ([key, entry]) => close(key, entry), { discard: true })
    })
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(every), sweep)))
    // The key's identity, held. One already made is taken in one step, without the lock (nothing
    // can close it between the look-up and the count); one to make is made under the lock (one per
    // key however many ask at once), and at capacity the least recently used identity no one holds
    // is closed first. A close at capacity (interrupting a fetch in flight) never stalls the
    // identities already made.
    const held = (key: string) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const entry = entries.get(key)
          if (entry === undefined) return undefined
          entry.holders++
          touch(key, entry, clock.unsafeCurrentTimeMillis())
          return entry
        })
      )
    const hold = (key: string): Effect.Effect<Entry, PoolFull> =>
      Effect.flatMap(held(key), (entry) => entry !== undefined ? Effect.succeed(entry) : made(key))
    const made = (key: string): Effect.Effect<Entry, PoolFull> =>
      lock.withPermits(1)(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        let entry = entries.get(key)
        if (entry === undefined) {
          if (entries.size >= capacity) {
            const idle = [...entries].find(([, candidate]) => candidate.holders === 0)
            if (idle === undefined) return yield* new PoolFull({ capacity, key })
            yield* close(...idle)
          }
          const scope = yield* Scope.make()
          // interruptible: the engine's fibers must be (a fiber forked in an uninterruptible
          // region is uninterruptible, and its scope could then never close)
          const engine = yield* Engine.make(sourceOf(key), refresh).pipe(
            Scope.extend(scope),
            Effect.provide(context),
            Effect.interruptible,
            Effect.onInterrupt(() => Scope.close(scope, Exit.void))
          )
          entry = { engine, scope, holders: 0, lastUse: now }
          entries.set(key, entry)
        }
        entry.holders++
        touch(key, entry, now)
        return entry
      }))
    const release = (key: string, entry: Entry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        entry.holders--
        // taken out of the pool while held (invalidate): closed by its last holder
        if (entry.holders === 0 && entries.get(key) !== entry) return Scope.close(entry.scope, Exit.void)
        touch(key, entry, now)
        return Effect.void
      })
    const identity = (key: string): Effect.Effect<Engine.Refreshing, PoolFull, Scope.Scope> =>
      Effect.map(Effect.acquireRelease(hold(key), (entry) => release(key, entry)), (entry) => entry.engine)
    return {
      identity,
      // held for the one get, without a scope of its own
      get: (key) => Effect.acquireUseRelease(hold(key), (entry) => entry.engine.get, (entry) => release(key, entry)),
      invalidate: (key) =>
        Effect.suspend(() => {
          const entry = entries.get(key)
          return entry === undefined ? Effect.void : close(key, entry)
        }),
      size: Effect.sync(() => entries.size)
    }
  })
