/**
 * Faults the emulator can inject into an endpoint's next responses. A fault is plain data with a
 * `Schema`, so the control API (`POST /__emulator/faults/<endpoint>`) accepts the same JSON.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

/**
 * Answer with this HTTP status and an error body carrying `Code` and `Message` (STS gets the full
 * STS error shape with `RequestId`, `HostId`, `Recommend`; the other endpoints `{Code, Message}`).
 *
 * @since 0.1.0
 * @category models
 */
export const HttpError = Schema.TaggedStruct("HttpError", {
  status: Schema.Int.pipe(Schema.between(100, 599)),
  code: Schema.String,
  message: Schema.optional(Schema.String)
})

/**
 * Answer with an arbitrary body (e.g. a metadata JSON with `Code: "Failed"`).
 *
 * @since 0.1.0
 * @category models
 */
export const RawBody = Schema.TaggedStruct("RawBody", {
  status: Schema.Int.pipe(Schema.between(100, 599)),
  body: Schema.String,
  contentType: Schema.optional(Schema.String)
})

/**
 * The normal status and headers (`application/json`), but a body that is not JSON.
 *
 * @since 0.1.0
 * @category models
 */
export const MalformedBody = Schema.TaggedStruct("MalformedBody", {})

/**
 * The normal status and headers with the full `Content-Length`, then only the first half of the
 * body, then the connection ends.
 *
 * @since 0.1.0
 * @category models
 */
export const TruncatedBody = Schema.TaggedStruct("TruncatedBody", {})

/**
 * The normal JSON answer without `field` (for STS it is removed from `Credentials`; name
 * `Credentials` to drop the whole object).
 *
 * @since 0.1.0
 * @category models
 */
export const MissingField = Schema.TaggedStruct("MissingField", { field: Schema.String })

/**
 * Wait `millis` (an Effect `sleep`: virtual under `TestClock`) before handling the request normally.
 *
 * @since 0.1.0
 * @category models
 */
export const Delay = Schema.TaggedStruct("Delay", { millis: Schema.NonNegative })

/**
 * Never answer; the connection stays open until the client gives up or the emulator closes.
 *
 * @since 0.1.0
 * @category models
 */
export const Hang = Schema.TaggedStruct("Hang", {})

/**
 * Close the connection (FIN) without sending a response.
 *
 * @since 0.1.0
 * @category models
 */
export const Close = Schema.TaggedStruct("Close", {})

/**
 * Reset the connection (TCP RST) without sending a response.
 *
 * @since 0.1.0
 * @category models
 */
export const Reset = Schema.TaggedStruct("Reset", {})

/**
 * Status 200, `application/json`, `Content-Length: bytes`, then `bytes` bytes of JSON whitespace
 * (spaces), streamed in 64 KiB writes of one shared buffer with back-pressure (never built in
 * memory). A client that buffers whole bodies holds all of it; one with a size cap stops early.
 * Writing stops when the connection closes.
 *
 * @since 0.1.0
 * @category models
 */
export const HugeBody = Schema.TaggedStruct("HugeBody", {
  bytes: Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))
})

/**
 * Status 200, `application/json`, chunked, and a body of spaces that never ends: 64 KiB writes
 * with back-pressure until the client goes away (the connection closes) or the emulator closes.
 *
 * @since 0.1.0
 * @category models
 */
export const EndlessBody = Schema.TaggedStruct("EndlessBody", {})

/**
 * The normal answer (status, content type, full `Content-Length`), sent `chunk` bytes at a time
 * with an Effect `sleep` of `everyMillis` between writes (virtual under `TestClock`, like
 * `Delay`): a per-chunk read timeout longer than `everyMillis` never fires, the whole answer
 * takes `ceil(length / chunk) - 1` sleeps.
 *
 * @since 0.1.0
 * @category models
 */
export const SlowDrip = Schema.TaggedStruct("SlowDrip", {
  chunk: Schema.Int.pipe(Schema.between(1, 1_048_576)),
  everyMillis: Schema.NonNegative
})

/**
 * A JSON document nested `depth` levels deep: `[` × depth then `]` × depth (status 200 unless
 * `status` is given, `application/json`).
 *
 * @since 0.1.0
 * @category models
 */
