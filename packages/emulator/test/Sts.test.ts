import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import {
  assumeRole,
  assumeRoleWithOidc,
  at2024,
  formatTimestamp,
  roleArn,
  start2024,
  StsError,
  StsSuccess,
  testKey
} from "./helpers.js"

const start = Effect.zipRight(at2024, Emulator.make({ accessKeys: [testKey] }))

const expectError = (response: HttpClientResponse.HttpClientResponse, status: number, code: string) =>
  Effect.gen(function*() {
    expect(response.status).toBe(status)
    const body = yield* HttpClientResponse.schemaBodyJson(StsError)(response)
    expect(body.Code).toBe(code)
    return body
  })

describe("STS AssumeRole", () => {
  it.scoped("a correctly signed request succeeds with fresh, distinct credentials", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const first = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(yield* assumeRole(emulator, testKey))
      const second = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(yield* assumeRole(emulator, testKey))
      expect(first.Credentials.AccessKeyId).toBe("STS.emu-000001")
      expect(second.Credentials.AccessKeyId).toBe("STS.emu-000002")
      expect(first.Credentials.AccessKeySecret).not.toBe(second.Credentials.AccessKeySecret)
      expect(first.Credentials.SecurityToken).not.toBe(second.Credentials.SecurityToken)
      expect(first.Credentials.Expiration).toBe("2024-01-01T01:00:00Z")
      expect(first.AssumedRoleUser.Arn).toBe("acs:ram::1234567890123456:role/test-role/test-session")
      expect(first.AssumedRoleUser.AssumedRoleId).toMatch(/^\d+:test-session$/)
      expect(yield* emulator.counters("sts")).toEqual({ received: 2, succeeded: 2, failed: 0, faulted: 0 })
      const last = Option.getOrThrow(yield* emulator.lastRequest("sts"))
      expect(last.method).toBe("POST")
      expect(last.query["Action"]).toBe("AssumeRole")
      expect(last.body["RoleArn"]).toBe(roleArn)
      expect(last.headers["content-type"]).toContain("application/x-www-form-urlencoded")
    }))

  it.scoped("Expiration follows DurationSeconds, then the expiry override", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const body = { RoleArn: roleArn, RoleSessionName: "s-1", DurationSeconds: "900" }
      const short = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(
        yield* assumeRole(emulator, { ...testKey, body })
      )
      expect(short.Credentials.Expiration).toBe("2024-01-01T00:15:00Z")
      yield* emulator.setExpiry("sts", "90 seconds")
      const overridden = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(yield* assumeRole(emulator, testKey))
      expect(overridden.Credentials.Expiration).toBe("2024-01-01T00:01:30Z")
    }))

  it.scoped("a GET with every parameter in the query (Java style) verifies", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const response = yield* assumeRole(emulator, { ...testKey, method: "GET" })
      expect(response.status).toBe(200)
    }))

  it.scoped("a wrong signature is 400 SignatureDoesNotMatch with the server string to sign", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const response = yield* assumeRole(emulator, { accessKeyId: testKey.accessKeyId, accessKeySecret: "wrong" })
      const body = yield* expectError(response, 400, "SignatureDoesNotMatch")
      expect(body.Message).toMatch(
        /^Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&AccessKeyId%3DtestAccessKeyId%26/
      )
      expect(body.Message).not.toContain("testAccessKeySecret")
      expect(yield* emulator.counters("sts")).toEqual({ received: 1, succeeded: 0, failed: 1, faulted: 0 })
    }))

  it.scoped("a tampered parameter breaks the signature", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const response = yield* assumeRole(emulator, { ...testKey, tamper: (q) => ({ ...q, Format: "XML" }) })
      yield* expectError(response, 400, "SignatureDoesNotMatch")
    }))

  it.scoped("an unknown key is 404 InvalidAccessKeyId.NotFound", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const response = yield* assumeRole(emulator, { accessKeyId: "nobody", accessKeySecret: "x" })
      yield* expectError(response, 404, "InvalidAccessKeyId.NotFound")
    }))

  it.scoped("a timestamp more than 15 minutes from the Clock is 400 InvalidTimeStamp.Expired", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const stale = formatTimestamp(start2024 - 16 * 60 * 1000)
      yield* expectError(yield* assumeRole(emulator, { ...testKey, timestamp: stale }), 400, "InvalidTimeStamp.Expired")
      const future = formatTimestamp(start2024 + 16 * 60 * 1000)
      yield* expectError(
        yield* assumeRole(emulator, { ...testKey, timestamp: future }),
        400,
        "InvalidTimeStamp.Expired"
      )
      // The same timestamp becomes acceptable once the TestClock moves near it.
      yield* TestClock.adjust("10 minutes")
      expect((yield* assumeRole(emulator, { ...testKey, timestamp: future })).status).toBe(200)
      yield* expectError(
        yield* assumeRole(emulator, { ...testKey, timestamp: "2024-01-01 00:00:00" }),
        400,
        "InvalidTimeStamp.Format"
      )
    }))

  it.scoped("a reused SignatureNonce is 400 SignatureNonceUsed", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      expect((yield* assumeRole(emulator, { ...testKey, nonce: "same" })).status).toBe(200)
      yield* expectError(yield* assumeRole(emulator, { ...testKey, nonce: "same" }), 400, "SignatureNonceUsed")
    }))

  it.scoped("missing parameters are 400 Missing<Name>", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* expectError(
        yield* assumeRole(emulator, { ...testKey, body: { RoleSessionName: "s-1", DurationSeconds: "3600" } }),
        400,
        "MissingRoleArn"
      )
      yield* expectError(
        yield* assumeRole(emulator, { ...testKey, body: { RoleArn: roleArn, DurationSeconds: "3600" } }),
        400,
        "MissingRoleSessionName"
      )
      yield* expectError(
        yield* assumeRole(emulator, {
          ...testKey,
          tamper: ({ SignatureNonce: _, ...q }) => q
        }),
        400,
        "MissingSignatureNonce"
      )
    }))

  it.scoped("DurationSeconds outside 900..max is 400 InvalidParameter.DurationSeconds", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      for (const value of ["899", "3601", "abc"]) {
        yield* expectError(
          yield* assumeRole(emulator, {
            ...testKey,
            body: { RoleArn: roleArn, RoleSessionName: "s-1", DurationSeconds: value }
          }),
          400,
          "InvalidParameter.DurationSeconds"
        )
      }
      yield* expectError(
        yield* assumeRole(emulator, {
          ...testKey,
          body: { RoleArn: "arn:not-a-role", RoleSessionName: "s-1", DurationSeconds: "3600" }
        }),
        400,
        "InvalidParameter.RoleArn"
      )
    }))

  it.scoped("issued STS credentials sign later requests with their SecurityToken until they expire", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* emulator.setExpiry("sts", "20 minutes")
      const issued = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(yield* assumeRole(emulator, testKey))
      const sts = {
        accessKeyId: issued.Credentials.AccessKeyId,
        accessKeySecret: issued.Credentials.AccessKeySecret
      }
      expect((yield* assumeRole(emulator, { ...sts, securityToken: issued.Credentials.SecurityToken })).status).toBe(
        200
      )
      yield* expectError(yield* assumeRole(emulator, sts), 400, "MissingSecurityToken")
      yield* expectError(
        yield* assumeRole(emulator, { ...sts, securityToken: "other" }),
        400,
        "InvalidSecurityToken.MismatchWithAccessKey"
      )
      yield* TestClock.adjust("21 minutes")
      yield* expectError(
        yield* assumeRole(emulator, { ...sts, securityToken: issued.Credentials.SecurityToken }),
        400,
        "InvalidSecurityToken.Expired"
      )
    }))

  it.scoped("a registered STS key pair (spec vector B) needs its token", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* emulator.addAccessKey({ ...testKey, accessKeyId: "stsKey", securityToken: "testSecurityToken" })
      const ok = yield* assumeRole(emulator, {
        ...testKey,
        accessKeyId: "stsKey",
        securityToken: "testSecurityToken"
      })
      expect(ok.status).toBe(200)
    }))

  it.scoped("an unknown Action is 404 InvalidAction.NotFound; a wrong Version 400", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* expectError(
        yield* assumeRole(emulator, { ...testKey, tamper: (q) => ({ ...q, Action: "GetFederationToken" }) }),
        404,
        "InvalidAction.NotFound"
      )
      yield* expectError(
        yield* assumeRole(emulator, { ...testKey, tamper: (q) => ({ ...q, Version: "2020-01-01" }) }),
        400,
        "InvalidVersion"
      )
    }))
})

