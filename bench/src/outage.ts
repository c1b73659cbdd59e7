/**
 * 4. Outage: STS answers 503 for a period longer than our refresh window but shorter than the
 * credential's validity, placed over the moment ours refreshes. Callers call continuously, ours and
 * the official client at the same time, against the same emulator; failed calls are counted.
 *
 * Timeline (E = expiry of the credential fetched at t0, 15 s after issue):
 *   t0 fetch; E-4 s ours' background refresh is due (staleWindow 4 s, jitter 0);
 *   STS down from E-7 s to E-1 s (6 s > the 4 s window, < the 15 s validity); callers until E+3 s.
 */
import { Fault } from "@effect-alicloud/emulator"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
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

export const EXPIRY_SECONDS = 15
export const STALE_WINDOW_SECONDS = 4
export const OUTAGE_SECONDS = 6
const CALLERS = 2

export const run = async (env: Env) => {
  await env.run(env.sts.setExpiry("sts", `${EXPIRY_SECONDS} seconds`))
  const runtime = effectRuntime(ramRoleArnSource(env, "outage"), {
    staleWindow: `${STALE_WINDOW_SECONDS} seconds`,
    jitter: 0,
    retrySchedule: Schedule.spaced("250 millis")
  })
  const client = officialRamRoleArn(env, "outage")
  try {
    const first = await runtime.runPromise(getEffect)
    await client.getCredential()
    const expiresAt = first.expiration!.epochMillis
    const outageStart = expiresAt - 7000
    const outageEnd = outageStart + OUTAGE_SECONDS * 1000
    const end = expiresAt + 3000
    const before = await env.run(env.sts.counters("sts"))
    const results = {
      ours: { calls: 0, failed: 0, latencies: [] as Array<number>, firstError: undefined as string | undefined },
      official: { calls: 0, failed: 0, latencies: [] as Array<number>, firstError: undefined as string | undefined }
    }
    const caller = async (side: "ours" | "official", call: () => Promise<unknown>) => {
      const r = results[side]
      for (let i = 0; i < 5_000_000 && Date.now() < end; i++) {
        const start = performance.now()
        try {
          await call()
        } catch (error) {
          r.failed++
          r.firstError ??= error instanceof Error ? error.message.slice(0, 200) : String(error)
        }
        r.calls++
        r.latencies.push(performance.now() - start)
        // a caller that does other work: about one call a millisecond
        if (i % 4 === 3) await sleep(1)
      }
    }
    const outage = (async () => {
      await sleep(Math.max(0, outageStart - Date.now()))
      await env.run(env.sts.setFault("sts", Fault.serviceUnavailable))
      await sleep(Math.max(0, outageEnd - Date.now()))
      await env.run(env.sts.clearFault("sts"))
    })()
    await Promise.all([
      ...Array.from({ length: CALLERS }, () => caller("ours", () => runtime.runPromise(getEffect))),
      ...Array.from({ length: CALLERS }, () => caller("official", () => client.getCredential())),
      outage
    ])
    const after = await env.run(env.sts.counters("sts"))
    const summary = (side: "ours" | "official") => {
      const r = results[side]
      const s = summarize(r.latencies)
      return {
        calls: r.calls,
        failed: r.failed,
        firstError: r.firstError,
        p99Ms: round(s.p99, 3),
        maxMs: round(s.max, 2)
      }
    }
    const ours = summary("ours")
    const official = summary("official")
    const rows: Array<Row> = [
      {
        benchmark: "outage",
        metric:
          `failed calls / calls (STS down ${OUTAGE_SECONDS} s of a ${EXPIRY_SECONDS} s credential, window ${STALE_WINDOW_SECONDS} s)`,
        ours: `${ours.failed} / ${ours.calls}`,
        official: `${official.failed} / ${official.calls}`,
        target: "0 failed",
        met: ours.failed === 0
      },
      {
        benchmark: "outage",
        metric: "caller latency p99 / max ms during the run",
        ours: `${ours.p99Ms} / ${ours.maxMs}`,
        official: `${official.p99Ms} / ${official.maxMs}`
      }
    ]
    return {
      rows,
      data: {
        expirySeconds: EXPIRY_SECONDS,
        staleWindowSeconds: STALE_WINDOW_SECONDS,
        outageSeconds: OUTAGE_SECONDS,
        retrySchedule: "spaced 250 ms",
        callersPerSide: CALLERS,
        stsDuringRun: {
          received: after.received - before.received,
          faulted: after.faulted - before.faulted,
          succeeded: after.succeeded - before.succeeded
        },
        ours,
        official
      }
    }
  } finally {
    await env.run(Effect.ignore(env.sts.clearFault("sts")))
    await env.run(Effect.ignore(env.sts.clearExpiry("sts")))
    await runtime.dispose()
  }
}
