/**
 * 11. Identities at tenant scale (issue 21), against an STS emulator limited to 100 AssumeRole per
 * second per signing key (`rateLimit`, a token bucket of 100), defaults as shipped:
 *
 * - warm-up: N tenants (default 10,000; `BENCH_TENANTS`) ask for their credential at once.
 *   Ours: one `IdentityPool` (defaults), one `RamRoleArn` source per tenant, all sharing the
 *   default `RequestBudget`, on a virtual clock (the emulator on the same clock). The official
 *   way: one `@alicloud/credentials` `Credential` per tenant, each on its own, on the real clock
 *   against its own rate-limited emulator.
 * - steady state (ours): the same tenants held live for 2 hours of 1-hour sessions: the peak
 *   second, and the busiest 60-s bucket against the average over the span, after the warm-up
 *   (from the last tenant's credential to 2 h) and with it (see `rates`).
 * - memory per live identity (ours: the pool, N = 1,000, heap after GC; an in-process STS so the
 *   emulator's memory is not counted), and what an idle identity leaves after its TTL.
 */
import { AccessKey, HttpTransport, IdentityPool, RamRoleArn } from "@effect-alicloud/credentials"
import { Emulator } from "@effect-alicloud/emulator"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Supervisor from "effect/Supervisor"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { accessKeyId, accessKeySecret, fixtures, heapUsed, Official, round, type Row, sleep } from "./env.js"
import * as VirtualClock from "./VirtualClock.js"

export const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000)
const LIMIT = 100
const QUANTUM_MS = 20
const HOURS_2 = 2 * 3600_000

const tls = () => ({
  key: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.key"), "utf8"),
  cert: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.crt"), "utf8")
})
const emulatorOptions = () => ({
  tls: tls(),
  accessKeys: [{ accessKeyId, accessKeySecret }],
  rateLimit: { perSecond: LIMIT }
})
const roleOf = (tenant: string) => `acs:ram::1234567890123456:role/${tenant}`
const tenantKeys = (n: number) => Array.from({ length: n }, (_, i) => `tenant-${i}`)

// The pool of the tenants, each assuming its own role through STS at `stsEndpoint` (ours, as shipped).
const signer = AccessKey.make({ accessKeyId, accessKeySecret })
const tenantPool = (stsEndpoint: string) =>
  IdentityPool.make({
    lookup: (tenant) =>
      RamRoleArn.make({
        source: signer,
        roleArn: roleOf(tenant),
        roleSessionName: tenant,
        stsEndpoint
      })
  })

