// The direct transport (Node's own http / https: internal/upstream/nodeTransport.ts) against real
// listeners on 127.0.0.1: the TLS handshake is inside the connect timeout, certificates are
// verified, redirects are not followed, a body that stalls after the headers is a read timeout
// (while the body is read), a request outside the pipeline has the layer's connect timeout, a
// connection is kept for the next request to the same host, and every kind of request body goes
// out. Its timers are Node's, not the Clock: live, waiting only for the short timeouts set here.
import { Emulator, Fault, Hostile } from "@effect-alicloud/emulator"
import { HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Stream } from "effect"
import * as Http from "node:http"
import { report } from "../../../bench/src/guard.mjs"
import * as HttpTransport from "../src/HttpTransport.js"
import { currentRequestOptions } from "../src/internal/upstream/transport.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import { tls } from "./loopbackTls.js"
import { accessKey, retryNow, roleArn, withEnv } from "./withEmulator.js"

const role = (stsEndpoint: string) =>
  RamRoleArn.make({
    source: AccessKey.make(accessKey),
    roleArn,
    stsEndpoint,
    connectTimeout: "300 millis",
    readTimeout: "300 millis",
    retrySchedule: retryNow(0)
  })

const pipelineRequest = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.locally(effect, currentRequestOptions, {
    connectTimeout: Duration.seconds(5),
    readTimeout: Duration.millis(300)
  })

/** A listener on 127.0.0.1 answering every request with `answer`, closed with the scope. */
const server = (answer: Http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const listening = Http.createServer(answer).listen(0, "127.0.0.1", () => resume(Effect.succeed(listening)))
    }),
    (listening) => Effect.async<void>((resume) => void listening.close(() => resume(Effect.void)).closeAllConnections())
  ).pipe(Effect.map((listening) => `http://127.0.0.1:${(listening.address() as { port: number }).port}`))

describe("NodeTransport: connect and TLS", () => {
  it.scopedLive("an https endpoint that accepts but never completes the TLS handshake: a connect Timeout", () =>
    Effect.gen(function*() {
      const url = (yield* Hostile.silent).replace(/^http:/, "https:")
      const error = yield* Effect.flip(role(url))
      expect(error).toMatchObject({ _tag: "Timeout", phase: "connect" })
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))

  it.scopedLive("an https endpoint whose certificate this process does not trust: a NetworkError naming the TLS failure, no request sent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ tls, accessKeys: [accessKey] })
      const error = yield* Effect.flip(role(emulator.stsUrl))
      expect(error._tag).toBe("NetworkError")
      expect(error.message).toMatch(/CERT|SIGNATURE|ISSUER/)
      expect((yield* emulator.counters("sts")).received).toBe(0)
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))

  it.scopedLive("an https URL that meets a plain HTTP server: a NetworkError naming the TLS failure as the TLS socket does", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const error = yield* Effect.flip(role(emulator.stsUrl.replace(/^http:/, "https:")))
      expect(error).toMatchObject({ _tag: "NetworkError" })
      expect(error.message).toContain("ERR_SSL_WRONG_VERSION_NUMBER")
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))

  it.scopedLive(
    "outside the pipeline: the layer's connect timeout, on a listener that drops SYNs",
    () =>
      Effect.gen(function*() {
        const url = yield* Hostile.blackhole
        const error = yield* Effect.flip(Effect.flatMap(HttpClient.HttpClient, (client) => client.get(url)))
        expect(error).toMatchObject({
          _tag: "RequestError",
          cause: { _tag: "TransportFailure", reason: "ConnectTimeout" }
        })
      }).pipe(Effect.provide(HttpTransport.layer({ connectTimeout: "300 millis" }))),
    10_000
  )
})

describe("NodeTransport: answers", () => {
  it.scopedLive("a redirect is not followed: the 302 is the answer, its Location gets no request", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const redirecting = yield* server((_, response) =>
        response.writeHead(302, { location: emulator.stsUrl, "content-length": "0" }).end()
      )
      const error = yield* Effect.flip(role(redirecting))
      expect(error).toMatchObject({ _tag: "UpstreamError", status: 302 })
      expect((yield* emulator.counters("sts")).received).toBe(0)
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))

  it.scopedLive("a body that stalls after the headers: a ReadTimeout while the body is read (ResponseError)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.slowDrip(1, "2 seconds"))
      const error = yield* Effect.flip(
        Effect.flatMap(HttpClient.HttpClient, (client) => client.get(emulator.credentialsUri)).pipe(
          Effect.flatMap((response) => Stream.runDrain(response.stream)),
          Effect.scoped,
          pipelineRequest
        )
      )
      expect(error).toMatchObject({
        _tag: "ResponseError",
        cause: { _tag: "TransportFailure", reason: "ReadTimeout" }
      })
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scopedLive("requests to the same host, one after the other: one connection", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const get = Effect.flatMap(HttpClient.HttpClient, (client) => client.get(emulator.credentialsUri)).pipe(
        Effect.flatMap((response) => response.text),
        Effect.scoped,
        pipelineRequest
      )
      yield* get
      const before = report().loopbackConnections
      yield* get
      expect(report().loopbackConnections).toBe(before)
      // through the pipeline too (whose exchange aborts what it leaves unread when it ends)
      const fetch = CredentialsUri.make({ credentialsUri: emulator.credentialsUri })
      yield* fetch
      yield* fetch
      expect(report().loopbackConnections).toBe(before)
      expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(4)
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))
})

