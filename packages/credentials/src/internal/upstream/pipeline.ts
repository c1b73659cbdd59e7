// The one pipeline every exchange with an upstream goes through (STS, the metadata service, the
// credentials URI, CloudSSO, OAuth). Sources say what they send and how to read the answer; this
// module owns, once for all of them:
//
// - time: a budget per `get` of a source, retries included (`run`), on top of the per-request
//   connect and read timeouts; a retry starts only if the budget left allows a whole attempt;
// - size: a body is read under a cap, and past it the exchange fails at once, memory bounded;
// - decoding that cannot die: any bytes give a value or a typed error (json.ts: JSON depth is
//   bounded before anything is parsed, and a defect while decoding is a MalformedResponse);
// - the error body: one schema for every service's error answer (STS, CloudSSO, OAuth, the URI,
//   the metadata service);
// - scrubbing: the request's secrets are cut out of whatever comes back, raw, percent-encoded or
//   base64, and control characters are escaped before text reaches a message or a terminal;
// - the typed errors, and how many attempts a failure took;
// - the proxy: which one a request goes through (proxy.ts: the `proxy` option, else HTTPS_PROXY /
//   HTTP_PROXY / NO_PROXY read through Config once per fetch; never for the metadata service).
//
// It runs on any platform's HttpClient. The Node transport (HttpTransport.ts) reads the per-request
// timeouts and proxy from `currentRequestOptions`; other transports are bounded by the Clock
// deadlines here (and proxy as they are configured: an HttpClient of your own ignores the proxy
// settings here).
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  type CredentialsError,
  InvalidConfiguration,
  MalformedResponse,
  NetworkError,
  Timeout,
  type Tried,
  UpstreamError
} from "../../CredentialsError.js"
import { decodeDuration } from "../config/validate.js"
import { base64OfText, concatBytes } from "../decode/bytes.js"
import { decodeJson } from "../decode/json.js"
import { formatBytes } from "../files/boundedFile.js"
import * as Proxy from "./proxy.js"

// ---------------------------------------------------------------------------------------------
// The option block
// ---------------------------------------------------------------------------------------------

/**
 * How a network source talks to its upstream. Declared once here; every network source's options
 * extend it, and composite sources pass it on with `pick`.
 */
export interface Options {
  /** How long to wait for a TCP (and TLS) connection. Default 10 s (the metadata service: 1 s). */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** How long to wait for the headers, then for each chunk of the body. Default 5 s (metadata: 1 s). */
  readonly readTimeout?: Duration.DurationInput | undefined
  /**
   * The time budget of one fetch of the source, retries included: past it the fetch fails with a
   * `Timeout`. A retry starts only if the budget left allows a whole attempt. Default connect +
   * read timeouts (15 s; the metadata service: 2 s).
   */
  readonly timeBudget?: Duration.DurationInput | undefined
  /** How a transient failure (network, timeout, 5xx, throttling) is retried, within the budget. */
  readonly retrySchedule?: Schedule.Schedule<unknown, CredentialsError> | undefined
  /** The largest answer read, in bytes. Default 1 MiB (an STS answer is about 2 KB). */
  readonly maxBodyBytes?: number | undefined
  /**
   * Whether requests carry the current span's trace headers (`traceparent`, `b3`: the platform's
   * trace propagation). Default false: the trace IDs of your system are not sent to Alibaba Cloud
   * (no official client sends them). Turn it on for an upstream of your own that joins your traces
   * (a credentials URI sidecar, a proxy).
   */
  readonly tracePropagation?: boolean | undefined
  /**
   * The HTTP proxy requests go through: a URL (`http://proxy.example.com:3128`, with credentials
   * `http://user:password@proxy.example.com:3128`, password percent-encoded), used for every
   * request of the source, https targets through a CONNECT tunnel; or `false` for no proxy, whatever
   * the environment. Default: the environment, read once per fetch: `HTTPS_PROXY` for https targets
   * (else `HTTP_PROXY`), `HTTP_PROXY` for http targets (lower-case forms first), and `NO_PROXY`
   * (`*`, `example.com`, `.example.com`, `host:port`, IPs, `10.0.0.0/8`), which applies to this
   * option too. The ECS metadata service is never proxied and ignores this option. The URL's
   * credentials never appear in an error or a log: messages name the proxy by scheme, host and port.
   * Applies to the transport of `HttpTransport.layer`; an `HttpClient` of your own is not affected.
   * A `Redacted` URL (e.g. from `Config.redacted`) is taken as it is.
   */
  readonly proxy?: string | Redacted.Redacted<string> | false | undefined
}

