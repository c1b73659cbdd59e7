/**
 * One short process of the session-cache benchmark:
 *   node --import ../guard.mjs --import tsx --conditions=@effect-alicloud/source child.ts <impl>
 * impl: ours-cache (RamRoleArn with `cache: { directory }`) | ours (RamRoleArn, no cache) |
 *       official (@alicloud/credentials, type ram_role_arn)
 *
 * Gets one ram_role_arn credential from the STS emulator (https on 127.0.0.1, BENCH_STS_ENDPOINT)
 * and prints `{"outcome","ms"}` on stdout.
 */
import "../guarded.mjs"
import { createRequire } from "node:module"

const [impl] = process.argv.slice(2)
const env = process.env
const require = createRequire(import.meta.url)

const started = performance.now()
let outcome = "credential"
let message: string | undefined
try {
  if (impl === "official") {
    const Official = require("@alicloud/credentials").default
    const client = new Official({
      type: "ram_role_arn",
      accessKeyId: env.BENCH_AK,
      accessKeySecret: env.BENCH_SK,
      roleArn: env.BENCH_ROLE_ARN,
      roleSessionName: "bench-cache",
      stsEndpoint: env.BENCH_STS_ENDPOINT
    })
    await client.getCredential()
  } else {
    const { AccessKey, HttpTransport, RamRoleArn } = await import("@effect-alicloud/credentials")
    const Effect = await import("effect/Effect")
    const options = {
      source: AccessKey.make({ accessKeyId: env.BENCH_AK ?? "", accessKeySecret: env.BENCH_SK ?? "" }),
      roleArn: env.BENCH_ROLE_ARN,
      roleSessionName: "bench-cache",
      stsEndpoint: env.BENCH_STS_ENDPOINT
    }
    const source = impl === "ours-cache"
      ? RamRoleArn.make({ ...options, cache: { directory: env.BENCH_CACHE_DIR } })
      : RamRoleArn.make(options)
    await Effect.runPromise(source.pipe(Effect.provide(HttpTransport.layerNode())))
  }
} catch (error) {
  outcome = "error"
  message = (error instanceof Error ? error.message : String(error)).slice(0, 300)
}
process.stdout.write(
  `${JSON.stringify({ outcome, ms: performance.now() - started, ...(message === undefined ? {} : { message }) })}\n`
)
process.exit(0)
