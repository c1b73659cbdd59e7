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
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Http from "node:http"
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
      const raw = yield* send(
        HttpClientRequest.get(`${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/EcsRamRole`)
      )
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
      const fiber = yield* send(
        HttpClientRequest.get(`${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/`)
      )
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

/** A GET with node:http that reads at most `limit` body bytes, then destroys the request. Bounded by `deadline` ms. */
const readUpTo = (url: string, limit: number, deadline = 20_000) =>
  Effect.async<
    { status: number; headers: Http.IncomingHttpHeaders; bytes: number; ended: boolean; onlySpaces: boolean },
    Error
  >(
    (resume) => {
      let bytes = 0
      let onlySpaces = true
      const request = Http.get(url, (res) => {
        const done = (ended: boolean) => {
          clearTimeout(timer)
          request.destroy()
          resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, bytes, ended, onlySpaces }))
        }
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length
          if (onlySpaces && chunk.some((b) => b !== 0x20)) onlySpaces = false
          if (bytes >= limit) done(false)
        })
        res.on("end", () => done(true))
        res.on("error", (e) => resume(Effect.fail(e)))
      })
      request.on("error", (e) => resume(Effect.fail(e)))
      const timer = setTimeout(() => {
        request.destroy()
        resume(Effect.fail(new Error(`no answer within ${deadline} ms (${bytes} bytes read)`)))
      }, deadline)
      return Effect.sync(() => {
        clearTimeout(timer)
        request.destroy()
      })
    }
  )

