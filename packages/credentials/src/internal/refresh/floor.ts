// The refresh engine's floor between fetches: when the last fetch ended, so that a background
// refresh or retry starts no sooner than `minRefreshInterval` after it.
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Timing from "./timing.js"

/** When the last fetch ended, and the wait until `minRefreshInterval` after it. */
export interface Floor {
  /** Run at the end of every fetch, success or failure. */
  readonly fetchEnded: Effect.Effect<void>
  /** Sleeps until `minRefreshInterval` after the last fetch ended. */
  readonly waitOut: Effect.Effect<void>
}

export const make = (options: Timing.Options): Floor => {
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
