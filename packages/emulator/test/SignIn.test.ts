import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as Fault from "../src/Fault.js"
import { at2024, CallerIdentity, formatTimestamp, send, signedV3, start2024 } from "./helpers.js"

const sso = { accessToken: "sso-access-token", accountId: "1111222233334444", accessConfigurationId: "ac-admin" }

const CloudCredential = Schema.Struct({
  RequestId: Schema.String,
  CloudCredential: Schema.Struct({
    AccessKeyId: Schema.String,
    AccessKeySecret: Schema.String,
    SecurityToken: Schema.String,
    Expiration: Schema.String
  })
})
const SsoError = Schema.Struct({ RequestId: Schema.String, Code: Schema.String, Message: Schema.String })
const TokenAnswer = Schema.Struct({
  access_token: Schema.String,
  refresh_token: Schema.String,
  expires_in: Schema.Number,
  token_type: Schema.Literal("Bearer")
})
const ExchangeAnswer = Schema.Struct({
  accessKeyId: Schema.String,
  accessKeySecret: Schema.String,
  securityToken: Schema.String,
  expiration: Schema.String
})
const OAuthError = Schema.Struct({ error: Schema.String, error_description: Schema.String })

/** As the Java CloudSSO provider sends it (the path of the sign-in URL is dropped); `null`: no body. */
const cloudCredentials = (
  emulator: Emulator.EmulatorShape,
  token: string | undefined,
  body: unknown = { AccountId: sso.accountId, AccessConfigurationId: sso.accessConfigurationId }
) => {
  const url = new URL("/cloud-credentials", emulator.cloudSsoSignInUrl).toString()
  const request = HttpClientRequest.post(url).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.bodyText(body === null ? "" : JSON.stringify(body), "application/json")
  )
  return send(token === undefined ? request : HttpClientRequest.bearerToken(request, token))
}

const expectSsoError = (response: HttpClientResponse.HttpClientResponse, status: number, code: string) =>
  Effect.gen(function*() {
    const body = yield* HttpClientResponse.schemaBodyJson(SsoError)(response)
    expect({ status: response.status, code: body.Code }).toEqual({ status, code })
  })