/** Ours: warm-up then 2 hours live, on a virtual clock shared with the emulator. */
const ours = async (n: number) => {
  const started = performance.now()
  const vc = VirtualClock.make(Date.now())
  const t0 = vc.now()
  let inFlight = 0
  const sent: Array<number> = []
  const doneAt: Array<number> = []
  // Every request is counted while on the wire, so the clock moves only once the answers are in.
  const counted = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.make((request) =>
        Effect.suspend(() => {
          inFlight++
          sent.push(vc.now())
          return client.execute(request).pipe(
            Effect.flatMap((response) =>
              Effect.map(response.text, (body) =>
                HttpClientResponse.fromWeb(
                  request,
                  new Response(body, { status: response.status, headers: response.headers })
                ))
            ),
            Effect.ensuring(Effect.sync(() => inFlight--))
          )
        })
      ))
  ).pipe(Layer.provide(HttpTransport.layer()))
  const settle = async () => {
    for (let quiet = 0, i = 0; i < 200_000 && quiet < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve))
      quiet = inFlight === 0 ? quiet + 1 : 0
    }
  }
  const outcome = await Effect.runPromise(
    Effect.gen(function*() {
      const emulator = yield* Emulator.make(emulatorOptions())
      const pool = yield* tenantPool(emulator.stsEndpoint)
      const keys = tenantKeys(n)
      // warm-up: every tenant at once, each holding its identity for the whole run
      const results = yield* Effect.forEach(
        keys,
        (key) =>
          Effect.flatMap(
            pool.identity(key),
            (identity) => Effect.either(identity.get).pipe(Effect.tap(() => Effect.sync(() => doneAt.push(vc.now()))))
          ),
        {
          concurrency: "unbounded"
        }
      ).pipe(
        Effect.fork,
        Effect.flatMap((fiber) =>
          Effect.promise(async () => {
            await settle()
            while (doneAt.length < n && vc.next() !== undefined) {
              await vc.advanceTo(vc.next()!, settle, QUANTUM_MS)
            }
          }).pipe(Effect.zipRight(fiber.await))
        ),
        Effect.flatten
      )
      const warmReceived = (yield* emulator.counters("sts")).received
      const warmThrottled = yield* emulator.throttled
      const warmedAt = vc.now()
      // 2 hours live: the engines refresh ahead of expiry, the budget shared
      yield* Effect.promise(() => vc.advanceTo(t0 + HOURS_2, settle, QUANTUM_MS))
      const counters = yield* emulator.counters("sts")
      return {
        failed: results.filter(Either.isLeft).length,
        warmReceived,
        warmThrottled,
        warmedAt,
        received: counters.received,
        throttled: yield* emulator.throttled
      }
    }).pipe(Effect.scoped, Effect.withClock(vc.clock), Effect.provide(counted))
  )
  // the steady state: after the warm-up (from the last tenant's credential) to 2 h; and from t0
  const steady = rates(sent, outcome.warmedAt, t0 + HOURS_2)
  const whole = rates(sent, t0, t0 + HOURS_2)
  return {
    tenants: n,
    failedGets: outcome.failed,
    assumeRolePerTenant: round(outcome.warmReceived / n, 4),
    lastTenantSeconds: round((Math.max(...doneAt) - t0) / 1000, 1),
    throttledWarmUp: outcome.warmThrottled,
    throttledShare: round(outcome.warmThrottled / outcome.warmReceived, 4),
    steadyRequests: steady.requests,
    steadyPeakPerSecond: steady.peakSecond,
    steadyPeakPerMinute: steady.peakMinute,
    steadyAveragePerSecond: steady.average,
    steadyPeakOverAverage: steady.ratio,
    wholeRequests: whole.requests,
    wholePeakPerMinute: whole.peakMinute,
    wholeAveragePerSecond: whole.average,
    wholePeakOverAverage: whole.ratio,
    throttledTotal: outcome.throttled,
    simulationMs: Math.round(performance.now() - started)
  }
}

/**
 * The request rate over [from, to) of the virtual clock: `peakSecond`, the most requests sent in
 * one second (1-s buckets from `from`: the unit of the rate limit); `peakMinute`, the most sent in
 * one 60-s bucket from `from`, in req/s (÷ 60; the last, partial bucket is not scaled up);
 * `average`, all requests ÷ the seconds of the span; `ratio`, peakMinute ÷ average.
 */
const rates = (sent: ReadonlyArray<number>, from: number, to: number) => {
  const seconds = new Map<number, number>()
  const minutes = new Map<number, number>()
  let requests = 0
  for (const at of sent) {
    if (at < from || at >= to) continue
    requests++
    const second = Math.floor((at - from) / 1000)
    seconds.set(second, (seconds.get(second) ?? 0) + 1)
    minutes.set(Math.floor(second / 60), (minutes.get(Math.floor(second / 60)) ?? 0) + 1)
  }
  const peakMinute = Math.max(0, ...minutes.values()) / 60
  const average = requests / ((to - from) / 1000)
  return {
    requests,
    peakSecond: Math.max(0, ...seconds.values()),
    peakMinute: round(peakMinute, 2),
    average: round(average, 2),
    ratio: average === 0 ? 0 : round(peakMinute / average, 2)
  }
}

