/**
 * 5. Start-up: a fresh `node` process per run, on the BUILT packages (dist/ ESM and dist/cjs of
 * ours, the official CommonJS), with the network guard preloaded. Figures are milliseconds since
 * the process started (`performance.now()` in the child) at the first credential, median of RUNS;
 * plus the cost of importing ours alone (over an empty process).
 */
import { spawn, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import {
  accessKeyId,
  accessKeySecret,
  benchDir,
  certFile,
  type Env,
  median,
  repoDir,
  roleArn,
  round,
  type Row
} from "./env.js"

export const RUNS = 5
// The facade bundled by esbuild into one CommonJS file, to see how much of the start-up is
// module loading (one file instead of hundreds) rather than evaluating Effect's modules.
const bundleFile = Path.join(benchDir, "results/.bundle/promise.cjs")
const child = Path.join(benchDir, "src/startup/child.mjs")
const guard = Path.join(benchDir, "src/guard.mjs")

/** Builds ours (`pnpm --filter @effect-alicloud/credentials build`); on failure the existing dist is used and said so. */
export const build = () => {
  const started = performance.now()
  const result = spawnSync("pnpm", ["--filter", "@effect-alicloud/credentials", "build"], {
    cwd: repoDir,
    encoding: "utf8",
    timeout: 180_000
  })
  const dist = Path.join(repoDir, "packages/credentials/dist/index.js")
  const bundle = spawnSync(
    Path.join(benchDir, "node_modules/.bin/esbuild"),
    [
      Path.join(repoDir, "packages/credentials/dist/cjs/promise.js"),
      "--bundle",
      "--platform=node",
      "--format=cjs",
      "--minify",
      `--outfile=${bundleFile}`,
      "--log-level=error"
    ],
    { cwd: benchDir, encoding: "utf8", timeout: 120_000 }
  )
  return {
    ok: result.status === 0 && bundle.status === 0,
    bundleBytes: Fs.existsSync(bundleFile) ? Fs.statSync(bundleFile).size : undefined,
    ms: round(performance.now() - started, 0),
    output: result.status === 0 ? undefined : `${result.stdout ?? ""}${result.stderr ?? ""}`.slice(-2000),
    distBuiltAt: Fs.existsSync(dist) ? Fs.statSync(dist).mtime.toISOString() : undefined
  }
}

interface Run {
  readonly importedMs: number
  readonly credentialMs?: number
  readonly wallMs: number
  readonly guard?: { readonly blockedConnections: number; readonly blockedDns: number; readonly blockedUdp: number }
}

const once = (env: Env, impl: string, what: string) =>
  new Promise<Run>((resolve, reject) => {
    const started = performance.now()
    const proc = spawn(process.execPath, ["--import", guard, child, impl, what], {
      cwd: benchDir,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_EXTRA_CA_CERTS: certFile,
        BENCH_GUARD_REPORT: "1",
        BENCH_AK: accessKeyId,
        BENCH_SK: accessKeySecret,
        BENCH_ROLE_ARN: roleArn,
        BENCH_STS_ENDPOINT: env.sts.stsEndpoint,
        BENCH_BUNDLE: bundleFile
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    proc.stdout.on("data", (d) => (out += d))
    proc.stderr.on("data", (d) => (err += d))
    const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000)
    proc.on("exit", (code) => {
      clearTimeout(timer)
      const wallMs = performance.now() - started
      const guardLine = /BENCH_GUARD (.*)/.exec(err)
      if (code !== 0) return reject(new Error(`${impl} ${what} exited ${code}: ${err.slice(-1000)}`))
      const result = JSON.parse(out.trim().split("\n").pop()!)
      resolve({ ...result, wallMs, guard: guardLine ? JSON.parse(guardLine[1]!) : undefined })
    })
  })

export const run = async (env: Env, buildResult: ReturnType<typeof build>) => {
  const plan: Array<[string, string]> = [
    ["none", "import"],
    ["official", "import"],
    ["ours-esm", "import"],
    ["ours-cjs", "import"],
    ["ours-bundled", "import"],
    ["ours-index-esm", "import"],
    ["official", "access_key"],
    ["ours-esm", "access_key"],
    ["ours-cjs", "access_key"],
    ["ours-bundled", "access_key"],
    ["official", "ram_role_arn"],
    ["ours-esm", "ram_role_arn"],
    ["ours-cjs", "ram_role_arn"]
  ]
  const results: Record<string, { importedMs: number; credentialMs?: number; wallMs: number; runs: number }> = {}
  let guardBlocked = 0
  for (const [impl, what] of plan) {
    const runs: Array<Run> = []
    // interleaving would be fairer to drifting machines; runs are short, so one after the other
    for (let i = 0; i < RUNS; i++) runs.push(await once(env, impl, what))
    for (const r of runs) {
      guardBlocked += (r.guard?.blockedConnections ?? 0) + (r.guard?.blockedDns ?? 0) + (r.guard?.blockedUdp ?? 0)
    }
    results[`${impl}/${what}`] = {
      runs: runs.length,
      importedMs: round(median(runs.map((r) => r.importedMs)), 1),
      ...(what === "import" ? {} : { credentialMs: round(median(runs.map((r) => r.credentialMs!)), 1) }),
      wallMs: round(median(runs.map((r) => r.wallMs)), 1)
    }
  }
  const base = results["none/import"]!.importedMs
  const importCost = {
    officialMs: round(results["official/import"]!.importedMs - base, 1),
    oursPromiseEsmMs: round(results["ours-esm/import"]!.importedMs - base, 1),
    oursPromiseCjsMs: round(results["ours-cjs/import"]!.importedMs - base, 1),
    oursBundledMs: round(results["ours-bundled/import"]!.importedMs - base, 1),
    oursIndexEsmMs: round(results["ours-index-esm/import"]!.importedMs - base, 1)
  }
  const rows: Array<Row> = []
  for (const what of ["access_key", "ram_role_arn"]) {
    const official = results[`official/${what}`]!.credentialMs!
    const esm = results[`ours-esm/${what}`]!.credentialMs!
    const cjs = results[`ours-cjs/${what}`]!.credentialMs!
    rows.push({
      benchmark: `start-up ${what}`,
      metric: `ms from process start to first credential, median of ${RUNS} (ours ESM facade; CJS: ${cjs})`,
      ours: esm,
      official,
      ratio: round(esm / official, 2)
    })
  }
  rows.push({
    benchmark: "start-up import",
    metric:
      `import cost ms over an empty node (${base} ms): ours /promise ESM (index ESM: ${importCost.oursIndexEsmMs}; CJS: ${importCost.oursPromiseCjsMs})`,
    ours: importCost.oursPromiseEsmMs,
    official: importCost.officialMs,
    ratio: round(importCost.oursPromiseEsmMs / importCost.officialMs, 2)
  })
  rows.push({
    benchmark: "start-up bundled",
    metric:
      `the facade bundled by esbuild (one CJS file): ms to first access_key credential (import alone: ${importCost.oursBundledMs})`,
    ours: results["ours-bundled/access_key"]!.credentialMs!,
    official: results["official/access_key"]!.credentialMs!,
    ratio: round(results["ours-bundled/access_key"]!.credentialMs! / results["official/access_key"]!.credentialMs!, 2)
  })
  return {
    rows,
    data: {
      build: buildResult,
      runs: RUNS,
      results,
      emptyNodeMs: base,
      importCost,
      guardBlockedInChildren: guardBlocked
    }
  }
}
