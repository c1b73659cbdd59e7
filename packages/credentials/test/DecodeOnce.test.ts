// A CLI profile in RamRoleArn mode hands its network options to the role source, which decodes
// them: the option block (and the proxy variables with it) is read once per fetch, not once by the
// profile and again by the role.
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import * as CliProfile from "../src/sources/CliProfile.js"
import { accessKey, roleArn, withEmulator } from "./withEmulator.js"

// The environment as a map, counting how often each variable is read.
const countingEnv = (env: Record<string, string>) => {
  const reads = new Map<string, number>()
  const base = ConfigProvider.fromMap(new Map(Object.entries(env))).flattened
  const provider = ConfigProvider.fromFlat(ConfigProvider.makeFlat({
    load: (path, config, split) => {
      const name = path.join("_")
      reads.set(name, (reads.get(name) ?? 0) + 1)
      return base.load(path, config, split)
    },
    enumerateChildren: base.enumerateChildren,
    patch: base.patch
  }))
  return { reads, provider }
}

describe("the option block of a CLI profile's role", () => {
  it.scoped("is decoded once per fetch: HTTPS_PROXY is read once", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const path = `${dir}/config.json`
        const profile = {
          name: "role",
          mode: "RamRoleArn",
          ...{ access_key_id: accessKey.accessKeyId, access_key_secret: accessKey.accessKeySecret },
          ram_role_arn: roleArn
        }
        yield* fs.writeFileString(path, JSON.stringify({ current: "role", profiles: [profile] }))
        // a proxy that is never used: the emulator is on loopback, which is never proxied
        const { reads, provider } = countingEnv({ HTTPS_PROXY: "http://127.0.0.1:9" })
        const credential = yield* CliProfile.make({ path, stsEndpoint: emulator.stsUrl }).pipe(
          Effect.withConfigProvider(provider)
        )
        expect(credential.providerName).toBe("cli_profile/ram_role_arn/static_ak")
        expect(reads.get("HTTPS_PROXY")).toBe(1)
      }).pipe(Effect.provide(NodeContext.layer))
    ))
})
