// What the upstream pipeline and an HTTP transport tell each other, and nothing else: the options
// of the request in progress (pipeline → transport) and how a request failed (transport →
// pipeline). The pipeline runs on any HttpClient; the Node transport (HttpTransport.ts) reads the
// options and turns its failures (Node's, undici's through a proxy) into a TransportFailure, so
// that the pipeline never reads a transport's error codes or messages.
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import type * as Redacted from "effect/Redacted"

/** What the transport needs to know about one request of the pipeline. */
export interface RequestOptions {
  /** How long to wait for the connection (through a proxy: to the proxy, and its answer to CONNECT). */
  readonly connectTimeout: Duration.Duration
  /** How long to wait for the headers, then for each chunk of the body. */
  readonly readTimeout: Duration.Duration
  /** The proxy URL (may hold credentials: never put it in a message), or none: direct. */
  readonly proxy?: Redacted.Redacted<string> | undefined
}

/**
 * The options of the request in progress, set by the pipeline around each exchange; undefined
 * outside it (a transport then uses its own defaults).
 */
export const currentRequestOptions = FiberRef.unsafeMake<RequestOptions | undefined>(undefined)

/**
 * How a request failed, as a transport knows it. Carried as the `cause` of the HttpClientError
 * (`RequestError` before the answer, `ResponseError` while its body is read).
 *
 * - `ConnectTimeout`: no connection (through a proxy: no answer to CONNECT) within the connect timeout;
 * - `ReadTimeout`: connected, but no headers, or no next chunk of the body, within the read timeout;
 * - `Unreachable`: refused, host not found, host or network unreachable: nothing answered there;
 * - `ClosedEarly`: the connection was reset or closed before the answer was complete;
 * - `ProxyRefused`: the proxy answered CONNECT with `status`, not 200;
 * - `Other`: anything else.
 */
export class TransportFailure extends Data.TaggedError("TransportFailure")<{
  readonly reason: "ConnectTimeout" | "ReadTimeout" | "Unreachable" | "ClosedEarly" | "ProxyRefused" | "Other"
  /** What happened, for a message ("connection refused (ECONNREFUSED)"); never a URL or a secret. */
  readonly detail: string
  /** The system's or the transport's code (ECONNRESET), when it gave one. */
  readonly code?: string | undefined
  /** `ProxyRefused`: the proxy's answer to CONNECT. */
  readonly status?: number | undefined
}> {
  override get message() {
    return this.detail
  }
}

/**
 * A response whose transport reads the body itself, under the pipeline's cap: the whole body, or
 * `undefined` as soon as it passes `maxBytes` (the rest is not read, the connection is dropped).
 * The direct transport's answers have it (nodeResponse.ts): the pipeline then reads them without
 * a Stream, whose machinery costs a short-lived process more than the read itself. Another
 * transport's answer is read from its `stream`, under the same cap.
 */
export const readBounded: unique symbol = Symbol.for("@effect-alicloud/credentials/readBounded")

/** A response with `readBounded` (see it). */
export interface BoundedRead {
  readonly [readBounded]: (maxBytes: number) => Effect.Effect<Uint8Array | undefined, HttpClientError.ResponseError>
}

/** Whether the transport reads this response's body itself (see `readBounded`). */
export const hasBoundedRead = (response: object): response is BoundedRead => readBounded in response

/**
 * A response as `toJSON` shows it without its body: a rendering must not take the body from its
 * reader (the platform's own rendering reads it). Headers redacted as the platform redacts them.
 */
export const renderResponse = (response: HttpClientResponse.HttpClientResponse): unknown => ({
  _id: "@effect/platform/HttpClientResponse",
  request: response.request.toJSON(),
  status: response.status,
  headers: Inspectable.redact(response.headers)
})
