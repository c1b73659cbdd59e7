/**
 * A virtual `Clock` for the fleet simulation: `sleep` registers a timer, `advanceTo` moves time
 * forward, waking the timers due within one quantum at once, and waits until the woken fibers
 * have settled (a fiber that keeps running past the settle bound is reported, not waited for).
 *
 * Why not `TestClock`: its `adjust` wakes one sleeper at a time and waits for all fibers to be
 * suspended in between (a few `setTimeout(0)` each), which we measured at ~7 s per wave of 1,000
 * refreshing sources: 10,000 sources would take minutes per wave.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

interface Timer {
  readonly at: number
  readonly resume: () => void
  cancelled: boolean
}

export interface VirtualClock {
  readonly clock: Clock.Clock
  readonly now: () => number
  /** Timers registered and not yet fired or cancelled. */
  readonly pending: () => number
  /** The earliest pending timer, or undefined. */
  readonly next: () => number | undefined
  /** Fires every timer due at or before `to`, in time order, batching equal instants; settles after each batch. */
  readonly advanceTo: (to: number, settle: () => Promise<void>, quantumMillis?: number) => Promise<void>
}

export const make = (start: number): VirtualClock => {
  let now = start
  // Sorted by `at` (ties in registration order); cancelled timers are dropped lazily.
  const timers: Array<Timer> = []
  let head = 0
  let live = 0
  const insert = (timer: Timer) => {
    let lo = head
    let hi = timers.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (timers[mid]!.at <= timer.at) lo = mid + 1
      else hi = mid
    }
    timers.splice(lo, 0, timer)
  }
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(Math.round(now)) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(now)) * 1_000_000n),
    sleep: (duration: Duration.Duration) =>
      Effect.async<void>((resume) => {
        const timer: Timer = {
          at: now + Duration.toMillis(duration),
          resume: () => resume(Effect.void),
          cancelled: false
        }
        insert(timer)
        live++
        return Effect.sync(() => {
          if (!timer.cancelled) {
            timer.cancelled = true
            live--
          }
        })
      })
  } as unknown as Clock.Clock
  const next = () => {
    while (head < timers.length && timers[head]!.cancelled) head++
    if (head > 4096) {
      timers.splice(0, head)
      head = 0
    }
    return head < timers.length ? timers[head]!.at : undefined
  }
  return {
    clock,
    now: () => now,
    pending: () => live,
    next,
    advanceTo: async (to, settle, quantumMillis = 0) => {
      for (;;) {
        const due = next()
        if (due === undefined || due > to) break
        // Timers due within the quantum fire together, at the last one's instant (at most
        // `quantumMillis` late): one settle per batch instead of one per timer.
        let last = due
        for (let i = head; i < timers.length && timers[i]!.at <= Math.min(to, due + quantumMillis); i++) {
          last = timers[i]!.at
        }
        now = Math.max(now, last)
        const batch: Array<Timer> = []
        while (head < timers.length && timers[head]!.at <= now) {
          const t = timers[head++]!
          if (!t.cancelled) batch.push(t)
        }
        for (const t of batch) {
          t.cancelled = true
          live--
          t.resume()
        }
        await settle()
      }
      now = Math.max(now, to)
    }
  }
}
