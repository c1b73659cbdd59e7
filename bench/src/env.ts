/**
 * What every benchmark shares: the emulators (a TLS one for STS, since the official client always
 * speaks https, and a plain one standing in for the ECS metadata service at 100.100.100.200), the
 * key they accept, the clients on both sides, and small measuring helpers.
 */
import { AccessKey, Credentials, HttpTransport, RamRoleArn, type Refresh } from "@effect-alicloud/credentials"
import OursCredential from "@effect-alicloud/credentials/promise"
import { Emulator } from "@effect-alicloud/emulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Guard from "./guard.mjs"

export const benchDir = Path.resolve(Path.dirname(Url.fileURLToPath(import.meta.url)), "..")
export const repoDir = Path.resolve(benchDir, "..")
export const fixtures = Path.join(repoDir, "packages/emulator/test/fixtures")
export const certFile = Path.join(fixtures, "loopback-test-only.crt")

export const accessKeyId = "LTAIbenchmarkKey0001"
export const accessKeySecret = "bench-secret-not-a-real-one"
export const roleArn = "acs:ram::1234567890123456:role/bench-role"

// The official package (CommonJS), as an application would load it.
const require = createRequire(import.meta.url)
export interface OfficialModel {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string
}
export interface OfficialClient {
  getCredential(): Promise<OfficialModel>
}
export const Official: new(config: Record<string, unknown>) => OfficialClient = require("@alicloud/credentials").default
export const officialVersion: string = require("@alicloud/credentials/package.json").version

export interface Env {
  readonly sts: Emulator.EmulatorShape
  readonly metadata: Emulator.EmulatorShape
  readonly run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>
  readonly stsReceived: () => Promise<number>
  readonly close: () => Promise<void>
}

export const makeEnv = async (): Promise<Env> => {
  const scope = Effect.runSync(Scope.make())
  const tls = {
    key: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.key"), "utf8"),
    cert: Fs.readFileSync(certFile, "utf8")
  }
  const keys = [{ accessKeyId, accessKeySecret }]
  const sts = await Effect.runPromise(Scope.extend(Emulator.make({ tls, accessKeys: keys }), scope))
  const metadata = await Effect.runPromise(Scope.extend(Emulator.make({ accessKeys: keys }), scope))
  // The official ECS client (and ours, by default) go to 100.100.100.200: send them to the emulator.
  Guard.redirect("100.100.100.200", { host: "127.0.0.1", port: metadata.port })
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
  return {
    sts,
    metadata,
    run,
    stsReceived: () => run(Effect.map(sts.counters("sts"), (c) => c.received)),
    close: async () => {
      Guard.clearRedirect("100.100.100.200")
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
}

/**
 * A new home (in the temp folder) whose CLI profile `bench` (~/.aliyun/config.json, the aliyun
 * CLI's file) assumes the bench role with the bench key; `fields` adds to the profile (e.g. the
 * loopback `sts_endpoint`).
 */
export const ramRoleArnProfileHome = (prefix: string, fields: Record<string, string>) => {
  const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), prefix))
  Fs.mkdirSync(Path.join(home, ".aliyun"))
  const profile = { name: "bench", mode: "RamRoleArn", access_key_id: accessKeyId, access_key_secret: accessKeySecret }
  Fs.writeFileSync(
    Path.join(home, ".aliyun", "config.json"),
    JSON.stringify({ current: "bench", profiles: [{ ...profile, ram_role_arn: roleArn, ...fields }] })
  )
  return home
}

// --- clients -------------------------------------------------------------------------------------

let session = 0
export const sessionName = (label: string) => `bench-${label}-${++session}`

export const officialAccessKey = () => new Official({ type: "access_key", accessKeyId, accessKeySecret })
export const officialRamRoleArn = (env: Env, label = "official") =>
  new Official({
    type: "ram_role_arn",
    accessKeyId,
    accessKeySecret,
    roleArn,
    roleSessionName: sessionName(label),
    stsEndpoint: env.sts.stsEndpoint
  })

export const oursAccessKey = () => new OursCredential({ type: "access_key", accessKeyId, accessKeySecret })
export const oursRamRoleArn = (env: Env, label = "ours") =>
  new OursCredential({
    type: "ram_role_arn",
    accessKeyId,
    accessKeySecret,
    roleArn,
    roleSessionName: sessionName(label),
    stsEndpoint: env.sts.stsEndpoint
  })

export const ramRoleArnSource = (env: Env, label = "ours") =>
  RamRoleArn.make({
    source: AccessKey.make({ accessKeyId, accessKeySecret }),
    roleArn,
    roleSessionName: sessionName(label),
    stsEndpoint: env.sts.stsEndpoint
  })

/** The Effect API: a runtime holding one `Credentials` layer (on Node's undici transport). */
export const effectRuntime = (
  source: ReturnType<typeof ramRoleArnSource> | ReturnType<typeof AccessKey.make>,
  options?: Refresh.Options
) => ManagedRuntime.make(Credentials.layer(source, options).pipe(Layer.provide(HttpTransport.layerNode())))

export const getEffect = Effect.flatMap(Credentials, (c) => c.get)

// --- measuring -----------------------------------------------------------------------------------

export const percentile = (sorted: ReadonlyArray<number>, p: number): number => {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

export interface Summary {
  readonly n: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

export const summarize = (values: ReadonlyArray<number>): Summary => {
  const sorted = [...values].sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? NaN : sum / sorted.length
  }
}

export const median = (values: ReadonlyArray<number>) => percentile([...values].sort((a, b) => a - b), 50)

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const round = (value: number, digits = 2) => {
  if (!Number.isFinite(value)) return value
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** A row of the printed table. `ratio` is ours / official (lower is better unless said). */
export interface Row {
  readonly benchmark: string
  readonly metric: string
  readonly ours: number | string
  readonly official: number | string
  readonly ratio?: number | undefined
  readonly target?: string | undefined
  readonly met?: boolean | undefined
}

export const ratio = (ours: number, official: number) => (official === 0 ? NaN : round(ours / official, 3))

export const gc = () => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g === undefined) throw new Error("run with --expose-gc (main.ts re-runs itself with it)")
  g()
  g()
}

export const heapUsed = () => {
  gc()
  return process.memoryUsage().heapUsed
}