/** The official way: one Credential per tenant, each on its own, all at once (real clock). */
export const official = async (n: number) => {
  const scope = Effect.runSync(Scope.make())
  const emulator = await Effect.runPromise(Scope.extend(Emulator.make(emulatorOptions()), scope))
  try {
    const started = performance.now()
    const finished: Array<number> = []
    const outcomes = await Promise.allSettled(
      tenantKeys(n).map(async (tenant) => {
        const credential = new Official({
          type: "ram_role_arn",
          accessKeyId,
          accessKeySecret,
          roleArn: roleOf(tenant),
          roleSessionName: tenant,
          stsEndpoint: emulator.stsEndpoint
        })
        const answer = await credential.getCredential()
        finished.push(performance.now() - started)
        return answer
      })
    )
    const counters = await Effect.runPromise(emulator.counters("sts"))
    const throttled = await Effect.runPromise(emulator.throttled)
    // why the failed gets failed: the first words of each distinct message, counted
    const reasons: Record<string, number> = {}
    for (const outcome of outcomes) {
      if (outcome.status !== "rejected") continue
      const message = String((outcome.reason as { message?: unknown } | undefined)?.message ?? outcome.reason)
      const code = /"Code":"([^"]+)"/.exec(message)?.[1]
      const reason = code === undefined ? message.replace(/[\d:.]+/g, "N").slice(0, 60) : `STS answered ${code}`
      reasons[reason] = (reasons[reason] ?? 0) + 1
    }
    return {
      tenants: n,
      failedGets: outcomes.filter((o) => o.status === "rejected").length,
      assumeRolePerTenant: round(counters.received / n, 4),
      lastTenantSeconds: finished.length === 0 ? NaN : round(Math.max(...finished) / 1000, 1),
      throttled,
      throttledShare: round(throttled / counters.received, 4),
      reasons
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * Memory per live identity in a pool (in-process STS; every identity used once, then idle within
 * its TTL), and, in a second run under a fiber-tracking supervisor, what is left after the TTL.
 */
export const memory = async (n: number, supervised: boolean) => {
  const vc = VirtualClock.make(Date.now())
  let issued = 0
  const stub = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        issued++
        const expiration = new Date(vc.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z")
        return HttpClientResponse.fromWeb(
          request,
          new Response(
            JSON.stringify({
              RequestId: `r-${issued}`,
              Credentials: {
                AccessKeyId: `STS.mem-${issued}`,
                AccessKeySecret: `secret-${issued}`,
                SecurityToken: `token-${issued}-${"x".repeat(400)}`,
                Expiration: expiration
              }
            }),
            { status: 200, headers: { "content-type": "application/json" } }
          )
        )
      })
    )
  )
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  }
  return Effect.runPromise(
    Effect.gen(function*() {
      const supervisor = yield* Supervisor.track
      // the pool's one sweeper fiber is not counted: the identities' fibers are
      const pool = yield* tenantPool("127.0.0.1:9")
      const before = yield* Effect.promise(async () => {
        await sleep(100)
        return heapUsed()
      })
      // every tenant used once: the identities stay live (idle, refreshing) for the TTL
      yield* Effect.forEach(tenantKeys(n), (key) => pool.get(key), { concurrency: 50, discard: true }).pipe(
        supervised ? Effect.supervised(supervisor) : (effect) => effect,
        Effect.fork,
        Effect.flatMap((fiber) =>
          Effect.promise(async () => {
            await settle()
            while (supervised && vc.next() !== undefined && vc.next()! <= vc.now() + 60_000 && issued < n) {
              await vc.advanceTo(vc.next()!, settle, QUANTUM_MS)
            }
          }).pipe(Effect.zipRight(fiber.await))
        )
      )
      const after = yield* Effect.promise(async () => {
        await sleep(100)
        return heapUsed()
      })
      const live = yield* pool.size
      const fibersLive = (yield* supervisor.value).length
      // idle: past the default TTL (15 minutes) every identity is closed
      if (supervised) yield* Effect.promise(() => vc.advanceTo(vc.now() + 16 * 60_000, settle, 1000))
      return {
        identities: live,
        perIdentityKiB: round((after - before) / live / 1024, 1),
        fibersWhileLive: fibersLive,
        afterTtl: { identities: yield* pool.size, fibers: (yield* supervisor.value).length }
      }
    }).pipe(
      Effect.scoped,
      // the heap is measured on the default clock (the virtual one's timers are not an identity's)
      supervised ? Effect.withClock(vc.clock) : (effect) => effect,
      Effect.provide(stub)
    )
  )
}

