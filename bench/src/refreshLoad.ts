/**
 * 3. Refresh under load: callers calling continuously while the emulator hands out credentials
 * that expire a few seconds after issue (`setExpiry("sts", ...)`). Ours: the Effect API with a
 * 2-second stale window (refresh in the background ahead of expiry); the official client refreshes
 * on the caller's path once less than 15 minutes are left, i.e. on every call here. Each side runs
 * alone, for the same time, with the same number of callers.
 */
import * as Effect from "effect/Effect"
import { monitorEventLoopDelay } from "node:perf_hooks"
import {
  effectRuntime,
  type Env,
  getEffect,
  officialRamRoleArn,
  ramRoleArnSource,
  round,
  type Row,
  sleep,
  summarize
} from "./env.js"

export const EXPIRY_SECONDS = 6
export const STALE_WINDOW = "2 seconds"
export const DURATION_MS = 10_000
export const CALLERS = 4
const SLOW_MS = 5

const load = async (env: Env, call: () => Promise<{ readonly accessKeyId: string }>) => {
  // first call outside the measurement (both sides fetch once here)
  await call()
  const before = await env.stsReceived()
  const latencies: Array<number> = []
  const ids = new Set<string>()
  let failed = 0
  // event-loop stalls (the emulator, TLS and the refresh itself run on this one thread): a slow call
  // during a stall waited for the thread, not necessarily for a refresh
  const loopDelay = monitorEventLoopDelay({ resolution: 1 })
  loopDelay.enable()
  const end = performance.now() + DURATION_MS
  const caller = async () => {
    // bounded by time and by count
    for (let i = 0; i < 2_000_000 && performance.now() < end; i++) {
      const start = performance.now()
      try {
        const credential = await call()
        ids.add(credential.accessKeyId)
      } catch {
        failed++
      }
      latencies.push(performance.now() - start)
      // let timers and I/O run between calls, as a real caller doing work would
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await Promise.all(Array.from({ length: CALLERS }, caller))
  loopDelay.disable()
  const requests = (await env.stsReceived()) - before
  const s = summarize(latencies)
  return {
    calls: s.n,
    failed,
    stsRequests: requests,
    distinctCredentials: ids.size,
    p50Ms: round(s.p50, 4),
    p99Ms: round(s.p99, 3),
    maxMs: round(s.max, 2),
    callsOverSlowMs: latencies.filter((l) => l > SLOW_MS).length,
    eventLoopDelayMaxMs: round(loopDelay.max / 1e6, 1)
  }
}

export const run = async (env: Env) => {
  await env.run(env.sts.setExpiry("sts", `${EXPIRY_SECONDS} seconds`))
  try {
    const runtime = effectRuntime(ramRoleArnSource(env, "refresh-load"), { staleWindow: STALE_WINDOW })
    const ours = await load(env, () => runtime.runPromise(getEffect))
    await runtime.dispose()
    await sleep(200)
    const client = officialRamRoleArn(env, "refresh-load")
    const official = await load(env, () => client.getCredential())
    const rows: Array<Row> = [
      {
        benchmark: "refresh under load",
        metric: `refreshes (AssumeRole) in ${
          DURATION_MS / 1000
        } s, ${CALLERS} callers, ${EXPIRY_SECONDS} s credentials`,
        ours: ours.stsRequests,
        official: official.stsRequests,
        ratio: round(ours.stsRequests / official.stsRequests, 4)
      },
      {
        benchmark: "refresh under load",
        metric:
          `caller latency p99 / max ms (max event-loop stall: ours ${ours.eventLoopDelayMaxMs}, official ${official.eventLoopDelayMaxMs})`,
        ours: `${ours.p99Ms} / ${ours.maxMs}`,
        official: `${official.p99Ms} / ${official.maxMs}`,
        ratio: round(ours.p99Ms / official.p99Ms, 3)
      },
      {
        benchmark: "refresh under load",
        metric: `calls > ${SLOW_MS} ms / calls; failed`,
        ours: `${ours.callsOverSlowMs} / ${ours.calls}; ${ours.failed}`,
        official: `${official.callsOverSlowMs} / ${official.calls}; ${official.failed}`,
        target: "no caller waits for a refresh (ours: max ≪ one AssumeRole)",
        met: ours.failed === 0 && ours.maxMs < SLOW_MS
      }
    ]
    return {
      rows,
      data: {
        expirySeconds: EXPIRY_SECONDS,
        staleWindow: STALE_WINDOW,
        durationMs: DURATION_MS,
        callers: CALLERS,
        ours,
        official
      }
    }
  } finally {
    await env.run(Effect.ignore(env.sts.clearExpiry("sts")))
  }
}
