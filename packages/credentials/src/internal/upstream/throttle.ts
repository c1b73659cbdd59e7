// Throttling answers: what they look like, and how long to wait before the next try. A throttled
// request is retried on a longer, jittered backoff than other transient failures (1 s, 2 s, 4 s...
// each between half and one and a half times that), never sooner than the upstream's
// `Retry-After`; the fetch's time budget still bounds the whole.
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type { CredentialsError } from "../../CredentialsError.js"

/**
 * `Throttling`, `Throttling.User`, `Throttling.Api`, any code that says throttled, or HTTP 429: the
 * one test of "throttled", which `isTransient` (./fetch.ts) uses too.
 */
export const isThrottled = (error: CredentialsError): boolean =>
  error._tag === "UpstreamError" && (error.status === 429 || /throttl/i.test(error.code ?? ""))

/** The first throttled retry waits about this long; each next one twice as long. */
const THROTTLE_BASE = Duration.seconds(1)

/** The longest `Retry-After` honoured, whatever the upstream says (the budget bounds it anyway). */
const MAX_RETRY_AFTER_SECONDS = 3600

/**
 * `Retry-After`: delay-seconds or an HTTP date; undefined when absent or unreadable. `now` reads
 * the date form against the Clock.
 */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d{1,10}$/.test(text)) return Duration.seconds(Math.min(Number(text), MAX_RETRY_AFTER_SECONDS))
  const at = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text) ? Date.parse(text) : NaN
  return Number.isFinite(at)
    ? Duration.millis(Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_SECONDS * 1000))
    : undefined
}

/** The answer's `Retry-After`, or no wait. */
export const retryAfterOf = (error: CredentialsError): Duration.Duration =>
  (error._tag === "UpstreamError" ? error.retryAfter : undefined) ?? Duration.zero

/** The wait before throttled retry number `n` (0-based): jittered backoff, at least `Retry-After`. */
export const throttleDelay = (error: CredentialsError, n: number): Effect.Effect<Duration.Duration> =>
  Effect.map(Random.nextRange(0.5, 1.5), (jitter) => {
    const backoff = Duration.millis(Math.round(Duration.toMillis(THROTTLE_BASE) * 2 ** Math.min(n, 10) * jitter))
    return Duration.max(backoff, retryAfterOf(error))
  })