export const DeepJson = Schema.TaggedStruct("DeepJson", {
  depth: Schema.Int.pipe(Schema.between(1, 50_000_000)),
  status: Schema.optional(Schema.Int.pipe(Schema.between(100, 599)))
})

/**
 * An error answer whose `Message` echoes the request as a proxy or a buggy service would: the
 * method, the full URL as received (path and percent-encoded query string, e.g. a `SecurityToken`
 * or `Signature`) and the raw request body. STS gets the STS error body (`RequestId`, `HostId`,
 * `Code`, `Message`, `Recommend`), every other endpoint `{Code, Message}`. `code` defaults to
 * `EchoedRequest`. For tests that a client scrubs secrets out of the service messages it reports.
 *
 * @since 0.1.0
 * @category models
 */
export const EchoRequest = Schema.TaggedStruct("EchoRequest", {
  status: Schema.Int.pipe(Schema.between(100, 599)),
  code: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export const Fault = Schema.Union(
  HttpError,
  RawBody,
  MalformedBody,
  TruncatedBody,
  MissingField,
  Delay,
  Hang,
  Close,
  Reset,
  HugeBody,
  EndlessBody,
  SlowDrip,
  DeepJson,
  EchoRequest
)

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = typeof Fault.Type

/**
 * @since 0.1.0
 * @category constructors
 */
export const httpError = (status: number, code: string, message?: string): Fault =>
  message === undefined ? HttpError.make({ status, code }) : HttpError.make({ status, code, message })

/**
 * `HttpError` 500 `InternalError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const internalError: Fault = HttpError.make({
  status: 500,
  code: "InternalError",
  message: "The request processing has failed due to some unknown error, exception or failure."
})

/**
 * `HttpError` 503 `ServiceUnavailable`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serviceUnavailable: Fault = HttpError.make({
  status: 503,
  code: "ServiceUnavailable",
  message: "The request has failed due to a temporary failure of the server."
})

/**
 * `HttpError` `Throttling.User` (status 400 like the POP gateway, or 429).
 *
 * @since 0.1.0
 * @category constructors
 */
export const throttling = (status: 400 | 429 = 400): Fault =>
  HttpError.make({ status, code: "Throttling.User", message: "Request was denied due to user flow control." })

/**
 * @since 0.1.0
 * @category constructors
 */
export const rawBody = (status: number, body: string, contentType?: string): Fault =>
  contentType === undefined ? RawBody.make({ status, body }) : RawBody.make({ status, body, contentType })

/**
 * @since 0.1.0
 * @category constructors
 */
export const malformedBody: Fault = MalformedBody.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const truncatedBody: Fault = TruncatedBody.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const missingField = (field: string): Fault => MissingField.make({ field })

/**
 * @since 0.1.0
 * @category constructors
 */
export const delay = (duration: Duration.DurationInput): Fault =>
  Delay.make({ millis: Duration.toMillis(Duration.decode(duration)) })

/**
 * @since 0.1.0
 * @category constructors
 */
export const hang: Fault = Hang.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const close: Fault = Close.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const reset: Fault = Reset.make({})

/**
 * `HugeBody`: status 200 and `bytes` bytes of JSON whitespace with that `Content-Length`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hugeBody = (bytes: number): Fault => HugeBody.make({ bytes })

/**
 * `EndlessBody`: status 200, chunked, a body that never ends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endlessBody: Fault = EndlessBody.make({})

/**
 * `SlowDrip`: the normal answer `chunk` bytes at a time, `every` apart (on the Effect `Clock`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const slowDrip = (chunk: number, every: Duration.DurationInput): Fault =>
  SlowDrip.make({ chunk, everyMillis: Duration.toMillis(Duration.decode(every)) })

/**
 * `DeepJson`: `[` × depth then `]` × depth (default 200,000), status 200 unless given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const deepJson = (depth = 200_000, status?: number): Fault =>
  status === undefined ? DeepJson.make({ depth }) : DeepJson.make({ depth, status })

/**
 * `EchoRequest`: an error answer with this status whose `Message` echoes the request's URL and body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const echoRequest = (status = 400, code?: string): Fault =>
  code === undefined ? EchoRequest.make({ status }) : EchoRequest.make({ status, code })
