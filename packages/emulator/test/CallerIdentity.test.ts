import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import {
  assumeRole,
  at2024,
  CallerIdentity,
  formatTimestamp,
  signedV3,
  start2024,
  StsError,
  StsSuccess,
  testKey
} from "./helpers.js"

const start = Effect.zipRight(at2024, Emulator.make({ accessKeys: [testKey] }))

const expectError = (response: HttpClientResponse.HttpClientResponse, status: number, code: string) =>
  Effect.gen(function*() {
    const body = yield* HttpClientResponse.schemaBodyJson(StsError)(response)
    expect({ status: response.status, code: body.Code }).toEqual({ status, code })
    return body
  })

describe("STS GetCallerIdentity (signature v3, TestClock)", () => {
  it.scoped("a v3-signed request answers the key's identity and records the algorithm", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const response = yield* signedV3(emulator, testKey)
      expect(response.status).toBe(200)
      const body = yield* HttpClientResponse.schemaBodyJson(CallerIdentity)(response)
      expect(body).toMatchObject({
        AccountId: "1234567890123456",
        UserId: "200000000000000001",
        Arn: "acs:ram::1234567890123456:user/emulator-user",
        IdentityType: "RAMUser",
        PrincipalId: "200000000000000001"
      })
      expect(body.RoleId).toBeUndefined()
      const sm3 = yield* signedV3(emulator, { ...testKey, algorithm: "ACS3-HMAC-SM3" })
      expect(sm3.status).toBe(200)
      const records = yield* emulator.requests("sts")
      expect(records.map((r) => r.signatureAlgorithm)).toEqual(["ACS3-HMAC-SHA256", "ACS3-HMAC-SM3"])
    }))

  it.scoped("an STS credential works with its token until it expires on the Clock", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* emulator.setExpiry("sts", "15 minutes")
      const issued = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(yield* assumeRole(emulator, testKey))
      const sts = {
        accessKeyId: issued.Credentials.AccessKeyId,
        accessKeySecret: issued.Credentials.AccessKeySecret,
        securityToken: issued.Credentials.SecurityToken
      }
      const ok = yield* HttpClientResponse.schemaBodyJson(CallerIdentity)(yield* signedV3(emulator, sts))
      expect(ok).toMatchObject({
        Arn: "acs:ram::1234567890123456:assumed-role/test-role/test-session",
        IdentityType: "AssumedRoleUser",
        RoleId: "312345678901234560",
        PrincipalId: "312345678901234560:test-session"
      })
      yield* expectError(
        yield* signedV3(emulator, { ...sts, securityToken: "forged" }),
        400,
        "InvalidSecurityToken.MismatchWithAccessKey"
      )
      const { securityToken: _, ...withoutToken } = sts
      yield* expectError(yield* signedV3(emulator, withoutToken), 400, "MissingSecurityToken")
      yield* TestClock.adjust("15 minutes")
      yield* expectError(yield* signedV3(emulator, sts), 400, "InvalidSecurityToken.Expired")
      const last = Option.getOrThrow(yield* emulator.lastRequest("sts"))
      expect(last.headers["x-acs-security-token"]).toBe(sts.securityToken)
    }))

  it.scoped("AssumeRole signed with v3 (parameters in a form body) issues credentials", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const response = yield* signedV3(emulator, {
        ...testKey,
        action: "AssumeRole",
        body: { RoleArn: "acs:ram::1234567890123456:role/r", RoleSessionName: "v3-session" }
      })
      const body = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(response)
      expect(body.AssumedRoleUser.Arn).toBe("acs:ram::1234567890123456:role/r/v3-session")
      // the body is covered by x-acs-content-sha256
      yield* expectError(
        yield* signedV3(emulator, {
          ...testKey,
          action: "AssumeRole",
          body: { RoleArn: "acs:ram::1234567890123456:role/r", RoleSessionName: "s" },
          tamperBody: (b) => b.replace("role%2Fr", "role%2Fadmin")
        }),
        400,
        "SignatureDoesNotMatch"
      )
    }))

  it.scoped("wrong secret, unknown key, unsupported algorithm", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const mismatch = yield* expectError(
        yield* signedV3(emulator, { ...testKey, accessKeySecret: "wrong" }),
        400,
        "SignatureDoesNotMatch"
      )
      expect(mismatch.Message).toMatch(/server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/)
      yield* expectError(
        yield* signedV3(emulator, { accessKeyId: "nobody", accessKeySecret: "x" }),
        404,
        "InvalidAccessKeyId.NotFound"
      )
      yield* expectError(
        yield* signedV3(emulator, {
          ...testKey,
          tamper: (h) => ({ ...h, authorization: (h["authorization"] ?? "").replace("ACS3-", "ACS4-") })
        }),
        400,
        "InvalidParameter.SignatureMethod"
      )
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).signatureAlgorithm).toBe("ACS4-HMAC-SHA256")
    }))

  it.scoped("IncompleteSignature: malformed Authorization, missing x-acs-date, an unsigned x-acs header", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* expectError(
        yield* signedV3(emulator, { ...testKey, tamper: (h) => ({ ...h, authorization: "ACS3-HMAC-SHA256 junk" }) }),
        400,
        "IncompleteSignature"
      )
      yield* expectError(
        yield* signedV3(emulator, {
          ...testKey,
          tamper: ({ "x-acs-date": _, ...h }) => h
        }),
        400,
        "IncompleteSignature"
      )
      const unsigned = yield* expectError(
        yield* signedV3(emulator, { ...testKey, tamper: (h) => ({ ...h, "x-acs-extra": "1" }) }),
        400,
        "IncompleteSignature"
      )
      expect(unsigned.Message).toContain("x-acs-extra")
    }))

  it.scoped("x-acs-date must be near the Clock; x-acs-signature-nonce must be fresh", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* expectError(
        yield* signedV3(emulator, { ...testKey, date: formatTimestamp(start2024 - 16 * 60 * 1000) }),
        400,
        "InvalidTimeStamp.Expired"
      )
      yield* expectError(
        yield* signedV3(emulator, { ...testKey, date: "2024-01-01 00:00:00" }),
        400,
        "InvalidTimeStamp.Format"
      )
      expect((yield* signedV3(emulator, { ...testKey, nonce: "once" })).status).toBe(200)
      yield* expectError(yield* signedV3(emulator, { ...testKey, nonce: "once" }), 400, "SignatureNonceUsed")
    }))

  it.scoped("a key configured with the root-account identity", () =>
    Effect.gen(function*() {
      yield* at2024
      const root = { accessKeyId: "root", accessKeySecret: "root-secret" }
      const emulator = yield* Emulator.make({
        accessKeys: [{ ...root, identity: { _tag: "Account", accountId: "999" } }],
        roleName: "EcsRole"
      })
      const body = yield* HttpClientResponse.schemaBodyJson(CallerIdentity)(yield* signedV3(emulator, root))
      expect(body).toMatchObject({ AccountId: "999", UserId: "999", Arn: "acs:ram::999:root", IdentityType: "Account" })
    }))
})
