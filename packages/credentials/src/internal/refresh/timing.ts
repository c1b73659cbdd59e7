// The refresh engine's timing, pure: its defaults, and when the background fiber refreshes a credential.
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import * as Credential from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import type { Options } from "../../Refresh.js"

/**
 * The defaults: official windows, 20% jitter, retries every 1 s, 2 s, 4 s... (jittered, at most
 * one a minute), and at least 5 s between a fetch and the next background one (so the first
 * retries come 5 s apart).
 */
export const defaults = {
  staleWindow: Duration.minutes(15),
  prefetchWindow: Duration.zero,
  jitter: 0.2,
  retrySchedule: Schedule.exponential("1 second").pipe(
    Schedule.jittered,
    Schedule.union(Schedule.spaced("1 minute"))
  ) as Schedule.Schedule<unknown, CredentialsError>,
  minRefreshInterval: Duration.seconds(5)
} as const

/**
 * When the background fiber refreshes `credential`: milliseconds from `nowMillis`, `undefined` for
 * a credential that never expires or is not cached (`cache: "none"`: every `get` fetches).
 * `random` is uniform in [0, 1). Never earlier than halfway through the time left, so that a credential shorter-lived than the window is not refetched in a
 * loop (the official tool refetches such a credential on every call). The background fiber adds
 * `minRefreshInterval` on top: it never refreshes sooner than that after the previous fetch.
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
    ? options.prefetchWindow(credential)
    : options.prefetchWindow ?? defaults.prefetchWindow
  const lead = Math.max(
    Duration.toMillis(options.staleWindow ?? defaults.staleWindow),
    Duration.toMillis(prefetch)
  )
  const jitter = (options.jitter ?? defaults.jitter) * lead * random
  const due = expiresAt - lead - jitter
  const halfway = nowMillis + (expiresAt - nowMillis) / 2
  return Math.max(0, Math.max(due, halfway) - nowMillis)
}
