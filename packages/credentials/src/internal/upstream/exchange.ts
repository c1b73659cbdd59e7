// One exchange with an upstream: send the request, read the answer under the body cap within the
// timeouts, and make it a value or a typed error (the answer's decoder for a 200, the one error
// schema of every service otherwise; the transport's failure through transportError.ts), with
// the request's secrets scrubbed out of whatever comes back.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { type CredentialsError, MalformedResponse, Timeout, UpstreamError } from "../../CredentialsError.js"
import { readAtMost } from "../decode/boundedStream.js"
import { decodeJson } from "../decode/json.js"
import { formatBytes } from "../files/boundedFile.js"
import type { Policy } from "./policy.js"
import * as Proxy from "./proxy.js"
import { sanitize, scrubber } from "./scrub.js"
import { parseRetryAfter } from "./throttle.js"
import { currentRequestOptions, hasBoundedRead, readBounded } from "./transport.js"
import { transportError } from "./transportError.js"

/** A `decode` for JSON answers (nesting bounded, never a throw: see decode/json.ts). */
export const json = <A, I>(schema: Schema.Schema<A, I>) => (body: string) => decodeJson(schema, body)

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

// User info as written in a URL, percent-decoded as undici decodes it; a malformed escape is kept.
const decodeUserInfo = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The secrets of the proxy a request goes through: its password and `user:password` (what
 * undici's ProxyAgent puts, base64-encoded, in `Proxy-Authorization`), decoded and as written. A
 * proxy that answers inside the tunnel, or an upstream behind it, may echo that header; the
 * scrubber then cuts every form of these (raw, percent-encoded, base64). The user alone is not a
 * secret (it names an account, as an AccessKey ID does), and undici sends nothing without a
 * password.
 */
export const proxySecrets = (proxy: Redacted.Redacted<string> | undefined): ReadonlyArray<string> => {
  const text = proxy === undefined ? undefined : Redacted.value(proxy)
  const url = text !== undefined && URL.canParse(text) ? new URL(text) : undefined
  if (url === undefined || url.password === "") return []
  const user = decodeUserInfo(url.username)
  const password = decodeUserInfo(url.password)
  return [password, `${user}:${password}`, url.password, `${url.username}:${url.password}`]
}

class BodyTooLarge {
  readonly _tag = "BodyTooLarge"
}

// Invalid UTF-8 becomes U+FFFD: the decoders then say what is wrong with the text.
const utf8 = (bytes: Uint8Array) => new TextDecoder("utf-8").decode(bytes)

// The body under the cap: read by the transport itself when it can (the direct transport's answers:
// no Stream to set going), else from the response's stream.
const readBody = (response: HttpClientResponse.HttpClientResponse, max: number) =>
  hasBoundedRead(response)
    ? Effect.flatMap(
      response[readBounded](max),
      (bytes) => bytes === undefined ? Effect.fail(new BodyTooLarge()) : Effect.succeed(utf8(bytes))
    )
    : Effect.map(readAtMost(response.stream, max, () => new BodyTooLarge()), utf8)

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
  readonly retryAfter?: Duration.Duration | undefined
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
    fix: options.fix?.(options.status, code),
    ...(options.retryAfter === undefined ? {} : { retryAfter: options.retryAfter })
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
  const scrub = scrubber([...(spec.secrets ?? []), ...proxySecrets(proxy)])
  const deadline = Duration.sum(policy.connect, policy.read)
  return Effect.gen(function*() {
    // The platform's client span would record the whole URL, query included (a signer's
    // SecurityToken and Signature, a credentials URI's token): it is off, and the exchange has a
    // span of its own that names the endpoint only. Trace headers go out only when asked
    // (`tracePropagation`): the user's trace IDs are not Alibaba Cloud's business.
    // `withScope`: an answer dropped unread (its Content-Length over the cap) has its request
    // aborted when the exchange ends, instead of holding its connection until the read timeout.
    const client = HttpClient.withScope(HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, () => true))
    const span = policy.tracePropagation ? yield* Effect.option(Effect.currentSpan) : Option.none()
    const request = Option.match(span, {
      onNone: () => spec.request,
      onSome: (span) => HttpClientRequest.setHeaders(spec.request, HttpTraceContext.toHeaders(span))
    })
    const response = yield* client.execute(request)
    const length = Number(response.headers["content-length"])
    const body = Number.isFinite(length) && length > policy.maxBodyBytes
      ? yield* Effect.fail(new BodyTooLarge())
      : yield* readBody(response, policy.maxBodyBytes)
    const retryAfter = parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis)
    return { status: response.status, body, retryAfter }
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
    Effect.withSpan("Credentials.upstream", {
      kind: "client",
      attributes: { "credentials.source": source, "http.request.method": spec.request.method, "url.full": endpoint }
    }),
    Effect.locally(currentRequestOptions, {
      connectTimeout: policy.connect,
      readTimeout: policy.read,
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
          upstreamError({
            source,
            endpoint,
            status: answer.status,
            body: answer.body,
            scrub,
            fix: spec.fix,
            retryAfter: answer.retryAfter
          })
        )
    )
  )
}