/** The option block of `options`, and nothing else: what composite sources pass on. */
export const pick = (options: Options | undefined): Options => ({
  connectTimeout: options?.connectTimeout,
  readTimeout: options?.readTimeout,
  timeBudget: options?.timeBudget,
  retrySchedule: options?.retrySchedule,
  maxBodyBytes: options?.maxBodyBytes,
  tracePropagation: options?.tracePropagation,
  proxy: options?.proxy
})

/** The options, decoded and with their defaults. */
export interface Policy {
  readonly connect: Duration.Duration
  readonly read: Duration.Duration
  readonly budget: Duration.Duration
  readonly retry: Schedule.Schedule<unknown, CredentialsError>
  readonly maxBodyBytes: number
  readonly tracePropagation: boolean
  /** The proxies of this fetch (undefined: none). */
  readonly proxies: Proxy.Proxies | undefined
}

/** The default retries: 3, 200 ms doubling with jitter (always within the time budget). */
export const defaultRetry: Schedule.Schedule<unknown, CredentialsError> = Schedule.exponential("200 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(3))
)

const defaultMaxBodyBytes = 1024 * 1024

export interface Defaults {
  readonly connect: Duration.Duration
  readonly read: Duration.Duration
  /** Whether a proxy may be used (the `proxy` option, HTTPS_PROXY...). Default true. */
  readonly proxied?: boolean | undefined
}

/** STS, OIDC, the credentials URI, CloudSSO, OAuth: connect 10 s, read 5 s (budget 15 s). */
export const serviceDefaults: Defaults = { connect: Duration.seconds(10), read: Duration.seconds(5) }

/**
 * The ECS metadata service: connect 1 s, read 1 s, the official tool's (budget 2 s); never through
 * a proxy.
 */
export const metadataDefaults: Defaults = { connect: Duration.seconds(1), read: Duration.seconds(1), proxied: false }

/**
 * Decodes the option block; a bad value is an InvalidConfiguration naming the option. Sources call
 * it once per fetch, so the proxy variables are read then (through Config).
 */
export const policy = (
  source: string,
  options: Options | undefined,
  defaults: Defaults = serviceDefaults
): Effect.Effect<Policy, InvalidConfiguration> =>
  Effect.gen(function*() {
    const connect = yield* decodeDuration(source, "connectTimeout", options?.connectTimeout ?? defaults.connect)
    const read = yield* decodeDuration(source, "readTimeout", options?.readTimeout ?? defaults.read)
    const budget = yield* decodeDuration(source, "timeBudget", options?.timeBudget ?? Duration.sum(connect, read))
    const maxBodyBytes = options?.maxBodyBytes ?? defaultMaxBodyBytes
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
      return yield* new InvalidConfiguration({
        source,
        field: "maxBodyBytes",
        reason: "must be a positive whole number of bytes",
        fix: "leave it out for 1 MiB, or pass e.g. 65536"
      })
    }
    const proxies = yield* Proxy.resolve(source, options?.proxy, defaults.proxied !== false)
    return {
      connect,
      read,
      budget,
      retry: options?.retrySchedule ?? defaultRetry,
      maxBodyBytes,
      tracePropagation: options?.tracePropagation === true,
      proxies
    }
  })

// ---------------------------------------------------------------------------------------------
// Validation of what shapes a request
// ---------------------------------------------------------------------------------------------

/** An http(s) URL, or an InvalidConfiguration naming `field` (never retried as a network error). */
export const httpUrl = (source: string, field: string, value: string, example: string) => {
  const parsed = URL.canParse(value) ? new URL(value) : undefined
  return parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== ""
    ? Effect.succeed(parsed)
    : Effect.fail(
      new InvalidConfiguration({ source, field, reason: "is not an http(s) URL", fix: `use e.g. ${example}` })
    )
}

