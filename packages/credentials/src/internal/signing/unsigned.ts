// What the signed client hands back names the caller's request, never the signed one: the signed
// URL (RPC: `SecurityToken`, `Signature`) and headers (ACS3: `x-acs-security-token`) would show in
// the message and JSON of every `ResponseError` built from the response later (`filterStatusOk`,
// a `json` that does not parse), and in the response's own rendering.
import type * as Cookies from "@effect/platform/Cookies"
import type * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { renderResponse } from "../upstream/transport.js"

/** The signed answer, shown as the answer to `request`; its body is read through, once. */
class UnsignedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly signed: HttpClientResponse.HttpClientResponse
  ) {
    super()
  }

  toJSON(): unknown {
    return renderResponse(this)
  }

  readonly #unsigned = (error: HttpClientError.ResponseError) =>
    new HttpClientError.ResponseError({ ...error, request: this.request, response: this })

  get status(): number {
    return this.signed.status
  }
  get headers(): Headers.Headers {
    return this.signed.headers
  }
  get cookies(): Cookies.Cookies {
    return this.signed.cookies
  }
  get remoteAddress(): Option.Option<string> {
    return this.signed.remoteAddress
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.mapError(this.signed.stream, this.#unsigned)
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.mapError(this.signed.json, this.#unsigned)
  }
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.mapError(this.signed.text, this.#unsigned)
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.mapError(this.signed.urlParamsBody, this.#unsigned)
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.mapError(this.signed.arrayBuffer, this.#unsigned)
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.mapError(this.signed.formData, this.#unsigned)
  }
}

export const response = (
  signed: HttpClientResponse.HttpClientResponse,
  request: HttpClientRequest.HttpClientRequest
): HttpClientResponse.HttpClientResponse =>
  signed instanceof UnsignedResponse ? signed : new UnsignedResponse(request, signed)

/** An error of the transport or of reading the answer, naming `request` (and its unsigned answer). */
export const error = <E>(error: E, request: HttpClientRequest.HttpClientRequest): E => {
  if (error instanceof HttpClientError.RequestError) {
    return new HttpClientError.RequestError({ ...error, request }) as E
  }
  if (error instanceof HttpClientError.ResponseError) {
    return new HttpClientError.ResponseError({ ...error, request, response: response(error.response, request) }) as E
  }
  return error
}
