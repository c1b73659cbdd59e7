/**
 * An `HttpClient` that signs every request for Alibaba Cloud with the credential `Credentials`
 * holds at that moment: ACS3 (`ACS3-HMAC-SHA256`, default, or `ACS3-HMAC-SM3`) or RPC (`HMAC-SHA1`).
 *
 * - Every attempt gets the current credential (a cached `get`), a new nonce and the time.
 * - A refused credential (`InvalidSecurityToken.*`, `InvalidAccessKeyId.*`, `SignatureDoesNotMatch`)
 *   is refreshed once and the call retried once (`Credentials.retryOnAuthError`: concurrent calls
 *   share the refresh, and the engine's floor holds).
 * - A refused time (`InvalidTimeStamp.Expired`) corrects the client's clock from the service's
 *   `Date` header (kept for later calls) and retries once.
 * - Bodies: JSON, form (RPC signs its parameters), bytes, text; a stream of known length up to
 *   `maxBodyBytes` is read to be hashed; a stream of unknown length and multipart are refused with a
 *   `SigningError`, never buffered without bound.
 * - After its retries a refusal is the service's answer: the response is returned, as any client
 *   returns a 4xx.
 * - The platform's client span is off for these requests (it would record the signature and token);
 *   the middleware's `SignedHttpClient.execute` span names the action, host and path only.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Credentials } from "./Credentials.js"
import type { CredentialsError } from "./CredentialsError.js"
import * as internal from "./internal/signing/middleware.js"
import type { SigningError } from "./Signing.js"

/**
 * `algorithm`: `"RPC"` or an ACS3 algorithm (default `"ACS3-HMAC-SHA256"`). `maxBodyBytes`: the
 * largest streamed body read to be hashed (default 16 MiB).
 *
 * @example
 * ```ts
 * import { SignedHttpClient } from "@effect-alicloud/credentials"
 *
 * const options: SignedHttpClient.Options = { algorithm: "RPC", maxBodyBytes: 1024 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Options = internal.Options

/**
 * The signed client: its errors are the transport's, the credential's and the signer's.
 *
 * @example
 * ```ts
 * import { SignedHttpClient } from "@effect-alicloud/credentials"
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const status = (client: SignedHttpClient.Client) =>
 *   client.execute(HttpClientRequest.get("https://ecs.cn-hangzhou.aliyuncs.com/")).pipe(
 *     Effect.map((response) => response.status),
 *     Effect.catchTag("SigningError", (error) => Effect.succeed(error.reason))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Client = HttpClient.HttpClient.With<HttpClientError.HttpClientError | CredentialsError | SigningError>

/**
 * Wraps the `HttpClient` of the context with signing by the `Credentials` of the context.
 *
 * @example
 * ```ts
 * import { SignedHttpClient } from "@effect-alicloud/credentials"
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const identity = Effect.gen(function*() {
 *   const client = yield* SignedHttpClient.make()
 *   const response = yield* client.execute(
 *     HttpClientRequest.post("https://sts.aliyuncs.com/").pipe(
 *       SignedHttpClient.action("GetCallerIdentity", "2015-04-01")
 *     )
 *   )
 *   return yield* response.json
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Client, never, HttpClient.HttpClient | Credentials> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const credentials = yield* Credentials
    return yield* internal.make(client, Credentials, credentials, options)
  })

/**
 * The tag of a signed client provided by `layer`.
 *
 * @example
 * ```ts
 * import { SignedHttpClient } from "@effect-alicloud/credentials"
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const regions = Effect.flatMap(SignedHttpClient.SignedHttpClient, (client) =>
 *   client.execute(HttpClientRequest.get("https://ecs.cn-hangzhou.aliyuncs.com/").pipe(
 *     SignedHttpClient.action("DescribeRegions", "2014-05-26")
 *   )))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class SignedHttpClient extends Context.Tag("@effect-alicloud/credentials/SignedHttpClient")<
  SignedHttpClient,
  Client
>() {}

/**
 * A layer of `SignedHttpClient` over the context's `HttpClient` and `Credentials` (the context's
 * `HttpClient` itself stays unsigned, for the credential sources).
 *
 * @example
 * ```ts
 * import { Credentials, CredentialsLive, SignedHttpClient } from "@effect-alicloud/credentials"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * const SignedLive = SignedHttpClient.layer({ algorithm: "RPC" }).pipe(
 *   Layer.provide(Layer.merge(CredentialsLive, NodeHttpClient.layerUndici))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<SignedHttpClient, never, HttpClient.HttpClient | Credentials> =>
  Layer.effect(SignedHttpClient, make(options))

/**
 * Names the API action and version of a request (`x-acs-action` / `x-acs-version`; the RPC
 * middleware moves them to the `Action` / `Version` parameters).
 *
 * @example
 * ```ts
 * import { SignedHttpClient } from "@effect-alicloud/credentials"
 * import { HttpClientRequest } from "@effect/platform"
 *
 * const request = HttpClientRequest.post("https://sts.aliyuncs.com/").pipe(
 *   SignedHttpClient.action("GetCallerIdentity", "2015-04-01")
 * )
 * assert.strictEqual(request.headers["x-acs-action"], "GetCallerIdentity")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const action = (
  action: string,
  version: string
): (self: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.setHeaders({ "x-acs-action": action, "x-acs-version": version })
