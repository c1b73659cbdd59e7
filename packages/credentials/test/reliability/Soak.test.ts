// Long simulations of one refreshing source.
//
// 1. 30 simulated days of `Refresh.make` over an in-memory upstream with a seeded schedule of
//    outages (some longer than a credential's life) and callers at random moments, on a virtual
//    clock (see simulation.ts for why not TestClock there). Invariants checked on the full record.
// 2. A few simulated hours of `Credentials.layer(RamRoleArn)` against the real emulator with STS
//    faults, on the TestClock.
import { type Emulator, Fault } from "@effect-alicloud/emulator"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  Clock,
  DateTime,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  FiberRef,
  Layer,
  Logger,
  Random,
  Redacted,
  Scope,
  Stream,
  SubscriptionRef,
  Supervisor,
  TestClock
} from "effect"
import * as Credential from "../../src/Credential.js"
import { Credentials } from "../../src/Credentials.js"
import { type CredentialsError, Timeout, UpstreamError } from "../../src/CredentialsError.js"
import * as HttpTransport from "../../src/HttpTransport.js"
import * as Refresh from "../../src/Refresh.js"
import type { Source } from "../../src/Source.js"
import * as AccessKey from "../../src/sources/AccessKey.js"
import * as RamRoleArn from "../../src/sources/RamRoleArn.js"
import { accessKey, roleArn, withEmulator } from "../withEmulator.js"
import { ManualScheduler, prng, VirtualClock } from "./simulation.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const T0 = Date.UTC(2024, 0, 1)

// ---------------------------------------------------------------------------------------------
// The plan: outages and callers, from one seed
// ---------------------------------------------------------------------------------------------

interface Outage {
  readonly start: number
  readonly end: number
  /** "503": fails after the usual latency; "timeout": hangs 15 s, then fails with a Timeout. */
  readonly kind: "503" | "timeout"
}

interface Call {
  readonly at: number
  /** How many callers call at that moment (bursts test single flight). */
  readonly burst: number
}

const makePlan = (seed: number, horizon: number) => {
  const random = prng(seed)
  // a cold start during an outage, then outages every 2-26 hours: 40% 1-10 min, 30% 10-60 min,
  // 20% 1-3 h, 10% 3-8 h (the last two longer than the 1-hour credential)
  const outages: Array<Outage> = [{ start: T0, end: T0 + 20 * MINUTE, kind: "503" }]
  for (let t = T0 + 20 * MINUTE;;) {
    t += (2 + random() * 24) * HOUR
    const r = random()
    const length = r < 0.4
      ? (1 + random() * 9) * MINUTE
      : r < 0.7
      ? (10 + random() * 50) * MINUTE
      : r < 0.9
      ? (1 + random() * 2) * HOUR
      : (3 + random() * 5) * HOUR
    if (t + length > T0 + horizon) break
    outages.push({ start: t, end: t + length, kind: random() < 0.7 ? "503" : "timeout" })
    t += length
  }
  // callers: exponential gaps, mean 15 minutes; one moment in ten is a burst of 2-20 callers
  const calls: Array<Call> = []
  for (let t = T0;;) {
    t += -Math.log(1 - random()) * 15 * MINUTE
    if (t >= T0 + horizon) break
    calls.push({ at: t, burst: random() < 0.1 ? 2 + Math.floor(random() * 19) : 1 })
  }
  return { outages, calls, random }
}

// ---------------------------------------------------------------------------------------------
// The in-memory upstream, recording every request and who caused it
// ---------------------------------------------------------------------------------------------

/** Set by callers: a fetch forked from a caller's `get` inherits it; the background loop's does not. */
const causedBy = FiberRef.unsafeMake<"background" | "caller">("background")

interface RequestRecord {
  readonly at: number
  readonly by: "background" | "caller"
  end: number | undefined
  outcome: "pending" | "issued" | "failed" | "interrupted"
}

interface Issued {
  readonly at: number
  readonly credential: Credential.Credential
  readonly expiresAt: number
}

const TTL = HOUR

