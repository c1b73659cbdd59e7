// One run of a minimal Effect application on @effect/platform-node, in a fresh `node --import
// ../guard.mjs` process, on the BUILT packages. argv: <plain | credentials> [barrel | deep]
//   plain:        NodeRuntime.runMain of a program that logs nothing and ends
//   credentials:  the same program with `CredentialsLive` provided and one `get` (the environment
//                 source answers: the bench sets ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET)
//   barrel (the default): `import { NodeRuntime } from "@effect/platform-node"`, as Effect's docs
//   write it (the whole platform is loaded); deep: `@effect/platform-node/NodeRuntime` alone.
// Prints one JSON line: the peak RSS (KiB) at the end.
import * as Effect from "effect/Effect"

const [what, style = "barrel"] = process.argv.slice(2)
const NodeRuntime = style === "deep"
  ? await import("@effect/platform-node/NodeRuntime")
  : (await import("@effect/platform-node")).NodeRuntime
const report = Effect.sync(() =>
  process.stdout.write(`${JSON.stringify({ what, maxRssKiB: process.resourceUsage().maxRSS })}\n`)
)

if (what === "credentials") {
  const { Credentials, CredentialsLive } = await import("@effect-alicloud/credentials")
  const program = Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(
    Effect.flatMap((credential) => credential.accessKeyId === "" ? Effect.die("no credential") : report),
    Effect.provide(CredentialsLive)
  )
  NodeRuntime.runMain(program)
} else {
  NodeRuntime.runMain(report)
}
