// What the library reports about itself: the metrics of every refresh (export them with
// `@effect/opentelemetry`, see docs/observability.md). Spans: `Credentials.get` around every
// `get` when a tracer is installed, `Credentials.refresh` around every upstream fetch, with the
// source, the credential type and the outcome as attributes — never a secret. Internal: a program
// knows the metrics by their names (docs/observability.md).
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Tracer from "effect/Tracer"
import * as Credential from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"

/**
 * Effect's built-in tracer, which keeps spans in memory only. With it, a cached `get` makes no
 * span (a span would cost ten times the `get`); install a tracer to see every `get`.
 */
export const builtInTracer: Tracer.Tracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * Upstream fetches, tagged `source` and `outcome` (`success` or the error's tag).
 */
export const refreshes = Metric.counter("alicloud_credentials_refreshes_total", {
  description: "Upstream credential fetches, by source and outcome",
  incremental: true
})

/**
 * Failed upstream fetches, tagged `source` and `reason` (the error's tag).
 */
export const refreshFailures = Metric.counter("alicloud_credentials_refresh_failures_total", {
  description: "Failed upstream credential fetches, by source and reason",
  incremental: true
})

/**
 * How long an upstream fetch took, in milliseconds, tagged `source`.
 */
export const upstreamLatency = Metric.histogram(
  "alicloud_credentials_upstream_latency_ms",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 }),
  "Latency of upstream credential fetches, in milliseconds"
)

/**
 * Seconds left before the current credential expires, as of its fetch, tagged `source`.
 */
export const secondsToExpiry = Metric.gauge("alicloud_credentials_seconds_to_expiry", {
  description: "Seconds left before the current credential expires, when it was fetched"
})

const tagged = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, values: Record<string, string>) =>
  Object.entries(values).reduce((metric, [key, value]) => Metric.tagged(metric, key, value), metric)

/** The span attributes of an outcome: the source, the credential type, success or the error's tag. */
export const annotateOutcome = <R>(
  effect: Effect.Effect<Credential.Credential, CredentialsError, R>
): Effect.Effect<Credential.Credential, CredentialsError, R> =>
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

/** What a fetch that got `credential` reports: how long it took, and how long the credential has left. */
export const recordFetched = (credential: Credential.Credential, startedMillis: number, nowMillis: number) =>
  Effect.zipRight(
    Metric.update(tagged(upstreamLatency, { source: credential.providerName }), nowMillis - startedMillis),
    credential.expiration === undefined
      ? Effect.void
      : Metric.set(
        tagged(secondsToExpiry, { source: credential.providerName }),
        Credential.remainingMillis(credential, nowMillis) / 1000
      )
  )

/** An upstream fetch, counted by outcome and traced in a `Credentials.refresh` span. */
export const traceFetch = <R>(
  fetch: Effect.Effect<Credential.Credential, CredentialsError, R>
): Effect.Effect<Credential.Credential, CredentialsError, R> =>
  fetch.pipe(
    Effect.tapBoth({
      onSuccess: (credential) =>
        Metric.increment(tagged(refreshes, { source: credential.providerName, outcome: "success" })),
      onFailure: (error) =>
        Effect.zipRight(
          Metric.increment(tagged(refreshes, { source: error.source, outcome: error._tag })),
          Metric.increment(tagged(refreshFailures, { source: error.source, reason: error._tag }))
        )
    }),
    annotateOutcome,
    Effect.withSpan("Credentials.refresh", { captureStackTrace: false })
  )
