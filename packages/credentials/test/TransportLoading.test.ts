// The shipped facade (the bundle, by package name, in a real Node process with the network guard)
// speaks to an upstream it reaches directly on Node's own http / https: undici (its files beside
// the bundle, whose HTTP parser is WebAssembly) is not loaded. A request a proxy applies to loads
// it, and goes through the proxy.
import { Emulator } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as LoopbackProxy from "./loopbackProxy.js"
import { certFile, tls } from "./loopbackTls.js"
import * as ProxiedUpstream from "./proxiedUpstream.js"

// packages/cli depends on @effect-alicloud/credentials, so the package name resolves from there.
const consumer = fileURLToPath(new URL("../../cli/", import.meta.url))
const guard = fileURLToPath(new URL("../../../bench/src/guard.mjs", import.meta.url))
const key = { accessKeyId: "LTAI5tTransportLoad01", accessKeySecret: "transport-loading-secret" } as const

// One client of the config in CONFIG (JSON): its first credential, then what the process loaded.
const script = `
const Facade = require("@effect-alicloud/credentials/promise")
const main = async () => {
  const client = new Facade.default(new Facade.Config(JSON.parse(process.env.CONFIG)))
  const credential = await client.getCredential()
  await client.close()
  console.log(JSON.stringify({
    credential: credential.accessKeyId !== "",
    nodeHttp: process.moduleLoadList.includes("NativeModule _http_client"),
    undici: Object.keys(require.cache).some((file) => /[/]undici([/]|[.]cjs$)/.test(file))
  }))
}
main()
`

const run = (config: Record<string, unknown>) =>
  Effect.async<unknown, Error>((resume) => {
    const child = execFile(
      process.execPath,
      ["--import", guard, "-e", script],
      {
        cwd: consumer,
        encoding: "utf8",
        timeout: 20_000,
        env: {
          PATH: process.env.PATH ?? "",
          NODE_EXTRA_CA_CERTS: certFile,
          CONFIG: JSON.stringify(config)
        }
      },
      (error, stdout, stderr) =>
        resume(error === null ? Effect.succeed(JSON.parse(stdout.trim())) : Effect.fail(new Error(stderr)))
    )
    return Effect.sync(() => child.kill())
  })

describe("the facade's transport, as shipped", { timeout: 60_000 }, () => {
  it.scopedLive("ram_role_arn to an https STS it reaches directly: a credential, on Node's https; undici not loaded", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ tls, accessKeys: [key] })
      const report = yield* run({
        type: "ram_role_arn",
        ...key,
        roleArn: "acs:ram::1234567890123456:role/test-role",
        stsEndpoint: emulator.stsEndpoint
      })
      expect(report).toEqual({ credential: true, nodeHttp: true, undici: false })
    }))

  it.scopedLive("credentials_uri through a proxy: the credential comes through the tunnel, and undici is loaded for it", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const proxy = yield* LoopbackProxy.make
      const report = yield* run({
        type: "credentials_uri",
        credentialsURI: ProxiedUpstream.proxied(emulator.credentialsUri),
        proxy: proxy.url
      })
      expect(report).toEqual({ credential: true, nodeHttp: true, undici: true })
      expect(yield* proxy.tunnels).toBe(1)
    }))
})
