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
import type { Policy } from "./policy.js"

/** Failures that may pass if tried again: the network, timeouts, 5xx, throttling. */
export const isTransient = (error: CredentialsError): boolean => {
  switch (error._tag) {
    case "Timeout":
    case "NetworkError":
      return true
    case "UpstreamError":
      return error.status >= 500 || error.status === 429 || /throttl/i.test(error.code ?? "")
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
 * connection); `retryWhile` narrows what is retried. The final error says how many attempts were
 * made and how long they took.
 */
export const run = <A, R>(
  source: string,
  endpoint: string,
  policy: Policy,
  attempt: Effect.Effect<A, CredentialsError, R>,
  options: { readonly retryWhile?: ((error: CredentialsError) => boolean) | undefined } = {}
): Effect.Effect<A, CredentialsError, R> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const budgetMillis = Duration.toMillis(policy.budget)
    let attempts = 0
    const whole = (error: CredentialsError) =>
      Duration.toMillis(policy.read) +
      (error._tag === "Timeout" && error.phase === "connect" ? Duration.toMillis(policy.connect) : 0)
    const retryWhile = options.retryWhile ?? isTransient
    // The schedule's delays, cut short where the budget left after the delay would not allow a
    // whole attempt. Consulted only for failures worth a retry.
    const driver = yield* Schedule.driver(
      Schedule.delays(policy.retry).pipe(
        Schedule.checkEffect((error: CredentialsError, delay) =>
          Effect.map(
            Clock.currentTimeMillis,
            (now) => budgetMillis - (now - started) - Duration.toMillis(delay) >= whole(error)
          )
        )
      )
    )
    const loop: Effect.Effect<A, CredentialsError, R> = Effect.suspend(() => {
      attempts++
      return attempt
    }).pipe(
      Effect.catchAll((error) =>
        retryWhile(error)
          ? Effect.matchEffect(driver.next(error), { onFailure: () => Effect.fail(error), onSuccess: () => loop })
          : Effect.fail(error)
      )
    )
    const tried = Effect.map(
      Clock.currentTimeMillis,
      (now): Tried => ({ attempts, elapsed: Duration.millis(now - started) })
    )
    return yield* loop.pipe(
      Effect.timeoutFail({
        duration: policy.budget,
        onTimeout: () => new Timeout({ source, endpoint, phase: "budget", after: policy.budget })
      }),
      Effect.catchAll((error) => Effect.flatMap(tried, (t) => Effect.fail(withTried(error, t))))
    )
  })
