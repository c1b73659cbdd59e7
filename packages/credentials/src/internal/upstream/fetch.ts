// One fetch of a source: its exchanges retried on transient failures, on the policy's schedule,
// within the time budget; the final error says how many attempts were made and how long they took.
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import {
  type CredentialsError,
  MalformedResponse,
  NetworkError,
  Timeout,
  type Tried,
  UpstreamError
} from "../../CredentialsError.js"
import { keyOf, RequestBudget } from "./budget.js"
import type { Policy } from "./policy.js"
import { isThrottled, retryAfterOf, throttleDelay } from "./throttle.js"

/** Failures that may pass if tried again: the network, timeouts, 5xx, throttling. */
export const isTransient = (error: CredentialsError): boolean => {
  switch (error._tag) {
    case "Timeout":
      return true
    case "NetworkError":
      return error.permanent !== true
    case "UpstreamError":
      return error.status >= 500 || isThrottled(error)
    default:
      return false
  }
}

const withTried = (error: CredentialsError, tried: Tried): CredentialsError => {
  switch (error._tag) {
    case "UpstreamError":
      return new UpstreamError({ ...error, tried })
    case "MalformedResponse":
      return new MalformedResponse({ ...error, tried })
    case "Timeout":
      return new Timeout({ ...error, tried })
    case "NetworkError":
      return new NetworkError({ ...error, tried })
    default:
      return error
  }
}

/**
 * One fetch of a source: `attempt` (one or more exchanges) retried on transient failures on the
 * policy's schedule, all within the time budget. A retry starts only if the budget left after its
 * delay allows a whole attempt (the read timeout, plus the connect timeout after a failed
 * connection); `retryWhile` narrows what is retried. A throttled answer is retried on its own,
 * longer backoff (throttle.ts), never sooner than its `Retry-After`, and holds the shared request
 * budget off for as long. With `budget` (who signs: an AccessKey ID), every attempt first takes a
 * slot of the program's request budget for this upstream and account; the wait for the first slot
 * is not counted in the time budget (a warm-up of many identities queues). The final error says
 * how many attempts were made, how long they took and how many were throttled.
 */
export const run = <A, R>(
  source: string,
  endpoint: string,
  policy: Policy,
  attempt: Effect.Effect<A, CredentialsError, R>,
  options: {
    readonly retryWhile?: ((error: CredentialsError) => boolean) | undefined
    readonly budget?: string | undefined
  } = {}
): Effect.Effect<A, CredentialsError, R> =>
  Effect.gen(function*() {
    const requestBudget = yield* RequestBudget
    const key = options.budget === undefined ? undefined : keyOf(endpoint, options.budget)
    const slot = key === undefined ? Effect.void : requestBudget.acquire(key)
    yield* slot
    const started = yield* Clock.currentTimeMillis
    const budgetMillis = Duration.toMillis(policy.budget)
    let attempts = 0
    let throttled = 0
    const whole = (error: CredentialsError) =>
      Duration.toMillis(policy.read) +
      (error._tag === "Timeout" && error.phase === "connect" ? Duration.toMillis(policy.connect) : 0)
    const fits = (error: CredentialsError, delay: Duration.Duration) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => budgetMillis - (now - started) - Duration.toMillis(delay) >= whole(error)
      )
    const retryWhile = options.retryWhile ?? isTransient
    // The schedule's delays, cut short where the budget left after the delay would not allow a
    // whole attempt. Consulted only for failures worth a retry, and made at the first of them: a
    // fetch that succeeds at once (the usual one) never runs the schedule's machinery.
    let made: Schedule.ScheduleDriver<Duration.Duration, CredentialsError, never> | undefined
    const driver = {
      next: (error: CredentialsError) =>
        Effect.flatMap(
          made === undefined
            ? Effect.tap(
              Schedule.driver(Schedule.delays(policy.retry).pipe(Schedule.checkEffect(fits))),
              (driver) => {
                made = driver
              }
            )
            : Effect.succeed(made),
          (driver) => driver.next(error)
        )
    }
    // A throttled answer: wait the throttle backoff (only its Retry-After when the caller gave a
    // schedule, which then applies), if the time budget allows a whole attempt after it; the
    // request budget holds off as long, at most one time budget (a `Retry-After: 3600` would
    // otherwise hold every identity of the account in its first, uncounted wait for an hour).
    const afterThrottle = (error: CredentialsError) =>
      Effect.gen(function*() {
        const delay = policy.retryGiven === true ? retryAfterOf(error) : yield* throttleDelay(error, throttled)
        throttled++
        if (key !== undefined) yield* requestBudget.holdOff(key, Duration.min(delay, policy.budget))
        if (!(yield* fits(error, delay))) return yield* Effect.fail(error)
        if (policy.retryGiven !== true) return yield* Effect.sleep(delay)
        // The caller's schedule counts the retry and sleeps its own delay; the rest of Retry-After
        // after it: the longer of the two, not their sum.
        const slept = yield* Effect.mapError(driver.next(error), () => error)
        yield* Effect.sleep(Duration.millis(Math.max(0, Duration.toMillis(delay) - Duration.toMillis(slept))))
      })
    const loop: Effect.Effect<A, CredentialsError, R> = Effect.suspend(() => {
      attempts++
      return attempt
    }).pipe(
      Effect.catchAll((error) => {
        if (!retryWhile(error)) return Effect.fail(error)
        const again = Effect.zipRight(slot, Effect.suspend(() => loop))
        return isThrottled(error)
          ? Effect.zipRight(afterThrottle(error), again)
          : Effect.matchEffect(driver.next(error), { onFailure: () => Effect.fail(error), onSuccess: () => again })
      })
    )
    const tried = Effect.map(
      Clock.currentTimeMillis,
      (now): Tried => ({ attempts, elapsed: Duration.millis(now - started), ...(throttled > 0 ? { throttled } : {}) })
    )
    return yield* loop.pipe(
      Effect.timeoutFail({
        duration: policy.budget,
        onTimeout: () => new Timeout({ source, endpoint, phase: "budget", after: policy.budget })
      }),
      Effect.catchAll((error) => Effect.flatMap(tried, (t) => Effect.fail(withTried(error, t))))
    )
  })
