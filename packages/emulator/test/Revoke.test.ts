// Revoking a session or a key through the control API (and the service method), on the TestClock.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import { assumeRole, at2024, send, signedV3, StsError, StsSuccess, testKey } from "./helpers.js"

const codeOf = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(
    HttpClientResponse.schemaBodyJson(StsError)(response),
    (body) => ({ status: response.status, code: body.Code })
  )

const revoke = (emulator: Emulator.EmulatorShape, accessKeyId: string) =>
  send(
    HttpClientRequest.post(`${emulator.controlUrl}/revoke`).pipe(HttpClientRequest.bodyUnsafeJson({ accessKeyId }))
  ).pipe(Effect.flatMap((r) => Effect.map(r.json, (body) => ({ status: r.status, body }))))

describe("revoking sessions and keys", () => {
  it.scoped("POST /revoke: an issued session is refused with InvalidSecurityToken.Expired from then on; a new one works", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      const issue = Effect.flatMap(assumeRole(emulator, testKey), HttpClientResponse.schemaBodyJson(StsSuccess))
      const first = (yield* issue).Credentials
      const session = {
        accessKeyId: first.AccessKeyId,
        accessKeySecret: first.AccessKeySecret,
        securityToken: first.SecurityToken
      }
      expect((yield* signedV3(emulator, session)).status).toBe(200)
      expect(yield* revoke(emulator, session.accessKeyId)).toEqual({ status: 200, body: { revoked: true } })
      expect(yield* codeOf(yield* signedV3(emulator, session))).toEqual({
        status: 400,
        code: "InvalidSecurityToken.Expired"
      })
      // the signing key itself still works, and a new session is accepted
      const second = (yield* issue).Credentials
      expect(
        (yield* signedV3(emulator, {
          accessKeyId: second.AccessKeyId,
          accessKeySecret: second.AccessKeySecret,
          securityToken: second.SecurityToken
        })).status
      ).toBe(200)
    }))

  it.scoped("a key pair without a token is removed (InvalidAccessKeyId.NotFound); unknown keys answer false; reset restores", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      expect(yield* emulator.revoke(testKey.accessKeyId)).toBe(true)
      expect(yield* codeOf(yield* signedV3(emulator, testKey))).toEqual({
        status: 404,
        code: "InvalidAccessKeyId.NotFound"
      })
      expect(yield* revoke(emulator, "no-such-key")).toEqual({ status: 200, body: { revoked: false } })
      expect((yield* revoke(emulator, "")).status).toBe(400)
      yield* emulator.reset
      expect((yield* signedV3(emulator, testKey)).status).toBe(200)
    }))
})
