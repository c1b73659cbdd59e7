// STS's request rate limit, per signing AccessKey ID (AssumeRole: 100 requests per second per
// account): a token bucket per key, refilled on the Clock. Beyond it STS answers HTTP 400
// `Throttling.User`; the answers are counted. Off unless the `rateLimit` option (or the control API)
// turns it on, so every other scenario is unaffected.
import * as Effect from "effect/Effect"

/** A rate limit: `perSecond` tokens a second, at most `burst` (default `perSecond`) at once. */
export interface RateLimit {
  readonly perSecond: number
  readonly burst?: number | undefined
}

/** The service's answer beyond the limit. @internal */
export const throttledAnswer = {
  status: 400,
  code: "Throttling.User",
  message: "Request was denied due to user flow control."
} as const

interface Bucket {
  tokens: number
  at: number
}

/** Keys idle long enough to be full again are dropped past this many. */
const PRUNE_AT = 4096

/** @internal */
export const isValid = (limit: RateLimit): boolean =>
  Number.isFinite(limit.perSecond) && limit.perSecond > 0 &&
  (limit.burst === undefined || (Number.isSafeInteger(limit.burst) && limit.burst > 0))

/** @internal */
export const makeThrottle = (initial: RateLimit | undefined) => {
  let limit = initial
  let buckets = new Map<string, Bucket>()
  let throttled = 0
  const capacity = (l: RateLimit) => l.burst ?? Math.max(1, Math.floor(l.perSecond))
  const refill = (l: RateLimit, bucket: Bucket, now: number) => {
    bucket.tokens = Math.min(capacity(l), bucket.tokens + Math.max(0, now - bucket.at) * l.perSecond / 1000)
    bucket.at = now
  }
  const prune = (l: RateLimit, now: number) => {
    if (buckets.size < PRUNE_AT) return
    for (const [key, bucket] of buckets) {
      refill(l, bucket, now)
      if (bucket.tokens >= capacity(l)) buckets.delete(key)
    }
  }
  return {
    /** Takes a token for `key` at `now`: false (and counted) when the bucket is empty. */
    take: (key: string, now: number) =>
      Effect.sync(() => {
        if (limit === undefined) return true
        let bucket = buckets.get(key)
        if (bucket === undefined) {
          prune(limit, now)
          bucket = { tokens: capacity(limit), at: now }
          buckets.set(key, bucket)
        }
        refill(limit, bucket, now)
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1
          return true
        }
        throttled++
        return false
      }),
    /** Replaces the limit (undefined: off); every bucket starts full. */
    set: (next: RateLimit | undefined) =>
      Effect.sync(() => {
        limit = next
        buckets = new Map()
      }),
    limit: Effect.sync(() => limit),
    throttled: Effect.sync(() => throttled),
    /** Back to the start option, the count to 0. */
    reset: Effect.sync(() => {
      limit = initial
      buckets = new Map()
      throttled = 0
    })
  }
}

/** @internal */
export type Throttle = ReturnType<typeof makeThrottle>
