/**
 * The `credentials_uri` source: a credential served over HTTP by a local process (a sidecar, the
 * `alicloud-credentials serve` command), `GET <uri>` answering
 * `{ Code: "Success", AccessKeyId, AccessKeySecret, SecurityToken, Expiration }`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import {
  type CredentialsError,
  InvalidConfiguration,
  NotConfigured,
  UpstreamError
} from "../CredentialsError.js"
import { decodeCodedCredentials } from "../internal/codedCredentials.js"
import { decodeJson } from "../internal/decode.js"
import { decodeTimeouts, displayUrl, execute, retryTransient } from "../internal/http.js"
import { envString } from "../internal/env.js"
import { optionalString } from "../internal/validate.js"
import type { Source } from "../Source.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Else `ALIBABA_CLOUD_CREDENTIALS_URI`. */
  readonly credentialsUri?: string | undefined
  /** Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Default 5 seconds. */
  readonly readTimeout?: Duration.DurationInput | undefined
  readonly retrySchedule?: Schedule.Schedule<unknown, CredentialsError> | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const CREDENTIALS_URI = "ALIBABA_CLOUD_CREDENTIALS_URI"

const source = "credentials_uri"

const ErrorBody = Schema.Struct({ Code: Schema.optional(Schema.String), Message: Schema.optional(Schema.String) })

/**
 * A source that asks the credentials URI (provider name `credential_uri`, as in the official tool).
 * No URI configured: `NotConfigured` (the official Node tool then makes a DNS lookup of the host
 * `undefined`). The answer's `Code` must be `Success`, as in the official Java tool.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Source<HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const uri = (yield* optionalString(
      { source, field: "credentialsUri", fix: `pass credentialsUri or set ${CREDENTIALS_URI}` },
      options.credentialsUri
    )) ?? Option.getOrUndefined(yield* envString(CREDENTIALS_URI))
    if (uri === undefined) {
      return yield* new NotConfigured({
        source,
        reason: `${CREDENTIALS_URI} is not set`,
        fix: `set ${CREDENTIALS_URI} to the URL of a credentials server`
      })
    }
    const parsed = URL.canParse(uri) ? new URL(uri) : undefined
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      return yield* new InvalidConfiguration({
        source,
        field: options.credentialsUri === undefined ? CREDENTIALS_URI : "credentialsUri",
        reason: "is not an http(s) URL",
        fix: "use e.g. http://127.0.0.1:8080/credentials"
      })
    }
    const endpoint = displayUrl(uri)
    const timeouts = yield* decodeTimeouts(source, options)
    const attempt = Effect.gen(function*() {
      const answer = yield* execute({ source, endpoint, timeouts, request: HttpClientRequest.get(uri) })
      if (answer.status !== 200) {
        const body = yield* Effect.option(decodeJson(ErrorBody, answer.body, () => undefined))
        return yield* new UpstreamError({
          source,
          endpoint,
          status: answer.status,
          code: Option.getOrUndefined(body)?.Code,
          serviceMessage: Option.getOrUndefined(body)?.Message
        })
      }
      return yield* decodeCodedCredentials({
        source,
        endpoint,
        providerName: "credential_uri",
        body: answer.body,
        fix: "the credentials server could not issue a credential: see its logs"
      })
    })
    return yield* retryTransient(attempt, options.retrySchedule)
  })
