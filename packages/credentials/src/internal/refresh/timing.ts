// The refresh engine's timing, pure: its options, the official windows, the defaults, and when the
// background fiber refreshes a credential (how it retries is ./ahead.ts's).
// `Refresh.Options` re-exports the options; the Promise facade and the session cache read the
// official windows from here.
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as Credential from "../../Credential.js"
import { type CredentialsError, InvalidConfiguration } from "../../CredentialsError.js"

/** The refresh engine's options (`Refresh.Options`). */
export interface Options {
  /**
   * The official tool's "stale time": a credential with less than this left must be refreshed.
   * Default 15 minutes (`STALE_TIME` of `@alicloud/credentials` and `credentials-java`).
   */
  readonly staleWindow?: Duration.DurationInput | undefined
  /**
   * How long before expiry a refresh may start. Default 0 (the official tool prefetches only ECS
   * credentials, 1 hour ahead: see `EcsRamRole.refreshOptions`). The refresh starts at the larger
   * window. A function picks the window by credential: the default chain gives ECS credentials
   * their hour.
   */
  readonly prefetchWindow?:
    | Duration.DurationInput
    | ((credential: Credential.Credential) => Duration.DurationInput)
    | undefined
  /**
   * A refresh starts up to this fraction of the lead time earlier, at random. Default 0.2; 0 turns
   * the jitter off (the official tool's behaviour).
   */
  readonly jitter?: number | undefined
  /**
   * Spreads the refreshes of credentials fetched together: each credential's refresh moment is
   * drawn once, uniformly between `from` and `to` of the time it had left when it arrived (its
   * lifetime), and never later than the refresh-ahead point (expiry minus the larger window), so
   * the stale and prefetch windows (the ECS hour) still hold. Fractions in [0, 1]. Default off for
   * a single engine (its moment is the window and `jitter`); `IdentityPool` turns it on with
   * `defaultSpread`. `false` turns it off.
   */
  readonly spread?: Spread | false | undefined
  /**
   * How a failed background refresh is retried while the credential is valid. Default: after 1 s,
   * 2 s, 4 s... (jittered, at least one a minute). Each retry waits at least `minRefreshInterval`,
   * whatever the schedule says.
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, CredentialsError> | undefined
  /**
   * The least time between the end of one fetch and the start of a background refresh or retry.
   * Default 5 seconds. A credential that always arrives with little time left (clock skew, a
   * sidecar handing out nearly expired ones) would otherwise be refetched in a loop: the refresh
   * falls due halfway through the time left, over and over (342 requests in 10 s, idle, with 50 ms
   * credentials). If the credential has expired once the interval has passed, the background fiber
   * stops and the next `get` fetches; a `get` of an expired credential always fetches at once.
   * Real credentials (15 minutes and more) fall due long after 5 s, so it never delays them.
   */
  readonly minRefreshInterval?: Duration.DurationInput | undefined
  /**
   * How long after a forced refresh that went upstream (`refresh`, or the one of
   * `Credentials.retryOnAuthError`) a refresh that `retryOnAuthError` forces reuses the latest
   * answer (the credential, or the typed error) instead of asking the upstream again. Default 5
   * seconds; 0 turns the floor off. Against an upstream that refuses every session, 100 sequential
   * recovering calls made 100 AssumeRole in 1-2 s; with the floor they make one per interval. A
   * plain `refresh` is never held back by it.
   */
  readonly minForcedRefreshInterval?: Duration.DurationInput | undefined
}

/** A window of a credential's lifetime, as fractions: see `Options.spread`. */
export interface Spread {
  readonly from: number
  readonly to: number
}

/**
 * The spread `IdentityPool` turns on: 35% to 80% of the lifetime (for a 1-hour session, 21 to 45
 * minutes: the refresh-ahead point, 15 minutes before expiry, caps it). Tenants warmed together
 * refresh over 24 minutes, at mid ÷ width = 33 ÷ 24 = 1.4× the long-run rate (from 50%, 37.5 ÷ 15
 * = 2.5×); over 2 hours after a warm-up, whose first 21 minutes are quiet, a simulation gives a
 * peak minute 1.7-1.8× the average (2.0-2.1× from 40%). The price: a session is used for 33
 * minutes of its hour on average instead of ~43, 1.3× the AssumeRole requests.
 */
export const defaultSpread: Spread = { from: 0.35, to: 0.8 }

/** The official stale window: a session with this or less left is refreshed (`STALE_TIME`). */
export const STALE_WINDOW: Duration.Duration = Duration.minutes(15)

/** The official prefetch of ECS credentials: refreshed when an hour or less is left. */
export const ECS_PREFETCH_WINDOW: Duration.Duration = Duration.hours(1)

/**
 * The defaults: official windows, 20% jitter, at least 5 s between a fetch and the next background
 * one (so the first retries come 5 s apart), and 5 s during which a recovery reuses a forced
 * fetch's answer. The default retry schedule is ./ahead.ts's.
 */
export const defaults = {
  staleWindow: STALE_WINDOW,
  prefetchWindow: Duration.zero,
  jitter: 0.2,
  minRefreshInterval: Duration.seconds(5),
  minForcedRefreshInterval: Duration.seconds(5)
} as const

/**
 * The official timing of a chain, as a `prefetchWindow`: each credential is refreshed as far ahead
 * as its source asked (the ECS source asks for `ECS_PREFETCH_WINDOW`, and a profile or a chain that
 * passes its credential on keeps the ask), the others at the stale window.
 */
