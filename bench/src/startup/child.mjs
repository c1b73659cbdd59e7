// One start-up run, in a fresh `node --import ../guard.mjs` process, on the BUILT packages
// (no tsx, no source condition). argv: <impl> <what>
//   impl: official | ours-esm | ours-cjs | ours-index-esm | none
//   what: import | access_key | ram_role_arn | default (no configuration: the default chain, e.g. a
//         CLI profile of the HOME the bench gives)
// Prints one JSON line: milliseconds since the process started (performance.now()) at the end of
// the import and at the first credential, and the peak RSS (KiB) at the end.
import "../guarded.mjs"
import { createRequire } from "node:module"

const [impl, what] = process.argv.slice(2)
const require = createRequire(import.meta.url)
const env = process.env
const config = what === "ram_role_arn"
  ? {
    type: "ram_role_arn",
    accessKeyId: env.BENCH_AK,
    accessKeySecret: env.BENCH_SK,
    roleArn: env.BENCH_ROLE_ARN,
    roleSessionName: "bench-startup",
    stsEndpoint: env.BENCH_STS_ENDPOINT
  }
  : what === "default"
  ? undefined
  : { type: "access_key", accessKeyId: env.BENCH_AK, accessKeySecret: env.BENCH_SK }

let Credential
switch (impl) {
  case "official":
    Credential = require("@alicloud/credentials").default
    break
  case "ours-esm":
    Credential = (await import("@effect-alicloud/credentials/promise")).default
    break
  case "ours-cjs":
    Credential = require("@effect-alicloud/credentials/promise").default
    break
  case "ours-index-esm":
    await import("@effect-alicloud/credentials")
    break
  case "none":
    break
  default:
    throw new Error(`unknown impl ${impl}`)
}
const imported = performance.now()
let credentialAt
if (what !== "import") {
  const client = new Credential(config)
  const credential = await client.getCredential()
  if (!credential.accessKeyId) throw new Error("no credential")
  credentialAt = performance.now()
  if (typeof client.close === "function") await client.close()
}
const { maxRSS, systemCPUTime, userCPUTime } = process.resourceUsage()
process.stdout.write(
  `${JSON.stringify({ impl, what, importedMs: imported, credentialMs: credentialAt, maxRssKiB: maxRSS, cpuMs: (userCPUTime + systemCPUTime) / 1000 })}\n`
)
process.exit(0)
