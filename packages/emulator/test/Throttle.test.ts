// STS's rate limit per signing AccessKey ID: a token bucket on the Clock, `Throttling.User` (HTTP
// 400, the service's message) beyond it, the throttled answers counted; off by default.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import { assumeRole, assumeRoleWithOidc, at2024, roleArn, send, StsError, testKey } from "./helpers.js"

const otherKey = { accessKeyId: "otherAccessKeyId", accessKeySecret: "otherAccessKeySecret" } as const
const oidcBody = {
  RoleArn: roleArn,
  OIDCProviderArn: "acs:ram::1234567890123456:oidc-provider/test",
  OIDCToken: "a-token",
  RoleSessionName: "s"
}

const statuses = (n: number, request: Effect.Effect<HttpClientResponse.HttpClientResponse, unknown>) =>
  Effect.forEach(Array.from({ length: n }), () => Effect.map(request, (r) => r.status))

describe("STS rate limit", () => {
  it.scoped("off by default: 30 requests at once all succeed", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      expect(yield* statuses(30, assumeRole(emulator, testKey))).toEqual(Array(30).fill(200))
      expect(yield* emulator.throttled).toBe(0)
    }))

  it.scoped("beyond the burst: HTTP 400 Throttling.User with the service's message; refilled on the Clock", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({
        accessKeys: [testKey, otherKey],
        rateLimit: { perSecond: 10, burst: 3 }
      })
      expect(yield* statuses(3, assumeRole(emulator, testKey))).toEqual([200, 200, 200])
      const throttled = yield* assumeRole(emulator, testKey)
      expect(throttled.status).toBe(400)
      const body = yield* HttpClientResponse.schemaBodyJson(StsError)(throttled)
      expect(body.Code).toBe("Throttling.User")
      expect(body.Message).toBe("Request was denied due to user flow control.")
      // Per signing key: another key has its own bucket
      expect((yield* assumeRole(emulator, otherKey)).status).toBe(200)
      // 10 per second: one token every 100 ms
      yield* TestClock.adjust("100 millis")
      expect(yield* statuses(2, assumeRole(emulator, testKey))).toEqual([200, 400])
      expect(yield* emulator.throttled).toBe(2)
      expect((yield* emulator.counters("sts")).failed).toBe(2)
      // AssumeRoleWithOIDC: per OIDC provider
      expect(yield* statuses(4, assumeRoleWithOidc(emulator, oidcBody))).toEqual([200, 200, 200, 400])
      expect(yield* emulator.throttled).toBe(3)
    }))

  it.scoped("the control API sets the limit and reports the count; reset restores the start option", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      const set = yield* send(
        HttpClientRequest.post(`${emulator.controlUrl}/rate-limit`).pipe(
          HttpClientRequest.bodyUnsafeJson({ perSecond: 1, burst: 1 })
        )
      )
      expect(set.status).toBe(200)
      expect(yield* statuses(2, assumeRole(emulator, testKey))).toEqual([200, 400])
      const count = yield* send(HttpClientRequest.get(`${emulator.controlUrl}/rate-limit`))
      expect(yield* HttpClientResponse.schemaBodyJson(Schema.Struct({ throttled: Schema.Number }))(count)).toEqual({
        throttled: 1
      })
      const bad = yield* send(
        HttpClientRequest.post(`${emulator.controlUrl}/rate-limit`).pipe(
          HttpClientRequest.bodyUnsafeJson({ perSecond: 0 })
        )
      )
      expect(bad.status).toBe(400)
      yield* emulator.reset
      expect(yield* emulator.throttled).toBe(0)
      expect(yield* statuses(3, assumeRole(emulator, testKey))).toEqual([200, 200, 200])
    }))

  it.scoped("an invalid rateLimit option is refused at start", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Emulator.make({ rateLimit: { perSecond: -1 } }))
      expect(error.message).toContain("rateLimit.perSecond")
    }))
})
