/**
 * 5. Start-up: fresh `node` processes on the BUILT packages, resolved by name as a consumer's
 * (`@effect-alicloud/credentials` through the package's `exports` to dist/: the facade as it ships,
 * the bundled CommonJS entry and its chunks, re-exported for ES modules; the Effect API's modules by their subpaths;
 * the official CommonJS), with the network guard preloaded. Each row runs ours and its baseline in
 * turn, A B A B ..., PAIRS times: the figures are medians, the ratio the median of the pairs'
 * ratios (so a drifting machine affects both sides of each pair alike).
 *
 * The rows of issue 19:
 * - a lean Effect app (`effect/Effect` and `runMain` from `@effect/platform-node/NodeRuntime`, one
 *   log line) with `CredentialsLive` answered by the environment, against the same app without it
 *   (wall, and the peak RSS difference);
 * - the same app with `CredentialsLive` resolving ram_role_arn from a CLI profile
 *   (HOME/.aliyun/config.json, STS: the loopback emulator) against the facade doing the same
 *   (`new Credential()`, the default chain);
 * - the facade's first ram_role_arn and first access_key credential, the whole process (spawn,
 *   credential, close(), exit), and its peak RSS, against the official 2.4.7.
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
  ramRoleArnProfileHome,
  repoDir,
  roleArn,
  round,
  type Row
} from "./env.js"

// 21, not the least of 11: on this 2-core machine a median of 11 pairs moved by ±0.05
// between runs of the same commit (2026-12-06), more than some targets' margins.
export const PAIRS = 21
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
  /** User + system CPU time of the process, to its last line: steadier than the wall on a shared machine. */
  readonly cpuMs: number
  readonly guard?: { readonly blockedConnections: number; readonly blockedDns: number; readonly blockedUdp: number }
}

// The environment of the profile rows: no AccessKey variables, a home whose CLI profile names the role.
type ChildEnv = Record<string, string>