describe("hostile faults", () => {
  it.scoped(
    "HugeBody: status 200, JSON, Content-Length = bytes, and exactly that many bytes of spaces, streamed",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make()
        const bytes = 100 * 1024 * 1024 + 7
        yield* emulator.setFault("credentials-uri", Fault.hugeBody(bytes), { times: 1 })
        const before = process.memoryUsage()
        const result = yield* readUpTo(emulator.credentialsUri, Infinity, 30_000)
        const after = process.memoryUsage()
        expect(result.status).toBe(200)
        expect(result.headers["content-type"]).toContain("application/json")
        expect(result.headers["content-length"]).toBe(String(bytes))
        expect(result).toMatchObject({ bytes, ended: true, onlySpaces: true })
        // never built in memory: the emulator holds one 64 KiB buffer, not 100 MB
        expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024)
        expect(yield* emulator.counters("credentials-uri")).toEqual({
          received: 1,
          succeeded: 0,
          failed: 0,
          faulted: 1
        })
        expect((yield* getUri(emulator)).status).toBe(200)
      }),
    60_000
  )

  it.scoped("HugeBody on STS through the control API's JSON form", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ accessKeys: [testKey] })
      const posted = yield* send(
        HttpClientRequest.post(`${emulator.controlUrl}/faults/sts`).pipe(
          HttpClientRequest.bodyUnsafeJson({ fault: { _tag: "HugeBody", bytes: 1000 }, times: 1 })
        )
      )
      expect(posted.status).toBe(200)
      const response = yield* assumeRole(emulator, testKey)
      expect(response.status).toBe(200)
      expect(yield* response.text).toBe(" ".repeat(1000))
    }))

  it.scoped("EndlessBody: status 200, chunked, no Content-Length, keeps sending; the client reads 1 MB and aborts", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("metadata-credentials", Fault.endlessBody, { times: 1 })
      const url = `${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/EcsRamRole`
      const result = yield* readUpTo(url, 1024 * 1024)
      expect(result.status).toBe(200)
      expect(result.headers["content-type"]).toContain("application/json")
      expect(result.headers["transfer-encoding"]).toBe("chunked")
      expect(result.headers["content-length"]).toBeUndefined()
      expect(result.ended).toBe(false)
      expect(result.bytes).toBeGreaterThanOrEqual(1024 * 1024)
      expect(result.onlySpaces).toBe(true)
      // the emulator goes on serving (the endless answer stopped with its connection)
      expect((yield* send(HttpClientRequest.get(url))).status).toBe(200)
    }))

  it.scoped("EndlessBody: closing the emulator ends the endless answer", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const emulator = yield* Scope.extend(Emulator.make(), scope)
      yield* emulator.setFault("credentials-uri", Fault.endlessBody)
      const response = yield* getUri(emulator)
      expect(response.status).toBe(200)
      const fiber = yield* Effect.fork(Effect.either(Stream.runDrain(response.stream)))
      yield* Scope.close(scope, Exit.void)
      const result = yield* Fiber.join(fiber).pipe(Effect.timeout("10 seconds"))
      expect(result._tag).toBe("Left")
    }))

  it.scoped("SlowDrip: the normal answer in small pieces, an Effect sleep (TestClock) between them", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.slowDrip(16, "5 seconds"), { times: 1 })
      // the status and headers come with the first piece
      const response = yield* getUri(emulator)
      expect(response.status).toBe(200)
      const length = Number(response.headers["content-length"])
      expect(length).toBeGreaterThan(100)
      const pieces = Math.ceil(length / 16)
      const fiber = yield* Effect.fork(
        Stream.runFold(response.stream, { chunks: 0, text: "" }, (acc, chunk) => ({
          chunks: acc.chunks + 1,
          text: acc.text + new TextDecoder().decode(chunk)
        }))
      )
      let adjustments = 0
      for (let i = 0; i < pieces + 5; i++) {
        // wait (by yielding) until the emulator sleeps before its next piece, or the body is complete
        yield* Effect.yieldNow().pipe(
          Effect.zipRight(Effect.zip(TestClock.sleeps(), Fiber.poll(fiber))),
          Effect.repeat({ until: ([sleeps, done]) => Chunk.size(sleeps) > 0 || Option.isSome(done), times: 100_000 })
        )
        if (Option.isSome(yield* Fiber.poll(fiber))) break
        yield* TestClock.adjust("5 seconds")
        adjustments++
      }
      const body = yield* Fiber.join(fiber)
      expect(adjustments).toBe(pieces - 1)
      expect(body.chunks).toBeGreaterThanOrEqual(2)
      expect(new TextEncoder().encode(body.text).length).toBe(length)
      expect(Schema.is(UriCredentials)(JSON.parse(body.text))).toBe(true)
      expect(yield* emulator.counters("credentials-uri")).toEqual({ received: 1, succeeded: 0, failed: 0, faulted: 1 })
    }))

  it.scoped("DeepJson: [ x depth then ] x depth, status 200 by default (200,000 deep) or the one given", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.deepJson(), { times: 1 })
      const response = yield* getUri(emulator)
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toContain("application/json")
      const text = yield* response.text
      expect(text.length).toBe(400_000)
      expect(text).toBe("[".repeat(200_000) + "]".repeat(200_000))

      yield* emulator.setFault("metadata-token", Fault.deepJson(3, 503), { times: 1 })
      const put = yield* send(HttpClientRequest.put(`${emulator.metadataUrl}/latest/api/token`))
      expect(put.status).toBe(503)
      expect(yield* put.text).toBe("[[[]]]")
    }))

  it.scoped("EchoRequest on STS: the STS error shape, Message echoing the URL with its encoded query and the raw body", () =>
    Effect.gen(function*() {
      yield* at2024
      const securityToken = "CAIS+token/with=specials&more"
      const key = { ...testKey, securityToken }
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      yield* emulator.setFault("sts", Fault.echoRequest(400), { times: 1 })
      const response = yield* assumeRole(emulator, key)
      expect(response.status).toBe(400)
      const body = yield* HttpClientResponse.schemaBodyJson(StsError)(response)
      expect(body.Code).toBe("EchoedRequest")
      const encoded = new URLSearchParams({ SecurityToken: securityToken }).toString()
      expect(encoded).toContain("%2F")
      expect(body.Message).toContain(`POST http://${emulator.stsEndpoint}/?`)
      expect(body.Message).toContain(encoded)
      expect(body.Message).toContain("Signature=")
      expect(body.Message).toContain(
        new URLSearchParams({ RoleArn: "acs:ram::1234567890123456:role/test-role" }).toString()
      )
      expect(yield* emulator.counters("sts")).toEqual({ received: 1, succeeded: 0, failed: 1, faulted: 1 })
    }))

  it.scoped("EchoRequest elsewhere: {Code, Message} with the full URL; a custom code and status", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.echoRequest(500, "InternalError"), { times: 1 })
      const url = `${emulator.credentialsUri}?token=abc%2Fdef%2B%3D`
      const response = yield* send(HttpClientRequest.get(url))
      expect(response.status).toBe(500)
      const body = yield* response.json
      expect(body).toEqual({ Code: "InternalError", Message: expect.any(String) })
      expect((body as { Message: string }).Message).toContain(`GET ${url}`)
    }))

  it("every new fault is plain data the control API's schema decodes", () => {
    for (
      const fault of [
        Fault.hugeBody(100),
        Fault.endlessBody,
        Fault.slowDrip(8, "250 millis"),
        Fault.deepJson(),
        Fault.deepJson(10, 500),
        Fault.echoRequest(),
        Fault.echoRequest(403, "Forbidden")
      ]
    ) {
      expect(Schema.decodeUnknownSync(Fault.Fault)(JSON.parse(JSON.stringify(fault)))).toEqual(fault)
    }
    expect(Fault.slowDrip(8, "250 millis")).toEqual({ _tag: "SlowDrip", chunk: 8, everyMillis: 250 })
    expect(() => Schema.decodeUnknownSync(Fault.Fault)({ _tag: "SlowDrip", chunk: 0, everyMillis: 1 })).toThrow()
  })
})
