// Reading an `HttpClientRequest` as the plain values the signers take (query, form, body bytes),
// and writing the signed request back with a query encoded as the signature encoded it.
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { readAtMost } from "../decode/boundedStream.js"
import { percentEncode } from "./encode.js"
import { SigningError } from "./sign.js"

const repeated = (key: string) =>
  new SigningError({
    reason: "RepeatedParameter",
    detail: `the parameter ${JSON.stringify(key)} is given more than once: ` +
      `Alibaba Cloud APIs take lists as numbered keys (${key}.1, ${key}.2)`
  })

/** Pairs as a record; a key given twice is refused (the services want `Key.1`, `Key.2`). */
export const toRecord = (
  pairs: Iterable<readonly [string, string]>
): Either.Either<Record<string, string>, SigningError> => {
  const out: Record<string, string> = {}
  for (const [key, value] of pairs) {
    if (Object.prototype.hasOwnProperty.call(out, key)) return Either.left(repeated(key))
    out[key] = value
  }
  return Either.right(out)
}

export interface Parts {
  readonly url: URL
  /** The query of the URL string and of `urlParams`, decoded. */
  readonly query: Record<string, string>
  readonly body: Uint8Array
  readonly contentType: string | undefined
}

const unsupported = (detail: string) => new SigningError({ reason: "UnsupportedBody", detail })

const collectBounded = (body: HttpBody.Stream, maxBytes: number) => {
  const length = body.contentLength
  if (length === undefined) {
    return Effect.fail(unsupported(
      "a streamed body of unknown length cannot be hashed before it is sent: give its contentLength " +
        "(HttpBody.stream(stream, contentType, contentLength)) or send it as bytes"
    ))
  }
  if (length > maxBytes) {
    return Effect.fail(unsupported(`the streamed body (${length} bytes) is over maxBodyBytes (${maxBytes})`))
  }
  return readAtMost(
    Stream.mapError(body.stream, () => unsupported("the streamed body failed while it was read for signing")),
    length,
    () => unsupported(`the streamed body is longer than its contentLength (${length} bytes)`)
  ).pipe(
    Effect.filterOrFail(
      (bytes) => bytes.length === length,
      (bytes) => unsupported(`the streamed body is shorter (${bytes.length} bytes) than its contentLength (${length})`)
    )
  )
}

const bodyBytes = (body: HttpBody.HttpBody, maxBytes: number): Effect.Effect<Uint8Array, SigningError> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(new Uint8Array(0))
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return typeof body.body === "string" ?
        Effect.succeed(Buffer.from(body.body, "utf8")) :
        body.body instanceof Uint8Array ?
        Effect.succeed(body.body) :
        Effect.fail(unsupported("a raw body must be a string or bytes to be hashed"))
    case "FormData":
      return Effect.fail(unsupported(
        "a multipart body gets its boundary when it is sent, after signing: send it as bytes with its content type"
      ))
    case "Stream":
      return collectBounded(body, maxBytes)
  }
}

export const read = (
  request: HttpClientRequest.HttpClientRequest,
  maxBodyBytes: number
): Effect.Effect<Parts, SigningError> =>
  Effect.gen(function*() {
    const url = yield* Effect.try({
      try: () => new URL(request.url),
      catch: () => unsupported(`the request URL is not absolute: ${request.url.split("?")[0]}`)
    })
    const query = yield* toRecord([...url.searchParams, ...request.urlParams])
    url.search = ""
    url.hash = ""
    const body = yield* bodyBytes(request.body, maxBodyBytes)
    const contentType = request.headers["content-type"] ??
      (request.body._tag === "Empty" ? undefined : request.body.contentType)
    return { url, query, body, contentType }
  })

/** The form parameters of a `x-www-form-urlencoded` body (RPC signs them with the query). */
export const formOf = (parts: Parts): Either.Either<Record<string, string>, SigningError> =>
  parts.contentType !== undefined && parts.contentType.toLowerCase().startsWith("application/x-www-form-urlencoded") ?
    toRecord(new URLSearchParams(Buffer.from(parts.body).toString("utf8"))) :
    Either.right({})

/**
 * The request to send: the URL with the query percent-encoded as it was signed (not the `+` for a
 * space of `URLSearchParams`), the headers, the body as bytes.
 */
export const write = (
  request: HttpClientRequest.HttpClientRequest,
  parts: Parts,
  query: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>>
): HttpClientRequest.HttpClientRequest => {
  const search = Object.keys(query).map((key) => `${percentEncode(key)}=${percentEncode(query[key]!)}`).join("&")
  const { host: _host, ...sent } = headers
  const base = HttpClientRequest.make(request.method)(`${parts.url.href}${search === "" ? "" : `?${search}`}`)
  const withHeaders = HttpClientRequest.setHeaders(base, sent)
  return parts.body.length === 0 && request.body._tag === "Empty" ?
    withHeaders :
    HttpClientRequest.bodyUint8Array(withHeaders, parts.body, parts.contentType)
}
