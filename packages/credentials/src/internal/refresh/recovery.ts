// Recovery from a credential the service refused: the one-refresh-one-retry combinator, over the
// authentication error codes of Alibaba Cloud (authCode.ts, re-exported here).
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Option from "effect/Option"
import type { Credential } from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import { authErrorCode, isAuthError } from "./authCode.js"
import { recovering } from "./forced.js"

export { authErrorCode, isAuthError } from "./authCode.js"

/** What `retryOnAuthError` takes. */
export interface RetryOnAuthErrorOptions<E> {
  readonly isAuthError?: ((error: E) => boolean) | undefined
}

/** `retryOnAuthError` for the service of tag `I` (`Credentials`, a named identity): data-first or pipeable. */
export interface RetryOnAuthError<I> {
  <E>(
    options?: RetryOnAuthErrorOptions<E>
  ): <A, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | CredentialsError, R | I>
  <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: RetryOnAuthErrorOptions<E>
  ): Effect.Effect<A, E | CredentialsError, R | I>
}

/** The service as `retryOnAuthError` uses it (a structural view, to keep this module free of the tag's module). */
interface Service {
  readonly get: Effect.Effect<Credential, CredentialsError>
  readonly refresh: Effect.Effect<Credential, CredentialsError>
}

const sameSession = (a: Credential, b: Credential): boolean =>
  a.accessKeyId === b.accessKeyId && Equal.equals(a.accessKeySecret, b.accessKeySecret) &&
  Equal.equals(a.securityToken, b.securityToken) && Equal.equals(a.bearerToken, b.bearerToken)

/**
 * Runs `effect` with the service, watching which credential it gets. On an error `isAuthError`
 * accepts: refresh (unless the service already holds another credential than the one refused, as
 * when a concurrent caller has refreshed), then run `effect` once more; its outcome is final. The
 * refresh is flagged as a recovery's: the refresh engine holds it to `minForcedRefreshInterval`.
 */
export const retryOnAuthError = <I, S extends Service, A, E, R>(
  tag: Context.Tag<I, S>,
  effect: Effect.Effect<A, E, R>,
  options: RetryOnAuthErrorOptions<E> | undefined
): Effect.Effect<A, E | CredentialsError, R | I> => {
  // The caller's predicate is the caller's code: one that throws answers "not an auth error" (the
  // error passes on as it is) rather than ending the program with a defect.
  const given = options?.isAuthError
  const accepts = (error: E): boolean => {
    if (given === undefined) return isAuthError(error)
    try {
      return Boolean(given(error))
    } catch {
      return false
    }
  }
  return Effect.flatMap(tag, (service) => {
    let used: Credential | undefined
    const watched = Effect.provideService(effect, tag, {
      ...service,
      get: Effect.tap(service.get, (credential) => {
        used = credential
      })
    })
    return Effect.catchIf(watched, accepts, (error) =>
      Effect.gen(function*() {
        const refused = used
        // Another caller may have refreshed since: then the current credential is already new.
        const current = refused === undefined ? Option.none() : yield* Effect.option(service.get)
        const renewed = refused !== undefined && Option.isSome(current) && !sameSession(current.value, refused)
        yield* Effect.annotateCurrentSpan({
          "credentials.auth_error": authErrorCode(error) ?? "custom",
          "credentials.refreshed_by": renewed ? "another caller" : "this call"
        })
        // Flagged as a recovery's: the engine reuses a forced fetch's answer for a few seconds
        // (`minForcedRefreshInterval`), so that calls refused in a row do not each ask the upstream.
        if (!renewed) yield* Effect.locally(service.refresh, recovering, true)
        return yield* effect
      }).pipe(Effect.withSpan("Credentials.retryOnAuthError", { captureStackTrace: false })))
  })
}
