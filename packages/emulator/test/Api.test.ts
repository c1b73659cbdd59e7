// The generic API endpoint (`/api`): any Action, ACS3 or RPC, checked as STS checks its own calls.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as AcsSignature from "../src/AcsSignature.js"
import * as Emulator from "../src/Emulator.js"
import * as RpcSignature from "../src/RpcSignature.js"
import { at2024, formatTimestamp, freshNonce, send, start2024, testKey } from "./helpers.js"

const answer = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(send(request), (r) =>
    Effect.map(r.json, (body) => ({
      status: r.status,
      date: r.headers["date"],
      body: body as Record<string, unknown>
    })))

/** An ACS3 call of any action, with a binary body. */
const acs3 = (emulator: Emulator.EmulatorShape, options: { readonly nonce?: string; readonly body?: Uint8Array }) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const body = options.body ?? new Uint8Array([0, 0xff, 0xfe, 0x80, 10])
    const headers = AcsSignature.signRequest({
      method: "PUT",
      path: "/api/objects/a%20b",
      query: { Name: "x y" },
      headers: {
        host: emulator.stsEndpoint,
        "x-acs-action": "PutObject",
        "x-acs-version": "2024-01-01",
        "x-acs-date": formatTimestamp(now),
        "x-acs-signature-nonce": options.nonce ?? freshNonce(),
        "content-type": "application/octet-stream"
      },
      body,
      accessKeyId: testKey.accessKeyId,
      accessKeySecret: testKey.accessKeySecret
    })
    const { host: _, ...sent } = headers
    return yield* answer(
      HttpClientRequest.put(`${emulator.apiUrl}/objects/a%20b`).pipe(
        HttpClientRequest.setUrlParams({ Name: "x y" }),
        HttpClientRequest.setHeaders(sent),
        HttpClientRequest.bodyUint8Array(body, "application/octet-stream")
      )
    )
  })

/** An RPC call of any action (GET, everything in the query). */
const rpc = (emulator: Emulator.EmulatorShape, secret: string = testKey.accessKeySecret) =>
  Effect.gen(function*() {
    const params = {
      Action: "DescribeRegions",
      Version: "2014-05-26",
      Format: "JSON",
      RegionId: "cn-hangzhou",
      Timestamp: formatTimestamp(yield* Clock.currentTimeMillis),
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: freshNonce(),
      AccessKeyId: testKey.accessKeyId
    }
    const Signature = RpcSignature.signParams("GET", params, secret)
    return yield* answer(
      HttpClientRequest.get(emulator.apiUrl).pipe(
        HttpClientRequest.setUrlParams({ ...params, Signature })
      )
    )
  })

describe("the generic API endpoint", () => {
  it.scoped("accepts any action in ACS3 (binary body) and RPC, and answers the caller and a Date header", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      const v3 = yield* acs3(emulator, {})
      expect(v3.status).toBe(200)
      expect(v3.body).toMatchObject({ Action: "PutObject", Version: "2024-01-01", Path: "/api/objects/a%20b" })
      expect(v3.body.BodyBytes).toBe(5)
      expect(v3.date).toBe(new Date(start2024).toUTCString())
      const v1 = yield* rpc(emulator)
      expect(v1.status).toBe(200)
      expect(v1.body).toMatchObject({ Action: "DescribeRegions", Caller: { IdentityType: "RAMUser" } })
      expect((yield* emulator.counters("api")).succeeded).toBe(2)
    }))

  it.scoped("refuses a replayed nonce, a skewed clock, a wrong signature (with the server's string to sign)", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      expect((yield* acs3(emulator, { nonce: "once" })).status).toBe(200)
      expect((yield* acs3(emulator, { nonce: "once" })).body.Code).toBe("SignatureNonceUsed")
      yield* emulator.setClockSkew("20 minutes")
      const skewed = yield* rpc(emulator)
      expect(skewed.body.Code).toBe("InvalidTimeStamp.Expired")
      expect(skewed.date).toBe(new Date(start2024 + 20 * 60_000).toUTCString())
      yield* emulator.setClockSkew(0)
      const wrong = yield* rpc(emulator, "not-the-secret")
      expect(wrong.body.Code).toBe("SignatureDoesNotMatch")
      expect(wrong.body.Message).toMatch(/server string to sign is:GET&%2F&AccessKeyId%3DtestAccessKeyId%26Action/)
    }))
})
