/**
 * The refresh engine: turns any source of session credentials into a cached, refreshing one,
 * modelled as a scoped resource.
 *
 * - The current credential lives in a `SubscriptionRef` (it feeds `changes`).
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
 *   fiber never refreshes it, and `changes` emits it only when it differs from the current one
 *   (another key, secret, token, expiration). Cacheable credentials keep the hot path as it is.
 * - `refresh` fetches now, whatever the current credential's state (joining a fetch in flight),
 *   and publishes the answer; `invalidate` drops the current credential, so that the next `get`
 *   fetches and the background fiber waits for that fetch.
 * - Closing the scope interrupts the background fiber and any fetch in flight.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import type * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as SynchronizedRef from "effect/SynchronizedRef"
import * as Credential from "./Credential.js"
import { type CredentialsError, MalformedResponse } from "./CredentialsError.js"
import * as Telemetry from "./internal/refresh/telemetry.js"
import { defaults, refreshDelayMillis } from "./internal/refresh/timing.js"
import type { Source } from "./Source.js"

/**
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
export interface Options {
  /**
   * The official tool's "stale time": a credential with less than this left must be refreshed.
   * Default 15 minutes (`STALE_TIME` of `@alicloud/credentials` and `credentials-java`).
   */
  readonly staleWindow?: Duration.DurationInput | undefined
  /**
   * How long before expiry a refresh may start. Default 0 (the official tool prefetches only ECS
   * credentials, 1 hour ahead: see `EcsRamRole.refreshOptions`). The refresh starts at the larger
   * window. A function picks the window by credential: a chain gives ECS credentials their hour.
   */
  readonly prefetchWindow?:
    | Duration.DurationInput
    | ((credential: Credential.Credential) => Duration.DurationInput)
    | undefined
  /**
   * A refresh starts up to this fraction of the lead time earlier, at random. Default 0.2; 0 turns
   * the jitter off (the official tool's behaviour).
   */
  readonly jitter?: number | undefined
  /**
   * How a failed background refresh is retried while the credential is valid. Each retry waits at
   * least `minRefreshInterval`, whatever the schedule says.
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, CredentialsError> | undefined
  /**
   * The least time between the end of one fetch and the start of a background refresh or retry.
   * Default 5 seconds. A credential that always arrives with little time left (clock skew, a
   * sidecar handing out nearly expired ones) would otherwise be refetched in a loop: the refresh
   * falls due halfway through the time left, over and over (342 requests in 10 s, idle, with 50 ms
   * credentials). If the credential has expired once the interval has passed, the background fiber
   * stops and the next `get` fetches; a `get` of an expired credential always fetches at once.
   * Real credentials (15 minutes and more) fall due long after 5 s, so it never delays them.
   */
  readonly minRefreshInterval?: Duration.DurationInput | undefined
}

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
export interface Refreshing {
  /** The current credential, or the result of the one fetch in flight when there is no valid one. */
  readonly get: Effect.Effect<Credential.Credential, CredentialsError>
  /** The current credential and every new one. */
  readonly changes: Stream.Stream<Credential.Credential>
  /**
   * Fetches now (joining a fetch in flight), whatever the current credential's state, and
   * publishes the answer on `changes`. A failure leaves the current credential as it was.
   */
  readonly refresh: Effect.Effect<Credential.Credential, CredentialsError>
  /**
   * Drops the current credential: the next `get` fetches (a fetch already in flight still
   * publishes its answer). The background refresh of the dropped credential is cancelled.
   */
  readonly invalidate: Effect.Effect<void>
}

const tags = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, values: Record<string, string>) =>
  Object.entries(values).reduce((tagged, [key, value]) => Metric.tagged(tagged, key, value), metric)

// The span attributes of an outcome: the source, the credential type, success or the error's tag.
const annotateOutcome = <R>(effect: Effect.Effect<Credential.Credential, CredentialsError, R>) =>
  Effect.tapBoth(effect, {
    onSuccess: (credential) =>
      Effect.annotateCurrentSpan({
        "credentials.source": credential.providerName,
        "credentials.type": credential.type,
        "credentials.outcome": "success"
      }),
    onFailure: (error) =>
      Effect.annotateCurrentSpan({ "credentials.source": error.source, "credentials.outcome": error._tag })
  })

