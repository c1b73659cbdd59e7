/**
 * 9. Edges: hostile upstreams, ours side by side with the official client in the same run, both
 * with their defaults as shipped (no retry or timeout overrides, except (d) where the config is
 * the scenario). One child process per measurement (`edges/child.ts`, on the sources of ours, with
 * the network guard preloaded), REPS of each, min / median / max. Every child is killed at a hard
 * limit.
 *
 * (a)(b)(c) The default chain with nothing configured (empty environment, HOME an empty temporary
 *   directory) while the ECS metadata address drops connection attempts (`Hostile.blackhole`),
 *   accepts and never replies (`Hostile.silent`), refuses (`Hostile.refused`). Ours: `Credentials.layerDefault`
 *   with `metadataUrl` = the helper. The official client hard-codes http://100.100.100.200: the
 *   guard in its child sends that connect to the helper's 127.0.0.1 port instead
 *   (BENCH_GUARD_REDIRECT), so no packet leaves loopback. Figure: ms from the first get to its
 *   outcome (a rejection: nothing is configured).
 * (d) The Promise facade, ram_role_arn with `timeout: 1000, connectTimeout: 1000`, against an STS
 *   (TLS emulator) that takes the request and never answers (fault `Hang`), and against one that
 *   accepts TCP and never sends a byte (`Hostile.silent`, so the TLS handshake never completes).
 *   Figure: ms to the rejection.
 * (e) Peak RSS above the child's baseline (after imports, the client built, a forced GC) of one
 *   credentials_uri get against a 100 MB body (`Fault.hugeBody`) and an endless one
 *   (`Fault.endlessBody`). The child resets its peak (VmHWM) after the baseline and reports it at
 *   the end; the parent also samples /proc/<pid>/status and kills the child at RSS_LIMIT or
 *   BODY_LIMIT_MS, reported as "> X MB (killed)".
 */
import { Emulator, Fault, Hostile } from "@effect-alicloud/emulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { execSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import {
  accessKeyId,
  accessKeySecret,
  benchDir,
  certFile,
  fixtures,
  median,
  officialVersion,
  repoDir,
  roleArn,
  round,
  type Row
} from "./env.js"
import { build } from "./startup.js"

export const REPS = Number(process.env.BENCH_EDGES_REPS ?? 3)
/** Only some scenarios, e.g. `BENCH_EDGES_ONLY=a,d` (letters a to e); all by default. */
const ONLY = process.env.BENCH_EDGES_ONLY?.split(",")
const wanted = (letter: string) => ONLY === undefined || ONLY.includes(letter)
/** Hard limit of one child of (a)-(d). */
export const LIMIT_MS = 40_000
/** Hard limits of one child of (e). */
export const BODY_LIMIT_MS = 30_000
export const RSS_LIMIT = 1536 * 1024 * 1024
export const HUGE_BYTES = 100 * 1024 * 1024

const guard = Path.join(benchDir, "src/guard.mjs")
const child = Path.join(benchDir, "src/edges/child.ts")
const mb = (bytes: number) => round(bytes / (1024 * 1024), 1)

interface Measurement {
  readonly ms?: number
  readonly outcome: "credential" | "error" | "killed" | "crashed"
  readonly message?: string
  readonly baselineRss?: number
  /** Peak RSS above the baseline, bytes (the child's VmHWM after its reset, or the parent's samples). */
  readonly peakAbove?: number
  readonly peakResetInChild?: boolean
  readonly wallMs: number
  readonly killedBecause?: string
  readonly guard?: {
    readonly blockedConnections: number
    readonly blockedDns: number
    readonly blockedUdp: number
    readonly redirected: number
    readonly blockedTargets: ReadonlyArray<string>
  }
}

const readStatus = (pid: number) => {
  try {
    const text = Fs.readFileSync(`/proc/${pid}/status`, "utf8")
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN) * 1024
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") }
  } catch {
    return undefined
  }
}

interface ChildOptions {
  readonly scenario: "chain" | "sts-hang" | "body"
  readonly impl: "ours" | "official"
  readonly env: Record<string, string>
  readonly limitMs: number
  readonly rssLimit?: number
}

