// One client process of the "one host" benchmark: the official @alicloud/credentials client, in a
// fresh `node --import ../guard.mjs` process, calling getCredential() every 50 ms for DURATION ms.
// argv: <mode: uri | ram_role_arn> <durationMs>. Prints one JSON line: calls, failures, and the
// distinct AccessKey IDs it saw (the rotations).
import "../guarded.mjs"
import { createRequire } from "node:module"

const [mode, duration] = process.argv.slice(2)
const require = createRequire(import.meta.url)
const Credential = require("@alicloud/credentials").default
const env = process.env
const client = new Credential(
  mode === "uri"
    ? { type: "credentials_uri", credentialsURI: env.BENCH_URI }
    : {
      type: "ram_role_arn",
      accessKeyId: env.BENCH_AK,
      accessKeySecret: env.BENCH_SK,
      roleArn: env.BENCH_ROLE_ARN,
      roleSessionName: `bench-host-${process.pid}`,
      stsEndpoint: env.BENCH_STS_ENDPOINT
    }
)
const ids = new Set()
let calls = 0
let failures = 0
const end = Date.now() + Number(duration)
while (Date.now() < end) {
  calls++
  try {
    ids.add((await client.getCredential()).accessKeyId)
  } catch {
    failures++
  }
  await new Promise((resolve) => setTimeout(resolve, 50))
}
process.stdout.write(`${JSON.stringify({ calls, failures, distinct: ids.size })}\n`)
