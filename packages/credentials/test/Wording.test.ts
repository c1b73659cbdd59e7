// Issue 18, item 12: the newcomer's words. An unknown credential type or profile mode gets a "did
// you mean" when it is a typo of a known one (the facade's Config, its ini reader, config.json,
// the ini file); a facade error for a missing secret names the facade's own Config key and its
// variable, not Effect's `Config.redacted`; the URI source has one name, `credentials_uri`, in the
// Effect API and the CLI, while the facade keeps the official provider name `credential_uri`. The
// facade as shipped (the bundle).
import { Emulator } from "@effect-alicloud/emulator"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { closest } from "../src/internal/config/suggest.js"
import type { CliConfig } from "../src/internal/files/cliConfig.js"
import { selectProfile } from "../src/internal/files/cliConfig.js"
import { readIniProfile } from "../src/internal/files/iniFile.js"
import Credential, { Config, ProfileCredentialsProvider, StaticAKCredentialsProvider } from "./facade.js"

const withEnv = Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))

describe("closest", () => {
  const types = ["access_key", "sts", "bearer", "ram_role_arn", "oidc_role_arn", "ecs_ram_role", "credentials_uri"]
  it.each([
    ["acces_key", "access_key"],
    ["access-key", "access_key"],
    ["ACCESS_KEY", "access_key"],
    ["acess_kye", "access_key"],
    ["credential_uri", "credentials_uri"],
    ["ecs_ram_roles", "ecs_ram_role"],
    ["rsa_key_pair", undefined],
    ["ak", undefined],
    ["s", undefined],
    ["x".repeat(100_000), undefined]
  ])("%s: %s", (given, expected) => {
    expect(closest(given, types)).toBe(expected)
  })
})

describe("did you mean", () => {
  it("the facade's Config: its official message, then the suggestion", () => {
    expect(() => new Credential(new Config({ type: "acces_key" }))).toThrow(
      "Invalid type option, support: access_key, sts, bearer, ram_role_arn, oidc_role_arn, ecs_ram_role, credentials_uri (did you mean \"access_key\"?)"
    )
    expect(() => new Credential(new Config({ type: "credential_uri" }))).toThrow("(did you mean \"credentials_uri\"?)")
    expect(() => new Credential(new Config({ type: "rsa_key_pair" }))).toThrow(/support: [a-z_, ]+$/)
  })

  it("the facade's ini reader (ProfileCredentialsProvider)", () => {
    const provider = ProfileCredentialsProvider.builder().build()
    expect(() => provider.getCredentialsProvider({ default: { type: "ecs_ram_rol" } })).toThrow(
      "Invalid type option, support: access_key, ecs_ram_role, ram_role_arn (did you mean \"ecs_ram_role\"?)"
    )
  })

  it.effect("a config.json mode", () =>
    Effect.gen(function*() {
      const config: CliConfig = {
        path: "/home/u/.aliyun/config.json",
        current: undefined,
        profiles: [{ name: "p", mode: "StsTokn" }, { name: "q", mode: "ak" }]
      }
      for (const [name, mode] of [["p", "StsToken"], ["q", "AK"]]) {
        const error = yield* Effect.flip(selectProfile(config, name))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration" })
        expect(error.message).toContain(`which is not supported (did you mean "${mode}"?); supported modes: AK,`)
      }
    }).pipe(withEnv))

  it.effect("an ini file's type", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/credentials`, "[default]\ntype = acess_key\naccess_key_id = id\n")
      const error = yield* Effect.flip(readIniProfile(`${dir}/credentials`, "default"))
      expect(error.message).toContain(
        "is \"acess_key\", which is not supported (did you mean \"access_key\"?); supported types: access_key,"
      )
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer), withEnv))
})

describe("a facade error for a missing secret", () => {
  it("names the Config key and its variable, not Effect's Config.redacted", async () => {
    const client = new Credential(new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId" }))
    const error: Error = await client.getCredential().then(() => new Error("no error"), (e: Error) => e)
    await client.close()
    expect(error.message).toBe(
      "access_key: invalid configuration: accessKeySecret is missing. Fix: pass the AccessKey secret: set Config.accessKeySecret or ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    )
    expect(error.cause).toMatchObject({ _tag: "InvalidConfiguration", field: "accessKeySecret" })
  })

  it("a builder's: names the builder's field", async () => {
    const provider = StaticAKCredentialsProvider.builder().withAccessKeyId("LTAI5tExampleKeyId").build()
    const error: Error = await provider.getCredentials().then(() => new Error("no error"), (e: Error) => e)
    await provider.close()
    expect(error.message).not.toContain("Config.redacted")
    expect(error.message).toContain(
      "Fix: pass the AccessKey secret: set accessKeySecret or ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    )
  })
})

describe("the URI source's name", () => {
  it.scopedLive("the facade answers the official provider name, credential_uri", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        accessKeys: [{ accessKeyId: "LTAI5tWordingKey01", accessKeySecret: "s" }]
      })
      const client = new Credential(new Config({ type: "credentials_uri", credentialsURI: emulator.credentialsUri }))
      const model = yield* Effect.promise(() => client.getCredential())
      yield* Effect.promise(() => client.close())
      expect(model.providerName).toBe("credential_uri")
    }))
})
