/**
 * The credentials a service hands out, as a `Stream`: the current one, then every rotation (a
 * refresh ahead of expiry, a forced refresh, a fetch after `invalidate`).
 *
 * A module of its own because `effect/Stream` is a large module graph (~75 modules, ~45 ms of an
 * Effect app's start on Node 20): the `Credentials` service offers `subscribe` (a queue), and only
 * the programs that want a Stream import this module.
 *
 * ```ts
 * yield* Changes.changes.pipe(Stream.runForEach((credential) => rebuildClient(credential)))
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Credential } from "./Credential.js"
import { Credentials } from "./Credentials.js"

/**
 * The credentials of any `Credentials.Service` (the program's, a named identity's, an
 * `IdentityPool` tenant's): the current one, then each new one. Each run of the stream is a
 * subscription of its own, closed when the stream ends.
 *
 * @example
 * ```ts
 * import { Changes, Credential, Credentials } from "@effect-alicloud/credentials"
 * import { Chunk, Effect, Redacted, Stream } from "effect"
 *
 * const credential = Credential.make({
 *   type: "access_key",
 *   accessKeyId: "LTAI5tExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   providerName: "test"
 * })
 * const program = Effect.gen(function*() {
 *   const credentials = yield* Credentials
 *   return yield* Changes.of(credentials).pipe(Stream.take(1), Stream.runCollect)
 * })
 * const seen = Effect.runSync(program.pipe(Effect.provide(Credentials.layerCredential(credential))))
 * assert.deepStrictEqual(Chunk.toReadonlyArray(seen).map((c) => c.providerName), ["test"])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (credentials: Credentials.Service): Stream.Stream<Credential> =>
  Stream.unwrapScoped(Effect.map(credentials.subscribe, (queue) => Stream.fromQueue(queue)))

/**
 * The credentials of the program's `Credentials` service, as `of` gives them.
 *
 * @example
 * ```ts
 * import { Changes } from "@effect-alicloud/credentials"
 * import { Effect, Stream } from "effect"
 *
 * // Rebuild a long-lived client at each rotation
 * const rotations = Changes.changes.pipe(
 *   Stream.runForEach((credential) => Effect.logInfo(`new credential from ${credential.providerName}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const changes: Stream.Stream<Credential, never, Credentials> = Stream.unwrap(Effect.map(Credentials, of))
