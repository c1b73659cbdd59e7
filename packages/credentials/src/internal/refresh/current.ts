// The refresh engine's state: the current credential, and the hot path that serves it.
//
// - `hot`: what a cached `get` returns (the credential as an Effect, with its expiry in epoch
//   milliseconds), set once per credential, so that the hot path allocates nothing and compares two
//   numbers; `undefined` when there is none (not fetched yet, uncached, or invalidated).
// - `subscribers`: the same credential for `subscribe` (./subscribers.ts).
// - `published`: the mailbox of the background fiber (./ahead.ts), told of each new credential
//   (`undefined`: dropped, nothing to refresh ahead of). Sliding: only the latest matters.
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import type * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Credential from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import * as Subscribers from "./subscribers.js"
import * as Telemetry from "./telemetry.js"

export interface Current {
  /** A valid credential: the cached one while it is valid, else `miss` (a fetch). */
  readonly get: (
    miss: Effect.Effect<Credential.Credential, CredentialsError>
  ) => Effect.Effect<Credential.Credential, CredentialsError>
  /** Makes a fetched credential the current one (an uncached one only when it is new). */
  readonly publish: (credential: Credential.Credential) => Effect.Effect<void>
  /** Drops the current credential: the next `get` misses. */
  readonly invalidate: Effect.Effect<void>
  /** A queue of the current credential and every new one, for as long as the scope is open. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<Credential.Credential>, never, Scope.Scope>
  /** What the background fiber waits on: each new credential, or `undefined` once dropped. */
  readonly published: Queue.Dequeue<Credential.Credential | undefined>
}

// Whether `b` would tell a subscriber nothing new after `a`.
const sameCredential = (a: Credential.Credential, b: Credential.Credential): boolean =>
  a.type === b.type && a.accessKeyId === b.accessKeyId && a.providerName === b.providerName &&
  a.cache === b.cache && Equal.equals(a.accessKeySecret, b.accessKeySecret) &&
  Equal.equals(a.securityToken, b.securityToken) && Equal.equals(a.bearerToken, b.bearerToken) &&
  Equal.equals(a.expiration, b.expiration)

export const make: Effect.Effect<Current, never, Scope.Scope> = Effect.gen(function*() {
  const subscribers = yield* Subscribers.make<Credential.Credential>()
  const published = yield* Queue.sliding<Credential.Credential | undefined>(1)
  let hot: { readonly effect: Effect.Effect<Credential.Credential>; readonly validUntil: number } | undefined

  const publish = (credential: Credential.Credential) =>
    Effect.suspend(() => {
      if (Credential.isCacheable(credential)) {
        // The hot path first, in one step; then the subscribers and the background fiber.
        hot = { effect: Effect.succeed(credential), validUntil: Credential.remainingMillis(credential, 0) }
        return Effect.zipRight(subscribers.publish(credential), Queue.offer(published, credential))
      }
      // Not kept: the hot path misses and the next `get` fetches. Published only when new.
      hot = undefined
      const previous = subscribers.latest()
      return previous !== undefined && sameCredential(previous, credential)
        ? Effect.void
        : Effect.zipRight(subscribers.publish(credential), Queue.offer(published, credential))
    })

  // Dropped: nothing to refresh ahead of until the next fetch publishes.
  const invalidate = Effect.suspend(() => {
    hot = undefined
    return Effect.zipRight(subscribers.publish(undefined), Queue.offer(published, undefined))
  })

  // The hot path: one primitive that reads the fiber's clock and tracer, then `hot` (which
  // `publish` alone sets, and `invalidate` clears). A span costs ~10 µs, ten times a cached get:
  // spans are made when a tracer is installed (e.g. @effect/opentelemetry's), not for Effect's
  // built-in tracer, which exports nowhere. The fiber's clock is looked up again only when the
  // fiber's services change (a TestClock): measured, the lookup is a tenth of a get.
  let clockOf:
    | { readonly services: Context.Context<DefaultServices.DefaultServices>; readonly clock: Clock.Clock }
    | undefined
  const get = (miss: Effect.Effect<Credential.Credential, CredentialsError>) => {
    const cachedOrMiss = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => {
      if (hot === undefined) return miss
      const services = fiber.currentDefaultServices
      if (clockOf?.services !== services) clockOf = { services, clock: Context.get(services, Clock.Clock) }
      return clockOf.clock.unsafeCurrentTimeMillis() < hot.validUntil ? hot.effect : miss
    }
    const traced = Effect.withFiberRuntime(cachedOrMiss).pipe(
      Telemetry.annotateOutcome,
      Effect.withSpan("Credentials.get", { captureStackTrace: false })
    )
    return Effect.withFiberRuntime<Credential.Credential, CredentialsError>((fiber) =>
      fiber.currentTracer === Telemetry.builtInTracer ? cachedOrMiss(fiber) : traced
    )
  }

  return {
    get,
    publish,
    invalidate,
    subscribe: subscribers.subscribe,
    published
  }
})