export const run = async () => {
  const n = TENANTS
  const oursResult = await ours(n)
  const officialResult = await official(n)
  const memoryResult = await memory(1000, false)
  const ttlResult = await memory(1000, true)
  const bench = `identities ${n.toLocaleString("en")} tenants`
  const rows: Array<Row> = [
    {
      benchmark: bench,
      metric: `warmed at once (STS limited to ${LIMIT}/s): failed gets`,
      ours: oursResult.failedGets,
      official: officialResult.failedGets,
      target: "ours 0",
      met: oursResult.failedGets === 0
    },
    {
      benchmark: bench,
      metric: "same: AssumeRole requests per tenant",
      ours: oursResult.assumeRolePerTenant,
      official: officialResult.assumeRolePerTenant,
      target: "ours <= 1.02",
      met: oursResult.assumeRolePerTenant <= 1.02
    },
    {
      benchmark: bench,
      metric: "same: s until the last tenant has its credential (ours virtual, official real; official: last success)",
      ours: oursResult.lastTenantSeconds,
      official: officialResult.lastTenantSeconds,
      target: `ours <= ${round(1.1 * n / LIMIT, 1)}`,
      met: oursResult.lastTenantSeconds <= 1.1 * n / LIMIT
    },
    {
      benchmark: bench,
      metric: "same: throttled answers / requests",
      ours: oursResult.throttledShare,
      official: officialResult.throttledShare,
      target: "ours <= 0.01",
      met: oursResult.throttledShare <= 0.01
    },
    {
      benchmark: bench,
      metric: "live 2 h of 1-hour sessions, after the warm-up: peak req/s (most requests in one second)",
      ours: oursResult.steadyPeakPerSecond,
      official: "",
      target: `<= ${LIMIT}`,
      met: oursResult.steadyPeakPerSecond <= LIMIT
    },
    {
      benchmark: bench,
      metric:
        `same: peak / average req/s (peak: the busiest 60-s bucket ${oursResult.steadyPeakPerMinute}/s; average: ${oursResult.steadyRequests} requests over the span ${oursResult.steadyAveragePerSecond}/s)`,
      ours: oursResult.steadyPeakOverAverage,
      official: "",
      target: "<= 2",
      met: oursResult.steadyPeakOverAverage <= 2
    },
    {
      benchmark: bench,
      metric:
        `same, warm-up included (2 h from the start: peak 60-s bucket ${oursResult.wholePeakPerMinute}/s, the warm-up's; average ${oursResult.wholeAveragePerSecond}/s)`,
      ours: oursResult.wholePeakOverAverage,
      official: "",
      target: "(none: the warm-up has its rows above)"
    },
    {
      benchmark: "identities pool, 1,000 live",
      metric: "memory per live identity, KiB (heap after GC, in-process STS, idle within its TTL)",
      ours: memoryResult.perIdentityKiB,
      official: "",
      target: "<= 40",
      met: memoryResult.perIdentityKiB <= 40
    },
    {
      benchmark: "identities pool, 1,000 live",
      metric: "idle identities closed after the TTL (15 min): identities + their fibers left",
      ours: ttlResult.afterTtl.identities + ttlResult.afterTtl.fibers,
      official: "",
      target: "0",
      met: ttlResult.afterTtl.identities + ttlResult.afterTtl.fibers === 0
    }
  ]
  return { rows, data: { ours: oursResult, official: officialResult, memory: memoryResult, ttl: ttlResult } }
}
