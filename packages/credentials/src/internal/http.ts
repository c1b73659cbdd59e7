// One HTTP exchange with an upstream: bounded in time, its transport failures mapped to our typed
// errors, its body read whole. Retries of transient failures on a Schedule.
//
// Timeouts: the Node transport (HttpTransport.layer, undici) enforces the connect timeout and the
// read timeout (headers, then each body chunk) and reports which. On top, a Clock-based deadline
// of connect + read bounds every exchange whatever HttpClient is provided; it is also what
// TestClock drives in tests.
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { type CredentialsError, type InvalidConfiguration, NetworkError, Timeout } from "../CredentialsError.js"
import { readTimeoutOptions } from "../HttpTransport.js"
import { decodeDuration } from "./validate.js"

export interface Timeouts {
  readonly connect: Duration.Duration
  readonly read: Duration.Duration
}

export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

export interface Call {
  readonly source: string
  /** The URL as errors show it: never with its query string, which may carry a security token. */
  readonly endpoint: string
  readonly request: HttpClientRequest.HttpClientRequest
  readonly timeouts: Timeouts
}

/** The product's defaults for STS, the credentials URI, CloudSSO and OAuth: connect 10 s, read 5 s. */
export const defaultTimeouts: Timeouts = { connect: Duration.seconds(10), read: Duration.seconds(5) }

/** The `connectTimeout` / `readTimeout` options of a source, with its defaults. */
export const decodeTimeouts = (
  source: string,
  options: { readonly connectTimeout?: Duration.DurationInput | undefined; readonly readTimeout?: Duration.DurationInput | undefined },
  defaults: Timeouts = defaultTimeouts
): Effect.Effect<Timeouts, InvalidConfiguration> =>
  Effect.all({
    connect: decodeDuration(source, "connectTimeout", options.connectTimeout ?? defaults.connect),
    read: decodeDuration(source, "readTimeout", options.readTimeout ?? defaults.read)
  })

/** The URL without its query string and credentials, for messages. */
export const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return "(an invalid URL)"
  }
}

const describeCause = (cause: unknown): { readonly code: string | undefined; readonly text: string } => {
  let current: unknown = cause
  // undici wraps the socket error: look for the innermost error with a code
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return { code, text: code }
    current = (current as { cause?: unknown }).cause
  }
  return { code: undefined, text: cause instanceof Error ? cause.name : "transport error" }
}

const friendly: Record<string, string> = {
  ECONNREFUSED: "connection refused (ECONNREFUSED)",
  ECONNRESET: "connection reset (ECONNRESET)",
  EHOSTUNREACH: "host unreachable (EHOSTUNREACH)",
  ENETUNREACH: "network unreachable (ENETUNREACH)",
  ENOTFOUND: "host not found (ENOTFOUND)",
  UND_ERR_SOCKET: "the connection closed before the answer was complete (UND_ERR_SOCKET)"
}

const fromHttpClientError = (call: Call, error: HttpClientError.HttpClientError): Timeout | NetworkError => {
  const { code, text } = describeCause(error.cause)
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new Timeout({ source: call.source, endpoint: call.endpoint, phase: "connect", after: call.timeouts.connect })
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new Timeout({ source: call.source, endpoint: call.endpoint, phase: "read", after: call.timeouts.read })
  }
  const detail = error._tag === "ResponseError"
    ? `the connection closed before the whole body arrived (${text})`
    : (code !== undefined ? friendly[code] : undefined) ?? text
  return new NetworkError({ source: call.source, endpoint: call.endpoint, detail })
}

/** Sends the request and reads the whole body, within the call's timeouts. */
export const execute = (call: Call): Effect.Effect<Answer, Timeout | NetworkError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(call.request)
    const body = yield* response.text
    return { status: response.status, contentType: response.headers["content-type"] ?? "", body }
  }).pipe(
    Effect.scoped,
    Effect.catchAll((error) => Effect.fail(fromHttpClientError(call, error))),
    Effect.provideService(NodeHttpClient.UndiciRequestOptions, readTimeoutOptions(call.timeouts.read)),
    Effect.timeoutFail({
      duration: Duration.sum(call.timeouts.connect, call.timeouts.read),
      onTimeout: () =>
        new Timeout({
          source: call.source,
          endpoint: call.endpoint,
          phase: "total",
          after: Duration.sum(call.timeouts.connect, call.timeouts.read)
        })
    })
  )

/** Failures that may pass if tried again: the network, timeouts, 5xx, throttling. */
export const isTransient = (error: CredentialsError): boolean => {
  switch (error._tag) {
    case "Timeout":
    case "NetworkError":
      return true
    case "UpstreamError":
      return error.status >= 500 || error.status === 429 || /throttl/i.test(error.code ?? "")
    default:
      return false
  }
}

/** The default retry policy of one upstream call: 3 retries, 200 ms doubling with jitter, 10 s at most. */
export const defaultRetry: Schedule.Schedule<unknown, CredentialsError> = Schedule.exponential("200 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(3)),
  Schedule.upTo("10 seconds")
)

/** Retries `effect` on transient failures only, on `schedule`. */
export const retryTransient = <A, R>(
  effect: Effect.Effect<A, CredentialsError, R>,
  schedule: Schedule.Schedule<unknown, CredentialsError> = defaultRetry
): Effect.Effect<A, CredentialsError, R> => Effect.retry(effect, { schedule, while: isTransient })
