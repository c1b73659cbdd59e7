// The refresh engine (`Refresh.make`), put together from its parts: the current credential and
// its hot path (./current.ts), the single-flight fetch (./fetch.ts), the floor between fetches
// (./floor.ts), the refresh ahead of expiry (./ahead.ts), the floor between forced refreshes
// (./forced.ts), its timing (./timing.ts) and what it reports (./telemetry.ts).
//
// Every part is loaded with the engine: no real I/O (a module loaded on first use) between a fetch
// and its publication, so the engine runs alike on TestClock and on a simulation's own scheduler.
// (Loading ./ahead.ts and `Schedule` with the first credential that expires saved ~2% of a lean
// app's start, 41 pairs, and made the first such fetch wait on the file system: tried, reverted.)
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { Credential } from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import type { Source } from "../../Source.js"
import * as Ahead from "./ahead.js"
import * as Current from "./current.js"
import { fetchOnce, singleFlight } from "./fetch.js"
import * as Floor from "./floor.js"
import * as Forced from "./forced.js"
import * as Timing from "./timing.js"

/** A refreshing source (`Refresh.Refreshing`). */
export interface Refreshing {
  /** The current credential, or the result of the one fetch in flight when there is no valid one. */
  readonly get: Effect.Effect<Credential, CredentialsError>
  /** A queue of the current credential and every new one, for as long as the scope is open. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<Credential>, never, Scope.Scope>
  /**
   * Fetches now (joining a fetch in flight), whatever the current credential's state, and
   * publishes the answer to the subscribers. A failure leaves the current credential as it was. Forced
   * by `retryOnAuthError` within `minForcedRefreshInterval` of the last forced fetch, it answers
   * the latest fetch's answer instead (./forced.ts).
   */
  readonly refresh: Effect.Effect<Credential, CredentialsError>
  /**
   * Drops the current credential: the next `get` fetches (a fetch already in flight still
   * publishes its answer). The background refresh of the dropped credential is cancelled.
   */
  readonly invalidate: Effect.Effect<void>
}

export const make = <R>(
  source: Source<R>,
  options: Timing.Options = {}
): Effect.Effect<Refreshing, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R>()
    const current = yield* Current.make
    // Options at fault: every get says so (a typed error naming the option), nothing is fetched.
    const invalid = Timing.invalidOption("Refresh", options)
    if (invalid !== undefined) {
      return {
        get: Effect.fail(invalid),
        refresh: Effect.fail(invalid),
        invalidate: Effect.void,
        subscribe: current.subscribe
      }
    }
    const floor = Floor.make(options)
    const forced = Forced.make(options)
    const fetch = yield* singleFlight(
      forced.remember(fetchOnce(Effect.provide(source, context), current, floor.fetchEnded)),
      yield* Effect.scope
    )
    // Forked here, as the resource is built: it keeps the resource's fiber refs (logger, tracer,
    // parent span), never those of the caller whose fetch published.
    yield* Effect.forkScoped(refreshingAhead(current.published, fetch, floor, options))
    return {
      get: current.get(fetch),
      refresh: forced.refresh(fetch),
      invalidate: current.invalidate,
      subscribe: current.subscribe
    }
  })

/**
 * The background fiber: each publication (or drop) replaces the fiber that refreshes ahead of the
 * current credential. That fiber joins a fetch but does not own it (fetches run in the resource's
 * scope), so replacing it mid-refresh cancels nothing but its wait. A queue and two fibers, not a
 * stream: a stream's machinery costs ~100 KiB per resource.
 */
const refreshingAhead = (
  published: Queue.Dequeue<Credential | undefined>,
  refresh: Effect.Effect<Credential, CredentialsError>,
  floor: Floor.Floor,
  options: Timing.Options
): Effect.Effect<void> =>
  Effect.gen(function*() {
    let running: Fiber.RuntimeFiber<void> | undefined
    while (true) {
      const credential = yield* Queue.take(published)
      if (running !== undefined) yield* Fiber.interruptFork(running)
      running = credential?.expiration === undefined
        ? undefined
        : yield* Effect.fork(Ahead.refreshAhead(credential, refresh, floor, options))
    }
  })
