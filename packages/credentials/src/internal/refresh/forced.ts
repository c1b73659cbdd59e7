// The refresh engine's floor between forced refreshes. `retryOnAuthError` forces a refresh each
// time a call is refused; against an upstream that refuses every session, 100 sequential calls made
// 100 AssumeRole in 1-2 s. So a refresh forced by a recovery within `minForcedRefreshInterval` of
// the last forced fetch (one that a `refresh`, a recovery's or a plain one, went upstream for)
// answers what the upstream last answered (the credential or the typed error of the latest fetch:
// that forced one, or a `get`'s or a background one that ended since) instead of asking again.
//
// The floor lives in the engine, not in the combinator, so that every recovering caller of one
// resource shares it. A plain `refresh` is not held back (it fetches when asked, as documented), but
// it opens the window; a `get`'s or a background fetch does not, so a session refused right after a
// cold start is still refreshed at once.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Credential from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import * as Timing from "./timing.js"

/**
 * Set by `retryOnAuthError` around the refresh it forces: the engine then holds that refresh to the
 * floor. A flag of the fiber rather than a field of the service, so that services built by hand
 * (`Credentials.of`) keep their shape.
 */
export const recovering: FiberRef.FiberRef<boolean> = globalValue(
  Symbol.for("@effect-alicloud/credentials/refresh/recovering"),
  () => FiberRef.unsafeMake(false)
)

export interface Forced {
  /** Wraps the fetch: remembers each answer (a credential or a typed error) and when it came. */
  readonly remember: (
    fetch: Effect.Effect<Credential.Credential, CredentialsError>
  ) => Effect.Effect<Credential.Credential, CredentialsError>
  /** The engine's `refresh` over the (single-flight) fetch. */
  readonly refresh: (
    fetch: Effect.Effect<Credential.Credential, CredentialsError>
  ) => Effect.Effect<Credential.Credential, CredentialsError>
}

export const make = (options: Timing.Options): Forced => {
  const intervalMillis = Timing.minForcedRefreshIntervalMillis(options)
  // The latest answer of any fetch; interrupted fetches answered nothing.
  let latest:
    | { readonly endedAt: number; readonly answer: Exit.Exit<Credential.Credential, CredentialsError> }
    | undefined
  // Until when a recovering refresh reuses `latest`: set when a forced fetch ends.
  let reuseUntil = -Infinity

  const answered = (answer: Exit.Exit<Credential.Credential, CredentialsError>) =>
    Effect.clockWith((clock) =>
      Effect.sync(() => {
        latest = { endedAt: clock.unsafeCurrentTimeMillis(), answer }
      })
    )
  const opened = Effect.sync(() => {
    if (latest !== undefined) reuseUntil = latest.endedAt + intervalMillis
  })

  return {
    remember: (fetch) =>
      Effect.tapBoth(fetch, {
        onSuccess: (credential) => answered(Exit.succeed(credential)),
        onFailure: (error) => answered(Exit.fail(error))
      }),
    refresh: (fetch) =>
      Effect.gen(function*() {
        const last = latest
        const now = yield* Clock.currentTimeMillis
        // A credential that has expired since is not an answer any more (a long interval).
        const reusable = last !== undefined && now < reuseUntil &&
          (Exit.isFailure(last.answer) || Credential.isValidAt(last.answer.value, now))
        if (last !== undefined && reusable && (yield* FiberRef.get(recovering))) {
          yield* Effect.annotateCurrentSpan("credentials.forced_refresh", "reused")
          return yield* last.answer
        }
        return yield* Effect.tapBoth(fetch, { onSuccess: () => opened, onFailure: () => opened })
      })
  }
}
