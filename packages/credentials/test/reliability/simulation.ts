// A deterministic discrete-event simulation for long soaks: a virtual Clock and a Scheduler that the
// test drains by hand, so 30 days of refreshes, outages and callers run in well under a second.
//
// Why not TestClock here: TestClock waits for every fiber of the test to settle before each wake-up
// (three real `setTimeout(0)` turns per sleep; measured at ~7 ms per wake-up on this machine), so a
// month of a refreshing source (thousands of wake-ups) would take minutes. With no real I/O in the
// soak, "every fiber has settled" is exactly "the scheduler's queue is empty", which is free to
// check. The emulator soak (real sockets) uses TestClock.
import { Clock, Duration, Effect, FiberRef, type Scheduler } from "effect"
import type * as Fiber from "effect/Fiber"

/** Runs every task itself, when `flush` is called: nothing runs on Node's timers. */
export class ManualScheduler implements Scheduler.Scheduler {
  private queue: Array<Scheduler.Task> = []
  scheduleTask(task: Scheduler.Task): void {
    this.queue.push(task)
  }
  shouldYield(fiber: Fiber.RuntimeFiber<unknown, unknown>): number | false {
    return fiber.currentOpCount > fiber.getFiberRef(FiberRef.currentMaxOpsBeforeYield)
      ? fiber.getFiberRef(FiberRef.currentSchedulingPriority)
      : false
  }
  /** Runs tasks until none is left: every fiber is then done or waiting on the clock. */
  flush(): void {
    for (let rounds = 0; this.queue.length > 0; rounds++) {
      if (rounds > 10_000_000) throw new Error("the simulation does not settle")
      const tasks = this.queue
      this.queue = []
      for (const task of tasks) task()
    }
  }
}

interface Timer {
  readonly at: number
  readonly seq: number
  readonly wake: () => void
}

/** A virtual clock: `sleep` registers a timer; `advance` wakes the earliest. */
export class VirtualClock implements Clock.Clock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  private timers: Array<Timer> = []
  private seq = 0
  wakeUps = 0
  constructor(public now: number) {}
  unsafeCurrentTimeMillis(): number {
    return this.now
  }
  unsafeCurrentTimeNanos(): bigint {
    return BigInt(Math.floor(this.now * 1_000_000))
  }
  readonly currentTimeMillis: Effect.Effect<number> = Effect.sync(() => this.now)
  readonly currentTimeNanos: Effect.Effect<bigint> = Effect.sync(() => this.unsafeCurrentTimeNanos())
  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const millis = Duration.toMillis(duration)
      if (!Number.isFinite(millis)) return
      const timer: Timer = { at: this.now + millis, seq: this.seq++, wake: () => resume(Effect.void) }
      // keep sorted by (at, seq): the earliest first, ties in registration order
      let i = this.timers.length
      while (i > 0 && (this.timers[i - 1]!.at > timer.at)) i--
      this.timers.splice(i, 0, timer)
      return Effect.sync(() => {
        const index = this.timers.indexOf(timer)
        if (index >= 0) this.timers.splice(index, 1)
      })
    })
  }
  /** Pending timers (sleeping fibers). */
  get pending(): number {
    return this.timers.length
  }
  /** Moves to the earliest timer and wakes it; false when no fiber sleeps. */
  advance(): boolean {
    const timer = this.timers.shift()
    if (timer === undefined) return false
    this.now = Math.max(this.now, timer.at)
    this.wakeUps++
    timer.wake()
    return true
  }
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export const prng = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
