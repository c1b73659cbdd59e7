// The two sign-in protocols of the CLI profile file: CloudSSO (a sign-in token buys STS
// credentials) and OAuth (a refresh token renews an access token, which buys STS credentials).
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Credential from "../Credential.js"
import { type CredentialsError, MalformedResponse, UpstreamError } from "../CredentialsError.js"
import { decodeJson, scrub } from "./decode.js"
import { type Answer, displayUrl, execute, type Timeouts } from "./http.js"
import { formatTimestamp } from "./rpcSignature.js"

const NonEmpty = Schema.String.pipe(Schema.minLength(1))
const Secret = Schema.Redacted(NonEmpty)

const ErrorBody = Schema.Struct({
  Code: Schema.optional(Schema.String),
  Message: Schema.optional(Schema.String),
  RequestId: Schema.optional(Schema.String),
  error: Schema.optional(Schema.String),
  error_description: Schema.optional(Schema.String)
})

// A non-200 answer as an UpstreamError, keeping the service's code and message (never the body).
const failWith = (source: string, endpoint: string, answer: Answer, fix: string | undefined, secrets: ReadonlyArray<string>) =>
  Effect.option(decodeJson(ErrorBody, answer.body, () => undefined)).pipe(
    Effect.flatMap((body) => {
      const error = Option.getOrUndefined(body)
      return Effect.fail(
        new UpstreamError({
          source,
          endpoint,
          status: answer.status,
          code: error?.Code ?? error?.error,
          requestId: error?.RequestId,
          serviceMessage: scrub(error?.Message ?? error?.error_description, secrets),
          fix
        })
      )
    })
  )

const exchangeAnswer = <A, I>(
  source: string,
  endpoint: string,
  schema: Schema.Schema<A, I>,
  fix: string,
  secret: Redacted.Redacted<string>
) =>
(answer: Answer): Effect.Effect<A, CredentialsError> =>
  answer.status === 200
    ? decodeJson(schema, answer.body, (detail) => new MalformedResponse({ source, endpoint, detail }))
    : failWith(source, endpoint, answer, fix, [Redacted.value(secret)])

// ---------------------------------------------------------------------------------------------
// CloudSSO
// ---------------------------------------------------------------------------------------------

const CloudCredential = Schema.Struct({
  CloudCredential: Schema.Struct({
    AccessKeyId: NonEmpty,
    AccessKeySecret: Secret,
    SecurityToken: Secret,
    Expiration: Schema.DateTimeUtc
  })
})

/**
 * `POST <scheme>://<host of the sign-in URL>/cloud-credentials` with the sign-in token, and the JSON
 * body the official Java tool sends (the Node tool 2.4.7 builds it but forgets to attach it).
 */
export const cloudSsoCredentials = (options: {
  readonly source: string
  readonly signInUrl: string
  readonly accountId: string
  readonly accessConfig: string
  readonly accessToken: Redacted.Redacted<string>
  readonly timeouts: Timeouts
}): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient> => {
  const url = `${new URL(options.signInUrl).origin}/cloud-credentials`
  const endpoint = displayUrl(url)
  return execute({
    source: options.source,
    endpoint,
    timeouts: options.timeouts,
    request: HttpClientRequest.post(url).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.bearerToken(Redacted.value(options.accessToken)),
      HttpClientRequest.bodyUnsafeJson({ AccountId: options.accountId, AccessConfigurationId: options.accessConfig })
    )
  }).pipe(
    Effect.flatMap(exchangeAnswer(
      options.source,
      endpoint,
      CloudCredential,
      "the CloudSSO sign-in may have expired or lost access: sign in again with `aliyun configure --mode CloudSSO`",
      options.accessToken
    )),
    Effect.map(({ CloudCredential: c }) =>
      Credential.make({
        type: "sts",
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken,
        expiration: c.Expiration,
        providerName: "cloud_sso"
      })
    )
  )
}

// ---------------------------------------------------------------------------------------------
// OAuth
// ---------------------------------------------------------------------------------------------

export const oauthSites = {
  CN: { baseUrl: "https://oauth.aliyun.com", clientId: "4038181954557748008" },
  INTL: { baseUrl: "https://oauth.alibabacloud.com", clientId: "4103531455503354461" }
} as const

const TokenAnswer = Schema.Struct({
  access_token: Secret,
  refresh_token: Secret,
  expires_in: Schema.optionalWith(Schema.Number, { default: () => 3600 })
})

export interface OAuthTokens {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string>
  readonly expiresAt: DateTime.Utc
}

/** `POST <base>/v1/token`: a new access token (and a new refresh token) for the refresh token. */
export const refreshOAuthToken = (options: {
  readonly source: string
  readonly baseUrl: string
  readonly clientId: string
  readonly refreshToken: Redacted.Redacted<string>
  readonly timeouts: Timeouts
}): Effect.Effect<OAuthTokens, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const url = `${options.baseUrl.replace(/\/+$/, "")}/v1/token`
    const endpoint = displayUrl(url)
    const now = yield* Clock.currentTimeMillis
    const answer = yield* execute({
      source: options.source,
      endpoint,
      timeouts: options.timeouts,
      request: HttpClientRequest.post(url).pipe(
        HttpClientRequest.bodyUrlParams({
          grant_type: "refresh_token",
          refresh_token: Redacted.value(options.refreshToken),
          client_id: options.clientId,
          Timestamp: formatTimestamp(now)
        })
      )
    })
    const tokens = yield* exchangeAnswer(
      options.source,
      endpoint,
      TokenAnswer,
      "the OAuth sign-in has expired or was revoked: sign in again with `aliyun configure --mode OAuth`",
      options.refreshToken
    )(answer)
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: DateTime.unsafeMake(now + tokens.expires_in * 1000)
    }
  })

const ExchangeAnswer = Schema.Struct({
  accessKeyId: NonEmpty,
  accessKeySecret: Secret,
  securityToken: Secret,
  expiration: Schema.DateTimeUtc
})

/** `POST <base>/v1/exchange` with the access token: an STS credential. */
export const exchangeOAuthToken = (options: {
  readonly source: string
  readonly baseUrl: string
  readonly accessToken: Redacted.Redacted<string>
  readonly timeouts: Timeouts
}): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient> => {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/v1/exchange`
  const endpoint = displayUrl(url)
  return execute({
    source: options.source,
    endpoint,
    timeouts: options.timeouts,
    request: HttpClientRequest.post(url).pipe(
      HttpClientRequest.bearerToken(Redacted.value(options.accessToken)),
      HttpClientRequest.setHeader("Content-Type", "application/json")
    )
  }).pipe(
    Effect.flatMap(exchangeAnswer(
      options.source,
      endpoint,
      ExchangeAnswer,
      "the OAuth access token was refused: sign in again with `aliyun configure --mode OAuth`",
      options.accessToken
    )),
    Effect.map((c) =>
      Credential.make({
        type: "sts",
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        securityToken: c.securityToken,
        expiration: c.expiration,
        providerName: "oauth"
      })
    )
  )
}