const makeUpstream = (outages: ReadonlyArray<Outage>, random: () => number) => {
  const requests: Array<RequestRecord> = []
  const issued: Array<Issued> = []
  const outageAt = (t: number) => outages.find((o) => o.start <= t && t < o.end)
  const source: Source = Effect.gen(function*() {
    const at = yield* Clock.currentTimeMillis
    const record: RequestRecord = { at, by: yield* FiberRef.get(causedBy), end: undefined, outcome: "pending" }
    requests.push(record)
    const outage = outageAt(at)
    const finish = (outcome: RequestRecord["outcome"]) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        record.end = now
        record.outcome = outcome
      })
    if (outage?.kind === "timeout") {
      yield* Effect.sleep("15 seconds")
      yield* finish("failed")
      return yield* new Timeout({
        source: "soak",
        endpoint: "http://127.0.0.1/sts",
        phase: "total",
        after: Duration.seconds(15)
      })
    }
    yield* Effect.sleep(Duration.millis(50 + Math.floor(random() * 2950)))
    if (outage !== undefined) {
      yield* finish("failed")
      return yield* new UpstreamError({
        source: "soak",
        endpoint: "http://127.0.0.1/sts",
        status: 503,
        code: "ServiceUnavailable"
      })
    }
    const now = yield* Clock.currentTimeMillis
    const n = issued.length + 1
    const credential = Credential.make({
      type: "sts",
      accessKeyId: `STS.soak-${n}`,
      accessKeySecret: Redacted.make(`SECRET-soak-secret-${n}`),
      securityToken: Redacted.make(`SECRET-soak-token-${n}`),
      expiration: DateTime.unsafeMake(now + TTL),
      providerName: "soak"
    })
    issued.push({ at: now, credential, expiresAt: now + TTL })
    yield* finish("issued")
    return credential
  }).pipe(Effect.onInterrupt(() => Effect.sync(() => void 0)))
  return { source, requests, issued }
}

interface CallRecord {
  readonly at: number
  readonly end: number
  readonly result: Either.Either<Credential.Credential, CredentialsError>
}

interface Sample {
  readonly day: number
  readonly engineFibers: number
  readonly scopeFinalizers: number
  readonly pendingTimers: number
}

// The size of a scope's finalizer map (Effect's ScopeImpl); -1 if the shape is not what we expect.
const finalizerCount = (scope: Scope.Scope): number => {
  const state = (scope as unknown as { readonly state?: { readonly finalizers?: unknown } }).state
  return state?.finalizers instanceof Map ? state.finalizers.size : -1
}

// ---------------------------------------------------------------------------------------------
// The bound on background requests per credential lifetime, from the engine's defaults
// ---------------------------------------------------------------------------------------------

// The loop refreshes at most `lead` = staleWindow × (1 + jitter) = 18 minutes before expiry, and
// retries on the engine's default `retrySchedule` (1 s, 2 s, 4 s ... jittered ×0.8..1.2, at most
// 1 minute apart) until the credential expires: at most 6 quick retries (≥ 0.8 × 63 s = 50.4 s) and
// then one a minute for the rest: 1 + 6 + ceil((18 min − 50.4 s) / 1 min) = 25 requests.
const BACKGROUND_BOUND = 1 + 6 + Math.ceil((18 * MINUTE - 50_400) / MINUTE)

