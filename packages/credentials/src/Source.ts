/**
 * A source is how one place (variables, a file, STS, the metadata service...) produces a
 * credential: a plain `Effect`. Sources compose with `Chain.orElse`, become a service with
 * `Credentials.layer`, and become refreshing with `Refresh.make`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { Credential } from "./Credential.js"
import type { CredentialsError } from "./CredentialsError.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Source<R = never> = Effect.Effect<Credential, CredentialsError, R>
