// The two sign-in protocols of the CLI profile file: CloudSSO (a sign-in token buys STS
// credentials) and OAuth (a refresh token renews an access token, which buys STS credentials).
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Credential from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import { formatTimestamp } from "../signing/encode.js"
import * as Upstream from "../upstream/pipeline.js"

const NonEmpty = Schema.String.pipe(Schema.minLength(1))
const Secret = Schema.Redacted(NonEmpty)

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
  readonly policy: Upstream.Policy
}): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const signIn = yield* Upstream.httpUrl(
      options.source,
      "sign-in URL (cloud_sso_sign_in_url)",
      options.signInUrl,
      "https://signin-<directory>.alibabacloudsso.com/device/login"
    )
    const { CloudCredential: c } = yield* Upstream.exchange(options.source, options.policy, {
      request: HttpClientRequest.post(`${signIn.origin}/cloud-credentials`).pipe(
        HttpClientRequest.acceptJson,
        HttpClientRequest.bearerToken(Redacted.value(options.accessToken)),
        HttpClientRequest.bodyUnsafeJson({ AccountId: options.accountId, AccessConfigurationId: options.accessConfig })
      ),
      secrets: [Redacted.value(options.accessToken)],
      decode: Upstream.json(CloudCredential),
      fix: () =>
        "the CloudSSO sign-in may have expired or lost access: sign in again with `aliyun configure --mode CloudSSO`"
    })
    return Credential.make({
      type: "sts",
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
      expiration: c.Expiration,
      providerName: "cloud_sso"
    })
  })

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
  // Seconds; a year at most, so that an absurd answer cannot make an invalid date.
  expires_in: Schema.optionalWith(Schema.Number.pipe(Schema.between(1, 365 * 24 * 3600)), { default: () => 3600 })
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
  readonly policy: Upstream.Policy
}): Effect.Effect<OAuthTokens, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const tokens = yield* Upstream.exchange(options.source, options.policy, {
      request: HttpClientRequest.post(`${options.baseUrl.replace(/\/+$/, "")}/v1/token`).pipe(
        HttpClientRequest.bodyUrlParams({
          grant_type: "refresh_token",
          refresh_token: Redacted.value(options.refreshToken),
          client_id: options.clientId,
          Timestamp: formatTimestamp(now)
        })
      ),
      secrets: [Redacted.value(options.refreshToken)],
      decode: Upstream.json(TokenAnswer),
      fix: () => "the OAuth sign-in has expired or was revoked: sign in again with `aliyun configure --mode OAuth`"
    })
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
  readonly policy: Upstream.Policy
}): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient> =>
  Upstream.exchange(options.source, options.policy, {
    request: HttpClientRequest.post(`${options.baseUrl.replace(/\/+$/, "")}/v1/exchange`).pipe(
      HttpClientRequest.bearerToken(Redacted.value(options.accessToken)),
      HttpClientRequest.setHeader("Content-Type", "application/json")
    ),
    secrets: [Redacted.value(options.accessToken)],
    decode: Upstream.json(ExchangeAnswer),
    fix: () => "the OAuth access token was refused: sign in again with `aliyun configure --mode OAuth`"
  }).pipe(
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
