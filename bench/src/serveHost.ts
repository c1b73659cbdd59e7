/**
 * 7b. One host: K processes share one refreshing credential through `alicloud-credentials serve`.
 *
 * Ours: one `serve` process (the CLI, from source) whose default chain picks a RamRoleArn profile
 * (a temp HOME) against the emulator's STS, and K processes of the official client using it as
 * their `credentials_uri`. The official way: K processes of the official client, each with its own
 * ram_role_arn. Short credentials (12 s) so that rotations happen in the run; we count the
 * AssumeRole requests the emulator receives. Every child preloads the network guard.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Readline from "node:readline"
import {
  accessKeyId,
  accessKeySecret,
  benchDir,
  certFile,
  type Env,
  ramRoleArnProfileHome,
  repoDir,
  roleArn,
  type Row
} from "./env.js"

export const K = 5
export const DURATION_MS = 25_000
const guard = Path.join(benchDir, "src/guard.mjs")
const client = Path.join(benchDir, "src/serveHost/client.mjs")

interface ChildReport {
  readonly calls: number
  readonly failures: number
  readonly distinct: number
}

let guardBlocked = 0

const baseEnv = (env: Env): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  NODE_EXTRA_CA_CERTS: certFile,
  BENCH_GUARD_REPORT: "1",
  BENCH_AK: accessKeyId,
  BENCH_SK: accessKeySecret,
  BENCH_ROLE_ARN: roleArn,
  BENCH_STS_ENDPOINT: env.sts.stsEndpoint
})

const collectGuard = (stderr: string) => {
  const line = /BENCH_GUARD (.*)/.exec(stderr)
  if (line !== null) {
    const report = JSON.parse(line[1]!) as { blockedConnections: number; blockedDns: number; blockedUdp: number }
    guardBlocked += report.blockedConnections + report.blockedDns + report.blockedUdp
  }
}

const runClient = (extraEnv: Record<string, string>, mode: "uri" | "ram_role_arn") =>
  new Promise<ChildReport>((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", guard, client, mode, String(DURATION_MS)], {
      cwd: benchDir,
      env: extraEnv,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    proc.stdout.on("data", (d) => (out += d))
    proc.stderr.on("data", (d) => (err += d))
    const timer = setTimeout(() => proc.kill("SIGKILL"), DURATION_MS + 30_000)
    proc.on("exit", (code) => {
      clearTimeout(timer)
      collectGuard(err)
      if (code !== 0) return reject(new Error(`client exited ${code}: ${err.slice(-500)}`))
      resolve(JSON.parse(out.trim().split("\n").pop()!) as ChildReport)
    })
  })

// Starts `alicloud-credentials serve` and resolves with its credentials URI (its --json start line).
const startServe = (env: Env, home: string) =>
  new Promise<{ readonly proc: ChildProcess; readonly uri: string; readonly stderr: () => string }>(
    (resolve, reject) => {
      const proc = spawn(
        process.execPath,
        [
          "--import",
          guard,
          "--import",
          "tsx",
          "--conditions=@effect-alicloud/source",
          Path.join(repoDir, "packages/cli/src/main.ts"),
          "serve",
          "--json",
          "--port",
          "0",
          "--sts-endpoint",
          env.sts.stsEndpoint
        ],
        {
          cwd: repoDir,
          env: { ...baseEnv(env), HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
          stdio: ["ignore", "pipe", "pipe"]
        }
      )
      let err = ""
      proc.stderr!.on("data", (d) => (err += d))
      const timer = setTimeout(() => {
        proc.kill("SIGKILL")
        reject(new Error(`serve did not start: ${err.slice(-500)}`))
      }, 30_000)
      Readline.createInterface({ input: proc.stdout! }).once("line", (line) => {
        clearTimeout(timer)
        resolve({ proc, uri: (JSON.parse(line) as { credentialsUri: string }).credentialsUri, stderr: () => err })
      })
    }
  )

export const run = async (env: Env) => {
  guardBlocked = 0
  await env.run(env.sts.setExpiry("sts", "12 seconds"))
  const home = ramRoleArnProfileHome("bench-serve-", { ram_session_name: "bench-serve" })
  try {
    // ours: one serve, K clients
    let before = await env.stsReceived()
    const serve = await startServe(env, home)
    const viaServe = await Promise.all(
      Array.from({ length: K }, () => runClient({ ...baseEnv(env), BENCH_URI: serve.uri }, "uri"))
    )
    const serveRequests = (await env.stsReceived()) - before
    await new Promise<void>((resolve) => {
      serve.proc.once("exit", () => resolve())
      serve.proc.kill("SIGTERM")
    })
    collectGuard(serve.stderr())
    // the official way: K processes, each its own ram_role_arn
    before = await env.stsReceived()
    const own = await Promise.all(Array.from({ length: K }, () => runClient(baseEnv(env), "ram_role_arn")))
    const ownRequests = (await env.stsReceived()) - before
    const rotations = Math.max(...viaServe.map((r) => r.distinct))
    const rows: Array<Row> = [{
      benchmark: `one host, ${K} processes`,
      metric: `AssumeRole requests in ${
        DURATION_MS / 1000
      } s, 12 s credentials (ours: one serve, clients see ${rotations} credentials; official: each process its own ram_role_arn)`,
      ours: serveRequests,
      official: ownRequests,
      ratio: Math.round((serveRequests / ownRequests) * 1000) / 1000,
      target: "1 per rotation, not K",
      met: serveRequests <= rotations + 1
    }, {
      benchmark: `one host, ${K} processes`,
      metric: "failed client calls / calls",
      ours: `${viaServe.reduce((n, r) => n + r.failures, 0)} / ${viaServe.reduce((n, r) => n + r.calls, 0)}`,
      official: `${own.reduce((n, r) => n + r.failures, 0)} / ${own.reduce((n, r) => n + r.calls, 0)}`
    }]
    return {
      rows,
      data: {
        K,
        durationMs: DURATION_MS,
        serveRequests,
        ownRequests,
        viaServe,
        own,
        rotations,
        guardBlockedInChildren: guardBlocked
      }
    }
  } finally {
    await env.run(env.sts.clearExpiry("sts"))
    Fs.rmSync(home, { recursive: true, force: true })
  }
}