describe("CloudSSO POST /cloud-credentials", () => {
  it.scoped("the request history records JSON bodies: strings as sent, other values as JSON text, nothing for non-objects", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ cloudSsoTokens: [sso] })
      yield* cloudCredentials(emulator, sso.accessToken, {
        AccountId: 42,
        AccessConfigurationId: null,
        Extra: { a: [1] }
      })
      expect(Option.getOrThrow(yield* emulator.lastRequest("cloud-sso")).body).toEqual({
        AccountId: "42",
        AccessConfigurationId: "null",
        Extra: "{\"a\":[1]}"
      })
      for (const body of [[1, 2], "text", null]) {
        yield* cloudCredentials(emulator, sso.accessToken, body)
        expect(Option.getOrThrow(yield* emulator.lastRequest("cloud-sso")).body).toEqual({})
      }
    }))

  it.scoped("a known token gets an STS credential that GetCallerIdentity accepts", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ cloudSsoTokens: [sso] })
      expect(emulator.cloudSsoSignInUrl).toBe(`${emulator.baseUrl}/login`)
      const response = yield* cloudCredentials(emulator, sso.accessToken)
      expect(response.status).toBe(200)
      const { CloudCredential: c } = yield* HttpClientResponse.schemaBodyJson(CloudCredential)(response)
      expect(c.AccessKeyId).toMatch(/^STS\.emu-\d{6}$/)
      expect(c.Expiration).toBe("2024-01-01T01:00:00Z")
      const record = Option.getOrThrow(yield* emulator.lastRequest("cloud-sso"))
      expect(record.signatureAlgorithm).toBe("Bearer")
      expect(record.headers["content-type"]).toBe("application/json")
      // the history records a JSON body's fields
      expect(record.body).toEqual({ AccountId: sso.accountId, AccessConfigurationId: sso.accessConfigurationId })
      expect(yield* emulator.counters("cloud-sso")).toEqual({ received: 1, succeeded: 1, failed: 0, faulted: 0 })
      const who = yield* HttpClientResponse.schemaBodyJson(CallerIdentity)(
        yield* signedV3(emulator, {
          accessKeyId: c.AccessKeyId,
          accessKeySecret: c.AccessKeySecret,
          securityToken: c.SecurityToken
        })
      )
      expect(who.Arn).toBe("acs:ram::1111222233334444:assumed-role/AliyunReservedSSO_ac-admin/emulator-sso-user")
      yield* emulator.setExpiry("cloud-sso", "20 minutes")
      const shorter = yield* HttpClientResponse.schemaBodyJson(CloudCredential)(
        yield* cloudCredentials(emulator, sso.accessToken)
      )
      expect(shorter.CloudCredential.Expiration).toBe("2024-01-01T00:20:00Z")
    }))

  it.scoped("401 without, or with an unknown or expired token; 403 for another account; 400 without a body", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ cloudSsoTokens: [{ ...sso, expiresAt: start2024 + 60_000 }] })
      yield* expectSsoError(yield* cloudCredentials(emulator, undefined), 401, "MissingAccessToken")
      yield* expectSsoError(yield* cloudCredentials(emulator, "unknown"), 401, "InvalidAccessToken")
      yield* expectSsoError(
        yield* cloudCredentials(emulator, sso.accessToken, { AccountId: "9", AccessConfigurationId: "ac-admin" }),
        403,
        "NoPermission.AccessConfiguration"
      )
      yield* expectSsoError(
        yield* cloudCredentials(emulator, sso.accessToken, { AccountId: sso.accountId, AccessConfigurationId: "ac-x" }),
        403,
        "NoPermission.AccessConfiguration"
      )
      // @alicloud/credentials 2.4.7 (Node) builds the body but never sends it
      yield* expectSsoError(yield* cloudCredentials(emulator, sso.accessToken, null), 400, "InvalidParameter")
      yield* expectSsoError(
        yield* cloudCredentials(emulator, sso.accessToken, { AccessConfigurationId: "ac-admin" }),
        400,
        "MissingParameter.AccountId"
      )
      expect((yield* cloudCredentials(emulator, sso.accessToken)).status).toBe(200)
      yield* TestClock.adjust("1 minute")
      yield* expectSsoError(yield* cloudCredentials(emulator, sso.accessToken), 401, "AccessTokenExpired")
    }))

  it.scoped("tokens added later (Effect and control API, Redacted too); faults reach inside CloudCredential", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make()
      yield* expectSsoError(yield* cloudCredentials(emulator, sso.accessToken), 401, "InvalidAccessToken")
      yield* emulator.addCloudSsoToken({ ...sso, accessToken: Redacted.make(sso.accessToken) })
      expect((yield* cloudCredentials(emulator, sso.accessToken)).status).toBe(200)
      const added = yield* send(
        HttpClientRequest.post(`${emulator.controlUrl}/cloud-sso-tokens`).pipe(
          HttpClientRequest.bodyUnsafeJson({ ...sso, accessToken: "second-token" })
        )
      )
      expect(added.status).toBe(200)
      expect((yield* cloudCredentials(emulator, "second-token")).status).toBe(200)

      yield* emulator.setFault("cloud-sso", Fault.missingField("SecurityToken"), { times: 1 })
      const partial = yield* Effect.flatMap(cloudCredentials(emulator, sso.accessToken), (r) => r.json)
      expect(partial).toMatchObject({ CloudCredential: { AccessKeyId: expect.any(String) } })
      expect(partial).not.toHaveProperty("CloudCredential.SecurityToken")
      yield* emulator.setFault("cloud-sso", Fault.serviceUnavailable, { times: 1 })
      yield* expectSsoError(yield* cloudCredentials(emulator, sso.accessToken), 503, "ServiceUnavailable")

      // reset forgets tokens added after start
      yield* emulator.reset
      yield* expectSsoError(yield* cloudCredentials(emulator, sso.accessToken), 401, "InvalidAccessToken")
    }))
})

const refresh = (
  emulator: Emulator.EmulatorShape,
  refreshToken: string,
  overrides: Readonly<Record<string, string>> = {}
) =>
  Effect.gen(function*() {
    const now = yield* TestClock.currentTimeMillis
    return yield* send(
      HttpClientRequest.post(`${emulator.oauthBaseUrl}/v1/token`).pipe(
        HttpClientRequest.bodyUrlParams({
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: Emulator.oauthClientIds.CN,
          Timestamp: formatTimestamp(now),
          ...overrides
        })
      )
    )
  })