const once = (options: ChildOptions) =>
  new Promise<Measurement>((resolve) => {
    const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-edges-home-"))
    const started = performance.now()
    const proc = spawn(
      process.execPath,
      // Ours as users get it: the built package (dist/), not its TypeScript sources (tsx would add
      // its transform and source-mapped stack traces to every error ours creates).
      ["--expose-gc", "--import", guard, "--import", "tsx", child, options.scenario, options.impl],
      {
        cwd: benchDir,
        // nothing configured: no ALIBABA_CLOUD_* variables, HOME an empty directory
        env: { PATH: process.env.PATH ?? "", HOME: home, BENCH_GUARD_REPORT: "1", ...options.env },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let out = ""
    let err = ""
    let baseline: { rss: number; hwmBefore: number; peakReset: boolean } | undefined
    let sampledPeak = 0
    let killedBecause: string | undefined
    proc.stdout.on("data", (d) => {
      out += d
      if (baseline === undefined) {
        const line = out.split("\n").find((l) => l.includes(`"phase":"baseline"`))
        if (line !== undefined) baseline = JSON.parse(line)
      }
    })
    proc.stderr.on("data", (d) => (err = (err + d).slice(-20_000)))
    const kill = (why: string) => {
      if (killedBecause !== undefined) return
      killedBecause = why
      proc.kill("SIGKILL")
    }
    const sampler = setInterval(() => {
      const s = proc.pid === undefined ? undefined : readStatus(proc.pid)
      // a zombie (exited, not yet reaped) has no Vm* lines
      if (s === undefined || !Number.isFinite(s.rss)) return
      if (baseline !== undefined) {
        sampledPeak = Math.max(sampledPeak, s.rss, baseline.peakReset && Number.isFinite(s.hwm) ? s.hwm : 0)
      }
      if (options.rssLimit !== undefined && s.rss > options.rssLimit) {
        kill(`RSS ${mb(s.rss)} MB > ${mb(options.rssLimit)} MB`)
      }
    }, 20)
    const timer = setTimeout(() => kill(`still running after ${options.limitMs / 1000} s`), options.limitMs)
    proc.on("exit", () => {
      clearInterval(sampler)
      clearTimeout(timer)
      Fs.rmSync(home, { recursive: true, force: true })
      const wallMs = performance.now() - started
      const guardLine = /BENCH_GUARD (.*)/.exec(err)
      const guardReport = guardLine ? JSON.parse(guardLine[1]!) : undefined
      const done = out.split("\n").filter((l) => l.includes(`"phase":"done"`)).map((l) => JSON.parse(l))[0] as
        | { ms: number; outcome: "credential" | "error"; message?: string; rss: number; hwm: number }
        | undefined
      const base = baseline?.rss
      const peak = Math.max(
        sampledPeak,
        done !== undefined && baseline?.peakReset && Number.isFinite(done.hwm) ? done.hwm : 0
      )
      const common = {
        wallMs,
        ...(base === undefined
          ? {}
          : { baselineRss: base, peakAbove: Math.max(0, peak - base), peakResetInChild: baseline!.peakReset }),
        ...(guardReport === undefined ? {} : { guard: guardReport })
      }
      if (done !== undefined) {
        resolve({
          ...common,
          ms: done.ms,
          outcome: done.outcome,
          ...(done.message === undefined ? {} : { message: done.message })
        })
      } else if (killedBecause !== undefined) {
        resolve({ ...common, outcome: "killed", killedBecause })
      } else {
        resolve({ ...common, outcome: "crashed", message: err.trim().split("\n").slice(-3).join(" ").slice(0, 300) })
      }
    })
  })

const stats = (values: ReadonlyArray<number>) =>
  values.length === 0 ? undefined : { min: Math.min(...values), median: median(values), max: Math.max(...values) }

const fmtMs = (ms: ReadonlyArray<Measurement>, limitMs: number) => {
  const done = ms.filter((m) => m.ms !== undefined).map((m) => m.ms!)
  const killed = ms.length - done.length
  const s = stats(done)
  const base = s === undefined ? "" : `${round(s.median, 0)} (${round(s.min, 0)}–${round(s.max, 0)})`
  return killed === 0 ? base : `${base}${base === "" ? "" : "; "}${killed}/${ms.length} > ${limitMs / 1000} s killed`
}

const fmtMb = (ms: ReadonlyArray<Measurement>) => {
  const peaks = ms.filter((m) => m.peakAbove !== undefined).map((m) => mb(m.peakAbove!))
  const s = stats(peaks)
  const killed = ms.filter((m) => m.outcome === "killed").length
  const crashed = ms.filter((m) => m.outcome === "crashed").length
  const base = s === undefined ? "?" : `${s.median} (${s.min}–${s.max})`
  return `${killed > 0 ? "> " : ""}${base}${killed > 0 ? `; ${killed}/${ms.length} killed` : ""}${
    crashed > 0 ? `; ${crashed}/${ms.length} crashed` : ""
  }`
}

const outcomes = (
  ms: ReadonlyArray<Measurement>
) => [...new Set(ms.map((m) => m.message ?? m.killedBecause ?? m.outcome))]

export const run = async () => {
  const built = build()
  if (!built.ok) {
    process.stderr.write(`[bench] edges: the build failed, the existing dist/ is measured\n${built.output ?? ""}\n`)
  }
  const scope = Effect.runSync(Scope.make())
  const use = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(effect, scope))
  const rows: Array<Row> = []
  const data: Record<string, unknown> = {
    reps: REPS,
    limits: { ms: LIMIT_MS, bodyMs: BODY_LIMIT_MS, rssMB: mb(RSS_LIMIT) }
  }
  let guardBlockedInChildren = 0
  // The official default chain, nothing configured, ends with its credentials URI provider built
  // without a URI: it requests https://undefined/ (a DNS look-up of "undefined" in real life). The
  // guard refuses that connect before any look-up or packet; counted apart, not as a leak of ours.
  let officialUndefinedHostRefused = 0
  const series = async (label: string, options: Omit<ChildOptions, "impl">, impl: "ours" | "official") => {
    const results: Array<Measurement> = []
    for (let i = 0; i < REPS; i++) {
      const m = await once({ ...options, impl })
      results.push(m)
      const expected = impl === "official" && options.scenario === "chain" &&
          m.guard !== undefined && m.guard.blockedDns === 0 && m.guard.blockedUdp === 0 &&
          m.guard.blockedTargets.every((t) => t === "tcp undefined:443") ?
        m.guard.blockedConnections :
        0
      officialUndefinedHostRefused += expected
      guardBlockedInChildren += (m.guard?.blockedConnections ?? 0) + (m.guard?.blockedDns ?? 0) +
        (m.guard?.blockedUdp ?? 0) - expected
      process.stderr.write(
        `[bench] edges ${label} ${impl} #${i + 1}: ${m.ms === undefined ? m.outcome : `${round(m.ms, 0)} ms`}${
          m.peakAbove === undefined || options.scenario !== "body" ? "" : `, peak +${mb(m.peakAbove)} MB`
        } (${(m.message ?? m.killedBecause ?? m.outcome).slice(0, 200)})\n`
      )
    }
    return results
  }
  try {
    // (a)(b)(c) the default chain, nothing configured, the metadata address hostile
    const helpers = [
      ["a", "blackhole", "drops connection attempts", await use(Hostile.blackhole)],
      ["b", "silent", "accepts, never replies", await use(Hostile.silent)],
      ["c", "refused", "refuses", await use(Hostile.refused)]
    ] as const
    for (const [letter, name, what, url] of helpers) {
      if (!wanted(letter)) continue
      const port = new URL(url).port
      const options = {
        scenario: "chain" as const,
        limitMs: LIMIT_MS,
        env: { BENCH_METADATA_URL: url, BENCH_GUARD_REDIRECT: `100.100.100.200=127.0.0.1:${port}` }
      }
      const ours = await series(`(${letter}) ${name}`, options, "ours")
      const official = await series(`(${letter}) ${name}`, options, "official")
      const target = letter === "c" ? 50 : 1200
      const oursMedian = median(ours.filter((m) => m.ms !== undefined).map((m) => m.ms!))
      rows.push({
        benchmark: `edges (${letter}) chain, metadata ${name}`,
        metric:
          `ms from the first get to the outcome, median (min–max) of ${REPS}; nothing configured, metadata ${what} (official: 100.100.100.200 redirected to it by the guard; its request to https://undefined/ refused by the guard)`,
        ours: fmtMs(ours, LIMIT_MS),
        official: fmtMs(official, LIMIT_MS),
        target: `≤ ${target} ms`,
        met: ours.every((m) => m.ms !== undefined) && oursMedian <= target
      })
      data[`chain-${name}`] = { url, ours, official, outcomes: { ours: outcomes(ours), official: outcomes(official) } }
    }

    // (d) the facade, ram_role_arn, timeout 1000 / connectTimeout 1000, STS never answers
    const tls = {
      key: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.key"), "utf8"),
      cert: Fs.readFileSync(certFile, "utf8")
    }
    const sts = await use(Emulator.make({ tls, accessKeys: [{ accessKeyId, accessKeySecret }] }))
    await Effect.runPromise(sts.setFault("sts", Fault.hang))
    const silentSts = new URL(await use(Hostile.silent)).host
    const stsEnv = (endpoint: string) => ({
      NODE_EXTRA_CA_CERTS: certFile,
      BENCH_AK: accessKeyId,
      BENCH_SK: accessKeySecret,
      BENCH_ROLE_ARN: roleArn,
      BENCH_STS_ENDPOINT: endpoint
    })
    for (
      const [label, endpoint, what] of [
        ["hang", sts.stsEndpoint, "takes the request, never answers (fault Hang)"],
        ["silent", silentSts, "accepts TCP, never sends a byte (no TLS handshake)"]
      ] as const
    ) {
      if (!wanted("d")) continue
      const options = { scenario: "sts-hang" as const, limitMs: LIMIT_MS, env: stsEnv(endpoint) }
      const ours = await series(`(d) sts ${label}`, options, "ours")
      const official = await series(`(d) sts ${label}`, options, "official")
      const oursMedian = median(ours.filter((m) => m.ms !== undefined).map((m) => m.ms!))
      rows.push({
        benchmark: `edges (d) facade ram_role_arn, STS ${label}`,
        metric: `ms to the rejection, median (min–max) of ${REPS}; timeout 1000, connectTimeout 1000; STS ${what}`,
        ours: fmtMs(ours, LIMIT_MS),
        official: fmtMs(official, LIMIT_MS),
        target: "≤ 2200 ms",
        met: ours.every((m) => m.ms !== undefined) && oursMedian <= 2200
      })
      data[`sts-${label}`] = {
        endpoint,
        ours,
        official,
        outcomes: { ours: outcomes(ours), official: outcomes(official) }
      }
    }
    data["sts-received"] = (await Effect.runPromise(sts.counters("sts"))).received

    // (e) peak RSS of one get against a 100 MB body and an endless one
    const uri = await use(Emulator.make())
    for (
      const [label, fault, what] of [
        ["100 MB body", Fault.hugeBody(HUGE_BYTES), "a 100 MB body (Content-Length)"],
        ["endless body", Fault.endlessBody, "an endless chunked body"]
      ] as const
    ) {
      if (!wanted("e")) continue
      await Effect.runPromise(uri.setFault("credentials-uri", fault))
      const options = {
        scenario: "body" as const,
        limitMs: BODY_LIMIT_MS,
        rssLimit: RSS_LIMIT,
        env: { BENCH_CREDENTIALS_URI: uri.credentialsUri }
      }
      const ours = await series(`(e) ${label}`, options, "ours")
      const official = await series(`(e) ${label}`, options, "official")
      rows.push({
        benchmark: `edges (e) credentials_uri, ${label}`,
        metric: `peak RSS MB above the baseline, median (min–max) of ${REPS}; one get against ${what}; killed at ${
          mb(RSS_LIMIT)
        } MB or ${BODY_LIMIT_MS / 1000} s`,
        ours: fmtMb(ours),
        official: fmtMb(official),
        target: "≤ 50 MB",
        met: ours.every((m) =>
          m.outcome !== "killed" && m.outcome !== "crashed" && m.peakAbove !== undefined &&
          m.peakAbove <= 50 * 1024 * 1024
        )
      })
      data[`body-${label}`] = {
        ours,
        official,
        outcomes: { ours: outcomes(ours), official: outcomes(official) },
        timeToOutcomeMs: { ours: fmtMs(ours, BODY_LIMIT_MS), official: fmtMs(official, BODY_LIMIT_MS) }
      }
    }
    await Effect.runPromise(uri.clearFaults)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
  const git = (command: string) => {
    try {
      return execSync(`git ${command}`, { cwd: repoDir, encoding: "utf8" }).trim()
    } catch {
      return undefined
    }
  }
  const output = {
    date: new Date().toISOString(),
    versions: {
      official: officialVersion,
      git: git("rev-parse --short HEAD"),
      // ours runs from the working tree's sources: uncommitted changes under packages/ are measured too
      workingTreeDirty: (git("status --porcelain -- packages") ?? "") !== ""
    },
    node: process.version,
    rows,
    data,
    guardBlockedInChildren,
    officialUndefinedHostRefused
  }
  Fs.mkdirSync(Path.join(benchDir, "results"), { recursive: true })
  Fs.writeFileSync(Path.join(benchDir, "results/edges.json"), `${JSON.stringify(output, null, 2)}\n`)
  process.stderr.write("[bench] wrote bench/results/edges.json\n")
  return { rows, data: { ...data, guardBlockedInChildren, officialUndefinedHostRefused } }
}
