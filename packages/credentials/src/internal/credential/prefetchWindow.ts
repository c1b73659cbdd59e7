// The refresh lead a source asks for its credentials (the ECS source: the official hour), as data
// beside the credential rather than read back from its provider name. A side table keyed by the
// credential, so that the public model, its printing and its equality stay as they are; the
// copies `Credential.withProviderName` and `Credential.uncached` make carry it over, so a chain,
// a profile or an ini section that passes an ECS credential on keeps its hour.
import type * as Duration from "effect/Duration"

const asked = new WeakMap<object, Duration.Duration>()

/** `credential`, asking to be refreshed `window` ahead of its expiry (see `askedPrefetchWindow` in refresh/timing.ts). */
export const askPrefetchWindow = <C extends object>(credential: C, window: Duration.Duration): C => {
  asked.set(credential, window)
  return credential
}

/** The window the credential's source asked for, if any. */
export const prefetchWindowOf = (credential: object): Duration.Duration | undefined => asked.get(credential)

/** `copy` (of `original`), asking what `original` asked. */
export const carryPrefetchWindow = <C extends object>(original: object, copy: C): C => {
  const window = asked.get(original)
  return window === undefined ? copy : askPrefetchWindow(copy, window)
}
