// The signing middleware: every attempt takes the current credential, a fresh nonce and the
// corrected time, signs and sends; a refused credential is refreshed once and the call retried once
// (`retryOnAuthError`, so concurrent calls share one refresh); a refused timestamp corrects the
// clock from the service's `Date` header and retries once.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { randomBytes } from "node:crypto"
import type { Credential } from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import { readAtMost } from "../decode/boundedStream.js"
import { isAuthError, retryOnAuthError } from "../refresh/recovery.js"
import * as Request from "./request.js"
import { type Algorithm, signAcs3, SigningError, signRpc } from "./sign.js"
import * as Unsigned from "./unsigned.js"

export interface Options {
  /** `RPC` (HMAC-SHA1 in the query) or an ACS3 algorithm (default `ACS3-HMAC-SHA256`). */
  readonly algorithm?: Algorithm | "RPC" | undefined
  /** The largest streamed body read to be hashed (default 16 MiB). */
  readonly maxBodyBytes?: number | undefined
}

/** The service as the middleware uses it: a structural view of `Credentials`. */
export interface Service {
  readonly get: Effect.Effect<Credential, CredentialsError>
  readonly refresh: Effect.Effect<Credential, CredentialsError>
}

// An error body is read (to find its `Code`) only up to this size; a larger one is passed on unread.
const maxErrorBody = 64 * 1024
// ... and only for this long: the caller's client answered at the headers, this read is ours.
const errorBodyWithin = Duration.seconds(10)

/** A response the service refused, read, with what it says; rebuilt so the caller can read it again. */
class Refused extends Data.TaggedError("Refused")<{
  readonly response: HttpClientResponse.HttpClientResponse
  readonly code: string
  readonly serverMillis: number | undefined
}> {}

const isSkew = (code: string) => code === "InvalidTimeStamp.Expired" || code === "RequestTimeTooSkewed"

// A service code is a dotted name; anything else (a control character, a forged log line) is no code.
const codeOf = (text: string): string | undefined => {
  const match = /"Code"\s*:\s*"([\w.:-]{1,128})"/.exec(text) ?? /<Code>([\w.:-]{1,128})<\/Code>/.exec(text)
  return match?.[1]
}

const hostileBody = (response: HttpClientResponse.HttpClientResponse, description: string) =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", description })

/**
 * The body, up to `maxErrorBody` bytes and within `errorBodyWithin`; a longer or slower one fails
 * (a hostile answer, not an API error).
 */
const boundedBody = (response: HttpClientResponse.HttpClientResponse) =>
  readAtMost(
    response.stream,
    maxErrorBody,
    () => hostileBody(response, `the error body is over ${maxErrorBody} bytes`)
  ).pipe(Effect.timeoutFail({
    duration: errorBodyWithin,
    onTimeout: () =>
      hostileBody(response, `the error body did not arrive within ${Duration.toSeconds(errorBodyWithin)} seconds`)
  }))

/** A 4xx answer with an authentication or clock code becomes `Refused`; anything else passes. */
const inspect = (response: HttpClientResponse.HttpClientResponse) => {
  const length = Number(response.headers["content-length"] ?? "0")
  if (response.status < 400 || response.status >= 500 || length > maxErrorBody) return Effect.succeed(response)
  return Effect.gen(function*() {
    const bytes = yield* boundedBody(response)
    const text = Buffer.from(bytes).toString("utf8")
    const rebuilt = HttpClientResponse.fromWeb(
      response.request,
      new Response(bytes, { status: response.status, headers: response.headers })
    )
    const code = codeOf(text.slice(0, maxErrorBody))
    if (code === undefined || !(isAuthError({ code }) || isSkew(code))) return rebuilt
    const date = Date.parse(response.headers["date"] ?? "")
    return yield* new Refused({ response: rebuilt, code, serverMillis: Number.isNaN(date) ? undefined : date })
  })
}

const nonce = () => randomBytes(16).toString("hex")

const missingAction = new SigningError({
  reason: "MissingAction",
  detail: "the request names no action: set it with SignedHttpClient.action(action, version) " +
    "(the x-acs-action and x-acs-version headers, or the Action and Version parameters)"
})

export const make = <I, S extends Service>(
  client: HttpClient.HttpClient,
  tag: Context.Tag<I, S>,
  service: S,
  options: Options
): Effect.Effect<
  HttpClient.HttpClient.With<HttpClientError.HttpClientError | CredentialsError | SigningError>