const regionPattern = /^[a-z0-9-]+$/

/** A region ID as it goes into a host name: `[a-z0-9-]+`. */
export const regionId = (source: string, field: string, value: string | undefined) =>
  value === undefined || regionPattern.test(value)
    ? Effect.succeed(value)
    : Effect.fail(
      new InvalidConfiguration({
        source,
        field,
        reason: "is not a region ID (lower-case letters, digits and -)",
        fix: "use e.g. cn-hangzhou"
      })
    )

// ---------------------------------------------------------------------------------------------
// Text that comes back: scrubbing and escaping
// ---------------------------------------------------------------------------------------------

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

// The forms in which a request parameter comes back in an echo: raw, percent-encoded (as
// encodeURIComponent, RFC 3986 as the signer, or a form body with + for space), base64.
const echoForms = (secret: string): ReadonlyArray<string> => {
  const uri = encodeURIComponent(secret)
  const rfc3986 = uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  const form = new URLSearchParams({ s: secret }).toString().slice(2)
  const base64 = base64OfText(secret)
  const base64url = base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  return [...new Set([secret, uri, rfc3986, form, base64, base64.replace(/=+$/, ""), base64url])]
}

/** One scrubber for the request's secrets: every form of each, replaced by `<redacted>`. */
export const scrubber = (secrets: ReadonlyArray<string>): (text: string) => string => {
  const forms = secrets.filter((secret) => secret.length >= 4).flatMap(echoForms).filter((form) => form.length >= 4)
  if (forms.length === 0) return (text) => text
  // Longest first, so that a form is not cut in half by a shorter one; percent escapes match in
  // either case (%2B, %2b).
  const pattern = new RegExp(
    [...forms].sort((a, b) => b.length - a.length).map((form) =>
      escapeRegExp(form).replace(
        /%([0-9A-F])([0-9A-F])/g,
        (_, a: string, b: string) => `%[${a}${a.toLowerCase()}][${b}${b.toLowerCase()}]`
      )
    ).join("|"),
    "g"
  )
  return (text) => text.replace(pattern, "<redacted>")
}

const maxEchoLength = 300

/**
 * Upstream text made safe for a message: control characters escaped (no terminal escapes, no
 * forged log lines), and cut to 300 characters.
 */
const sanitize = (text: string): string => {
  const escaped = text.replace(
    /[\p{Cc}\u2028\u2029]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  )
  return escaped.length > maxEchoLength ? `${escaped.slice(0, maxEchoLength)}…` : escaped
}

// ---------------------------------------------------------------------------------------------
// Decoding that cannot die
// ---------------------------------------------------------------------------------------------

/** A `decode` for JSON answers (nesting bounded, never a throw: see json.ts). */
export const json = <A, I>(schema: Schema.Schema<A, I>) => (body: string) => decodeJson(schema, body)

// ---------------------------------------------------------------------------------------------
// One exchange
// ---------------------------------------------------------------------------------------------

/** What the transport needs to know about one request of the pipeline. */
export interface RequestOptions {
  /** Connect timeout, ms. */
  readonly connect: number
  /** Read timeout, ms. */
  readonly read: number
  /** The proxy URL (may hold credentials: never put it in a message), or none. */
  readonly proxy?: Redacted.Redacted<string> | undefined
}

/** The per-request options of the exchange in progress; the Node transport reads them. */
export const currentRequestOptions = FiberRef.unsafeMake<RequestOptions | undefined>(undefined)

/** A 200 answer whose body says the service refused (e.g. `Code: "Failed"`): an UpstreamError. */
export class Refused {
  constructor(readonly code: string, readonly fix?: string) {}
}

