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
  Reset
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
