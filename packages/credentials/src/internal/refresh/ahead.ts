// The refresh engine's background fiber: refreshes the current credential ahead of its expiry.
//
// Ahead of expiry (./timing.ts), and no sooner than `minRefreshInterval` after the last fetch, it
// refreshes; on failure it retries while the credential is still valid, and callers keep getting
// that credential meanwhile. Once it has expired the loop stops, and the next `get` fetches (so an
// idle program makes no requests).
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Credential from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import * as Timing from "./timing.js"

/** When the last fetch ended, and the wait until `minRefreshInterval` after it. */
export interface Floor {
  /** Run at the end of every fetch, success or failure. */
  readonly fetchEnded: Effect.Effect<void>
  /** Sleeps until `minRefreshInterval` after the last fetch ended. */
  readonly waitOut: Effect.Effect<void>
}

export const makeFloor = (options: Timing.Options): Floor => {
  const minIntervalMillis = Timing.minRefreshIntervalMillis(options)
  // Written before the new credential is published, so the fiber it wakes sees it.
  let lastFetchEnded = -Infinity
  const untilFloor = Effect.map(Clock.currentTimeMillis, (now) => lastFetchEnded + minIntervalMillis - now)
  return {
    fetchEnded: Effect.clockWith((clock) =>
      Effect.sync(() => {
        lastFetchEnded = clock.unsafeCurrentTimeMillis()
      })
    ),
    waitOut: Effect.gen(function*() {
      let wait = yield* untilFloor
      while (wait > 0) {
        yield* Effect.sleep(Duration.millis(wait))
        wait = yield* untilFloor
      }
    })
  }
}

// One credential's refresh ahead of its expiry.
const refreshAhead = (
  credential: Credential.Credential,
  refresh: Effect.Effect<Credential.Credential, CredentialsError>,
  floor: Floor,
  options: Timing.Options,
  retrySchedule: Schedule.Schedule<unknown, CredentialsError>
) =>
  Effect.gen(function*() {
    const delay = Timing.refreshDelayMillis(credential, yield* Clock.currentTimeMillis, options, yield* Random.next)
    if (delay === undefined) return
    yield* Effect.sleep(Duration.millis(delay))
    yield* floor.waitOut
    const left = Credential.remainingMillis(credential, yield* Clock.currentTimeMillis)
    if (left <= 0) return
    yield* refresh.pipe(
      Effect.tapError((error) =>
        Effect.logWarning("credential refresh failed; the current credential is still valid").pipe(
          Effect.annotateLogs({ source: credential.providerName, error: error.message })
        )
      ),
      Effect.retry(retrySchedule.pipe(Schedule.upTo(Duration.millis(Math.max(0, left))))),
      Effect.ignore
    )
  })

/**
 * The background fiber: each publication (or drop) replaces the fiber that refreshes ahead of the
 * current credential. That fiber joins a fetch but does not own it (fetches run in the resource's
 * scope), so replacing it mid-refresh cancels nothing but its wait. Fork it where the resource is
 * built, so that it runs with the resource's fiber refs (logger, tracer, parent span), not those of
 * the caller whose fetch published. A queue and two fibers, not a stream over `changes`: a
 * stream's machinery costs ~100 KiB per resource.
 */
export const run = (
  published: Queue.Dequeue<Credential.Credential | undefined>,
  refresh: Effect.Effect<Credential.Credential, CredentialsError>,
  floor: Floor,
  options: Timing.Options
): Effect.Effect<void> => {
  const retrySchedule = Timing.retrySchedule(options)
  return Effect.gen(function*() {
    let ahead: Fiber.RuntimeFiber<void> | undefined
    while (true) {
      const credential = yield* Queue.take(published)
      if (ahead !== undefined) yield* Fiber.interruptFork(ahead)
      ahead = credential === undefined
        ? undefined
        : yield* Effect.fork(refreshAhead(credential, refresh, floor, options, retrySchedule))
    }
  })
}
