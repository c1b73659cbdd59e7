// One run of a lean Effect application on @effect/platform-node, in a fresh `node --import
// ../guard.mjs` process, on the BUILT packages (resolved by name, as a consumer's). argv: <what>
//   plain:        `NodeRuntime.runMain` (from "@effect/platform-node/NodeRuntime") of a program
//                 that logs one line
//   credentials:  the same program with `CredentialsLive` provided (the `Credentials` and
//                 `CredentialsLive` subpaths) and one `get` before the line; the environment
//                 answers when the bench sets ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, a CLI profile
//                 (HOME/.aliyun/config.json) when it does not
//   schema:       the plain program, importing effect/Schema first (what Effect 3's Schema costs)
// Prints one JSON line: the provider name, the peak RSS (KiB) and the CPU time (ms, user + system) at the end.
import "../guarded.mjs"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"

const [what] = process.argv.slice(2)
const usage = () => {
  const { maxRSS, systemCPUTime, userCPUTime } = process.resourceUsage()
  return { maxRssKiB: maxRSS, cpuMs: (userCPUTime + systemCPUTime) / 1000 }
}
const report = (providerName) =>
  Effect.zipRight(
    Effect.log("started"),
    Effect.sync(() =>
      process.stdout.write(`${JSON.stringify({ what, providerName, ...usage(), atMs: Math.round(performance.now()) })}\n`)
    )
  )

if (what === "credentials") {
  const { Credentials } = await import("@effect-alicloud/credentials/Credentials")
  const { CredentialsLive } = await import("@effect-alicloud/credentials/CredentialsLive")
  const program = Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(
    Effect.flatMap((credential) => credential.accessKeyId === "" ? Effect.die("no credential") : report(credential.providerName)),
    Effect.provide(CredentialsLive)
  )
  NodeRuntime.runMain(program)
} else if (what === "schema") {
  await import("effect/Schema")
  NodeRuntime.runMain(report(undefined))
} else {
  NodeRuntime.runMain(report(undefined))
}
