/**
 * 5. Start-up: fresh `node` processes on the BUILT packages (ours from dist/: the facade as it
 * ships, one bundled CommonJS file re-exported for ES modules; the official CommonJS), with the
 * network guard preloaded. Each row runs ours and the reference in turn, A B A B ..., PAIRS times:
 * the figures are medians, the ratio the median of the pairs' ratios (so a drifting machine
 * affects both sides of each pair alike).
 *
 * - Facade rows: the whole process (spawn to exit) for the first access_key credential and the
 *   first ram_role_arn credential (loopback STS), and the peak RSS of the process.
 * - Effect rows: a minimal Effect app on @effect/platform-node (`NodeRuntime.runMain`), without and
 *   with `CredentialsLive` and one `get` answered by the environment source; NodeRuntime from the
 *   platform's barrel (Effect's documented style) and from its own module.
 * - Import row: the cost of importing the facade alone (ms over an empty process, from inside).
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

export const PAIRS = 11
const child = Path.join(benchDir, "src/startup/child.mjs")
const effectApp = Path.join(benchDir, "src/startup/effectApp.mjs")
const guard = Path.join(benchDir, "src/guard.mjs")

/** Builds ours (`pnpm --filter @effect-alicloud/credentials build`, which bundles the facade); on failure the existing dist is used and said so. */
export const build = () => {
  const started = performance.now()
  const result = spawnSync("pnpm", ["--filter", "@effect-alicloud/credentials", "build"], {
    cwd: repoDir,
    encoding: "utf8",
    timeout: 180_000
  })
  const dist = Path.join(repoDir, "packages/credentials/dist")
  const bundle = Path.join(dist, "promise.cjs")
  return {
    ok: result.status === 0,
    facadeBundleBytes: Fs.existsSync(bundle) ? Fs.statSync(bundle).size : undefined,
    ms: round(performance.now() - started, 0),
    output: result.status === 0 ? undefined : `${result.stdout ?? ""}${result.stderr ?? ""}`.slice(-2000),
    distBuiltAt: Fs.existsSync(bundle) ? Fs.statSync(bundle).mtime.toISOString() : undefined
  }
}

interface Run {
  /** Spawn to exit, measured by this process. */
  readonly wallMs: number
  readonly importedMs?: number
  readonly credentialMs?: number
  readonly maxRssKiB: number
  readonly guard?: { readonly blockedConnections: number; readonly blockedDns: number; readonly blockedUdp: number }
}

const once = (env: Env, script: string, args: ReadonlyArray<string>) =>
  new Promise<Run>((resolve, reject) => {
    const started = performance.now()
    const proc = spawn(process.execPath, ["--import", guard, script, ...args], {
      cwd: benchDir,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_EXTRA_CA_CERTS: certFile,
        BENCH_GUARD_REPORT: "1",
        BENCH_AK: accessKeyId,
        BENCH_SK: accessKeySecret,
        BENCH_ROLE_ARN: roleArn,
        BENCH_STS_ENDPOINT: env.sts.stsEndpoint,
        // the Effect app's environment source; the metadata service is off in any case
        ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true"
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
      if (code !== 0) return reject(new Error(`${script} ${args.join(" ")} exited ${code}: ${err.slice(-1000)}`))
      const result = JSON.parse(out.trim().split("\n").pop()!)
      resolve({ ...result, wallMs, guard: guardLine ? JSON.parse(guardLine[1]!) : undefined })
    })
  })

interface Pair {
  readonly ours: ReadonlyArray<Run>
  readonly reference: ReadonlyArray<Run>
}

// A B A B ...: ours first in odd pairs, the reference first in even ones.
const paired = async (ours: () => Promise<Run>, reference: () => Promise<Run>): Promise<Pair> => {
  await ours() // warm-up (file system caches), not counted
  await reference()
  const a: Array<Run> = []
  const b: Array<Run> = []
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      a.push(await ours())
      b.push(await reference())
    } else {
      b.push(await reference())
      a.push(await ours())
    }
  }
  return { ours: a, reference: b }
}

const summary = (pair: Pair, figure: (run: Run) => number) => {
  const ours = pair.ours.map(figure)
  const reference = pair.reference.map(figure)
  return {
    ours: round(median(ours), 1),
    reference: round(median(reference), 1),
    ratio: round(median(ours.map((value, i) => value / reference[i]!)), 2)
  }
}

const blocked = (pairs: ReadonlyArray<Pair>) =>
  pairs.flatMap((p) => [...p.ours, ...p.reference]).reduce(
    (n, r) => n + (r.guard?.blockedConnections ?? 0) + (r.guard?.blockedDns ?? 0) + (r.guard?.blockedUdp ?? 0),
    0
  )