describe("NodeTransport: request bodies", () => {
  it.scopedLive("bytes, text, a stream and form data all go out whole", () =>
    Effect.gen(function*() {
      const echo = yield* server((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => response.end(`${request.headers["content-type"] ?? ""}|${Buffer.concat(chunks)}`))
      })
      const client = yield* HttpClient.HttpClient
      const send = (request: HttpClientRequest.HttpClientRequest) =>
        client.execute(request).pipe(Effect.flatMap((response) => response.text), Effect.scoped)
      const post = HttpClientRequest.post(echo)
      expect(yield* send(HttpClientRequest.bodyUint8Array(post, new TextEncoder().encode("bytes")))).toBe(
        "application/octet-stream|bytes"
      )
      expect(yield* send(HttpClientRequest.bodyText(post, "text"))).toBe("text/plain|text")
      const stream = Stream.make("str", "eam").pipe(Stream.encodeText)
      expect(yield* send(HttpClientRequest.bodyStream(post, stream))).toBe("application/octet-stream|stream")
      const form = new FormData()
      form.append("field", "value")
      const answer = yield* send(HttpClientRequest.bodyFormData(post, form))
      expect(answer).toMatch(/^multipart\/form-data; boundary=.*name="field"\r\n\r\nvalue\r\n/s)
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scopedLive("a URL's user info is not sent (no Authorization header made of it)", () =>
    Effect.gen(function*() {
      const echo = yield* server((request, response) => response.end(request.headers.authorization ?? "none"))
      const client = yield* HttpClient.HttpClient
      const url = echo.replace("http://", "http://user:url-password@")
      expect(yield* client.get(url).pipe(Effect.flatMap((response) => response.text), Effect.scoped)).toBe("none")
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scopedLive("a header Node cannot send: a RequestError, not a throw", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const error = yield* Effect.flip(
        client.execute(HttpClientRequest.get("http://127.0.0.1:1/").pipe(HttpClientRequest.setHeader("x-bad", "a\nb")))
      )
      expect(error).toBeInstanceOf(HttpClientError.RequestError)
    }).pipe(Effect.provide(HttpTransport.layer())))
})

describe("NodeTransport: an answer the pipeline drops", () => {
  it.scopedLive(
    "a Content-Length over the cap: MalformedResponse, and the connection is closed at once, not at the read timeout",
    () =>
      Effect.gen(function*() {
        let closed: (() => void) | undefined
        const connectionClosed = Effect.async<void>((resume) => void (closed = () => resume(Effect.void)))
        const huge = yield* server((request, response) => {
          request.socket.once("close", () => closed?.())
          response.writeHead(200, { "content-length": String(1e9) }).write("x".repeat(1024))
        })
        const started = Date.now()
        const error = yield* Effect.flip(
          CredentialsUri.make({
            credentialsUri: `${huge}/credentials`,
            readTimeout: "10 seconds",
            retrySchedule: retryNow(0)
          })
        )
        expect(error._tag).toBe("MalformedResponse")
        yield* connectionClosed
        expect(Date.now() - started).toBeLessThan(5_000)
      }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})),
    15_000
  )
})

describe("NodeTransport: an answer's body read more than once", () => {
  const answer = (response: Http.ServerResponse) => response.end("{\"RequestId\":\"r-1\"}")

  it.scopedLive("read whole twice (text, then json, then a stream): the same body each time, no second wait", () =>
    Effect.gen(function*() {
      const url = yield* server((_, response) => answer(response))
      const response = yield* (yield* HttpClient.HttpClient).get(url)
      const [text, again, json] = yield* Effect.all([response.text, response.text, response.json])
      expect([text, again]).toEqual(["{\"RequestId\":\"r-1\"}", "{\"RequestId\":\"r-1\"}"])
      expect(json).toEqual({ RequestId: "r-1" })
      const streamed = yield* Stream.runCollect(Stream.decodeText(response.stream))
      expect([...streamed].join("")).toBe(text)
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scopedLive("read as a stream, then whole: a typed ResponseError at once (it waited forever before)", () =>
    Effect.gen(function*() {
      const url = yield* server((_, response) => answer(response))
      const response = yield* (yield* HttpClient.HttpClient).get(url)
      yield* Stream.runDrain(response.stream)
      const error = yield* Effect.flip(response.text)
      expect(error).toBeInstanceOf(HttpClientError.ResponseError)
      expect(error.message).toContain("the body was already read as a stream")
      expect((yield* Effect.flip(Stream.runDrain(response.stream))).message).toContain("already read as a stream")
    }).pipe(Effect.provide(HttpTransport.layer())))
})
