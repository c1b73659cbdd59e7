// The refresh engine's work ahead of one credential's expiry (forked by the engine's background
// fiber for each credential that expires) and its retry schedule.
//
// Ahead of expiry (./timing.ts), and no sooner than `minRefreshInterval` after the last fetch, it
// refreshes; on failure it retries while the credential is still valid, and callers keep getting
// that credential meanwhile. Once it has expired it stops, and the next `get` fetches (so an idle
// program makes no requests).
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Credential from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import type { Floor } from "./floor.js"
import * as Timing from "./timing.js"

/** The default `retrySchedule`: after 1 s, 2 s, 4 s... jittered, and at least once a minute. */
export const defaultRetrySchedule: Schedule.Schedule<unknown, CredentialsError> = Schedule.exponential("1 second")
  .pipe(
    Schedule.jittered,
    Schedule.union(Schedule.spaced("1 minute"))
  )

/** How a failed background refresh is retried: the schedule, each delay at least the minimum interval. */
const retrySchedule = (options: Timing.Options): Schedule.Schedule<unknown, CredentialsError> => {
  const floor = Duration.millis(Timing.minRefreshIntervalMillis(options))
  return Schedule.modifyDelay(options.retrySchedule ?? defaultRetrySchedule, (_, delay) => Duration.max(delay, floor))
}

/** One credential's refresh ahead of its expiry: the background fiber forks one per credential. */
export const refreshAhead = (
  credential: Credential.Credential,
  refresh: Effect.Effect<Credential.Credential, CredentialsError>,
  floor: Floor,
  options: Timing.Options
): Effect.Effect<void> =>
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
      Effect.retry(retrySchedule(options).pipe(Schedule.upTo(Duration.millis(Math.max(0, left))))),
      Effect.ignore
    )
  })