// Whether `b` would tell a subscriber of `changes` nothing new after `a`.
const sameCredential = (a: Credential.Credential, b: Credential.Credential): boolean =>
  a.type === b.type && a.accessKeyId === b.accessKeyId && a.providerName === b.providerName &&
  a.cache === b.cache && Equal.equals(a.accessKeySecret, b.accessKeySecret) &&
  Equal.equals(a.securityToken, b.securityToken) && Equal.equals(a.bearerToken, b.bearerToken) &&
  Equal.equals(a.expiration, b.expiration)

type InFlight = Option.Option<Fiber.RuntimeFiber<Credential.Credential, CredentialsError>>

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
export const make = <R>(
  fetch: Source<R>,
  options: Options = {}
): Effect.Effect<Refreshing, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R>()
    const scope = yield* Effect.scope
    const current = yield* SubscriptionRef.make(Option.none<Credential.Credential>())
    // What the hot path serves: the latest cached credential as an Effect, with its expiry in epoch
    // milliseconds, set once per credential (the hot path allocates nothing and compares two
    // numbers); `undefined` when there is none (not fetched yet, uncached, or invalidated).
    let hot: { readonly effect: Effect.Effect<Credential.Credential>; readonly validUntil: number } | undefined
    const inFlight = yield* SynchronizedRef.make<InFlight>(Option.none())
    const minInterval = Duration.toMillis(options.minRefreshInterval ?? defaults.minRefreshInterval)
    // Each retry of a failed background refresh waits at least the floor after the failure.
    const retrySchedule = Schedule.modifyDelay(
      options.retrySchedule ?? defaults.retrySchedule,
      (_, delay) => Duration.max(delay, Duration.millis(minInterval))
    )
    // When the last fetch (success or failure) completed; the background fiber waits `minInterval`
    // from there. Written before the new credential is published, so the fiber it wakes sees it.
    let lastFetchEnded = -Infinity
    const markFetchEnded = Effect.clockWith((clock) =>
      Effect.sync(() => {
        lastFetchEnded = clock.unsafeCurrentTimeMillis()
      })
    )

    // One fetch: a credential that has already expired is an error, not a new current value.
    const fetchOnce = Effect.gen(function*() {
      const started = yield* Clock.currentTimeMillis
      const credential = yield* Effect.provide(fetch, context).pipe(Effect.ensuring(markFetchEnded))
      const now = yield* Clock.currentTimeMillis
      if (!Credential.isValidAt(credential, now)) {
        return yield* new MalformedResponse({
          source: credential.providerName,
          endpoint: "the upstream",
          detail: `it returned a credential that expired at ${DateTime.formatIso(credential.expiration!)}`
        })
      }
      if (Credential.isCacheable(credential)) {
        // The hot path first, in one step; then `changes` and the background fiber.
        hot = { effect: Effect.succeed(credential), validUntil: Credential.remainingMillis(credential, 0) }
        yield* SubscriptionRef.set(current, Option.some(credential))
        yield* rescheduleAhead(credential)
      } else {
        // Not kept: the hot path misses and the next `get` fetches. Published only when new.
        hot = undefined
        const previous = yield* SubscriptionRef.get(current)
        if (Option.isNone(previous) || !sameCredential(previous.value, credential)) {
          yield* SubscriptionRef.set(current, Option.some(credential))
          yield* rescheduleAhead(credential)
        }
      }
      yield* Metric.update(tags(Telemetry.upstreamLatency, { source: credential.providerName }), now - started)
      if (credential.expiration !== undefined) {
        yield* Metric.set(
          tags(Telemetry.secondsToExpiry, { source: credential.providerName }),
          Credential.remainingMillis(credential, now) / 1000
        )
      }
      return credential
    }).pipe(
      Effect.tapBoth({
        onSuccess: (credential) =>
          Metric.increment(tags(Telemetry.refreshes, { source: credential.providerName, outcome: "success" })),
        onFailure: (error) =>
          Effect.zipRight(
            Metric.increment(tags(Telemetry.refreshes, { source: error.source, outcome: error._tag })),
            Metric.increment(tags(Telemetry.refreshFailures, { source: error.source, reason: error._tag }))
          )
      }),
      annotateOutcome,
      Effect.withSpan("Credentials.refresh", { captureStackTrace: false })
    )

    // Single flight: join the fetch in flight, or start one. The fetch runs in the resource's scope,
    // not in the caller's fiber, so a caller that gives up does not cancel it for the others. Callers
    // join the fiber itself: once the scope is closed, a fetch cannot start and they are interrupted
    // rather than left waiting.
    const refresh = SynchronizedRef.modifyEffect(inFlight, (running) =>
      Option.match(running, {
        onSome: (fiber) => Effect.succeed([fiber, running] as const),
        onNone: () =>
          fetchOnce.pipe(
            Effect.ensuring(SynchronizedRef.set(inFlight, Option.none())),
            Effect.forkIn(scope),
            Effect.map((fiber) => [fiber, Option.some(fiber)] as const)
          )
      })).pipe(Effect.flatMap(Fiber.join))

    // The hot path: one primitive that reads the fiber's clock and tracer, then `hot` (which
    // `fetchOnce` alone sets, and `invalidate` clears). A span costs ~10 µs, ten times a cached
    // get: spans are made when a tracer is installed (e.g. @effect/opentelemetry's), not for
    // Effect's built-in tracer, which exports nowhere. The fiber's clock is looked up again only
    // when the fiber's services change (a TestClock): measured, the lookup is a tenth of a get.
    let clockOf:
      | { readonly services: Context.Context<DefaultServices.DefaultServices>; readonly clock: Clock.Clock }
      | undefined
    const cachedOrFetch = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => {
      if (hot === undefined) return refresh
      const services = fiber.currentDefaultServices
      if (clockOf?.services !== services) clockOf = { services, clock: Context.get(services, Clock.Clock) }
      return clockOf.clock.unsafeCurrentTimeMillis() < hot.validUntil ? hot.effect : refresh
    }
    const tracedGet = Effect.withFiberRuntime(cachedOrFetch).pipe(
      annotateOutcome,
      Effect.withSpan("Credentials.get", { captureStackTrace: false })
    )
    const get: Effect.Effect<Credential.Credential, CredentialsError> = Effect.withFiberRuntime((fiber) =>
      fiber.currentTracer === Telemetry.builtInTracer ? cachedOrFetch(fiber) : tracedGet
    )

    // Ahead of expiry, and no sooner than `minInterval` after the last fetch, refresh; on failure
    // retry while the credential is still valid. Once it has expired the loop stops, and the next
    // `get` fetches (so an idle program makes no requests).
    const refreshAhead = (credential: Credential.Credential) =>
      Effect.gen(function*() {
        const delay = refreshDelayMillis(credential, yield* Clock.currentTimeMillis, options, yield* Random.next)
        if (delay === undefined) return
        yield* Effect.sleep(Duration.millis(delay))
        let untilFloor = lastFetchEnded + minInterval - (yield* Clock.currentTimeMillis)
        while (untilFloor > 0) {
          yield* Effect.sleep(Duration.millis(untilFloor))
          untilFloor = lastFetchEnded + minInterval - (yield* Clock.currentTimeMillis)
        }
        const left = Credential.remainingMillis(credential, yield* Clock.currentTimeMillis)
        if (left <= 0) return
        yield* refresh.pipe(
          Effect.tapError((error) =>
            Effect.logWarning("credential refresh failed; the current credential is still valid").pipe(
              Effect.annotateLogs({ source: credential.providerName, error: error.message })
            )
          ),
          Effect.retry(retrySchedule.pipe(Schedule.upTo(Duration.millis(Math.max(0, left))))),
          Effect.ignore
        )
      })

    // The background fiber: each publication (or `invalidate`) replaces the fiber that refreshes
    // ahead of the current credential. That fiber joins a fetch but does not own it (fetches run in
    // the resource's scope), so replacing it mid-refresh cancels nothing but its wait. Forked here,
    // at construction, so that it runs with the resource's fiber refs (logger, tracer, parent span),
    // not those of the caller whose fetch published. A queue and two fibers, not a stream over
    // `changes`: a stream's machinery costs ~100 KiB per resource.
    const published = yield* Queue.sliding<Credential.Credential | undefined>(1)
    const rescheduleAhead = (credential: Credential.Credential | undefined) => Queue.offer(published, credential)
    yield* Effect.forkScoped(Effect.gen(function*() {
      let ahead: Fiber.RuntimeFiber<void> | undefined
      while (true) {
        const credential = yield* Queue.take(published)
        if (ahead !== undefined) yield* Fiber.interruptFork(ahead)
        ahead = credential === undefined ? undefined : yield* Effect.fork(refreshAhead(credential))
      }
    }))

    // Dropped (`invalidate`): nothing to refresh ahead of until the next fetch publishes.
    const invalidate = Effect.suspend(() => {
      hot = undefined
      return Effect.zipRight(SubscriptionRef.set(current, Option.none()), rescheduleAhead(undefined))
    })

    return {
      get,
      refresh,
      invalidate,
      changes: current.changes.pipe(Stream.filterMap((cached) => cached))
    }
  })