describe("Soak: 30 simulated days of one refreshing source", () => {
  it("keeps every invariant over 30 days of outages and callers", () => {
    const horizon = 30 * DAY
    const plan = makePlan(20240101, horizon)
    const upstream = makeUpstream(plan.outages, plan.random)
    const calls: Array<CallRecord> = []
    const samples: Array<Sample> = []
    const logs: Array<string> = []
    let closing: { readonly engineFibersAfter: number; readonly lastFetch: Exit.Exit<unknown, unknown> } | undefined

    const program = Effect.gen(function*() {
      const engineFibers = yield* Supervisor.track
      const scope = yield* Scope.make()
      const engine = yield* Refresh.make(upstream.source).pipe(Scope.extend(scope), Effect.supervised(engineFibers))
      const live = Effect.map(engineFibers.value, (fibers) => fibers.length)

      // one fiber per call moment, forked at that moment; each caller records what it got
      const callOnce = Effect.gen(function*() {
        const at = yield* Clock.currentTimeMillis
        const result = yield* Effect.either(engine.get)
        calls.push({ at, end: yield* Clock.currentTimeMillis, result })
      }).pipe(Effect.locally(causedBy, "caller"))
      const callers = Effect.gen(function*() {
        const running: Array<Fiber.RuntimeFiber<void>> = []
        for (const call of plan.calls) {
          yield* Effect.sleep(Duration.millis(call.at - (yield* Clock.currentTimeMillis)))
          for (let i = 0; i < call.burst; i++) running.push(yield* Effect.fork(callOnce))
        }
        yield* Fiber.joinAll(running)
      })
      // once a day, at a moment between callers: how many fibers and finalizers the engine holds
      const sampler = Effect.gen(function*() {
        for (let day = 1; day < 30; day++) {
          yield* Effect.sleep(Duration.millis(T0 + day * DAY + 1 - (yield* Clock.currentTimeMillis)))
          samples.push({ day, engineFibers: yield* live, scopeFinalizers: finalizerCount(scope), pendingTimers: -1 })
        }
      })
      yield* Effect.all([callers, sampler], { concurrency: "unbounded", discard: true })

      // the end: a fetch in flight when the scope closes
      const before = upstream.requests.length
      const inFlight = yield* Effect.fork(engine.refresh)
      for (let i = 0; i < 100 && upstream.requests.length === before; i++) yield* Effect.yieldNow()
      expect(upstream.requests.at(-1)?.outcome).toBe("pending")
      yield* Scope.close(scope, Exit.void)
      const lastFetch = yield* Fiber.await(inFlight)
      closing = { engineFibersAfter: yield* live, lastFetch }
    })

    const clock = new VirtualClock(T0)
    const scheduler = new ManualScheduler()
    const capture = Logger.map(Logger.logfmtLogger, (line) => void logs.push(line))
    const fiber = Effect.runFork(
      program.pipe(
        Effect.withClock(clock),
        Effect.withTracerEnabled(false),
        Effect.withRandom(Random.make(7)),
        Effect.provide(Logger.replace(Logger.defaultLogger, capture))
      ),
      { scheduler }
    )
    const started = performance.now()
    scheduler.flush()
    while (fiber.unsafePoll() === null) {
      if (!clock.advance()) throw new Error("the simulation is stuck: no fiber sleeps, the program is not done")
      scheduler.flush()
    }
    const realMillis = performance.now() - started
    const exit = fiber.unsafePoll()!
    if (Exit.isFailure(exit)) throw new Error(`the simulation failed: ${String(exit.cause)}`)

    // --- what happened -------------------------------------------------------------------------
    const { issued, requests } = upstream
    const validAt = (t: number) => issued.some((c) => c.at <= t && t < c.expiresAt)
    const outageMinutes = plan.outages.reduce((sum, o) => sum + (o.end - o.start), 0) / MINUTE
    const longOutages = plan.outages.filter((o) => o.end - o.start > TTL).length
    expect(longOutages).toBeGreaterThanOrEqual(2) // the plan holds outages longer than a credential's life
    expect(calls.length).toBe(plan.calls.reduce((sum, c) => sum + c.burst, 0))

    // 1. No expired credential is ever handed out.
    const successes = calls.filter((c) => Either.isRight(c.result))
    for (const call of successes) {
      const credential = (call.result as Either.Right<never, Credential.Credential>).right
      expect(Credential.isValidAt(credential, call.end)).toBe(true)
    }

    // 2. A caller fails only if no valid credential existed when it called, and the fetch it waited
    //    for failed at the upstream (a failed request ending when the caller got its error).
    const failures = calls.filter((c) => Either.isLeft(c.result))
    for (const call of failures) {
      expect(validAt(call.at)).toBe(false)
      expect(requests.some((r) => r.outcome === "failed" && r.end === call.end)).toBe(true)
    }
    //    and a caller that called while a valid credential existed got it at once (no added latency)
    const servedHot = calls.filter((c) => validAt(c.at))
    for (const call of servedHot) {
      expect(Either.isRight(call.result)).toBe(true)
      expect(call.end).toBe(call.at)
    }
    expect(failures.length).toBeGreaterThan(0) // the long outages were felt, as they must be

    // 3. Requests per credential lifetime (between two issues): background ones bounded by the
    //    retry policy, caller ones by single flight (at most one per call moment).
    const generation = (t: number) => issued.filter((c) => c.at <= t).length
    const perGeneration = new Map<number, { background: number; caller: number }>()
    for (const r of requests) {
      const g = generation(r.at)
      const counts = perGeneration.get(g) ?? { background: 0, caller: 0 }
      counts[r.by]++
      perGeneration.set(g, counts)
    }
    const maxBackground = Math.max(...[...perGeneration.values()].map((c) => c.background))
    expect(maxBackground).toBeLessThanOrEqual(BACKGROUND_BOUND)
    const callerRequests = requests.filter((r) => r.by === "caller")
    const callMoments = new Set(plan.calls.map((c) => c.at))
    for (const r of callerRequests) expect(callMoments.has(r.at)).toBe(true)
    expect(new Set(callerRequests.map((r) => r.at)).size).toBe(callerRequests.length) // one per moment
    const healthyGenerations = [...perGeneration.entries()].filter(([g]) => g > 0)
      .filter(([, c]) => c.background + c.caller === 1).length

    // 4. Closing the scope interrupts the fetch in flight and leaves no engine fiber.
    expect(closing).toBeDefined()
    expect(Exit.isInterrupted(closing!.lastFetch)).toBe(true)
    expect(requests.at(-1)?.outcome).toBe("pending") // never finished: interrupted mid-latency
    expect(closing!.engineFibersAfter).toBe(0)

    // 5. O(1) state: the engine's fibers and its scope's finalizers do not grow over the month.
    expect(samples.length).toBe(29)
    const fiberCounts = samples.map((s) => s.engineFibers)
    const finalizerCounts = samples.map((s) => s.scopeFinalizers)

    // 3 fibers while idle (an expired credential, no loop), 8 while the loop sleeps to the next refresh,
    expect(Math.max(...fiberCounts)).toBeLessThanOrEqual(9) // + a fetch in flight
    expect(finalizerCounts.every((n) => n >= 0)).toBe(true)
    expect(Math.max(...finalizerCounts) - Math.min(...finalizerCounts)).toBeLessThanOrEqual(1)

    // the warnings of failed background refreshes name the source and never a secret
    expect(logs.length).toBeGreaterThan(0)
    for (const line of logs) expect(line).not.toMatch(/SECRET-/)

    const figures = {
      simulatedDays: 30,
      realMillis: Math.round(realMillis),
      wakeUps: clock.wakeUps,
      outages: plan.outages.length,
      outagesLongerThanACredential: longOutages,
      outageMinutes: Math.round(outageMinutes),
      callMoments: plan.calls.length,
      calls: calls.length,
      callsFailed: failures.length,
      callsServedFromCache: servedHot.length,
      credentialsIssued: issued.length,
      upstreamRequests: requests.length,
      backgroundRequests: requests.length - callerRequests.length,
      callerRequests: callerRequests.length,
      generationsWithOneRequest: healthyGenerations,
      maxBackgroundRequestsPerCredential: maxBackground,
      backgroundBound: BACKGROUND_BOUND,
      engineFibersPerDay: `${Math.min(...fiberCounts)}..${Math.max(...fiberCounts)}`,
      scopeFinalizersPerDay: `${Math.min(...finalizerCounts)}..${Math.max(...finalizerCounts)}`,
      warnings: logs.length
    }
    console.log(`soak figures ${JSON.stringify(figures)}`)
    expect(realMillis).toBeLessThan(20_000)
  }, 30_000)
})

