// The direct transport (internal/upstream/nodeTransport.ts) used as a general HttpClient with a
// streamed request body, against node:http listeners on 127.0.0.1: a server that answers before it
// has read the upload, one that streams its answer to the upload, an upload that fails. Live (the
// transport's timers are Node's); every wait is bounded by a short timeout.
import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Stream } from "effect"
import * as Http from "node:http"
import * as HttpTransport from "../src/HttpTransport.js"

/** A listener on 127.0.0.1 answering with `answer`, closed with the scope; `closed` counts closed connections. */
const server = (answer: Http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const listening = Http.createServer(answer).listen(0, "127.0.0.1", () => resume(Effect.succeed(listening)))
    }),
    (listening) => Effect.async<void>((resume) => void listening.close(() => resume(Effect.void)).closeAllConnections())
  ).pipe(Effect.map((listening) => ({
    url: `http://127.0.0.1:${(listening.address() as { port: number }).port}`,
    listening
  })))

const bounded = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.timeout(effect, "3 seconds")

const chunk = new TextEncoder().encode("0123456789")

/** Answers at once and sends the upload back as it comes. */
const echo: Http.RequestListener = (request, response) => {
  response.writeHead(200, { "content-type": "application/octet-stream" })
  request.pipe(response)
}

/** POSTs `body` as a streamed upload through the context's client. */
const upload = (url: string, body: Stream.Stream<Uint8Array, unknown>, contentLength?: number) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.post(url).pipe(
        HttpClientRequest.setBody(HttpBody.stream(body, "application/octet-stream", contentLength))
      )
    ))

describe("NodeTransport: a streamed request body", () => {
  it.scopedLive("a server that answers 413 before reading the upload: the answer comes, the upload stops, the connection closes", () =>
    Effect.gen(function*() {
      const { listening, url } = yield* server((request, response) => {
        request.once("data", () => response.writeHead(413, { "content-type": "text/plain" }).end("too large"))
      })
      const connectionClosed = yield* Deferred.make<void>()
      listening.on(
        "connection",
        (socket) => socket.once("close", () => Deferred.unsafeDone(connectionClosed, Effect.void))
      )
      const uploadStopped = yield* Deferred.make<void>()
      const endless = Stream.concat(Stream.make(chunk), Stream.never).pipe(
        Stream.ensuring(Deferred.succeed(uploadStopped, undefined))
      )
      const response = yield* bounded(upload(url, endless))
      expect(response.status).toBe(413)
      expect(yield* bounded(response.text)).toBe("too large")
      yield* bounded(Deferred.await(uploadStopped))
      yield* bounded(Deferred.await(connectionClosed))
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scopedLive("a server that answers at once and echoes the upload: the whole upload goes out after the answer", () =>
    Effect.gen(function*() {
      const { url } = yield* server(echo)
      const response = yield* bounded(upload(url, Stream.make(chunk, chunk, chunk), 30))
      expect(yield* bounded(response.text)).toBe("012345678901234567890123456789")
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scopedLive("an upload that fails after the answer came: reading the answer fails, typed, and does not wait", () =>
    Effect.gen(function*() {
      const { url } = yield* server(echo)
      const answered = yield* Deferred.make<void>()
      const failing = Stream.concat(
        Stream.make(chunk),
        Stream.fromEffect(Effect.zipRight(Deferred.await(answered), Effect.fail("the upload broke")))
      )
      const response = yield* bounded(upload(url, failing))
      yield* Deferred.succeed(answered, undefined)
      const error = yield* bounded(Effect.flip(response.text))
      expect(error._tag).toBe("ResponseError")
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scopedLive("a call interrupted mid-upload, before any answer: the upload stops and the connection closes", () =>
    Effect.gen(function*() {
      const { listening, url } = yield* server(() => {})
      const connectionClosed = yield* Deferred.make<void>()
      const received = yield* Deferred.make<void>()
      listening.on("connection", (socket) => {
        socket.once("data", () => Deferred.unsafeDone(received, Effect.void))
        socket.once("close", () => Deferred.unsafeDone(connectionClosed, Effect.void))
      })
      const uploadStopped = yield* Deferred.make<void>()
      const endless = Stream.concat(Stream.make(chunk), Stream.never).pipe(
        Stream.ensuring(Deferred.succeed(uploadStopped, undefined))
      )
      const call = yield* Effect.fork(upload(url, endless))
      yield* bounded(Deferred.await(received))
      yield* bounded(Fiber.interrupt(call))
      yield* bounded(Deferred.await(uploadStopped))
      yield* bounded(Deferred.await(connectionClosed))
    }).pipe(Effect.provide(HttpTransport.layer())))
})