export const run = async (env: Env, buildResult: ReturnType<typeof build>) => {
  const facade = (impl: string, what: string) => () => once(env, child, [impl, what])
  const accessKey = await paired(facade("ours-cjs", "access_key"), facade("official", "access_key"))
  const accessKeyEsm = await paired(facade("ours-esm", "access_key"), facade("official", "access_key"))
  const ramRoleArn = await paired(facade("ours-cjs", "ram_role_arn"), facade("official", "ram_role_arn"))
  const app = await paired(() => once(env, effectApp, ["credentials"]), () => once(env, effectApp, ["plain"]))
  const appDeep = await paired(
    () => once(env, effectApp, ["credentials", "deep"]),
    () => once(env, effectApp, ["plain", "deep"])
  )
  const imports = await paired(facade("ours-cjs", "import"), facade("official", "import"))
  const empty = await paired(facade("none", "import"), facade("none", "import"))

  const wall = (r: Run) => r.wallMs
  const rss = (r: Run) => r.maxRssKiB / 1024
  const rows: Array<Row> = []
  const facadeRows = (name: string, pair: Pair, timeTarget: number) => {
    const first = summary(pair, (r) => r.credentialMs!)
    const time = summary(pair, wall)
    const memory = summary(pair, rss)
    rows.push({
      benchmark: `start-up ${name}`,
      metric: `ms from process start to the first credential (facade, CommonJS), median of ${PAIRS} pairs`,
      ours: first.ours,
      official: first.reference,
      ratio: first.ratio,
      target: `<= ${timeTarget}x`,
      met: first.ratio <= timeTarget
    })
    rows.push({
      benchmark: `start-up ${name}`,
      metric: `ms, the whole process: spawn, first credential, close(), exit`,
      ours: time.ours,
      official: time.reference,
      ratio: time.ratio,
      target: `<= ${timeTarget}x`,
      met: time.ratio <= timeTarget
    })
    rows.push({
      benchmark: `start-up ${name}`,
      metric: `peak RSS MiB of that process`,
      ours: memory.ours,
      official: memory.reference,
      ratio: memory.ratio,
      target: "<= 1.5x",
      met: memory.ratio <= 1.5
    })
  }
  facadeRows("access_key", accessKey, 1.5)
  const esm = summary(accessKeyEsm, wall)
  rows.push({
    benchmark: "start-up access_key",
    metric: `ms, the whole process from an ES module (import of /promise), median of ${PAIRS} pairs`,
    ours: esm.ours,
    official: esm.reference,
    ratio: esm.ratio,
    target: "<= 1.5x",
    met: esm.ratio <= 1.5
  })
  facadeRows("ram_role_arn", ramRoleArn, 2)
  const effect = summary(app, wall)
  const effectDeep = summary(appDeep, wall)
  rows.push({
    benchmark: "start-up Effect app",
    metric:
      `ms, a minimal NodeRuntime.runMain app (from "@effect/platform-node") with CredentialsLive and one get (env) vs without, median of ${PAIRS} pairs`,
    ours: effect.ours,
    official: effect.reference,
    ratio: effect.ratio,
    target: "<= 1.15x",
    met: effect.ratio <= 1.15
  })
  rows.push({
    benchmark: "start-up Effect app",
    metric:
      `ms, the same with NodeRuntime from "@effect/platform-node/NodeRuntime" alone (the platform not preloaded), median of ${PAIRS} pairs`,
    ours: effectDeep.ours,
    official: effectDeep.reference,
    ratio: effectDeep.ratio
  })
  const base = median(empty.ours.map((r) => r.importedMs!))
  const importOurs = median(imports.ours.map((r) => r.importedMs!)) - base
  const importOfficial = median(imports.reference.map((r) => r.importedMs!)) - base
  rows.push({
    benchmark: "start-up import",
    metric: `ms to require /promise, over an empty node (${round(base, 1)} ms to its first line)`,
    ours: round(importOurs, 1),
    official: round(importOfficial, 1),
    ratio: round(importOurs / importOfficial, 2)
  })
  return {
    rows,
    data: {
      build: buildResult,
      pairs: PAIRS,
      accessKey: {
        firstCredential: summary(accessKey, (r) => r.credentialMs!),
        wall: summary(accessKey, wall),
        rss: summary(accessKey, rss)
      },
      accessKeyEsm: { wall: esm },
      ramRoleArn: {
        firstCredential: summary(ramRoleArn, (r) => r.credentialMs!),
        wall: summary(ramRoleArn, wall),
        rss: summary(ramRoleArn, rss)
      },
      effectApp: { wall: effect, rss: summary(app, rss), deep: { wall: effectDeep, rss: summary(appDeep, rss) } },
      import: { emptyNodeMs: base, oursMs: importOurs, officialMs: importOfficial },
      guardBlockedInChildren: blocked([accessKey, accessKeyEsm, ramRoleArn, app, appDeep, imports, empty])
    }
  }
}