> =>
  Effect.gen(function*() {
    const algorithm = options.algorithm ?? "ACS3-HMAC-SHA256"
    const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024
    // The service's clock minus ours, learnt from a refused timestamp.
    const offset = yield* Ref.make(0)
    // The platform's client span would record the signed URL and headers (signature, token).
    const inner = HttpClient.withTracerDisabledWhen(client, () => true)

    const execute = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.gen(function*() {
        const parts = yield* Request.read(request, maxBodyBytes)
        const { "x-acs-action": headerAction, "x-acs-version": headerVersion, ...headers } = request.headers
        const { Action: queryAction, Version: queryVersion, ...query } = parts.query
        const action = headerAction ?? queryAction
        const version = headerVersion ?? queryVersion
        if (action === undefined || version === undefined) return yield* missingAction
        const form = algorithm === "RPC" ? yield* Request.formOf(parts) : {}
        yield* Effect.annotateCurrentSpan({
          "alicloud.action": action,
          "alicloud.version": version,
          "alicloud.signature": algorithm,
          "server.address": parts.url.host,
          "url.path": parts.url.pathname
        })

        const attempt = Effect.gen(function*() {
          // Read through the tag: `retryOnAuthError` watches which credential was refused.
          const credential = yield* Effect.flatMap(tag, (credentials) => credentials.get)
          const epochMillis = (yield* Clock.currentTimeMillis) + (yield* Ref.get(offset))
          const at = { epochMillis, nonce: nonce() }
          const method = request.method
          if (algorithm === "RPC") {
            const signed = signRpc({ method, action, version, query, form }, credential, at)
            return Request.write(request, parts, signed.query, headers)
          }
          const signed = yield* signAcs3(
            {
              method,
              host: parts.url.host,
              path: parts.url.pathname,
              action,
              version,
              query,
              headers: parts.contentType === undefined ? headers : { ...headers, "content-type": parts.contentType },
              body: parts.body
            },
            credential,
            at,
            algorithm
          )
          return Request.write(request, parts, signed.query, signed.headers)
        }).pipe(
          Effect.flatMap((signed) => inner.execute(signed)),
          Effect.flatMap(inspect),
          // Errors, and the answer below, name the caller's request: the signed one holds the signature and token.
          Effect.mapError((error) => Unsigned.error(error, request))
        )

        // One correction of the clock, then one more attempt.
        const corrected = Effect.catchIf(
          attempt,
          (error): error is Refused => error._tag === "Refused" && isSkew(error.code),
          (refused) =>
            Effect.gen(function*() {
              if (refused.serverMillis === undefined) return yield* refused
              const now = yield* Clock.currentTimeMillis
              yield* Ref.set(offset, refused.serverMillis - now)
              yield* Effect.annotateCurrentSpan("alicloud.clock_corrected_millis", refused.serverMillis - now)
              yield* Effect.logDebug(
                "SignedHttpClient: the service refused the time; clock corrected from its Date header"
              )
                .pipe(Effect.annotateLogs({
                  "alicloud.action": action,
                  "alicloud.code": refused.code,
                  "alicloud.clock_corrected_millis": refused.serverMillis - now
                }))
              return yield* attempt
            })
        )
        const refusedCredential = Effect.tapError(corrected, (error) =>
          error._tag === "Refused" && isAuthError({ code: error.code }) ?
            Effect.logDebug("SignedHttpClient: the service refused the credential; refreshing once").pipe(
              Effect.annotateLogs({ "alicloud.action": action, "alicloud.code": error.code })
            ) :
            Effect.void)
        const recovered = retryOnAuthError(tag, refusedCredential, {
          isAuthError: (error) => error._tag === "Refused" && isAuthError({ code: error.code })
        }).pipe(Effect.provideService(tag, service))
        // After the retries, a refusal is the service's answer: the caller reads it.
        const response = yield* Effect.catchTag(recovered, "Refused", (refused) =>
          Effect.succeed(refused.response))
        return Unsigned.response(response, request)
      }).pipe(Effect.withSpan("SignedHttpClient.execute", { kind: "client", captureStackTrace: false }))

    return HttpClient.makeWith(
      (request: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(request, execute),
      Effect.succeed
    )
  })
