// The facade as shipped (the bundle, loaded by package name in a real Node process) starts without
// the network: building every provider and using the static ones requires no HTTP client (Node's
// http client, nor undici's dispatchers, a file of their own beside the bundle) and starts no timer
// that holds the process; the first network use does load the HTTP client: Node's own, not undici
// (loaded only when a proxy applies: test/TransportLoading.test.ts).
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

// packages/cli depends on @effect-alicloud/credentials, so the package name resolves from there.
const consumer = fileURLToPath(new URL("../../cli/", import.meta.url))

const script = `
const undici = () => Object.keys(require.cache).some((file) => /[/]undici([/]|[.]cjs$)/.test(file))
const loaded = () => process.moduleLoadList.includes("NativeModule _http_client") || undici()
const Facade = require("@effect-alicloud/credentials/promise")
const report = {}
const main = async () => {
  const providers = [
    Facade.StaticAKCredentialsProvider.builder().withAccessKeyId("id").withAccessKeySecret("SECRET-startup").build(),
    Facade.StaticSTSCredentialsProvider.builder().withAccessKeyId("id").withAccessKeySecret("s").withSecurityToken("t").build(),
    Facade.RAMRoleARNCredentialsProvider.builder().withCredentialsProvider(Facade.StaticAKCredentialsProvider.builder().build()).build(),
    Facade.OIDCRoleArnCredentialsProvider.builder().build(),
    Facade.ECSRAMRoleCredentialsProvider.builder().build(),
    Facade.URICredentialsProvider.builder().build(),
    Facade.EnvironmentVariableCredentialsProvider.builder().build(),
    Facade.ProfileCredentialsProvider.builder().build(),
    Facade.CLIProfileCredentialsProvider.builder().withProfileName("dev").build(),
    Facade.DefaultCredentialsProvider.builder().build()
  ]
  const client = new Facade.default(new Facade.Config({ type: "access_key", accessKeyId: "id", accessKeySecret: "SECRET-startup" }))
  report.staticAnswer = (await client.getCredential()).accessKeyId + "/" + (await providers[0].getCredentials()).accessKeyId
  report.afterStatic = loaded()
  // A credentials URI with no URI is refused before anything is sent, by the network engine.
  const uri = new Facade.default(new Facade.Config({ type: "credentials_uri" }))
  report.networkError = await uri.getCredential().then(() => "none", (e) => e.cause && e.cause._tag)
  report.afterNetwork = loaded()
  report.undiciAfterNetwork = undici()
  await Promise.all([client.close(), uri.close(), ...providers.map((p) => p.close())])
  console.log(JSON.stringify(report))
}
main()
`

describe("Promise facade start-up", { timeout: 60_000 }, () => {
  it("the shipped facade answers static credentials without loading the HTTP client; the first network use loads it; the process exits by itself", () => {
    // execFileSync returns when the process exits: nothing the facade started may keep it alive
    const out = execFileSync(process.execPath, ["-e", script], { cwd: consumer, encoding: "utf8", timeout: 20_000 })
    expect(JSON.parse(out.trim())).toEqual({
      staticAnswer: "id/id",
      afterStatic: false,
      networkError: "NotConfigured",
      afterNetwork: true,
      undiciAfterNetwork: false
    })
  })
})
