/**
 * The refresh engine: turns any source of session credentials into a cached, refreshing one,
 * modelled as a scoped resource.
 *
 * - The current credential is told to the subscribers (`subscribe`: a queue each, the current
 *   credential first; `Changes.of` makes it a `Stream`).
 * - `get` returns it while it is valid: one primitive that reads the fiber's clock, no ref, no lock.
 * - When there is none, or it has expired, `get` waits for a fetch. Concurrent callers share one
 *   fetch in flight (single flight): N callers, one upstream request.
 * - A background fiber, forked in the resource's scope (and replaced at each new credential),
 *   refreshes ahead of expiry: at
 *   `expiration - max(staleWindow, prefetchWindow)`, a random `jitter` fraction of that lead
 *   earlier still (so a fleet that got its credentials at the same moment does not refresh at the
 *   same moment). A failed refresh is retried on `retrySchedule` for as long as the current
 *   credential is valid; callers keep getting it meanwhile and never see the failure.
 * - The background fiber never starts a fetch sooner than `minRefreshInterval` after the previous
 *   one completed, so a source that hands out nearly expired credentials cannot drive it into a
 *   loop. Callers of an expired credential are not held back by it.
 * - An expired credential is never handed out.
 * - A credential marked `cache: "none"` (`Credential.uncached`, see `Credential.CachePolicy`) is
 *   not kept: it goes to the callers of the fetch that got it, and every later `get` fetches again
 *   (still single flight: callers that arrive while a fetch is in flight share it). The background
 *   fiber never refreshes it, and the subscribers get it only when it differs from the current one
 *   (another key, secret, token, expiration). Cacheable credentials keep the hot path as it is.
 * - `refresh` fetches now, whatever the current credential's state (joining a fetch in flight),
 *   and publishes the answer; `invalidate` drops the current credential, so that the next `get`
 *   fetches and the background fiber waits for that fetch.
 * - The refresh that `Credentials.retryOnAuthError` forces is held to `minForcedRefreshInterval`
 *   (default 5 seconds): within it of the last forced fetch, it answers the latest fetch's answer
 *   (credential or error) instead of asking the upstream again.
 * - Closing the scope interrupts the background fiber and any fetch in flight.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as engine from "./internal/refresh/engine.js"
import type * as timing from "./internal/refresh/timing.js"
import type { Source } from "./Source.js"

/**
 * The refresh windows and the retry policy, each optional: `staleWindow` (default 15 minutes, the
 * official stale time), `prefetchWindow` (default 0; a function picks it by credential), `jitter`
 * (default 0.2), `retrySchedule`, `minRefreshInterval` (default 5 seconds) and
 * `minForcedRefreshInterval` (default 5 seconds). Each field's own documentation says more.
 *
 * @example
 * ```ts
 * import { Credentials, Refresh, RamRoleArn, Environment } from "@effect-alicloud/credentials"
 *
 * // Refresh 30 minutes ahead, no jitter (the official timing, for a single process)
 * const options: Refresh.Options = { staleWindow: "30 minutes", jitter: 0 }
 * const layer = Credentials.layer(RamRoleArn.make({ source: Environment.make(), roleArn: "acs:ram::1234567890123456:role/app" }), options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Options = timing.Options

/**
 * A refreshing source.
 *
 * @example
 * ```ts
 * import { AccessKey, RamRoleArn, Refresh } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * // Chained roles: the inner session is cached and refreshed on its own, not assumed at every outer fetch
 * const program = Effect.gen(function*() {
 *   const inner: Refresh.Refreshing = yield* Refresh.make(
 *     RamRoleArn.make({ source: AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" }), roleArn: "acs:ram::1234567890123456:role/inner" })
 *   )
 *   return RamRoleArn.make({ source: inner.get, roleArn: "acs:ram::6543210987654321:role/outer" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Refreshing = engine.Refreshing

/**
 * Builds a refreshing source over `fetch` in the current scope. Nothing is fetched until the
 * first `get`.
 *
 * @example
 * ```ts
 * import { AccessKey, Refresh } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const refreshing = yield* Refresh.make(AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" }))
 *   const first = yield* refreshing.get // fetched now
 *   const again = yield* refreshing.get // cached: no expiration, kept
 *   return first === again
 * })
 * Effect.runPromise(Effect.scoped(program)).then((same) => assert.strictEqual(same, true))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <R>(fetch: Source<R>, options?: Options) => Effect.Effect<Refreshing, never, Scope.Scope | R> =
  engine.make
