import { it } from "@effect/vitest"
import { Effect, TestClock, Fiber } from "effect"
it.effect("cost of wakeups", () => Effect.gen(function*() {
  const f = yield* Effect.fork(Effect.forEach(Array.from({length: 1000}), () => Effect.sleep("1 minute"), {discard: true}))
  const t = performance.now()
  yield* TestClock.adjust("2000 minutes")
  yield* Fiber.join(f)
  console.log("COST per wakeup ms", (performance.now() - t) / 1000)
}), 60000)
