// The refresh engine's fetch: one call of the source that publishes its answer, and the single
// flight that shares it among every caller that asks while it runs.
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as SynchronizedRef from "effect/SynchronizedRef"
import * as Credential from "../../Credential.js"
import { type CredentialsError, MalformedResponse } from "../../CredentialsError.js"
import type { Current } from "./current.js"
import * as Telemetry from "./telemetry.js"

/**
 * One fetch: runs `source` (then `ended`, whatever the outcome), and publishes its credential. A
 * credential that has already expired is an error, not a new current value.
 */
export const fetchOnce = (
  source: Effect.Effect<Credential.Credential, CredentialsError>,
  current: Current,
  ended: Effect.Effect<void>
): Effect.Effect<Credential.Credential, CredentialsError> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const credential = yield* Effect.ensuring(source, ended)
    const now = yield* Clock.currentTimeMillis
    if (!Credential.isValidAt(credential, now)) {
      return yield* new MalformedResponse({
        source: credential.providerName,
        endpoint: "the upstream",
        detail: `it returned a credential that expired at ${DateTime.formatIso(credential.expiration!)}`
      })
    }
    yield* current.publish(credential)
    yield* Telemetry.recordFetched(credential, started, now)
    return credential
  }).pipe(Telemetry.traceFetch)

/**
 * Single flight over `fetch`: join the fetch in flight, or start one. The fetch runs in `scope`
 * (the resource's), not in the caller's fiber, so a caller that gives up does not cancel it for the
 * others. Callers join the fiber itself: once the scope is closed, a fetch cannot start and they
 * are interrupted rather than left waiting.
 */
export const singleFlight = <A, E>(
  fetch: Effect.Effect<A, E>,
  scope: Scope.Scope
): Effect.Effect<Effect.Effect<A, E>> =>
  Effect.map(
    SynchronizedRef.make(Option.none<Fiber.RuntimeFiber<A, E>>()),
    (inFlight) =>
      SynchronizedRef.modifyEffect(inFlight, (running) =>
        Option.match(running, {
          onSome: (fiber) => Effect.succeed([fiber, running] as const),
          onNone: () =>
            fetch.pipe(
              Effect.ensuring(SynchronizedRef.set(inFlight, Option.none())),
              Effect.forkIn(scope),
              Effect.map((fiber) => [fiber, Option.some(fiber)] as const)
            )
        })).pipe(Effect.flatMap(Fiber.join))
  )