// ---------------------------------------------------------------------------------------------
// Against the emulator: a few simulated hours with STS faults, on the TestClock
// ---------------------------------------------------------------------------------------------

// The Node transport, with every response read whole before the library sees it and the number of
// exchanges in flight published: the clock moves only when none is in flight, so a virtual
// timeout never overtakes a real loopback answer.
const trackedTransport = (inFlight: SubscriptionRef.SubscriptionRef<number>) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (effect, request) =>
        Effect.acquireUseRelease(
          SubscriptionRef.update(inFlight, (n) =>
            n + 1),
          () =>
            Effect.flatMap(effect, (response) =>
              Effect.map(response.arrayBuffer, (body) =>
                HttpClientResponse.fromWeb(
                  request,
                  new Response(body, { status: response.status, headers: response.headers })
                ))),
          () => SubscriptionRef.update(inFlight, (n) => n - 1)
        )))
  ).pipe(Layer.provide(HttpTransport.layer()))

describe("Soak against the emulator", () => {
  it.scoped(
    "4 simulated hours of Credentials.layer(RamRoleArn) with STS faults",
    () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          const inFlight = yield* SubscriptionRef.make(0)
          const role = RamRoleArn.make({
            source: AccessKey.make(accessKey),
            roleArn,
            stsEndpoint: emulator.stsUrl,
            roleSessionName: "soak"
          })
          return yield* soakBody(emulator, inFlight).pipe(
            Effect.provide(Credentials.layer(role)),
            Effect.provide(trackedTransport(inFlight)),
            Effect.withRandom(Random.make(7))
          )
        })
      ),
    30_000
  )
})