const once = (env: Env, script: string, args: ReadonlyArray<string>, childEnv?: ChildEnv) =>
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
        // the metadata service is off in any case; the Effect app's environment source, unless the
        // row gives its own environment (a CLI profile)
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
        ...(childEnv ?? { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret })
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
  // the CLI profile of the Effect app and the facade's default chain, at the loopback STS
  const home = ramRoleArnProfileHome("bench-startup-home-", {
    ram_session_name: "bench-startup",
    region_id: "cn-hangzhou",
    sts_endpoint: env.sts.stsEndpoint
  })
  const fromProfile: ChildEnv = { HOME: home }
  const facade = (impl: string, what: string, childEnv?: ChildEnv) => () => once(env, child, [impl, what], childEnv)
  const app = (what: string, childEnv?: ChildEnv) => () => once(env, effectApp, [what], childEnv)
  const accessKey = await paired(facade("ours-cjs", "access_key"), facade("official", "access_key"))
  const accessKeyEsm = await paired(facade("ours-esm", "access_key"), facade("official", "access_key"))
  const ramRoleArn = await paired(facade("ours-cjs", "ram_role_arn"), facade("official", "ram_role_arn"))
  const appEnv = await paired(app("credentials"), app("plain"))
  const appProfile = await paired(app("credentials", fromProfile), facade("ours-esm", "default", fromProfile))
  // The floor under the row above: the lean app that only imports effect/Schema (which, in Effect
  // 3, imports effect/FastCheck and fast-check's ~240 modules), against the same facade run.
  const schemaFloor = await paired(app("schema", fromProfile), facade("ours-esm", "default", fromProfile))
  const imports = await paired(facade("ours-cjs", "import"), facade("official", "import"))
  const empty = await paired(facade("none", "import"), facade("none", "import"))
  Fs.rmSync(home, { recursive: true, force: true })

  const wall = (r: Run) => r.wallMs
  const rss = (r: Run) => r.maxRssKiB / 1024
  const cpu = (r: Run) => r.cpuMs
  const rows: Array<Row> = []
  const ratioRow = (
    benchmark: string,
    metric: string,
    figures: ReturnType<typeof summary>,
    target?: number
  ) =>
    rows.push({
      benchmark,
      metric,
      ours: figures.ours,
      official: figures.reference,
      ratio: figures.ratio,
      ...(target === undefined ? {} : { target: `<= ${target}x`, met: figures.ratio <= target })
    })
  const facadeRows = (name: string, pair: Pair, wallTarget: number, rssTarget?: number) => {
    ratioRow(
      `start-up ${name}`,
      `ms from process start to the first credential (facade, CommonJS), median of ${PAIRS} pairs`,
      summary(pair, (r) => r.credentialMs!)
    )
    ratioRow(
      `start-up ${name}`,
      `ms, the whole process: spawn, first credential, close(), exit`,
      summary(pair, wall),
      wallTarget
    )
    ratioRow(`start-up ${name}`, `CPU ms (user + system) of that process`, summary(pair, cpu))
    ratioRow(`start-up ${name}`, `peak RSS MiB of that process`, summary(pair, rss), rssTarget)
  }
  facadeRows("access_key", accessKey, 1.2)
  ratioRow(
    "start-up access_key",
    `ms, the whole process from an ES module (import of /promise), median of ${PAIRS} pairs`,
    summary(accessKeyEsm, wall)
  )
  facadeRows("ram_role_arn", ramRoleArn, 1.4, 1.25)
  ratioRow(
    "start-up Effect app",
    `ms, a lean app (effect/Effect, NodeRuntime.runMain from @effect/platform-node/NodeRuntime, one log line) with CredentialsLive answered by the environment ("official": the app without it), median of ${PAIRS} pairs`,
    summary(appEnv, wall),
    1.25
  )
  ratioRow("start-up Effect app", `CPU ms (user + system) of those processes`, summary(appEnv, cpu))
  const appRss = summary(appEnv, rss)
  const addedMiB = round(median(appEnv.ours.map((r, i) => rss(r) - rss(appEnv.reference[i]!))), 1)
  rows.push({
    benchmark: "start-up Effect app",
    metric: `peak RSS MiB of those processes; ratio column: MiB added (median of the pairs' differences)`,
    ours: appRss.ours,
    official: appRss.reference,
    ratio: addedMiB,
    target: "<= +12 MiB",
    met: addedMiB <= 12
  })
  ratioRow(
    "start-up Effect app",
    `ms, the same app with CredentialsLive resolving ram_role_arn from a CLI profile (loopback STS) ("official": the facade doing the same, new Credential() from an ES module), median of ${PAIRS} pairs`,
    summary(appProfile, wall),
    1.2
  )
  ratioRow("start-up Effect app", `CPU ms (user + system) of those processes`, summary(appProfile, cpu))
  ratioRow(
    "start-up Effect app",
    `ms, the floor of the row above: the lean app importing effect/Schema and nothing of ours (no credential) ("official": the same facade run), median of ${PAIRS} pairs`,
    summary(schemaFloor, wall)
  )
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
      accessKeyEsm: { wall: summary(accessKeyEsm, wall) },
      ramRoleArn: {
        firstCredential: summary(ramRoleArn, (r) => r.credentialMs!),
        wall: summary(ramRoleArn, wall),
        rss: summary(ramRoleArn, rss)
      },
      effectApp: {
        env: { wall: summary(appEnv, wall), cpu: summary(appEnv, cpu), rss: appRss, addedRssMiB: addedMiB },
        profileVsFacade: {
          wall: summary(appProfile, wall),
          cpu: summary(appProfile, cpu),
          rss: summary(appProfile, rss)
        },
        schemaFloorVsFacade: { wall: summary(schemaFloor, wall), cpu: summary(schemaFloor, cpu) }
      },
      import: { emptyNodeMs: base, oursMs: importOurs, officialMs: importOfficial },
      guardBlockedInChildren: blocked([
        accessKey,
        accessKeyEsm,
        ramRoleArn,
        appEnv,
        appProfile,
        schemaFloor,
        imports,
        empty
      ])
    }
  }
}