/** One request of a source, and how to read its answer. */
export interface Exchange<A> {
  readonly request: HttpClientRequest.HttpClientRequest
  /** Every secret the request carries (signing secret, token, OIDC token, the URI's query values). */
  readonly secrets?: ReadonlyArray<string> | undefined
  /** Reads a successful (200) answer: a value, a description of what is wrong with the body, or a refusal. */
  readonly decode: (body: string) => Either.Either<A, string | Refused>
  /** What to do about an error answer, by status and service code. */
  readonly fix?: ((status: number, code: string | undefined) => string | undefined) | undefined
}

/** The URL as messages show it: never its query string or user info, which may carry secrets. */
export const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return "(an invalid URL)"
  }
}

// undici's tunnel failure: "Proxy response (407) !== 200 when HTTP Tunneling"
const proxyStatus = (cause: unknown): number | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const match = /^Proxy response \((\d{3})\)/.exec(current.message)
    if (match !== null) return Number(match[1])
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const proxyAnswers: Record<number, { readonly code: string; readonly fix: string }> = {
  407: {
    code: "ProxyAuthenticationRequired",
    fix:
      "the proxy wants credentials: put them in the proxy URL (http://user:password@host:port, percent-encoded) of the proxy option or HTTPS_PROXY"
  },
  403: {
    code: "ProxyForbidden",
    fix: "the proxy does not allow this destination: ask its administrator, or exclude the host with NO_PROXY"
  }
}

const describeCause = (cause: unknown): string | undefined => {
  let current: unknown = cause
  // undici wraps the socket error: look for the innermost error with a code
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const friendly: Record<string, string> = {
  ECONNREFUSED: "connection refused (ECONNREFUSED)",
  ECONNRESET: "connection reset (ECONNRESET)",
  EHOSTUNREACH: "host unreachable (EHOSTUNREACH)",
  ENETUNREACH: "network unreachable (ENETUNREACH)",
  ENOTFOUND: "host not found (ENOTFOUND)",
  UND_ERR_SOCKET: "the connection closed before the answer was complete (UND_ERR_SOCKET)"
}

const transportError = (
  source: string,
  target: string,
  policy: Policy,
  error: HttpClientError.HttpClientError,
  proxy: Redacted.Redacted<string> | undefined
): Timeout | NetworkError | UpstreamError => {
  const code = describeCause(error.cause)
  const proxyName = proxy === undefined ? undefined : Proxy.displayProxy(Redacted.value(proxy))
  // Through a proxy, every failure names it (never its credentials).
  const endpoint = proxyName === undefined ? target : `${target} through the proxy ${proxyName}`
  if (proxyName !== undefined) {
    const status = proxyStatus(error.cause)
    if (status !== undefined) {
      const known = proxyAnswers[status]
      return new UpstreamError({
        source,
        endpoint: `the proxy ${proxyName} (tunnel to ${target})`,
        status,
        code: known?.code ?? "ProxyTunnelFailed",
        serviceMessage: "the proxy refused to open a tunnel (CONNECT)",
        fix: known?.fix ??
          (status >= 500
            ? "the proxy could not reach the destination: check the proxy, or exclude the host with NO_PROXY"
            : "check the proxy option / HTTPS_PROXY, or exclude the host with NO_PROXY")
      })
    }
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
      return new NetworkError({
        source,
        endpoint,
        detail: `the proxy ${proxyName} cannot be reached: ${
          friendly[code]
        }; check the proxy option or HTTPS_PROXY / HTTP_PROXY, or exclude the host with NO_PROXY`
      })
    }
  }
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new Timeout({ source, endpoint, phase: "connect", after: policy.connect })
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new Timeout({ source, endpoint, phase: "read", after: policy.read })
  }
  const detail = error._tag === "ResponseError"
    ? `the connection closed before the whole body arrived (${code ?? error.reason})`
    : (code !== undefined ? friendly[code] : undefined) ?? code ?? "transport error"
  return new NetworkError({ source, endpoint, detail })
}

class BodyTooLarge {
  readonly _tag = "BodyTooLarge"
}

