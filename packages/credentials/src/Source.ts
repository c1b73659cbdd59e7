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
 * @example
 * ```ts
 * import { AccessKey, Chain, Environment, type Source } from "@effect-alicloud/credentials"
 * import type { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * // The environment, else a key given in code: still a Source, with no requirement
 * const source: Source.Source = Environment.make().pipe(Chain.orElse(AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })))
 *
 * // Any Effect of a Credential is one: a network source names what it needs
 * const logged = <R>(self: Source.Source<R>): Source.Source<R> =>
 *   Effect.tap(self, (credential) => Effect.logDebug(`credential from ${credential.providerName}`))
 * const needsHttp: Source.Source<HttpClient.HttpClient> = logged(source)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Source<R = never> = Effect.Effect<Credential, CredentialsError, R>
