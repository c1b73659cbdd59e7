/**
 * The `credentials_uri` source: a credential served over HTTP by a local process (a sidecar, the
 * `alicloud-credentials serve` command), `GET <uri>` answering
 * `{ Code: "Success", AccessKeyId, AccessKeySecret, SecurityToken, Expiration }`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import { NotConfigured } from "../CredentialsError.js"
import * as Rules from "../internal/config/rules.js"
import { decodeCodedCredentials } from "../internal/protocols/codedCredentials.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type { Source } from "../Source.js"

/**
 * The option block (`connectTimeout`, `readTimeout`, `timeBudget`, `retrySchedule`,
 * `maxBodyBytes`): connect 10 s, read 5 s, budget 15 s by default.
 *
 * @example
 * ```ts
 * import { CredentialsUri } from "@effect-alicloud/credentials"
 *
 * const options: CredentialsUri.Options = {
 *   credentialsUri: "http://127.0.0.1:8080/credentials",
 *   connectTimeout: "1 second",
 *   timeBudget: "5 seconds"
 * }
 * const source = CredentialsUri.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Upstream.Options {
  /** Else (unset or blank) `ALIBABA_CLOUD_CREDENTIALS_URI`. */
  readonly credentialsUri?: string | undefined
}

/**
 * @example
 * ```ts
 * import { CredentialsUri } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // The variable read when `credentialsUri` is not given
 * const sidecar = ConfigProvider.fromMap(new Map([[CredentialsUri.CREDENTIALS_URI, "http://127.0.0.1:8080/credentials"]]))
 * const source = CredentialsUri.make().pipe(Effect.withConfigProvider(sidecar))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const CREDENTIALS_URI = "ALIBABA_CLOUD_CREDENTIALS_URI"

const source = "credentials_uri"

/**
 * A source that asks the credentials URI (provider name `credentials_uri`, the name of its type; the
 * official tool's provider name is `credential_uri`, which the Promise facade keeps).
 * No URI configured: `NotConfigured` (the official Node tool then makes a DNS lookup of the host
 * `undefined`). The answer's `Code` must be `Success`, as in the official Java tool.
 *
 * @example
 * ```ts
 * import { Credentials, CredentialsUri, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // A sidecar (e.g. `alicloud-credentials serve`) on the same host
 * const layer = Credentials.layer(CredentialsUri.make({ credentialsUri: "http://127.0.0.1:8080/credentials" })).pipe(
 *   Layer.provide(HttpTransport.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Source<HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const setting = yield* Rules.setting({
      source,
      field: "credentialsUri",
      variable: CREDENTIALS_URI,
      schema: Rules.Text,
      fix: `pass credentialsUri or set ${CREDENTIALS_URI}`
    }, options.credentialsUri)
    if (setting === undefined) {
      return yield* new NotConfigured({
        source,
        reason: `${CREDENTIALS_URI} is not set`,
        fix: `set ${CREDENTIALS_URI} to the URL of a credentials server`
      })
    }
    const uri = setting.value
    const url = yield* Upstream.httpUrl(
      source,
      Rules.describeOrigin(setting.origin),
      uri,
      "http://127.0.0.1:8080/credentials"
    )
    const policy = yield* Upstream.policy(source, options)
    // The URI's query (a `?token=`) and user info are secrets: never in a message, cut out of echoes.
    const secrets = [...url.searchParams.values(), decodeURIComponent(url.password), url.password]
    return yield* Upstream.run(
      source,
      Upstream.displayUrl(uri),
      policy,
      Upstream.exchange(source, policy, {
        request: HttpClientRequest.get(url),
        secrets,
        decode: (body) =>
          decodeCodedCredentials({
            providerName: source,
            body,
            fix: "the credentials server could not issue a credential: see its logs"
          })
      })
    )
  })
