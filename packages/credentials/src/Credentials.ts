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
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Chain from "./Chain.js"
import type { Credential } from "./Credential.js"
import type { CredentialsError } from "./CredentialsError.js"
import * as Refresh from "./Refresh.js"
import type { Source } from "./Source.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A valid credential: cached, refreshed ahead of expiry, fetched once however many wait. */
  readonly get: Effect.Effect<Credential, CredentialsError>
  /** The current credential and every rotation. */
  readonly changes: Stream.Stream<Credential>
}

/**
 * The service tag, with its layers as static members.
 *
 * @since 0.1.0
 * @category tags
 */
export class Credentials extends Context.Tag("@effect-alicloud/credentials/Credentials")<Credentials, Service>() {
  /**
   * The service over any source, cached and refreshed by the refresh engine. A credential without
   * an expiration is fetched once and kept; one marked `cache: "none"` (`Credential.uncached`) is
   * fetched again at every `get`. Nothing is fetched until the first `get`.
   */
  static layer<R>(source: Source<R>, options?: Refresh.Options): Layer.Layer<Credentials, never, R> {
    return Layer.scoped(
      Credentials,
      Effect.map(Refresh.make(source, options), ({ changes, get }) => Credentials.of({ get, changes }))
    )
  }

  /** The service over a chain of sources, tried in order (see `Chain.make`). */
  static layerChain<R>(
    sources: ReadonlyArray<Source<R>>,
    options?: Chain.Options & Refresh.Options
  ): Layer.Layer<Credentials, never, R> {
    return Layer.unwrapEffect(Effect.map(Chain.make(sources, options), (chain) => Credentials.layer(chain, options)))
  }

  /** A service that always hands out `credential`. */
  static layerCredential(credential: Credential): Layer.Layer<Credentials> {
    return Layer.succeed(
      Credentials,
      Credentials.of({ get: Effect.succeed(credential), changes: Stream.make(credential) })
    )
  }

  /**
   * A test double: each `get` hands out the next item of `script` (a credential, or an error to
   * fail with); the last item repeats. `changes` emits each new credential as it is handed out.
   * No network, no clock.
   */
  static layerTest(
    script: readonly [Credential | CredentialsError, ...ReadonlyArray<Credential | CredentialsError>]
  ): Layer.Layer<Credentials> {
    return Layer.effect(
      Credentials,
      Effect.gen(function*() {
        const position = yield* Ref.make(0)
        const lastHandedOut = yield* SubscriptionRef.make(Option.none<Credential>())
        const next = Ref.getAndUpdate(position, (i) => Math.min(i + 1, script.length - 1)).pipe(
          Effect.map((i) => script[i]!)
        )
        const get = Effect.flatMap(next, (item): Effect.Effect<Credential, CredentialsError> =>
          "_tag" in item
            ? Effect.fail(item)
            : SubscriptionRef.set(lastHandedOut, Option.some(item)).pipe(Effect.as(item)))
        // The script's last credential repeats: emit it once.
        const changes = lastHandedOut.changes.pipe(Stream.filterMap((item) => item), Stream.changes)
        return Credentials.of({ get, changes })
      })
    )
  }
}
