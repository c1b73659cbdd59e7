import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as Fault from "../src/Fault.js"
import { assumeRole, at2024, send, StsError, StsSuccess, testKey, UriCredentials } from "./helpers.js"

const getUri = (emulator: Emulator.EmulatorShape) => send(HttpClientRequest.get(emulator.credentialsUri))

/** Waits (by yielding, never by sleeping) until some fiber is blocked in a TestClock sleep. */
const untilSleeping = Effect.yieldNow().pipe(
  Effect.zipRight(TestClock.sleeps()),
  Effect.repeat({ until: (sleeps) => Chunk.size(sleeps) > 0, times: 100_000 })
)

describe("faults", () => {
  it.scoped("HttpError on STS: the STS error shape for the next N requests, then normal answers", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      yield* emulator.setFault("sts", Fault.serviceUnavailable, { times: 2 })
      for (let i = 0; i < 2; i++) {
        const response = yield* assumeRole(emulator, testKey)
        expect(response.status).toBe(503)
        const body = yield* HttpClientResponse.schemaBodyJson(StsError)(response)
        expect(body.Code).toBe("ServiceUnavailable")
        expect(body.HostId).toBe(emulator.stsEndpoint)
      }
      expect((yield* assumeRole(emulator, testKey)).status).toBe(200)
      expect(yield* emulator.counters("sts")).toEqual({ received: 3, succeeded: 1, failed: 2, faulted: 2 })
    }))

  it.scoped("throttling with 429 on the metadata token endpoint, until cleared", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("metadata-token", Fault.throttling(429))
      const put = HttpClientRequest.put(`${emulator.metadataUrl}/latest/api/token`).pipe(
        HttpClientRequest.setHeader("x-aliyun-ecs-metadata-token-ttl-seconds", "21600")
      )
      for (let i = 0; i < 3; i++) {
        const response = yield* send(put)
        expect(response.status).toBe(429)
        expect(yield* response.json).toMatchObject({ Code: "Throttling.User" })
      }
      yield* emulator.clearFaults
      expect((yield* send(put)).status).toBe(200)
    }))

  it.scoped("httpError with a custom code and RawBody", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.httpError(403, "Forbidden", "no"), { times: 1 })
      const forbidden = yield* getUri(emulator)
      expect(forbidden.status).toBe(403)
      expect(yield* forbidden.json).toMatchObject({ Code: "Forbidden", Message: "no" })

      yield* emulator.setFault("metadata-credentials", Fault.rawBody(200, `{"Code":"Failed"}`), { times: 1 })
      const raw = yield* send(HttpClientRequest.get(`${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/EcsRamRole`))
      expect(raw.status).toBe(200)
      expect(yield* raw.text).toBe(`{"Code":"Failed"}`)
    }))

  it.scoped("MalformedBody: status 200 and a JSON content type, but not JSON", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.malformedBody, { times: 1 })
      const response = yield* getUri(emulator)
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toContain("application/json")
      const decoded = yield* Effect.either(HttpClientResponse.schemaBodyJson(UriCredentials)(response))
      expect(decoded._tag).toBe("Left")
      expect(yield* emulator.counters("credentials-uri")).toEqual({ received: 1, succeeded: 0, failed: 0, faulted: 1 })
    }))

  it.scoped("MissingField drops the field (inside Credentials for STS)", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      yield* emulator.setFault("sts", Fault.missingField("SecurityToken"), { times: 1 })
      const body = yield* Effect.flatMap(assumeRole(emulator, testKey), (r) => r.json)
      expect(body).toMatchObject({ Credentials: { AccessKeyId: expect.any(String) } })
      expect(Schema.is(StsSuccess)(body)).toBe(false)
      expect(JSON.stringify(body)).not.toContain("SecurityToken")

      yield* emulator.setFault("credentials-uri", Fault.missingField("Expiration"), { times: 1 })
      const uri = yield* Effect.flatMap(getUri(emulator), (r) => r.json)
      expect(uri).toMatchObject({ Code: "Success" })
      expect(uri).not.toHaveProperty("Expiration")
    }))

  it.scoped("TruncatedBody: headers and half the body, then the connection ends", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.truncatedBody, { times: 1 })
      const response = yield* getUri(emulator)
      expect(response.status).toBe(200)
      const body = yield* Effect.either(response.text)
      expect(body._tag).toBe("Left")
      // the next request is served normally
      expect((yield* getUri(emulator)).status).toBe(200)
    }))

  it.scoped("Close and Reset: the connection ends without a response", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      for (const fault of [Fault.close, Fault.reset]) {
        yield* emulator.setFault("credentials-uri", fault, { times: 1 })
        const error = yield* Effect.flip(getUri(emulator))
        expect(error._tag).toBe("RequestError")
        expect(error.reason).toBe("Transport")
      }
      expect((yield* getUri(emulator)).status).toBe(200)
      expect(yield* emulator.counters("credentials-uri")).toEqual({ received: 3, succeeded: 1, failed: 0, faulted: 2 })
    }))

  it.scoped("Delay waits on the Clock (virtual under TestClock) before answering", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.delay("30 seconds"), { times: 1 })
      const fiber = yield* Effect.fork(getUri(emulator))
      yield* emulator.awaitRequests("credentials-uri", 1)
      yield* untilSleeping
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("30 seconds")
      const response = yield* Fiber.join(fiber)
      expect(response.status).toBe(200)
      expect(yield* emulator.counters("credentials-uri")).toEqual({ received: 1, succeeded: 1, failed: 0, faulted: 1 })
    }))

  it.scoped("Hang never answers: a client-side timeout (on the TestClock) ends the wait", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("metadata-role", Fault.hang)
      const fiber = yield* send(HttpClientRequest.get(`${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/`))
        .pipe(Effect.timeout("1 second"), Effect.flip, Effect.fork)
      yield* emulator.awaitRequests("metadata-role", 1)
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("TimeoutException")
    }))

  it.scoped("closing the emulator's scope ends hung connections", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const emulator = yield* Scope.extend(Emulator.make(), scope)
      yield* emulator.setFault("credentials-uri", Fault.hang)
      const fiber = yield* Effect.fork(Effect.either(getUri(emulator)))
      yield* emulator.awaitRequests("credentials-uri", 1)
      yield* Scope.close(scope, Exit.void)
      const result = yield* Fiber.join(fiber)
      expect(result._tag).toBe("Left")
    }))

  it.scoped("requests, lastRequest and reset", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      yield* assumeRole(emulator, testKey)
      yield* getUri(emulator)
      yield* emulator.setFault("sts", Fault.internalError)
      yield* emulator.setExpiry("sts", "1 minute")
      expect((yield* emulator.requests("sts")).length).toBe(1)
      expect(Option.isSome(yield* emulator.lastRequest("credentials-uri"))).toBe(true)
      yield* emulator.reset
      expect(yield* emulator.requests("sts")).toEqual([])
      expect(Option.isNone(yield* emulator.lastRequest("credentials-uri"))).toBe(true)
      expect(yield* emulator.counters("sts")).toEqual({ received: 0, succeeded: 0, failed: 0, faulted: 0 })
      // faults and expiry overrides are gone; issued ids keep counting
      const body = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(yield* assumeRole(emulator, testKey))
      expect(body.Credentials.Expiration).toBe("2024-01-01T01:00:00Z")
      expect(body.Credentials.AccessKeyId).toBe("STS.emu-000003")
    }))
})
