// The facade's static types and its provider classes start without the network sources and the
// Node platform: those modules are loaded when a client or provider that needs them is first used.
// The modules are stood in for here, each factory recording that it was loaded.
import { describe, expect, it, vi } from "vitest"

const loaded = vi.hoisted(() => new Set<string>())

vi.mock("../src/internal/facadeLayers.js", async (importOriginal) => {
  loaded.add("facadeLayers")
  return await importOriginal()
})
vi.mock("../src/HttpTransport.js", async (importOriginal) => {
  loaded.add("HttpTransport")
  return await importOriginal()
})
vi.mock("undici", async (importOriginal) => {
  loaded.add("undici")
  return await importOriginal()
})
vi.mock("../src/sources/RamRoleArn.js", async (importOriginal) => {
  loaded.add("RamRoleArn")
  return await importOriginal()
})

describe("Promise facade start-up", () => {
  it("importing /promise, building every provider and using the static ones loads neither the network sources nor the Node platform; the first network use does", async () => {
    const Facade = await import("../src/promise.js")
    const providers = [
      Facade.StaticAKCredentialsProvider.builder().withAccessKeyId("id").withAccessKeySecret("SECRET-startup").build(),
      Facade.StaticSTSCredentialsProvider.builder().withAccessKeyId("id").withAccessKeySecret("s").withSecurityToken(
        "t"
      ).build(),
      Facade.RAMRoleARNCredentialsProvider.builder().withCredentialsProvider(
        Facade.StaticAKCredentialsProvider.builder().build()
      ).build(),
      Facade.OIDCRoleArnCredentialsProvider.builder().build(),
      Facade.ECSRAMRoleCredentialsProvider.builder().build(),
      Facade.URICredentialsProvider.builder().build(),
      Facade.EnvironmentVariableCredentialsProvider.builder().build(),
      Facade.ProfileCredentialsProvider.builder().build(),
      Facade.CLIProfileCredentialsProvider.builder().withProfileName("dev").build(),
      Facade.DefaultCredentialsProvider.builder().build()
    ]
    const client = new Facade.default(
      new Facade.Config({ type: "access_key", accessKeyId: "id", accessKeySecret: "SECRET-startup" })
    )
    expect((await client.getCredential()).accessKeyId).toBe("id")
    expect((await providers[0]!.getCredentials()).accessKeyId).toBe("id")
    expect([...loaded]).toEqual([])
    // A credentials URI with no URI is refused before anything is sent; the module is loaded.
    const uri = new Facade.default(new Facade.Config({ type: "credentials_uri" }))
    await expect(uri.getCredential()).rejects.toThrow()
    expect(loaded.has("facadeLayers")).toBe(true)
    expect(loaded.has("HttpTransport")).toBe(true)
    await Promise.all([client.close(), uri.close(), ...providers.map((p) => p.close())])
  })
})
