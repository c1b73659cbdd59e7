/**
 * 10. The session file cache for short-lived processes: N (default 50) sequential `node` processes,
 * each started afresh, each getting one ram_role_arn credential from the STS emulator (https on
 * 127.0.0.1, the loopback test certificate) and exiting. Counted: the AssumeRole requests the
 * emulator received for each series. Ours with `cache: { directory }` (one temporary folder shared
 * by the series), ours without it, the official client (which has no such cache). Children run
 * ours from its TypeScript sources through tsx, with the network guard preloaded.
 */
import { Emulator } from "@effect-alicloud/emulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { accessKeyId, accessKeySecret, benchDir, certFile, fixtures, median, roleArn, round, type Row } from "./env.js"

export const PROCESSES = Number(process.env.BENCH_CACHE_PROCESSES ?? 50)
const LIMIT_MS = 30_000

const guard = Path.join(benchDir, "src/guard.mjs")
const child = Path.join(benchDir, "src/cache/child.ts")

type Impl = "ours-cache" | "ours" | "official"

interface Outcome {
  readonly outcome: string
  readonly ms?: number
  readonly message?: string
  readonly wallMs: number
  readonly guardBlocked: number
}

const once = (impl: Impl, env: Record<string, string>) =>
  new Promise<Outcome>((resolve) => {
    const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-cache-home-"))
    const started = performance.now()
    const proc = spawn(
      process.execPath,
      ["--import", guard, "--import", "tsx", "--conditions=@effect-alicloud/source", child, impl],
      {
        cwd: benchDir,
        env: { PATH: process.env.PATH ?? "", HOME: home, BENCH_GUARD_REPORT: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let out = ""
    let err = ""
    proc.stdout.on("data", (d) => (out += d))
    proc.stderr.on("data", (d) => (err = (err + d).slice(-20_000)))
    const timer = setTimeout(() => proc.kill("SIGKILL"), LIMIT_MS)
    proc.on("exit", () => {
      clearTimeout(timer)
      Fs.rmSync(home, { recursive: true, force: true })
      const guardLine = /BENCH_GUARD (.*)/.exec(err)
      const g = guardLine
        ? JSON.parse(guardLine[1]!) as { blockedConnections: number; blockedDns: number; blockedUdp: number }
        : undefined
      const guardBlocked = g === undefined ? 0 : g.blockedConnections + g.blockedDns + g.blockedUdp
      const line = out.split("\n").find((l) => l.startsWith("{"))
      const wallMs = performance.now() - started
      if (line === undefined) {
        resolve({
          outcome: "crashed",
          message: err.trim().split("\n").slice(-3).join(" ").slice(0, 300),
          wallMs,
          guardBlocked
        })
      } else {resolve({
          ...(JSON.parse(line) as { outcome: string; ms: number; message?: string }),
          wallMs,
          guardBlocked
        })}
    })
  })

export const run = async () => {
  const scope = Effect.runSync(Scope.make())
  const rows: Array<Row> = []
  const data: Record<string, unknown> = { processes: PROCESSES }
  let guardBlockedInChildren = 0
  const cacheDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-session-cache-"))
  try {
    const tls = {
      key: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.key"), "utf8"),
      cert: Fs.readFileSync(certFile, "utf8")
    }
    const sts = await Effect.runPromise(
      Scope.extend(Emulator.make({ tls, accessKeys: [{ accessKeyId, accessKeySecret }] }), scope)
    )
    const env = {
      NODE_EXTRA_CA_CERTS: certFile,
      BENCH_AK: accessKeyId,
      BENCH_SK: accessKeySecret,
      BENCH_ROLE_ARN: roleArn,
      BENCH_STS_ENDPOINT: sts.stsEndpoint,
      BENCH_CACHE_DIR: cacheDir
    }
    const received = async () => (await Effect.runPromise(sts.counters("sts"))).received
    const series: Record<
      Impl,
      { requests: number; credentials: number; medianWallMs: number; outcomes: Array<string> }
    > = {} as never
    for (const impl of ["ours-cache", "ours", "official"] as const) {
      const before = await received()
      const results: Array<Outcome> = []
      for (let i = 0; i < PROCESSES; i++) {
        const r = await once(impl, env)
        results.push(r)
        guardBlockedInChildren += r.guardBlocked
      }
      const requests = (await received()) - before
      series[impl] = {
        requests,
        credentials: results.filter((r) => r.outcome === "credential").length,
        medianWallMs: round(median(results.map((r) => r.wallMs)), 0),
        outcomes: [...new Set(results.map((r) => r.message ?? r.outcome))]
      }
      process.stderr.write(
        `[bench] cache ${impl}: ${requests} AssumeRole for ${PROCESSES} processes (${
          series[impl].credentials
        } credentials; median ${series[impl].medianWallMs} ms per process)\n`
      )
    }
    data.series = series
    const ours = series["ours-cache"]
    rows.push({
      benchmark: "session cache, short processes",
      metric:
        `AssumeRole requests for ${PROCESSES} sequential node processes, one ram_role_arn get each (ours with cache: {}; without: ${series.ours.requests})`,
      ours: ours.requests,
      official: series.official.requests,
      target: "1",
      met: ours.requests === 1 && ours.credentials === PROCESSES
    })
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    Fs.rmSync(cacheDir, { recursive: true, force: true })
  }
  return { rows, data: { ...data, guardBlockedInChildren } }
}
