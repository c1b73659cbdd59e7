// The shared request budget: how many AssumeRole-style requests a program sends per upstream and
// signing account. Alibaba Cloud limits AssumeRole to 100 requests per second per account; every
// identity of a program (named identities, a pool, the default chain, the facade's clients) takes
// its slots from one budget, so a warm-up of thousands of identities queues instead of being
// throttled.
//
// A token bucket written as GCRA (the "theoretical arrival time" of the next request per key):
// one number per key, no fiber, no scope, driven by the Clock (TestClock, a virtual clock). A caller
// reserves its slot at once and sleeps until it; an interrupted caller gives its slot up only in the
// sense that it goes unused (the budget errs on the slow side).
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { InvalidConfiguration } from "../../CredentialsError.js"

/** The budget's options. */
export interface BudgetOptions {
  /** Requests per second per upstream and signing account. Default 100 (the AssumeRole limit). */
  readonly perSecond?: number | undefined
  /** How many requests may go at once after a quiet time. Default 50 (at most `perSecond`). */
  readonly burst?: number | undefined
}

/** The budget of a program: a slot per request, per key (upstream + signing account). */
export interface Budget {
  /** Requests per second per key; undefined when the budget is off. */
  readonly perSecond: number | undefined
  /** Waits for the key's next slot (at once when the bucket has tokens). */
  readonly acquire: (key: string) => Effect.Effect<void>
  /** The upstream throttled a request of `key`: no new slot before `delay` from now. */
  readonly holdOff: (key: string, delay: Duration.Duration) => Effect.Effect<void>
}

/** The default: 100 requests per second per key. */
export const DEFAULT_PER_SECOND = 100

/**
 * The default burst: 50 requests at once after a quiet time, then one every 10 ms. Half the
 * service's own bucket, so that a request the network delays and one on time do not meet an empty
 * bucket at STS.
 */
const DEFAULT_BURST = 50

// Keys whose bucket is full again carry no information: past this many keys they are dropped.
const PRUNE_AT = 1024

/** A budget that never waits (`RequestBudget.layerDisabled`). */
export const disabled: Budget = { perSecond: undefined, acquire: () => Effect.void, holdOff: () => Effect.void }

const invalid = (field: string, reason: string) =>
  new InvalidConfiguration({
    source: "RequestBudget",
    field,
    reason,
    fix: "leave it out for the default (100 per second), or use RequestBudget.layerDisabled to turn the budget off"
  })

/** The options checked: perSecond a positive finite number, burst a positive whole number. */
export const validate = (
  options: BudgetOptions
): Effect.Effect<Required<{ [K in keyof BudgetOptions]: number }>, InvalidConfiguration> => {
  const perSecond = options.perSecond ?? DEFAULT_PER_SECOND
  if (!(Number.isFinite(perSecond) && perSecond > 0)) {
    return Effect.fail(invalid("perSecond", "must be a positive number of requests per second"))
  }
  const burst = options.burst ?? Math.max(1, Math.min(DEFAULT_BURST, Math.floor(perSecond)))
  if (!(Number.isSafeInteger(burst) && burst > 0)) {
    return Effect.fail(invalid("burst", "must be a positive whole number of requests"))
  }
  return Effect.succeed({ perSecond, burst })
}

/** A budget from checked options. */
export const unsafeMake = (perSecond: number, burst: number): Budget => {
  const interval = 1000 / perSecond
  const tolerance = (burst - 1) * interval
  // The time at which the key's bucket would be full again, and the latest time seen: a clock that
  // moved back (another TestClock, a virtual clock restarted) starts every bucket afresh.
  const arrivals = new Map<string, number>()
  let latest = -Infinity
  const prune = (now: number) => {
    if (arrivals.size < PRUNE_AT) return
    for (const [key, at] of arrivals) if (at <= now) arrivals.delete(key)
  }
  const observe = (now: number) => {
    if (now < latest) arrivals.clear()
    latest = now
  }
  return {
    perSecond,
    acquire: (key) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        observe(now)
        const arrival = Math.max(arrivals.get(key) ?? now, now)
        const startAt = arrival - tolerance
        if (!arrivals.has(key)) prune(now)
        arrivals.set(key, arrival + interval)
        return startAt <= now ? Effect.void : Effect.sleep(Duration.millis(Math.ceil(startAt - now)))
      }),
    holdOff: (key, delay) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (Duration.toMillis(delay) <= 0) return
        observe(now)
        // The next slot no sooner than `delay` from now, and the burst spent.
        const next = now + Duration.toMillis(delay) + tolerance
        arrivals.set(key, Math.max(arrivals.get(key) ?? now, next))
      })
  }
}

/**
 * The program's request budget. Unless a layer provides another, every identity of the process
 * shares the default one (100 per second per upstream and signing account).
 */
export class RequestBudget extends Context.Reference<RequestBudget>()("@effect-alicloud/credentials/RequestBudget", {
  defaultValue: (): Budget => unsafeMake(DEFAULT_PER_SECOND, DEFAULT_BURST)
}) {}

/** The key of an exchange: the upstream and who signs (an AccessKey ID, an OIDC provider). */
export const keyOf = (endpoint: string, account: string): string => `${endpoint} ${account}`
