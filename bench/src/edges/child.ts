/**
 * One measurement of the edge benchmarks, in its own process:
 *   node --import ../guard.mjs --import tsx child.ts <scenario> <impl>
 * scenario: chain (the default chain, nothing configured; the metadata address given by the
 *           parent) | sts-hang (ram_role_arn, timeout 1000 / connectTimeout 1000, an STS that never
 *           answers) | body (one credentials_uri get against a huge or endless body)
 * impl: ours | official
 *
 * Prints JSON lines on stdout: `{"phase":"baseline",...}` before the first get (after imports and
 * the client's construction), then `{"phase":"done","ms","outcome","message"}`. `ms` runs from the
 * first get to its outcome (ours: its modules imported before). The parent watches /proc/<pid>/status and kills this process at its
 * hard limits.
 */
import "../guarded.mjs"
import * as Fs from "node:fs"
import { createRequire } from "node:module"

const [scenario, impl] = process.argv.slice(2)
const env = process.env
const require = createRequire(import.meta.url)

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`)

const status = () => {
  try {
    const text = Fs.readFileSync("/proc/self/status", "utf8")
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN) * 1024
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") }
  } catch {
    return { rss: process.memoryUsage.rss(), hwm: NaN }
  }
}

/** Resets VmHWM to the current RSS (Linux: `5` into clear_refs); false where not allowed. */
const resetPeak = () => {
  try {
    Fs.writeFileSync("/proc/self/clear_refs", "5")
    return true
  } catch {
    return false
  }
}

const messageOf = (error: unknown) =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/\s+/g, " ").slice(0, 1500)

interface Client {
  getCredential(): Promise<{ readonly accessKeyId: string }>
  close?: () => Promise<void> | void
}

const makeClient = async (): Promise<{ get: () => Promise<unknown>; close: () => Promise<void> }> => {
  if (scenario === "chain") {
    if (impl === "official") {
      const Official = require("@alicloud/credentials").default
      const client: Client = new Official()
      return { get: () => client.getCredential(), close: async () => {} }
    }
    const { Credentials } = await import("@effect-alicloud/credentials")
    const Effect = await import("effect/Effect")
    const ManagedRuntime = await import("effect/ManagedRuntime")
    // the default chain as shipped, only the metadata address moved to the loopback helper
    const runtime = ManagedRuntime.make(Credentials.layerDefault({ metadataUrl: env.BENCH_METADATA_URL }))
    return {
      get: () => runtime.runPromise(Effect.flatMap(Credentials, (c) => c.get)),
      close: () => runtime.dispose()
    }
  }
  const config = scenario === "sts-hang"
    ? {
      type: "ram_role_arn",
      accessKeyId: env.BENCH_AK,
      accessKeySecret: env.BENCH_SK,
      roleArn: env.BENCH_ROLE_ARN,
      roleSessionName: "bench-edges",
      stsEndpoint: env.BENCH_STS_ENDPOINT,
      timeout: 1000,
      connectTimeout: 1000
    }
    : { type: "credentials_uri", credentialsURI: env.BENCH_CREDENTIALS_URI }
  // Ours runs from its built package (dist/): the facade loads its network modules on first
  // use, so they are imported here, before the baseline, for the get not to pay for compiling them.
  if (impl === "ours") await import("@effect-alicloud/credentials")
  const Credential = impl === "official"
    ? require("@alicloud/credentials").default
    : (await import("@effect-alicloud/credentials/promise")).default
  const client: Client = new Credential(config)
  return {
    get: () => client.getCredential(),
    close: async () => {
      if (typeof client.close === "function") await client.close()
    }
  }
}

const client = await makeClient()
const gc = (globalThis as { gc?: () => void }).gc
gc?.()
gc?.()
const baseline = status()
const peakReset = resetPeak()
say({ phase: "baseline", rss: baseline.rss, hwmBefore: baseline.hwm, peakReset })

const started = performance.now()
let outcome: "credential" | "error"
let message: string | undefined
try {
  const credential = await client.get()
  outcome = "credential"
  message = typeof credential === "object" && credential !== null && "accessKeyId" in credential
    ? "got a credential"
    : "?"
} catch (error) {
  outcome = "error"
  message = messageOf(error)
}
const ms = performance.now() - started
const after = status()
say({ phase: "done", ms, outcome, message, rss: after.rss, hwm: after.hwm })
await Promise.race([client.close(), new Promise((resolve) => setTimeout(resolve, 2000).unref())])
process.exit(0)
