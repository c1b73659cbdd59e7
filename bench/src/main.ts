/**
 * Runs every benchmark: `node --import tsx --conditions=@effect-alicloud/source bench/src/main.ts`
 * (from the repository root or from bench/), optionally `--only=hot,stampede,refresh,outage,startup,memory,fleet,serve,edges,cache,signing,identities`
 * (or `--only edges`; `pnpm bench:edges` runs only the edge rows).
 *
 * It re-runs itself once with what the benchmarks need, for this process only: `--expose-gc` and
 * `NODE_EXTRA_CA_CERTS` = the emulator's loopback test certificate (the official client always
 * speaks https to STS; TLS verification stays on).
 */
import { spawn } from "node:child_process"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Guard from "./guard.mjs"

const here = Path.dirname(Url.fileURLToPath(import.meta.url))
const cert = Path.resolve(here, "../../packages/emulator/test/fixtures/loopback-test-only.crt")

if (process.env.EFFECT_ALICLOUD_BENCH !== "run") {
  const child = spawn(
    process.execPath,
    ["--expose-gc", ...process.execArgv, Url.fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        EFFECT_ALICLOUD_BENCH: "run",
        NODE_EXTRA_CA_CERTS: cert,
        BENCH_COMMAND: process.argv.slice(1).join(" ")
      }
    }
  )
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
} else {
  const { main } = await import("./run.js")
  await main(Guard)
}