const soakBody = (emulator: Emulator.EmulatorShape, inFlight: SubscriptionRef.SubscriptionRef<number>) =>
  Effect.gen(function*() {
    const idle = inFlight.changes.pipe(Stream.filter((n) => n === 0), Stream.take(1), Stream.runDrain)
    const horizon = 4 * HOUR
    yield* emulator.setExpiry("sts", "20 minutes")
    // the STS fault script: [at, fault, times] (times undefined: until the next entry clears it)
    const script: ReadonlyArray<readonly [number, Fault.Fault | undefined, number | undefined]> = [
      [15 * MINUTE, Fault.serviceUnavailable, 3],
      [50 * MINUTE, Fault.serviceUnavailable, undefined], // 22 minutes: longer than a credential
      [72 * MINUTE, undefined, undefined],
      [100 * MINUTE, Fault.reset, 2],
      [115 * MINUTE, Fault.close, 1],
      [130 * MINUTE, Fault.throttling(400), 5],
      [150 * MINUTE, Fault.malformedBody, 1],
      [170 * MINUTE, Fault.truncatedBody, 2],
      [190 * MINUTE, Fault.internalError, undefined], // 10 minutes
      [200 * MINUTE, undefined, undefined]
    ]
    // the windows in which STS fails every request
    const down = [[50 * MINUTE, 72 * MINUTE], [190 * MINUTE, 200 * MINUTE]].map(([a, b]) => [T0 + a!, T0 + b!] as const)
    const faults = Effect.forEach(script, ([at, fault, times]) =>
      Effect.gen(function*() {
        yield* Effect.sleep(Duration.millis(T0 + at - (yield* Clock.currentTimeMillis)))
        if (fault === undefined) {
          yield* emulator.clearFaults
        } else {
          yield* emulator.setFault("sts", fault, times === undefined ? {} : { times })
        }
      }), { discard: true })

    const calls: Array<CallRecord> = []
    const credentials = yield* Credentials
    const callOnce = Effect.gen(function*() {
      const at = yield* Clock.currentTimeMillis
      const result = yield* Effect.either(credentials.get)
      calls.push({ at, end: yield* Clock.currentTimeMillis, result })
    })
    const random = prng(42)
    const callers = Effect.gen(function*() {
      for (let t = T0 + MINUTE; t < T0 + horizon; t += (1 + random() * 9) * MINUTE) {
        yield* Effect.sleep(Duration.millis(t - (yield* Clock.currentTimeMillis)))
        yield* Effect.all(Array.from({ length: random() < 0.2 ? 10 : 1 }, () => callOnce), { concurrency: "unbounded" })
      }
    })
    yield* Effect.fork(faults)
    const callerFiber = yield* Effect.fork(callers)

    // the event loop: when no exchange is in flight, jump to the next sleeper
    let steps = 0
    for (;;) {
      yield* idle
      const now = yield* Clock.currentTimeMillis
      if (now >= T0 + horizon) break
      const next = (yield* TestClock.sleeps()).pipe((sleeps) => [...sleeps].filter((t) => t > now))
      const target = Math.min(T0 + horizon, ...next)
      yield* TestClock.setTime(target)
      steps++
    }
    yield* Fiber.interrupt(callerFiber)

    // No expired credential handed out; failures only when nothing valid existed.
    const received = yield* emulator.requests("sts")
    const successes = calls.filter((c) => Either.isRight(c.result))
    const issuedExpiries = new Set<number>()
    for (const call of successes) {
      const credential = (call.result as Either.Right<never, Credential.Credential>).right
      expect(Credential.isValidAt(credential, call.end)).toBe(true)
      issuedExpiries.add(DateTime.toEpochMillis(credential.expiration!))
    }
    const failures = calls.filter((c) => Either.isLeft(c.result))
    for (const call of failures) {
      // every credential seen so far had expired by then (credentials live 20 minutes)
      const validThen = successes.some((s) =>
        s.end <= call.at &&
        DateTime.toEpochMillis((s.result as Either.Right<never, Credential.Credential>).right.expiration!) > call.at
      )
      expect(validThen).toBe(false)
      // and STS was down when it called
      expect(down.some(([a, b]) => a <= call.at && call.at <= b)).toBe(true)
    }
    const counters = yield* emulator.counters("sts")
    expect(failures.length).toBeGreaterThan(0) // the 22-minute outage outlives a credential
    expect(successes.length).toBeGreaterThan(failures.length)
    console.log(`emulator soak figures ${
      JSON.stringify({
        simulatedHours: 4,
        clockSteps: steps,
        calls: calls.length,
        callsFailed: failures.length,
        stsReceived: counters.received,
        stsSucceeded: counters.succeeded,
        stsFaulted: counters.faulted,
        requestsLogged: received.length
      })
    }`)
    // 4 hours of 20-minute credentials refreshed at half-life (10 minutes): 24 at most without
    // the outages; every request either succeeded or was faulted (none lost to a timeout)
    expect(counters.succeeded).toBeGreaterThanOrEqual(15)
    expect(counters.succeeded).toBeLessThanOrEqual(24)
    expect(counters.received).toBe(counters.succeeded + counters.faulted)
  })
