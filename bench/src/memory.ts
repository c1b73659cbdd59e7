/**
 * 6. Memory (the process runs with --expose-gc; every figure is after a forced GC).
 *
 * - Heap per live refreshing provider: N ram_role_arn providers, each fetched once and kept (ours
 *   keep a background fiber waiting to refresh), over the heap before them, divided by N. Ours
 *   through the Effect API (N layers on one HTTP transport) and through the facade (one runtime per
 *   object), and the official client.
 * - 10,000 refresh cycles of one provider: heap after 1,000 cycles and after 10,000 (no growth
 *   expected). Ours: `Refresh.make` over an in-memory source, driven by its own background fiber
 *   on the virtual clock. Official: its RAMRoleARN provider with `doRequest` (its documented mock
 *   point) answering in memory and 15-minute-stale credentials, so each call refreshes.
 */
import { Credential, Credentials, HttpTransport, Refresh } from "@effect-alicloud/credentials"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { createRequire } from "node:module"
import {
  type Env,
  heapUsed,
  officialRamRoleArn,
  oursRamRoleArn,
  ramRoleArnSource,
  round,
  type Row,
  sleep
} from "./env.js"
import * as VirtualClock from "./VirtualClock.js"

export const PROVIDERS = 300
export const CYCLES = 10_000

const kib = (bytes: number) => round(bytes / 1024, 1)

const settledHeap = async () => {
  await sleep(200)
  return heapUsed()
}

const perProvider = async (env: Env) => {
  // official first, on the quietest heap
  let base = await settledHeap()
  const officials = Array.from({ length: PROVIDERS }, (_, i) => officialRamRoleArn(env, `mem-${i}`))
  for (let i = 0; i < officials.length; i += 20) {
    await Promise.all(officials.slice(i, i + 20).map((c) => c.getCredential()))
  }
  const officialBytes = ((await settledHeap()) - base) / officials.length
  officials.length = 0

  // ours, Effect API: N layers sharing one transport
  const transport = ManagedRuntime.make(HttpTransport.layerNode())
  await transport.runPromise(Effect.void)
  base = await settledHeap()
  const scope = Effect.runSync(Scope.make())
  const services = await transport.runPromise(
    Effect.forEach(Array.from({ length: PROVIDERS }, (_, i) => i), (i) =>
      Effect.gen(function*() {
        const context = yield* Layer.buildWithScope(Credentials.layer(ramRoleArnSource(env, `mem-${i}`)), scope)
        const service = Context.get(context, Credentials)
        yield* service.get
        return service
      }), { concurrency: 20 })
  )
  const effectBytes = ((await settledHeap()) - base) / services.length
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await transport.dispose()

  // ours, facade: one runtime per object
  base = await settledHeap()
  const facades = Array.from({ length: PROVIDERS }, (_, i) => oursRamRoleArn(env, `mem-facade-${i}`))
  for (let i = 0; i < facades.length; i += 20) await Promise.all(facades.slice(i, i + 20).map((c) => c.getCredential()))
  const facadeBytes = ((await settledHeap()) - base) / facades.length
  await Promise.all(facades.map((c) => c.close()))
  return {
    providers: PROVIDERS,
    oursEffectKiB: kib(effectBytes),
    oursFacadeKiB: kib(facadeBytes),
    officialKiB: kib(officialBytes)
  }
}

const oursCycles = async () => {
  const vc = VirtualClock.make(Date.UTC(2025, 0, 1))
  let fetches = 0
  const source = Effect.map(Clock.currentTimeMillis, (now) => {
    fetches++
    return Credential.make({
      type: "sts",
      accessKeyId: `STS.mem-${fetches}`,
      accessKeySecret: Redacted.make("secret"),
      securityToken: Redacted.make("token"),
      expiration: DateTime.unsafeMake(now + 60_000),
      providerName: "memory"
    })
  })
  const settle = async () => {
    for (let i = 0; i < 100 && vc.pending() < 1; i++) await new Promise((resolve) => setImmediate(resolve))
  }
  const heap: Record<string, number> = {}
  await Effect.runPromise(
    Effect.gen(function*() {
      const refreshing = yield* Refresh.make(source, { staleWindow: "10 seconds", jitter: 0 })
      yield* refreshing.get
      yield* Effect.promise(settle)
      // a refresh is due 50 s after each fetch (60 s credentials, 10 s window): step 25 s at a time
      for (let step = 0; step < 4 * CYCLES && fetches <= CYCLES; step++) {
        yield* Effect.promise(() => vc.advanceTo(vc.now() + 25_000, settle))
        const cycles = fetches - 1
        if (cycles >= 1000 && heap.after1000 === undefined) heap.after1000 = heapUsed()
        if (cycles >= CYCLES && heap[`after${CYCLES}`] === undefined) heap[`after${CYCLES}`] = heapUsed()
      }
    }).pipe(Effect.scoped, Effect.withClock(vc.clock))
  )
  return {
    fetches,
    heapAfter1000KiB: kib(heap.after1000!),
    heapAfter10000KiB: kib(heap[`after${CYCLES}`]!),
    growthKiB: kib(heap[`after${CYCLES}`]! - heap.after1000!)
  }
}