const readBody = (
  response: { readonly stream: Stream.Stream<Uint8Array, HttpClientError.ResponseError> },
  max: number
) =>
  response.stream.pipe(
    Stream.mapAccumEffect(0, (size, bytes): Effect.Effect<readonly [number, Uint8Array], BodyTooLarge> =>
      size + bytes.length > max ? Effect.fail(new BodyTooLarge()) : Effect.succeed([size + bytes.length, bytes])),
    Stream.runCollect,
    // Invalid UTF-8 becomes U+FFFD: the decoders then say what is wrong with the text.
    Effect.map((chunks) => {
      const list = Chunk.toArray(chunks)
      return new TextDecoder("utf-8").decode(concatBytes(
        list,
        list.reduce((size, chunk) =>
          size + chunk.length, 0)
      ))
    })
  )

// Every service's error answer: STS and the metadata service (Code, Message, RequestId), the
// credentials URI (Code, Message), OAuth (error, error_description), in either case of the keys.
const ServiceError = Schema.Struct({
  Code: Schema.optional(Schema.Unknown),
  code: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.Unknown),
  Message: Schema.optional(Schema.Unknown),
  message: Schema.optional(Schema.Unknown),
  error_description: Schema.optional(Schema.Unknown),
  RequestId: Schema.optional(Schema.Unknown),
  requestId: Schema.optional(Schema.Unknown)
})

const firstText = (...values: ReadonlyArray<unknown>) =>
  values.find((v): v is string => typeof v === "string" && v !== "")

// STS echoes its string to sign, which holds the SecurityToken: keep only the first sentence.
const signatureMismatchPrefix = "Specified signature is not matched with our calculation."

/** An error answer as an UpstreamError: the service's code, message and request ID, scrubbed. */
const upstreamError = (options: {
  readonly source: string
  readonly endpoint: string
  readonly status: number
  readonly body: string
  readonly scrub: (text: string) => string
  readonly fix?: ((status: number, code: string | undefined) => string | undefined) | undefined
}): UpstreamError => {
  const body = Either.getOrUndefined(decodeJson(ServiceError, options.body))
  const clean = (text: string | undefined) => (text === undefined ? undefined : sanitize(options.scrub(text)))
  const code = clean(firstText(body?.Code, body?.code, body?.error))
  const message = firstText(body?.Message, body?.message, body?.error_description)
  return new UpstreamError({
    source: options.source,
    endpoint: options.endpoint,
    status: options.status,
    code,
    requestId: clean(firstText(body?.RequestId, body?.requestId)),
    serviceMessage: message?.startsWith(signatureMismatchPrefix) ? signatureMismatchPrefix : clean(message),
    fix: options.fix?.(options.status, code)
  })
}

/**
 * Sends the request, reads the body under the cap within the timeouts, and reads it: `decode` for
 * a 200, the service error schema for anything else. Never a defect.
 */
export const exchange = <A>(
  source: string,
  policy: Policy,
  spec: Exchange<A>
): Effect.Effect<A, CredentialsError, HttpClient.HttpClient> => {
  const endpoint = displayUrl(spec.request.url)
  const proxy = Proxy.forUrl(policy.proxies, spec.request.url)
  const scrub = scrubber(spec.secrets ?? [])
  const deadline = Duration.sum(policy.connect, policy.read)
  return Effect.gen(function*() {
    // Upstream requests carry no trace headers unless asked (`tracePropagation`): the user's trace
    // IDs are not Alibaba Cloud's business.
    const client = HttpClient.withTracerPropagation(yield* HttpClient.HttpClient, policy.tracePropagation)
    const response = yield* client.execute(spec.request)
    const length = Number(response.headers["content-length"])
    const body = Number.isFinite(length) && length > policy.maxBodyBytes
      ? yield* Effect.fail(new BodyTooLarge())
      : yield* readBody(response, policy.maxBodyBytes)
    return { status: response.status, body }
  }).pipe(
    Effect.scoped,
    Effect.catchAll((error): Effect.Effect<never, CredentialsError> =>
      Effect.fail(
        error instanceof BodyTooLarge
          ? new MalformedResponse({
            source,
            endpoint,
            detail: `the body is larger than ${formatBytes(policy.maxBodyBytes)} (maxBodyBytes)`
          })
          : transportError(source, endpoint, policy, error, proxy)
      )
    ),
    Effect.locally(currentRequestOptions, {
      connect: Duration.toMillis(policy.connect),
      read: Duration.toMillis(policy.read),
      ...(proxy === undefined ? {} : { proxy })
    }),
    // The transport's own timeouts may not exist (another HttpClient) or not be driven by the
    // Clock (tests): a Clock deadline bounds the exchange whatever the transport.
    Effect.timeoutFail({
      duration: deadline,
      onTimeout: () => new Timeout({ source, endpoint, phase: "total", after: deadline })
    }),
    Effect.flatMap((answer): Effect.Effect<A, CredentialsError> =>
      answer.status === 200
        ? Either.match(spec.decode(answer.body), {
          onLeft: (failure) =>
            Effect.fail(
              failure instanceof Refused
                ? new UpstreamError({
                  source,
                  endpoint,
                  status: 200,
                  code: sanitize(scrub(failure.code)),
                  fix: failure.fix
                })
                : new MalformedResponse({ source, endpoint, detail: sanitize(scrub(failure)) })
            ),
          onRight: Effect.succeed
        })
        : Effect.fail(
          upstreamError({ source, endpoint, status: answer.status, body: answer.body, scrub, fix: spec.fix })
        )
    )
  )
}

