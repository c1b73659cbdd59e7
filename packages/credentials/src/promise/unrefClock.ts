// A Clock whose sleeps do not keep the Node process alive: the Promise facade's background refresh
// must not stop a script from exiting (the facade keeps the process alive while a call is pending).
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

const system = Clock.make()

export const unrefClock: Clock.Clock = {
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => system.unsafeCurrentTimeMillis(),
  currentTimeMillis: system.currentTimeMillis,
  unsafeCurrentTimeNanos: () => system.unsafeCurrentTimeNanos(),
  currentTimeNanos: system.currentTimeNanos,
  sleep: (duration: Duration.Duration) =>
    Effect.async<void>((resume) => {
      // setTimeout takes at most 2^31-1 ms (24.8 days), longer than any session credential lives.
      const timer = setTimeout(() => resume(Effect.void), Math.min(2 ** 31 - 1, Duration.toMillis(duration)))
      timer.unref()
      return Effect.sync(() => clearTimeout(timer))
    })
}
