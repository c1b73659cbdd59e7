// Recovery from a credential the service refused: the authentication error codes of Alibaba Cloud,
// read from any error value, and the one-refresh-one-retry combinator.
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Option from "effect/Option"
import type { Credential } from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import { recovering } from "./forced.js"

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

// Where a code sits: our `UpstreamError` and the official SDKs' errors (`code`), the services'
// bodies (`Code`), tagged errors (`_tag`), others' conventions (`errorCode`).
const codeFields = ["code", "Code", "_tag", "errorCode"] as const
// Where a wrapped error sits: Effect's `UnknownException` (`error`), `Error.cause`, the body of an
// official SDK's error (`data`).
const wrapperFields = ["error", "cause", "data"] as const

const isAuthCode = (code: string): boolean =>
  code === "SignatureDoesNotMatch" || code === "InvalidAccessKeySecret" ||
  /^(InvalidSecurityToken|InvalidAccessKeyId)(\..+)?$/.test(code)

/** The first authentication code found in `error` or the errors it wraps (3 levels deep). */
export const authErrorCode = (error: unknown): string | undefined => {
  const visit = (value: unknown, depth: number): string | undefined => {
    if (typeof value !== "object" || value === null || depth > 3) return undefined
    for (const field of codeFields) {
      const code: unknown = Reflect.get(value, field)
      if (typeof code === "string" && isAuthCode(code)) return code
    }
    for (const field of wrapperFields) {
      const inner: unknown = Reflect.get(value, field)
      if (inner !== value) {
        const code = visit(inner, depth + 1)
        if (code !== undefined) return code
      }
    }
    return undefined
  }
  return visit(error, 0)
}

export const isAuthError = (error: unknown): boolean => authErrorCode(error) !== undefined

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
  const accepts: (error: E) => boolean = options?.isAuthError ?? isAuthError
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
