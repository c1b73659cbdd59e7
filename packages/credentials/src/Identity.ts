/**
 * Named identities: more than one `Credentials` service in one program, each with its own source
 * and refresh engine, each a tag of its own, provided by layers and yielded like `Credentials`.
 *
 * ```ts
 * class Audit extends Identity.Tag("Audit")<Audit>() {}
 *
 * const program = Effect.gen(function*() {
 *   const own = yield* (yield* Credentials).get
 *   const audit = yield* (yield* Audit).get
 * })
 * program.pipe(Effect.provide(Layer.mergeAll(CredentialsLive, Audit.layer(RamRoleArn.make({ ... })))))
 * ```
 *
 * Every identity takes its STS requests from the program's one `RequestBudget`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import { Credentials } from "./Credentials.js"
import * as recovery from "./internal/refresh/recovery.js"
import * as Refresh from "./Refresh.js"
import type { Source } from "./Source.js"

/**
 * What `Identity.Tag(id)<Self>()` gives: a tag whose service is a `Credentials.Service`, with its
 * layers and `retryOnAuthError` as static members.
 *
 * @example
 * ```ts
 * import { Identity } from "@effect-alicloud/credentials"
 *
 * class Audit extends Identity.Tag("Audit")<Audit>() {}
 * const tag: Identity.IdentityClass<Audit, "Audit"> = Audit
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityClass<Self, Id extends string>
  extends Context.TagClass<Self, `@effect-alicloud/credentials/Identity/${Id}`, Credentials.Service>
{
  /** The identity's name, as given to `Identity.Tag`. */
  readonly identity: Id
  /**
   * The identity over a source, cached and refreshed by its own refresh engine (as
   * `Credentials.layer`). Nothing is fetched until the first `get`.
   */
  readonly layer: <R>(source: Source<R>, options?: Refresh.Options) => Layer.Layer<Self, never, R>
  /**
   * The identity from any layer of `Credentials` (`Credentials.layerChain`, `layerDefault`, a
   * `CliProfile` layer...), which then serves this identity only.
   */
  readonly fromCredentials: <E, R>(layer: Layer.Layer<Credentials, E, R>) => Layer.Layer<Self, E, R>
  /**
   * This identity as the program's `Credentials`, for code written against `Credentials` (a
   * signing middleware, a client of yours): `effect.pipe(Effect.provide(Audit.asCredentials))`.
   */
  readonly asCredentials: Layer.Layer<Credentials, never, Self>
  /**
   * `Credentials.retryOnAuthError` for this identity: on an authentication error of `effect`,
   * refresh this identity once and run `effect` again.
   */
  readonly retryOnAuthError: recovery.RetryOnAuthError<Self>
}

/**
 * Declares a named identity, class-style as `Context.Tag`: `class Audit extends
 * Identity.Tag("Audit")<Audit>() {}`. Its key is `@effect-alicloud/credentials/Identity/<id>`: one
 * id, one identity per program.
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials, HttpTransport, Identity, RamRoleArn } from "@effect-alicloud/credentials"
 * import { Effect, Layer } from "effect"
 *
 * class Audit extends Identity.Tag("Audit")<Audit>() {}
 *
 * const base = AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
 * const program = Effect.gen(function*() {
 *   const own = yield* (yield* Credentials).get
 *   const audit = yield* (yield* Audit).get
 *   return [own.providerName, audit.providerName]
 * })
 * const layers = Layer.mergeAll(
 *   Credentials.layer(base),
 *   Audit.layer(RamRoleArn.make({ source: base, roleArn: "acs:ram::1234567890123456:role/auditor" }))
 * ).pipe(Layer.provide(HttpTransport.layer()))
 * const runnable = program.pipe(Effect.provide(layers))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const Tag = <const Id extends string>(id: Id) => <Self>(): IdentityClass<Self, Id> => {
  const tag = Context.Tag(`@effect-alicloud/credentials/Identity/${id}` as const)<Self, Credentials.Service>()
  const retryOnAuthError = dual(
    (args) => Effect.isEffect(args[0]),
    <A, E, R>(effect: Effect.Effect<A, E, R>, options?: Credentials.RetryOnAuthErrorOptions<E>) =>
      recovery.retryOnAuthError(tag, effect, options)
  )
  return Object.assign(tag, {
    identity: id,
    layer: <R>(source: Source<R>, options?: Refresh.Options) =>
      Layer.scoped(
        tag,
        Refresh.make(source, options)
      ),
    fromCredentials: <E, R>(layer: Layer.Layer<Credentials, E, R>) =>
      Layer.effect(tag, Credentials).pipe(Layer.provide(layer)),
    asCredentials: Layer.effect(Credentials, tag),
    retryOnAuthError
  }) as IdentityClass<Self, Id>
}