// The same harness (virtual clock, settle, GC) around a bare loop that sleeps and counts: what the
// harness itself retains over as many cycles.
const harnessControl = async () => {
  const vc = VirtualClock.make(Date.UTC(2025, 0, 1))
  let ticks = 0
  const settle = async () => {
    for (let i = 0; i < 100 && vc.pending() < 1; i++) await new Promise((resolve) => setImmediate(resolve))
  }
  const heap: Record<string, number> = {}
  await Effect.runPromise(
    Effect.gen(function*() {
      yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep("50 seconds"), Effect.sync(() => ticks++))))
      yield* Effect.promise(settle)
      for (let step = 0; step < 4 * CYCLES && ticks < CYCLES; step++) {
        yield* Effect.promise(() => vc.advanceTo(vc.now() + 25_000, settle))
        if (ticks >= 1000 && heap.after1000 === undefined) heap.after1000 = heapUsed()
        if (ticks >= CYCLES && heap.afterAll === undefined) heap.afterAll = heapUsed()
      }
    }).pipe(Effect.scoped, Effect.withClock(vc.clock))
  )
  return { ticks, growthKiB: kib(heap.afterAll! - heap.after1000!) }
}

const officialCycles = async (env: Env) => {
  const require = createRequire(import.meta.url)
  const http = require("@alicloud/credentials/dist/src/providers/http.js")
  const client = officialRamRoleArn(env, "mem-cycles") as unknown as {
    credential: { provider: { doRequest: unknown } }
  }
  let fetches = 0
  client.credential.provider.doRequest = async () => {
    fetches++
    const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z")
    const body = JSON.stringify({
      RequestId: `r${fetches}`,
      Credentials: {
        AccessKeyId: `STS.mem-${fetches}`,
        AccessKeySecret: "secret",
        SecurityToken: "token",
        Expiration: expiration
      }
    })
    return http.Response.builder().withStatusCode(200).withHeaders({ "content-type": "application/json" }).withBody(
      Buffer.from(body)
    ).build()
  }
  // 1-hour credentials, but "refresh" when less than the stale time is left: force it each call
  const provider = client.credential.provider as unknown as { staleTime: number }
  provider.staleTime = 2 * 3600
  const heap: Record<string, number> = {}
  const official = client as unknown as { getCredential(): Promise<unknown> }
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    await official.getCredential()
    if (cycle === 1000 || cycle === CYCLES) heap[`after${cycle}`] = heapUsed()
  }
  return {
    fetches,
    heapAfter1000KiB: kib(heap.after1000!),
    heapAfter10000KiB: kib(heap[`after${CYCLES}`]!),
    growthKiB: kib(heap[`after${CYCLES}`]! - heap.after1000!)
  }
}

export const run = async (env: Env) => {
  const providers = await perProvider(env)
  const ours = await oursCycles()
  const official = await officialCycles(env)
  const control = await harnessControl()
  const rows: Array<Row> = [
    {
      benchmark: "memory",
      metric:
        `heap KiB per live ram_role_arn provider (N=${PROVIDERS}), Effect API; facade: ${providers.oursFacadeKiB}`,
      ours: providers.oursEffectKiB,
      official: providers.officialKiB,
      ratio: round(providers.oursEffectKiB / providers.officialKiB, 2)
    },
    {
      benchmark: "memory",
      metric: `heap growth KiB from 1,000 to ${
        CYCLES.toLocaleString("en")
      } refresh cycles (after GC; harness alone: ${control.growthKiB})`,
      ours: ours.growthKiB,
      official: official.growthKiB,
      target: "no growth (|Δ| < 256 KiB)",
      met: Math.abs(ours.growthKiB) < 256
    }
  ]
  return { rows, data: { providers, cycles: { ours, official, harnessControl: control } } }
}