// ---------------------------------------------------------------------------------------------
// One fetch of a source: the time budget and the retries
// ---------------------------------------------------------------------------------------------

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

const withTried = (error: CredentialsError, tried: Tried): CredentialsError => {
  switch (error._tag) {
    case "UpstreamError":
      return new UpstreamError({ ...error, tried })
    case "MalformedResponse":
      return new MalformedResponse({ ...error, tried })
    case "Timeout":
      return new Timeout({ ...error, tried })
    case "NetworkError":
      return new NetworkError({ ...error, tried })
    default:
      return error
  }
}

/**
 * One fetch of a source: `attempt` (one or more exchanges) retried on transient failures on the
 * policy's schedule, all within the time budget. A retry starts only if the budget left after its
 * delay allows a whole attempt (the read timeout, plus the connect timeout after a failed
 * connection); `retryWhile` narrows what is retried. The final error says how many attempts were
 * made and how long they took.
 */
export const run = <A, R>(
  source: string,
  endpoint: string,
  policy: Policy,
  attempt: Effect.Effect<A, CredentialsError, R>,
  options: { readonly retryWhile?: ((error: CredentialsError) => boolean) | undefined } = {}
): Effect.Effect<A, CredentialsError, R> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const budgetMillis = Duration.toMillis(policy.budget)
    let attempts = 0
    const whole = (error: CredentialsError) =>
      Duration.toMillis(policy.read) +
      (error._tag === "Timeout" && error.phase === "connect" ? Duration.toMillis(policy.connect) : 0)
    const retryWhile = options.retryWhile ?? isTransient
    // The schedule's delays, cut short where the budget left after the delay would not allow a
    // whole attempt. Consulted only for failures worth a retry.
    const driver = yield* Schedule.driver(
      Schedule.delays(policy.retry).pipe(
        Schedule.checkEffect((error: CredentialsError, delay) =>
          Effect.map(
            Clock.currentTimeMillis,
            (now) => budgetMillis - (now - started) - Duration.toMillis(delay) >= whole(error)
          )
        )
      )
    )
    const loop: Effect.Effect<A, CredentialsError, R> = Effect.suspend(() => {
      attempts++
      return attempt
    }).pipe(
      Effect.catchAll((error) =>
        retryWhile(error)
          ? Effect.matchEffect(driver.next(error), { onFailure: () => Effect.fail(error), onSuccess: () => loop })
          : Effect.fail(error)
      )
    )
    const tried = Effect.map(
      Clock.currentTimeMillis,
      (now): Tried => ({ attempts, elapsed: Duration.millis(now - started) })
    )
    return yield* loop.pipe(
      Effect.timeoutFail({
        duration: policy.budget,
        onTimeout: () => new Timeout({ source, endpoint, phase: "budget", after: policy.budget })
      }),
      Effect.catchAll((error) => Effect.flatMap(tried, (t) => Effect.fail(withTried(error, t))))
    )
  })
