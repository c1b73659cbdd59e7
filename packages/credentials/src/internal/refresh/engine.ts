// The refresh engine (`Refresh.make`), put together from its parts: the current credential and
// its hot path (./current.ts), the single-flight fetch (./fetch.ts), the background refresh ahead
// of expiry (./ahead.ts), the floor between forced refreshes (./forced.ts), its timing
// (./timing.ts) and what it reports (./telemetry.ts).
import * as Effect from "effect/Effect"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { Credential } from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import type { Source } from "../../Source.js"
import * as Ahead from "./ahead.js"
import * as Current from "./current.js"
import { fetchOnce, singleFlight } from "./fetch.js"
import * as Forced from "./forced.js"
import type { Options } from "./timing.js"

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

export const make = <R>(source: Source<R>, options: Options = {}): Effect.Effect<Refreshing, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R>()
    const current = yield* Current.make
    const floor = Ahead.makeFloor(options)
    const forced = Forced.make(options)
    const fetch = yield* singleFlight(
      forced.remember(fetchOnce(Effect.provide(source, context), current, floor.fetchEnded)),
      yield* Effect.scope
    )
    // Forked here, as the resource is built: it keeps the resource's fiber refs (logger, tracer,
    // parent span), never those of the caller whose fetch published.
    yield* Effect.forkScoped(Ahead.run(current.published, fetch, floor, options))
    return {
      get: current.get(fetch),
      refresh: forced.refresh(fetch),
      invalidate: current.invalidate,
      subscribe: current.subscribe
    }
  })
