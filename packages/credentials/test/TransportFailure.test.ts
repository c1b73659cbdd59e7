// The Node transport hands undici's failures on typed (internal/upstream/transport.ts): the
// HttpClientError's cause is a TransportFailure saying what happened, before the answer
// (RequestError) and while its body is read (ResponseError), and the pipeline reads only that. A
// transport of the user's own gives no TransportFailure: its failures are NetworkErrors.
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { HttpClient, HttpClientError } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, Stream } from "effect"
import * as HttpTransport from "../src/HttpTransport.js"
import { currentRequestOptions, TransportFailure } from "../src/internal/upstream/transport.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as LoopbackProxy from "./loopbackProxy.js"
import * as ProxiedUpstream from "./proxiedUpstream.js"
import { retryNow, withEnv } from "./withEmulator.js"

/** The cause of the HttpClientError `effect` fails with. */
const causeOf = <A, R>(effect: Effect.Effect<A, HttpClientError.HttpClientError, R>) =>
  Effect.map(Effect.flip(effect), (error) => ({ tag: error._tag, cause: error.cause }))

const get = (url: string) => Effect.flatMap(HttpClient.HttpClient, (client) => client.get(url))

/** GET `url` and read the whole body as the pipeline does (the stream). */
const getAll = (url: string) =>
  get(url).pipe(Effect.flatMap((response) => Stream.runDrain(response.stream)), Effect.scoped)

describe("TransportFailure: the Node transport", () => {
  it.scoped("connection refused: a RequestError whose cause is Unreachable (ECONNREFUSED)", () =>
    Effect.gen(function*() {
      const port = yield* LoopbackProxy.closedPort
      const { cause, tag } = yield* causeOf(get(`http://127.0.0.1:${port}/`))
      expect(tag).toBe("RequestError")
      expect(cause).toBeInstanceOf(TransportFailure)
      expect(cause).toMatchObject({ reason: "Unreachable", code: "ECONNREFUSED" })
      expect((cause as TransportFailure).message).toBe("connection refused (ECONNREFUSED)")
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scoped("reset before the answer, and a body cut short: ClosedEarly, before (RequestError) and while reading (ResponseError)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.reset, { times: 1 })
      const reset = yield* causeOf(getAll(emulator.credentialsUri))
      expect(reset.tag).toBe("RequestError")
      expect(reset.cause).toMatchObject({ _tag: "TransportFailure", reason: "ClosedEarly" })
      yield* emulator.setFault("credentials-uri", Fault.truncatedBody, { times: 1 })
      const truncated = yield* causeOf(getAll(emulator.credentialsUri))
      expect(truncated.tag).toBe("ResponseError")
      expect(truncated.cause).toMatchObject({ _tag: "TransportFailure", reason: "ClosedEarly" })
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scoped("a proxy that answers CONNECT with 407: ProxyRefused with the status", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const proxy = yield* LoopbackProxy.make
      yield* proxy.setMode({ _tag: "refuse", status: 407 })
      const { cause } = yield* causeOf(getAll(ProxiedUpstream.proxied(emulator.credentialsUri))).pipe(
        Effect.locally(currentRequestOptions, {
          connectTimeout: Duration.seconds(5),
          readTimeout: Duration.seconds(5),
          proxy: Redacted.make(proxy.url)
        })
      )
      expect(cause).toMatchObject({ _tag: "TransportFailure", reason: "ProxyRefused", status: 407 })
    }).pipe(Effect.provide(HttpTransport.layer())))

  // The transport's timers are Node's, not the Clock: live, waiting only for the 300 ms set here.
  it.scopedLive("no answer within the request's read timeout: ReadTimeout", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.setFault("credentials-uri", Fault.hang)
      const { cause } = yield* causeOf(getAll(emulator.credentialsUri)).pipe(
        Effect.locally(currentRequestOptions, {
          connectTimeout: Duration.seconds(5),
          readTimeout: Duration.millis(300)
        })
      )
      expect(cause).toMatchObject({ _tag: "TransportFailure", reason: "ReadTimeout" })
    }).pipe(Effect.provide(HttpTransport.layer())))
})

describe("TransportFailure: an HttpClient of the user's own", () => {
  it.effect("its failure, whatever its cause says, is a NetworkError of the pipeline", () =>
    Effect.gen(function*() {
      // a cause with a system code: the pipeline does not read transports' codes
      const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
      const client = Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request) =>
          Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
        )
      )
      const error = yield* Effect.flip(
        CredentialsUri.make({ credentialsUri: "http://127.0.0.1:1/credentials", retrySchedule: retryNow(0) })
      ).pipe(Effect.provide(client), withEnv({}))
      expect(error).toMatchObject({ _tag: "NetworkError", detail: "transport error" })
    }))
})
