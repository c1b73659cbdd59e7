import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricState } from "effect"
import * as Telemetry from "../src/internal/refresh/telemetry.js"
import * as Refresh from "../src/Refresh.js"
import { makeFakeUpstream, upstreamDown } from "./fakeUpstream.js"
import { recording } from "./recordingTracer.js"

const counterOf = (metric: Metric.Metric.Counter<number>, tags: Record<string, string>) =>
  Metric.value(Object.entries(tags).reduce((m, [k, v]) => Metric.tagged(m, k, v), metric)).pipe(
    Effect.map((state: MetricState.MetricState.Counter<number>) => state.count)
  )

describe("Telemetry", () => {
  it.scoped("a refresh and a get run in spans with source, type and outcome; metrics count them, no secret", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recording
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source)
      const before = yield* counterOf(Telemetry.refreshes, { source: "fake", outcome: "success" })
      yield* refreshing.get.pipe(Effect.withTracer(tracer))
      yield* refreshing.get.pipe(Effect.withTracer(tracer))
      const gets = spans.filter((s) => s.name === "Credentials.get")
      const fetches = spans.filter((s) => s.name === "Credentials.refresh")
      expect(gets.length).toBe(2)
      expect(fetches.length).toBe(1)
      expect(Object.fromEntries(fetches[0]!.attributes)).toEqual({
        "credentials.source": "fake",
        "credentials.type": "sts",
        "credentials.outcome": "success"
      })
      expect(Object.fromEntries(gets[1]!.attributes)).toMatchObject({ "credentials.outcome": "success" })
      expect(JSON.stringify(spans.map((s) => Object.fromEntries(s.attributes)))).not.toContain("secret-1")
      expect((yield* counterOf(Telemetry.refreshes, { source: "fake", outcome: "success" })) - before).toBe(1)
      const gauge = yield* Metric.value(Metric.tagged(Telemetry.secondsToExpiry, "source", "fake"))
      expect(gauge.value).toBe(3600)
    }))

  it.scoped("a failed refresh counts a failure by reason", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      yield* upstream.failWith(upstreamDown)
      const refreshing = yield* Refresh.make(upstream.source)
      const before = yield* counterOf(Telemetry.refreshFailures, { source: "fake", reason: "UpstreamError" })
      yield* Effect.flip(refreshing.get)
      expect((yield* counterOf(Telemetry.refreshFailures, { source: "fake", reason: "UpstreamError" })) - before).toBe(
        1
      )
    }))
})
