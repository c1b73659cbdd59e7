/**
 * 2. Stampede: N concurrent first calls on a cold ram_role_arn client (a fresh client per size):
 * upstream AssumeRole requests (the emulator's counter) and the callers' latency.
 */
import {
  effectRuntime,
  type Env,
  getEffect,
  officialRamRoleArn,
  oursRamRoleArn,
  ramRoleArnSource,
  round,
  type Row,
  summarize
} from "./env.js"

export const sizes = [1, 100, 1000] as const

const stampede = async (env: Env, size: number, call: () => Promise<unknown>) => {
  const before = await env.stsReceived()
  const latencies: Array<number> = []
  let failed = 0
  const firstError: Array<string> = []
  const start = performance.now()
  await Promise.all(
    Array.from({ length: size }, () =>
      call().then(
        () => latencies.push(performance.now() - start),
        (error: unknown) => {
          failed++
          if (firstError.length === 0) {
            firstError.push(error instanceof Error ? error.message.slice(0, 200) : String(error))
          }
        }
      ))
  )
  const wall = performance.now() - start
  const requests = (await env.stsReceived()) - before
  const s = summarize(latencies)
  return {
    size,
    requests,
    failed,
    firstError: firstError[0],
    p50Ms: round(s.p50),
    p99Ms: round(s.p99),
    maxMs: round(s.max),
    wallMs: round(wall)
  }
}

export const run = async (env: Env) => {
  const rows: Array<Row> = []
  const data: Array<Record<string, unknown>> = []
  for (const size of sizes) {
    const facade = oursRamRoleArn(env, `stampede-${size}`)
    const ours = await stampede(env, size, () => facade.getCredential())
    await facade.close()
    const runtime = effectRuntime(ramRoleArnSource(env, `stampede-effect-${size}`))
    const effect = await stampede(env, size, () => runtime.runPromise(getEffect))
    await runtime.dispose()
    const client = officialRamRoleArn(env, `stampede-${size}`)
    const official = await stampede(env, size, () => client.getCredential())
    data.push({ size, oursFacade: ours, oursEffect: effect, official })
    rows.push(
      {
        benchmark: `stampede ${size}`,
        metric: "AssumeRole requests (facade; Effect API: " + effect.requests + ")",
        ours: ours.requests,
        official: official.requests,
        ratio: round(ours.requests / official.requests, 3),
        target: "ours = 1",
        met: ours.requests === 1 && effect.requests === 1 && ours.failed === 0 && effect.failed === 0
      },
      {
        benchmark: `stampede ${size}`,
        metric: "p50 / p99 latency ms (facade)" + (official.failed > 0 ? `; official failed ${official.failed}` : ""),
        ours: `${ours.p50Ms} / ${ours.p99Ms}`,
        official: `${official.p50Ms} / ${official.p99Ms}`,
        ratio: round(ours.p99Ms / official.p99Ms, 3)
      }
    )
  }
  return { rows, data }
}
