/**
 * The benchmark run: the emulators, every benchmark in turn, the table, `results/latest.json`.
 */
import { execSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Cache from "./cache.js"
import * as Edges from "./edges.js"
import { benchDir, makeEnv, officialVersion, repoDir, type Row } from "./env.js"
import * as Fleet from "./fleet.js"
import type * as GuardModule from "./guard.mjs"
import * as HotPath from "./hotPath.js"
import * as Identities from "./identities.js"
import * as Memory from "./memory.js"
import * as Outage from "./outage.js"
import * as RefreshLoad from "./refreshLoad.js"
import * as ServeHost from "./serveHost.js"
import * as SigningBench from "./signing.js"
import * as Stampede from "./stampede.js"
import * as Startup from "./startup.js"

const fmt = (
  value: unknown
) => (value === undefined
  ? ""
  : typeof value === "number"
  ? value.toLocaleString("en", { maximumFractionDigits: 3 })
  : String(value))

export const printTable = (rows: ReadonlyArray<Row>) => {
  const header = ["benchmark", "metric", "ours", "official", "ours/official", "target", "met"]
  const lines = rows.map((
    r
  ) => [
    r.benchmark,
    r.metric,
    fmt(r.ours),
    fmt(r.official),
    fmt(r.ratio),
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO"
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(line)].join("\n")
}

const git = (command: string) => {
  try {
    return execSync(`git ${command}`, { cwd: repoDir, encoding: "utf8" }).trim()
  } catch {
    return undefined
  }
}

export const main = async (guard: typeof GuardModule) => {
  const selfTest = await (async () => {
    // the guard refuses a non-loopback connection before sending anything (counted, then reset)
    const net = await import("node:net")
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: "192.0.2.1", port: 9 })
      socket.on("error", (e) => resolve(e.message))
      socket.on("connect", () => resolve("CONNECTED: the guard is not working"))
    })
    const counted = guard.report().blockedConnections
    guard.reset()
    return { refused, counted }
  })()
  if (selfTest.counted !== 1) throw new Error(`network guard self-test failed: ${selfTest.refused}`)

  // --only=a,b or --only a,b
  const onlyFlag = process.argv.indexOf("--only")
  const only = (process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length) ??
    (onlyFlag === -1 ? undefined : process.argv[onlyFlag + 1]))?.split(",")
  const wanted = (name: string) => only === undefined || only.includes(name)
  const started = Date.now()
  const env = await makeEnv()
  const rows: Array<Row> = []
  const results: Record<string, unknown> = {}
  const timings: Record<string, number> = {}
  const step = async (name: string, f: () => Promise<{ rows: Array<Row>; data: unknown }>) => {
    if (!wanted(name)) return
    const t = performance.now()
    process.stderr.write(`[bench] ${name} ...\n`)
    const r = await f()
    timings[name] = Math.round(performance.now() - t)
    process.stderr.write(`[bench] ${name} done in ${(timings[name]! / 1000).toFixed(1)} s\n`)
    rows.push(...r.rows)
    results[name] = r.data
  }
  try {
    await step("hot", () => HotPath.run(env))
    await step("stampede", () => Stampede.run(env))
    await step("refresh", () => RefreshLoad.run(env))
    await step("outage", () => Outage.run(env))
    await step("memory", () => Memory.run(env))
    await step("startup", () => Startup.run(env, Startup.build()))
    await step("fleet", () => Fleet.run())
    await step("serve", () => ServeHost.run(env))
    await step("edges", () => Edges.run())
    await step("cache", () => Cache.run())
    await step("signing", () => SigningBench.run())
    await step("identities", () => Identities.run())
  } finally {
    await env.close()
  }
  const network = guard.report()
  const childBlocked = ["startup", "serve", "edges", "cache"].reduce(
    (n, name) => n + ((results[name] as { guardBlockedInChildren?: number } | undefined)?.guardBlockedInChildren ?? 0),
    0
  )
  const nonLoopbackAttempts = network.blockedConnections + network.blockedDns + network.blockedUdp + childBlocked
  rows.push({
    benchmark: "network guard",
    metric: `non-loopback attempts refused (ECS 100.100.100.200 redirected to the emulator: ${network.redirected})${
      results["edges"] === undefined ?
        "" :
        `; not counted: the official default chain's request to https://undefined/ (edges), refused ${
          (results["edges"] as { officialUndefinedHostRefused?: number }).officialUndefinedHostRefused ?? 0
        } times`
    }`,
    ours: nonLoopbackAttempts,
    official: "",
    target: "0",
    met: nonLoopbackAttempts === 0
  })
  const table = printTable(rows)
  process.stdout.write(`\n${table}\n\n`)
  const cpus = Os.cpus()
  const output = {
    date: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    command: `node --import tsx --conditions=@effect-alicloud/source ${
      process.env.BENCH_COMMAND ?? "bench/src/main.ts"
    }`,
    machine: {
      cpu: cpus[0]?.model,
      cores: cpus.length,
      memoryGiB: Math.round(Os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${Os.platform()} ${Os.release()}`
    },
    versions: {
      official: officialVersion,
      git: git("rev-parse --short HEAD"),
      workingTreeDirty: (git("status --porcelain -- packages") ?? "") !== ""
    },
    network: { selfTest, ...network, blockedInStartupChildren: childBlocked, nonLoopbackAttempts },
    timingsMs: timings,
    rows,
    results,
    table
  }
  if (only === undefined) {
    Fs.mkdirSync(Path.join(benchDir, "results"), { recursive: true })
    Fs.writeFileSync(Path.join(benchDir, "results/latest.json"), `${JSON.stringify(output, null, 2)}\n`)
    process.stderr.write(`[bench] wrote bench/results/latest.json (${output.durationSeconds} s)\n`)
  } else {
    Fs.mkdirSync(Path.join(benchDir, "results"), { recursive: true })
    Fs.writeFileSync(Path.join(benchDir, "results/partial.json"), `${JSON.stringify(output, null, 2)}\n`)
  }
  if (nonLoopbackAttempts !== 0) process.exitCode = 2
}
