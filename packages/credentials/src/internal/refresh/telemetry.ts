// What the library reports about itself: the metrics of every refresh (export them with
// `@effect/opentelemetry`, see docs/observability.md). Spans: `Credentials.get` around every
// `get` when a tracer is installed, `Credentials.refresh` around every upstream fetch, with the
// source, the credential type and the outcome as attributes — never a secret. Internal: a program
// knows the metrics by their names (docs/observability.md).
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Tracer from "effect/Tracer"

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