export const askedPrefetchWindow = (credential: Credential.Credential): Duration.Duration =>
  credential.prefetchWindow ?? Duration.zero

// The window a caller's function picks for `credential`, read as a duration; none when it answers
// something else or throws (checked options cannot vouch for a function's answers, and a throw here
// would end the background refresh).
const pickedWindow = (
  pick: (credential: Credential.Credential) => Duration.DurationInput,
  credential: Credential.Credential
): Duration.Duration => {
  try {
    return Option.getOrElse(Duration.decodeUnknown(pick(credential)), () => Duration.zero)
  } catch {
    return Duration.zero
  }
}

/**
 * When the background fiber refreshes `credential`: milliseconds from `nowMillis`, `undefined` for
 * a credential that never expires or is not cached (`cache: "none"`: every `get` fetches).
 * `random` is uniform in [0, 1). Never earlier than halfway through the time left, so that a
 * credential shorter-lived than the window is not refetched in a loop (the official tool refetches
 * such a credential on every call); with `spread`, within its window of the lifetime, and halfway
 * when the window is empty (a credential shorter-lived than the lead). The background fiber adds `minRefreshInterval` on top: it
 * never refreshes sooner than that after the previous fetch.
 */
export const refreshDelayMillis = (
  credential: Credential.Credential,
  nowMillis: number,
  options: Options,
  random: number
): number | undefined => {
  if (credential.expiration === undefined || !Credential.isCacheable(credential)) return undefined
  const expiresAt = DateTime.toEpochMillis(credential.expiration)
  const prefetch = typeof options.prefetchWindow === "function"
    ? pickedWindow(options.prefetchWindow, credential)
    : options.prefetchWindow ?? defaults.prefetchWindow
  const lead = Math.max(
    Duration.toMillis(options.staleWindow ?? defaults.staleWindow),
    Duration.toMillis(prefetch)
  )
  const lifetime = expiresAt - nowMillis
  const spread = options.spread
  if (spread !== undefined && spread !== false) {
    // drawn within the window, the window capped at the refresh-ahead point (no pile-up there)
    const to = Math.min(fraction(spread.to) * lifetime, lifetime - lead)
    const from = Math.min(fraction(spread.from), fraction(spread.to)) * lifetime
    const at = to <= from ? Math.max(to, lifetime / 2) : from + (to - from) * random
    return Math.max(0, Math.min(at, lifetime))
  }
  const jitter = (options.jitter ?? defaults.jitter) * lead * random
  const due = expiresAt - lead - jitter
  const halfway = nowMillis + lifetime / 2
  return Math.max(0, Math.max(due, halfway) - nowMillis)
}

const fraction = (x: number): number => Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0

/** The least time between the end of a fetch and a background refresh or retry, in milliseconds. */
export const minRefreshIntervalMillis = (options: Options): number =>
  Duration.toMillis(options.minRefreshInterval ?? defaults.minRefreshInterval)

/** How long a refresh forced by a recovery reuses the latest answer after a forced fetch, in milliseconds. */
export const minForcedRefreshIntervalMillis = (options: Options): number =>
  Duration.toMillis(options.minForcedRefreshInterval ?? defaults.minForcedRefreshInterval)

const durationFix = "pass a Duration, e.g. Duration.minutes(15) or \"15 minutes\""

// What is wrong with a duration option, if anything.
const durationProblem = (input: unknown): string | undefined =>
  Option.match(Duration.decodeUnknown(input), {
    onNone: () => "is not a duration",
    onSome: (duration) => Duration.isFinite(duration) ? undefined : "must be a finite duration"
  })

/**
 * The options, checked once where they are given (the engine, `IdentityPool`): the first option at
 * fault as an `InvalidConfiguration` (its field named with `prefix`, e.g. "refresh."), or
 * `undefined`. Read unchecked, a duration that is not one or a `jitter` of NaN would throw in the
 * background fiber (a defect, the refresh silently gone) or move the refresh anywhere.
 */
export const invalidOption = (
  source: string,
  options: Options,
  prefix = ""
): InvalidConfiguration | undefined => {
  const invalid = (field: string, reason: string, fix: string) =>
    new InvalidConfiguration({ source, field: prefix + field, reason, fix })
  const durations = {
    staleWindow: options.staleWindow,
    prefetchWindow: typeof options.prefetchWindow === "function" ? undefined : options.prefetchWindow,
    minRefreshInterval: options.minRefreshInterval,
    minForcedRefreshInterval: options.minForcedRefreshInterval
  }
  for (const [field, input] of Object.entries(durations)) {
    const problem = input === undefined ? undefined : durationProblem(input)
    if (problem !== undefined) return invalid(field, problem, durationFix)
  }
  const jitter = options.jitter
  if (jitter !== undefined && !(typeof jitter === "number" && 0 <= jitter && jitter <= 1)) {
    return invalid("jitter", "must be a fraction from 0 to 1", `leave it out for ${defaults.jitter}, or 0 for none`)
  }
  const spread = options.spread
  if (
    spread !== undefined && spread !== false &&
    !(typeof spread === "object" && spread !== null && 0 <= spread.from && spread.from <= spread.to && spread.to <= 1)
  ) {
    return invalid(
      "spread",
      "must be { from, to } with 0 <= from <= to <= 1 (fractions of a session's lifetime)",
      `leave it out for { from: ${defaultSpread.from}, to: ${defaultSpread.to} } in IdentityPool, or pass false to turn it off`
    )
  }
  return undefined
}
