// The answer of the direct transport (nodeTransport.ts): Node's IncomingMessage as the platform's
// HttpClientResponse. Its body comes off the socket once: by the pipeline straight from Node's
// events, under its cap (`readBounded`, transport.ts), as a stream, or whole (`text`, `json`...),
// which is kept for every later whole read or stream, as @effect/platform's own clients keep it. A
// read after the body went to a stream or the pipeline fails at once (it would wait for data that
// never comes). A failure of the connection while the body is on its way (the read timer, a reset)
// is kept from the moment it happens, so that a body read later fails with it instead of reading
// as a short one.
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import { concatBytes } from "../decode/bytes.js"
import { transportFailure } from "./failureCodes.js"
import { type BoundedRead, readBounded, renderResponse, TransportFailure } from "./transport.js"

const closedEarly = () =>
  new TransportFailure({ reason: "ClosedEarly", detail: "the connection closed before the answer was complete" })

export class NodeResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse, BoundedRead {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  #failure: TransportFailure | undefined
  // The whole body, once a whole read has started; what took the body otherwise, if anything.
  #whole: Deferred.Deferred<Uint8Array, HttpClientError.ResponseError> | undefined
  #taken: string | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Http.IncomingMessage
  ) {
    super()
    source.on("error", (error) => this.#failure ??= transportFailure(error))
  }

  // A failure of the connection is typed (its code, or the transport's own TransportFailure); any
  // other (a JSON syntax error, the platform's MaxBodySize) is kept as it is.
  readonly #error = (cause: unknown) =>
    new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      cause: cause instanceof TransportFailure || typeof (cause as { code?: unknown } | undefined)?.code === "string"
        ? transportFailure(cause)
        : cause
    })

  // A read that cannot happen: it would wait for data that never comes.
  readonly #unreadable = (description: string) =>
    new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", description })

  // Takes the body for `reader`, or says which reader took it first.
  #take(reader: string): HttpClientError.ResponseError | undefined {
    const by = this.#taken
    this.#taken ??= reader
    return by === undefined ? undefined : this.#unreadable(`the body was already read ${by}`)
  }

  // A body whose connection already failed, or closed before it was complete, cannot be read.
  #broken(): TransportFailure | undefined {
    if (this.#failure !== undefined) return this.#failure
    return this.source.destroyed && !this.source.complete ? closedEarly() : undefined
  }

  // The body from Node's own events, no Stream: the whole of it, or undefined as soon as it passes
  // `maxBytes` (the answer is then destroyed: nothing more is read). Interrupted, the answer is
  // destroyed too. A connection that closes before the end fails the read at once.
  [readBounded](maxBytes: number): Effect.Effect<Uint8Array | undefined, HttpClientError.ResponseError> {
    return Effect.async((resume) => {
      const taken = this.#take("by the credentials pipeline")
      if (taken !== undefined) return resume(Effect.fail(taken))
      const broken = this.#broken()
      if (broken !== undefined) return resume(Effect.fail(this.#error(broken)))
      const source = this.source
      if (source.readableEnded) return resume(Effect.succeed(new Uint8Array(0)))
      const chunks: Array<Uint8Array> = []
      let size = 0
      const settle = (result: Effect.Effect<Uint8Array | undefined, HttpClientError.ResponseError>) => {
        stop()
        resume(result)
      }
      const onData = (chunk: Uint8Array) => {
        size += chunk.length
        if (size <= maxBytes) return void chunks.push(chunk)
        settle(Effect.succeed(undefined))
        source.destroy()
      }
      const onEnd = () => settle(Effect.succeed(concatBytes(chunks, size)))
      const onError = (error: unknown) => settle(Effect.fail(this.#error(error)))
      const onClose = () => settle(Effect.fail(this.#error(this.#failure ?? closedEarly())))
      const stop = () => {
        source.off("data", onData)
        source.off("end", onEnd)
        source.off("error", onError)
        source.off("close", onClose)
      }
      source.on("data", onData)
      source.once("end", onEnd)
      source.once("error", onError)
      source.once("close", onClose)
      return Effect.sync(() => {
        stop()
        source.destroy()
      })
    })
  }

  get status(): number {
    return this.source.statusCode ?? 0
  }

  get headers(): Headers.Headers {
    return Headers.fromInput(this.source.headers)
  }

  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.source.socket?.remoteAddress)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.suspend(() => {
      // read whole already (or being read): the kept body, in one chunk
      if (this.#whole !== undefined) return Stream.fromEffect(Deferred.await(this.#whole))
      const taken = this.#take("as a stream")
      if (taken !== undefined) return Stream.fail(taken)
      const broken = this.#broken()
      return broken === undefined
        ? NodeStream.fromReadable<HttpClientError.ResponseError>(() => this.source, this.#error)
        : Stream.fail(this.#error(broken))
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(
      this.#bytes,
      (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    )
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.#bytes, (bytes) => new TextDecoder().decode(bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text) as unknown),
        catch: this.#error
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.arrayBuffer, (body) =>
      Effect.tryPromise({
        try: () => new Response(body, { headers: this.headers }).formData(),
        catch: this.#error
      }))
  }

  // The whole body, under the platform's MaxBodySize (the first reader's) if one is set, read once
  // and kept: every later whole read gets the same bytes, or the same failure. A first read that is
  // interrupted leaves the body half read: the later ones fail.
  get #bytes(): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    return Effect.suspend(() => {
      if (this.#whole !== undefined) return Deferred.await(this.#whole)
      const taken = this.#take("whole")
      if (taken !== undefined) return Effect.fail(taken)
      const whole = Deferred.unsafeMake<Uint8Array, HttpClientError.ResponseError>(FiberId.none)
      this.#whole = whole
      const read = Effect.flatMap(HttpIncomingMessage.MaxBodySize, (maxBytes) => {
        const broken = this.#broken()
        return broken === undefined
          ? NodeStream.toUint8Array(() => this.source, {
            onFailure: this.#error,
            maxBytes: Option.getOrUndefined(maxBytes)
          })
          : Effect.fail(this.#error(broken))
      })
      return read.pipe(
        Effect.exit,
        Effect.flatMap((exit) => Deferred.done(whole, exit)),
        Effect.onInterrupt(() => Deferred.fail(whole, this.#unreadable("an interrupted read left the body half read"))),
        Effect.zipRight(Deferred.await(whole))
      )
    })
  }

  toJSON(): unknown {
    return renderResponse(this)
  }
}