const exchange = (emulator: Emulator.EmulatorShape, accessToken: string | undefined) => {
  const request = HttpClientRequest.post(`${emulator.oauthBaseUrl}/v1/exchange`).pipe(
    HttpClientRequest.setHeader("content-type", "application/json")
  )
  return send(accessToken === undefined ? request : HttpClientRequest.bearerToken(request, accessToken))
}

const expectOAuthError = (response: HttpClientResponse.HttpClientResponse, status: number, error: string) =>
  Effect.gen(function*() {
    const body = yield* HttpClientResponse.schemaBodyJson(OAuthError)(response)
    expect({ status: response.status, error: body.error }).toEqual({ status, error })
  })

describe("OAuth /v1/token and /v1/exchange", () => {
  it.scoped("refresh rotates the refresh token; the access token exchanges for credentials until it expires", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ oauthRefreshTokens: [{ refreshToken: "rt-0" }] })
      const first = yield* HttpClientResponse.schemaBodyJson(TokenAnswer)(yield* refresh(emulator, "rt-0"))
      expect(first.expires_in).toBe(3600)
      expect(first.refresh_token).not.toBe("rt-0")
      // the old refresh token is spent
      yield* expectOAuthError(yield* refresh(emulator, "rt-0"), 400, "invalid_grant")
      const second = yield* HttpClientResponse.schemaBodyJson(TokenAnswer)(
        yield* refresh(emulator, first.refresh_token, { client_id: Emulator.oauthClientIds.INTL })
      )
      const credentials = yield* HttpClientResponse.schemaBodyJson(ExchangeAnswer)(
        yield* exchange(emulator, second.access_token)
      )
      expect(credentials.expiration).toBe("2024-01-01T01:00:00Z")
      const who = yield* HttpClientResponse.schemaBodyJson(CallerIdentity)(
        yield* signedV3(emulator, {
          accessKeyId: credentials.accessKeyId,
          accessKeySecret: credentials.accessKeySecret,
          securityToken: credentials.securityToken
        })
      )
      expect(who.IdentityType).toBe("AssumedRoleUser")
      // the first access token still works until it expires
      expect((yield* exchange(emulator, first.access_token)).status).toBe(200)
      yield* TestClock.adjust("1 hour")
      yield* expectOAuthError(yield* exchange(emulator, second.access_token), 401, "invalid_token")
      expect(yield* emulator.counters("oauth-token")).toEqual({ received: 3, succeeded: 2, failed: 1, faulted: 0 })
      expect(yield* emulator.counters("oauth-exchange")).toEqual({ received: 3, succeeded: 2, failed: 1, faulted: 0 })
      const record = Option.getOrThrow(yield* emulator.lastRequest("oauth-token"))
      expect(record.body["grant_type"]).toBe("refresh_token")
      expect(Option.getOrThrow(yield* emulator.lastRequest("oauth-exchange")).signatureAlgorithm).toBe("Bearer")
    }))

  it.scoped("token errors: unknown refresh token, wrong client, grant type, missing fields", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({
        oauthRefreshTokens: [{ refreshToken: "rt-any" }, { refreshToken: "rt-bound", clientId: "my-client" }]
      })
      yield* expectOAuthError(yield* refresh(emulator, "unknown"), 400, "invalid_grant")
      yield* expectOAuthError(yield* refresh(emulator, "rt-any", { client_id: "other" }), 400, "invalid_client")
      yield* expectOAuthError(yield* refresh(emulator, "rt-bound"), 400, "invalid_client")
      expect((yield* refresh(emulator, "rt-bound", { client_id: "my-client" })).status).toBe(200)
      yield* expectOAuthError(
        yield* refresh(emulator, "rt-any", { grant_type: "password" }),
        400,
        "unsupported_grant_type"
      )
      yield* expectOAuthError(yield* refresh(emulator, "rt-any", { Timestamp: "yesterday" }), 400, "invalid_request")
      yield* expectOAuthError(yield* refresh(emulator, "rt-any", { client_id: "" }), 400, "invalid_request")
      // none of these spent it
      expect((yield* refresh(emulator, "rt-any")).status).toBe(200)
    }))

  it.scoped("Timestamp is optional, as for the service: the aliyun CLI sends only grant_type, refresh_token, client_id", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ oauthRefreshTokens: [{ refreshToken: "rt-cli" }] })
      const response = yield* send(
        HttpClientRequest.post(`${emulator.oauthBaseUrl}/v1/token`).pipe(
          HttpClientRequest.bodyUrlParams({
            grant_type: "refresh_token",
            refresh_token: "rt-cli",
            client_id: Emulator.oauthClientIds.CN
          })
        )
      )
      expect(response.status).toBe(200)
      const token = yield* HttpClientResponse.schemaBodyJson(TokenAnswer)(response)
      // an empty Timestamp counts as none
      expect((yield* refresh(emulator, token.refresh_token, { Timestamp: "" })).status).toBe(200)
      const record = Option.getOrThrow(yield* emulator.lastRequest("oauth-token"))
      expect(Object.keys(record.body).sort()).toEqual(["Timestamp", "client_id", "grant_type", "refresh_token"])
    }))

  it.scoped("exchange errors, access tokens set from tests, expires_in from setExpiry, faults, reset", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({
        oauthRefreshTokens: [{ refreshToken: "rt-0" }],
        oauthAccessTokens: [{ accessToken: "at-preset", expiresAt: start2024 + 20 * 60_000 }]
      })
      yield* expectOAuthError(yield* exchange(emulator, undefined), 401, "invalid_token")
      yield* expectOAuthError(yield* exchange(emulator, "at-unknown"), 401, "invalid_token")
      expect((yield* exchange(emulator, "at-preset")).status).toBe(200)
      yield* emulator.addOAuthAccessToken({ accessToken: Redacted.make("at-added"), expiresAt: start2024 + 1000 })
      expect((yield* exchange(emulator, "at-added")).status).toBe(200)
      yield* emulator.setExpiry("oauth-token", "10 minutes")
      yield* emulator.setExpiry("oauth-exchange", "5 minutes")
      const token = yield* HttpClientResponse.schemaBodyJson(TokenAnswer)(yield* refresh(emulator, "rt-0"))
      expect(token.expires_in).toBe(600)
      const c = yield* HttpClientResponse.schemaBodyJson(ExchangeAnswer)(yield* exchange(emulator, token.access_token))
      expect(c.expiration).toBe("2024-01-01T00:05:00Z")

      yield* emulator.setFault("oauth-token", Fault.httpError(500, "server_error"), { times: 1 })
      yield* expectOAuthError(yield* refresh(emulator, token.refresh_token), 500, "server_error")
      yield* emulator.setFault("oauth-exchange", Fault.missingField("securityToken"), { times: 1 })
      expect(yield* Effect.flatMap(exchange(emulator, "at-preset"), (r) => r.json)).not.toHaveProperty("securityToken")

      // control API
      const post = (path: string, body: unknown) =>
        send(HttpClientRequest.post(`${emulator.controlUrl}${path}`).pipe(HttpClientRequest.bodyUnsafeJson(body)))
      expect((yield* post("/oauth-refresh-tokens", { refreshToken: "rt-control" })).status).toBe(200)
      expect((yield* post("/oauth-access-tokens", { accessToken: "at-control", expiresAt: start2024 + 60_000 })).status)
        .toBe(200)
      expect((yield* refresh(emulator, "rt-control")).status).toBe(200)
      expect((yield* exchange(emulator, "at-control")).status).toBe(200)
      const history = yield* Effect.flatMap(
        send(HttpClientRequest.get(`${emulator.controlUrl}/requests/oauth-token`)),
        (r) => r.text
      )
      expect(history).not.toContain("rt-control")
      expect(history).toContain("<redacted")

      // reset: the start tables again (rt-0 usable, the added tokens gone)
      yield* emulator.reset
      expect((yield* refresh(emulator, "rt-0")).status).toBe(200)
      yield* expectOAuthError(yield* refresh(emulator, "rt-control"), 400, "invalid_grant")
      yield* expectOAuthError(yield* exchange(emulator, "at-control"), 401, "invalid_token")
    }))
})
