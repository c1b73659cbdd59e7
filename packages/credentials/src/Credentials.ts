/**
 * The `Credentials` service: what a program asks for a credential, and its layers.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const credential = yield* (yield* Credentials).get
 * })
 * program.pipe(Effect.provide(Credentials.layer(AccessKey.make({ accessKeyId, accessKeySecret }))))
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Chain from "./Chain.js"
import type { Credential } from "./Credential.js"
import type { CredentialsError } from "./CredentialsError.js"
import * as recovery from "./internal/refresh/recovery.js"
import * as Subscribers from "./internal/refresh/subscribers.js"
import * as Refresh from "./Refresh.js"
import type { Source } from "./Source.js"
import type * as DefaultChain from "./sources/internal/defaultChain.js"

// `Credentials.retryOnAuthError`, data-first or pipeable.
const retryOnAuthError: recovery.RetryOnAuthError<Credentials> = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(effect: Effect.Effect<A, E, R>, options?: Credentials.RetryOnAuthErrorOptions<E>) =>
    recovery.retryOnAuthError(Credentials, effect, options)
)

/**
 * The service tag, with its layers as static members.
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials, CredentialsLive } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * // Where you sign a request
 * const program = Effect.gen(function*() {
 *   const credentials = yield* Credentials
 *   const credential = yield* credentials.get
 *   return credential.accessKeyId
 * })
 *
 * // In the application: the default chain on Node; in a test, a source of your own
 * const live = program.pipe(Effect.provide(CredentialsLive))
 * const test = program.pipe(
 *   Effect.provide(Credentials.layer(AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })))
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Credentials
  extends Context.Tag("@effect-alicloud/credentials/Credentials")<Credentials, Credentials.Service>()
{
  /**
   * The service over any source, cached and refreshed by the refresh engine. A credential without
   * an expiration is fetched once and kept; one marked `cache: "none"` (`Credential.uncached`) is
   * fetched again at every `get`. Nothing is fetched until the first `get`.
   *
   * @example
   * ```ts
   * import { AccessKey, Credentials } from "@effect-alicloud/credentials"
   * import { Effect } from "effect"
   *
   * const program = Effect.gen(function*() {
   *   const credentials = yield* Credentials
   *   return yield* credentials.get
   * })
   * Effect.runPromise(program.pipe(Effect.provide(Credentials.layer(AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })))))
   *   .then((credential) => assert.strictEqual(credential.providerName, "static_ak"))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layer<R>(source: Source<R>, options?: Refresh.Options): Layer.Layer<Credentials, never, R> {
    // The engine's face is the service's: `get`, `subscribe`, `refresh`, `invalidate`.
    return Layer.scoped(Credentials, Refresh.make(source, options))
  }

  /**
   * The service over a chain of sources, tried in order (see `Chain.make`), pinned to the first
   * that works.
   *
   * @example
   * ```ts
   * import { AccessKey, Credentials, Environment } from "@effect-alicloud/credentials"
   *
   * // The environment, else a key from code; provider names read `mine/env` or `mine/static_ak`
   * const layer = Credentials.layerChain([Environment.make(), AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })], { name: "mine" })
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layerChain<R>(
    sources: ReadonlyArray<Source<R>>,
    options?: Chain.Options & Refresh.Options
  ): Layer.Layer<Credentials, never, R> {
    return Layer.unwrapEffect(Effect.map(Chain.make(sources, options), (chain) => Credentials.layer(chain, options)))
  }

  /**
   * The default chain on Node (see `DefaultChain`), with options: a profile, endpoints, timeouts,
   * the refresh windows. `CredentialsLive` is the same with the official defaults. Each source of
   * the default chain is loaded when the chain first reaches it, the file system and child
   * processes when it first reaches a source that needs them, and the HTTP transport when a source
   * first sends a request: a program answered by the environment loads none of them (nor `Schema`).
   *
   * @example
   * ```ts
   * import { Credentials } from "@effect-alicloud/credentials"
   * import { Effect } from "effect"
   *
   * const layer = Credentials.layerDefault({ profile: "prod", connectTimeout: "3 seconds", refresh: { jitter: 0.3 } })
   * const program = Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(Effect.provide(layer))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layerDefault(options?: DefaultChain.Options): Layer.Layer<Credentials> {
    return Layer.unwrapScoped(Effect.gen(function*() {
      const defaultChain = yield* Effect.promise(() => import("./sources/internal/defaultChain.js"))
      // The Node platform, built in the layer's scope when the chain first reaches a source that
      // needs it (not the environment); its HTTP transport at the first request.
      const scope = yield* Effect.scope
      const platform = yield* Effect.cached(
        Effect.flatMap(Effect.promise(() => import("./sources/internal/nodePlatform.js")), (node) => node.make(scope))
      )
      return Credentials.layerChain(defaultChain.inOrderOn(platform, options), defaultChain.layerOptions(options))
    }))
  }

  /**
   * `layerDefault` with its options read through `Config`, e.g.
   * `Credentials.layerConfig({ profile: Config.string("APP_ALIBABA_PROFILE") })`. A missing or
   * malformed value fails the layer with its `ConfigError`.
   *
   * @example
   * ```ts
   * import { Credentials } from "@effect-alicloud/credentials"
   * import { Config } from "effect"
   *
   * const layer = Credentials.layerConfig({
   *   profile: Config.string("APP_ALIBABA_PROFILE"),
   *   connectTimeout: Config.duration("APP_CONNECT_TIMEOUT").pipe(Config.withDefault("3 seconds" as const)),
   *   proxy: Config.redacted("APP_PROXY").pipe(Config.option, Config.map((proxy) => proxy._tag === "Some" ? proxy.value : false))
   * })
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layerConfig(
    config: Config.Config.Wrap<DefaultChain.Options>
  ): Layer.Layer<Credentials, ConfigError.ConfigError> {
    return Layer.unwrapEffect(Effect.map(Config.unwrap(config), (options) => Credentials.layerDefault(options)))
  }

  /**
   * A service that always hands out `credential` (`refresh` too; `invalidate` does nothing): a
   * test double, or a credential your program got elsewhere.
   *
   * @example
   * ```ts
   * import { Credential, Credentials } from "@effect-alicloud/credentials"
   * import { Effect, Redacted } from "effect"
   *
   * const layer = Credentials.layerCredential(Credential.make({
   *   type: "access_key",
   *   accessKeyId: "LTAI5tExampleKeyId",
   *   accessKeySecret: Redacted.make("s3cr3t-value"),
   *   providerName: "test"
   * }))
   * const credential = Effect.runSync(Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(Effect.provide(layer)))
   * assert.strictEqual(credential.providerName, "test")
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layerCredential(credential: Credential): Layer.Layer<Credentials> {
    const get = Effect.succeed(credential)
    return Layer.scoped(
      Credentials,
      Effect.map(
        Subscribers.make(credential),
        ({ subscribe }) => Credentials.of({ get, subscribe, refresh: get, invalidate: Effect.void })
      )
    )
  }

  /**
   * A test double: each `get` hands out the next item of `script` (a credential, or an error to
   * fail with); the last item repeats. Subscribers get each new credential as it is handed out.
   * `refresh` hands out the next item as `get` does; `invalidate` does nothing (every `get` already
   * takes the next item). No network, no clock.
   *
   * @example
   * ```ts
   * import { Credential, Credentials, CredentialsError } from "@effect-alicloud/credentials"
   * import { Effect, Redacted } from "effect"
   *
   * // The first `get` fails, the next ones succeed
   * const layer = Credentials.layerTest([
   *   new CredentialsError.NetworkError({ source: "test", endpoint: "sts", detail: "connection reset" }),
   *   Credential.make({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Redacted.make("s3cr3t-value"), providerName: "test" })
   * ])
   * const program = Effect.gen(function*() {
   *   const credentials = yield* Credentials
   *   const first = yield* Effect.either(credentials.get)
   *   const second = yield* credentials.get
   *   return [first._tag, second.providerName]
   * })
   * assert.deepStrictEqual(Effect.runSync(program.pipe(Effect.provide(layer))), ["Left", "test"])
   * ```
   *
   * @since 0.1.0
   * @category testing
   */
  static layerTest(
    script: readonly [Credential | CredentialsError, ...ReadonlyArray<Credential | CredentialsError>]
  ): Layer.Layer<Credentials> {
    return Layer.scoped(
      Credentials,
      Effect.gen(function*() {
        const position = yield* Ref.make(0)
        const lastHandedOut = yield* Subscribers.make<Credential>()
        const next = Ref.getAndUpdate(position, (i) => Math.min(i + 1, script.length - 1)).pipe(
          Effect.map((i) => script[i]!)
        )
        const get = Effect.flatMap(next, (item): Effect.Effect<Credential, CredentialsError> =>
          "_tag" in item
            ? Effect.fail(item)
            // The script's last credential repeats: published once.
            : lastHandedOut.latest() === item
            ? Effect.succeed(item)
            : Effect.as(lastHandedOut.publish(item), item))
        return Credentials.of({ get, subscribe: lastHandedOut.subscribe, refresh: get, invalidate: Effect.void })
      })
    )
  }

  /**
   * Runs `effect`, a call signed with this service's credential; if it fails with an error
   * `isAuthError` accepts (default: Alibaba Cloud's authentication codes, see `isAuthError`), the
   * credential is refreshed once and `effect` runs once more, and that outcome is final: a second
   * authentication failure is returned, never retried. When another caller has already refreshed
   * since the refused credential was handed out, the new credential is used without another fetch.
   * A failed refresh fails with its `CredentialsError`. Within `minForcedRefreshInterval` (a
   * `Refresh.Options` field, default 5 seconds) of the last forced fetch, the refresh reuses the
   * latest answer (credential or error) instead of asking the upstream again, so that calls refused
   * in a row cannot flood it (docs/recovery.md). Data-first or pipeable.
   *
   * @example
   * ```ts
   * import { Credentials } from "@effect-alicloud/credentials"
   * import { Data, Effect, Redacted } from "effect"
   *
   * class ApiError extends Data.TaggedError("ApiError")<{ readonly code: string; readonly status: number }> {}
   *
   * // A signed call of yours (here a stand-in): it reads the credential at each run
   * const callApi = Effect.gen(function*() {
   *   const credential = yield* Effect.flatMap(Credentials, (credentials) => credentials.get)
   *   return Redacted.value(credential.accessKeySecret).length > 0 ? "ok" : yield* new ApiError({ code: "SignatureDoesNotMatch", status: 400 })
   * })
   *
   * const identity = Credentials.retryOnAuthError(callApi) // Alibaba Cloud's authentication codes
   * const same = callApi.pipe(Credentials.retryOnAuthError({
   *   isAuthError: (error) => error._tag === "ApiError" && error.status === 401
   * }))
   * ```
   *
   * @since 0.1.0
   * @category recovery
   */
  static retryOnAuthError<E>(
    options?: Credentials.RetryOnAuthErrorOptions<E>
  ): <A, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | CredentialsError, R | Credentials>
  static retryOnAuthError<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: Credentials.RetryOnAuthErrorOptions<E>
  ): Effect.Effect<A, E | CredentialsError, R | Credentials>
  static retryOnAuthError(...args: ReadonlyArray<unknown>): unknown {
    return retryOnAuthError(...(args as Parameters<typeof retryOnAuthError>))
  }

  /**
   * Whether `error` says a credential was refused: a `code`, `Code`, `_tag` or `errorCode` of
   * `InvalidSecurityToken[.*]`, `InvalidAccessKeyId[.*]`, `SignatureDoesNotMatch` or
   * `InvalidAccessKeySecret`, on the error or on what it wraps (`error` of Effect's
   * `UnknownException`, `cause`, `data` of the official SDKs' errors). Our `UpstreamError` and the
   * official SDKs' errors carry the service's code in `code`.
   *
   * @example
   * ```ts
   * import { Credentials } from "@effect-alicloud/credentials"
   *
   * assert.strictEqual(Credentials.isAuthError({ code: "InvalidSecurityToken.Expired" }), true)
   * assert.strictEqual(Credentials.isAuthError({ code: "Throttling" }), false)
   * ```
   *
   * @since 0.1.0
   * @category recovery
   */
  static isAuthError(error: unknown): boolean {
    return recovery.isAuthError(error)
  }

  /**
   * The authentication code `isAuthError` found in `error`, if any.
   *
   * @example
   * ```ts
   * import { Credentials } from "@effect-alicloud/credentials"
   *
   * const error = { name: "ResponseError", data: { Code: "InvalidAccessKeyId.NotFound" } }
   * assert.strictEqual(Credentials.authErrorCode(error), "InvalidAccessKeyId.NotFound")
   * ```
   *
   * @since 0.1.0
   * @category recovery
   */
  static authErrorCode(error: unknown): string | undefined {
    return recovery.authErrorCode(error)
  }
}