describe("STS AssumeRoleWithOIDC", () => {
  const oidcBody = {
    OIDCProviderArn: "acs:ram::1234567890123456:oidc-provider/p",
    OIDCToken: "eyJhbGciOi.tok-1",
    RoleArn: roleArn,
    RoleSessionName: "s",
    DurationSeconds: "3600"
  }

  it.scoped("succeeds anonymously with the same response shape", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const response = yield* assumeRoleWithOidc(emulator, oidcBody)
      const body = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(response)
      expect(body.Credentials.AccessKeyId).toMatch(/^STS\.emu-\d{6}$/)
      expect(body.Credentials.Expiration).toBe("2024-01-01T01:00:00Z")
      const last = Option.getOrThrow(yield* emulator.lastRequest("sts"))
      expect(last.params["OIDCToken"]).toBe("eyJhbGciOi.tok-1")
    }))

  it.scoped("missing RoleArn, OIDCProviderArn or OIDCToken is 400 Missing<Name>", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      for (const name of ["RoleArn", "OIDCProviderArn", "OIDCToken"] as const) {
        const { [name]: _, ...body } = oidcBody
        yield* expectError(yield* assumeRoleWithOidc(emulator, body), 400, `Missing${name}`)
      }
    }))

  it.scoped("with a table of accepted tokens, another token is rejected", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ oidcTokens: ["good"] })
      yield* expectError(
        yield* assumeRoleWithOidc(emulator, oidcBody),
        400,
        "AuthenticationFail.OIDCToken.Invalid"
      )
      expect((yield* assumeRoleWithOidc(emulator, { ...oidcBody, OIDCToken: "good" })).status).toBe(200)
      yield* emulator.addOidcToken(oidcBody.OIDCToken)
      expect((yield* assumeRoleWithOidc(emulator, oidcBody)).status).toBe(200)
    }))
})