/**
 * The types of the service: `Credentials.Service` (what `yield* Credentials` gives) and
 * `Credentials.RetryOnAuthErrorOptions`.
 *
 * @example
 * ```ts
 * import type { Credentials } from "@effect-alicloud/credentials"
 *
 * const service = (credentials: Credentials.Service) => credentials.get
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace Credentials {
  /**
   * What `yield* Credentials` gives.
   *
   * @example
   * ```ts
   * import { Credentials } from "@effect-alicloud/credentials"
   * import { Effect, Queue } from "effect"
   *
   * // Rebuild a long-lived client at each rotation (as a Stream: `Changes.of(credentials)`)
   * const rotations = Effect.gen(function*() {
   *   const credentials: Credentials.Service = yield* Credentials
   *   const rotated = yield* credentials.subscribe
   *   yield* Queue.take(rotated).pipe(
   *     Effect.flatMap((credential) => Effect.logInfo(`new credential from ${credential.providerName}`)),
   *     Effect.forever
   *   )
   * }).pipe(Effect.scoped)
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** A valid credential: cached, refreshed ahead of expiry, fetched once however many wait. */
    readonly get: Effect.Effect<Credential, CredentialsError>
    /**
     * A queue holding the current credential (when there is one), then every new one, until the
     * scope closes; shut down when the service's own scope closes (a `Changes` stream then ends, a
     * `Queue.take` is interrupted: neither waits forever). A subscriber that falls 16 credentials
     * behind loses the oldest. As a `Stream`:
     * `Changes.of(credentials)` (its own module: `effect/Stream` is loaded only by programs that
     * use one).
     */
    readonly subscribe: Effect.Effect<Queue.Dequeue<Credential>, never, Scope.Scope>
    /**
     * Fetches a credential now, whatever the state of the current one (joining a fetch already in
     * flight: one upstream request however many ask), makes it the current one and publishes it to
     * the subscribers. For a credential the service refused before its time (a revoked session, a rotated
     * key); `retryOnAuthError` does it for a signed call. A failure leaves the current credential.
     */
    readonly refresh: Effect.Effect<Credential, CredentialsError>
    /**
     * Drops the current credential, so that the next `get` fetches; nothing is fetched until then.
     */
    readonly invalidate: Effect.Effect<void>
  }

  /**
   * What `Credentials.retryOnAuthError` takes.
   *
   * @example
   * ```ts
   * import { Credentials } from "@effect-alicloud/credentials"
   * import { Effect } from "effect"
   *
   * const options: Credentials.RetryOnAuthErrorOptions<{ readonly status: number }> = {
   *   isAuthError: (error) => error.status === 401
   * }
   * const call = Effect.fail({ status: 401 }).pipe(Credentials.retryOnAuthError(options))
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export interface RetryOnAuthErrorOptions<E> {
    /**
     * Whether an error of the signed effect means the credential was refused. Default
     * `Credentials.isAuthError`: Alibaba Cloud's authentication codes.
     */
    readonly isAuthError?: ((error: E) => boolean) | undefined
  }
}
