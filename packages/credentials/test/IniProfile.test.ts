import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as IniProfile from "../src/sources/IniProfile.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const iniFile = (text: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.makeDirectory(`${dir}/.alibabacloud`)
    yield* fs.writeFileString(`${dir}/.alibabacloud/credentials`, text)
    return dir
  })

const run = <A, E, R>(body: Parameters<typeof withEmulator<A, E, R>>[0]) =>
  withEmulator(body).pipe(Effect.provide(NodeContext.layer))

describe("IniProfile", () => {
  it.scoped("access_key, ram_role_arn and ecs_ram_role sections; the section from the option, ALIBABA_CLOUD_PROFILE or default", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* iniFile([
          "; the legacy file",
          "[default]",
          "type = access_key",
          `access_key_id = ${accessKey.accessKeyId}`,
          `access_key_secret = ${accessKey.accessKeySecret}`,
          "",
          "[role]",
          "type = ram_role_arn",
          `access_key_id = ${accessKey.accessKeyId}`,
          `access_key_secret = ${accessKey.accessKeySecret}`,
          `role_arn = ${roleArn}`,
          "role_session_name = ini-session",
          "",
          "[ecs]",
          "type = ecs_ram_role",
          "role_name = EcsRamRole"
        ].join("\n"))
        const make = (profile?: string) =>
          IniProfile.make({
            profile,
            stsEndpoint: emulator.stsUrl,
            metadataUrl: emulator.metadataUrl,
            retrySchedule: retryNow(0)
          })
        const env = { HOME: home }
        expect((yield* make().pipe(withEnv(env))).providerName).toBe("profile/static_ak")
        expect((yield* make().pipe(withEnv({ ...env, ALIBABA_CLOUD_PROFILE: "role" }))).providerName).toBe(
          "profile/ram_role_arn/static_ak"
        )
        expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).body.RoleSessionName).toBe("ini-session")
        expect((yield* make("ecs").pipe(withEnv(env))).providerName).toBe("profile/ecs_ram_role")
      })
    ))

  it.scoped("ALIBABA_CLOUD_CREDENTIALS_FILE moves the file", () =>
    run(() =>
      Effect.gen(function*() {
        const home = yield* iniFile("[default]\ntype = access_key\naccess_key_id = moved\naccess_key_secret = s\n")
        const credential = yield* IniProfile.make().pipe(
          withEnv({ ALIBABA_CLOUD_CREDENTIALS_FILE: `${home}/.alibabacloud/credentials` })
        )
        expect(credential.accessKeyId).toBe("moved")
      })
    ))

  it.scoped("no file: NotConfigured; no section, no type, an unsupported type, a missing key: typed errors", () =>
    run(() =>
      Effect.gen(function*() {
        const home = yield* iniFile(
          "[default]\ntype = sts\n[notype]\nfoo = bar\n[partial]\ntype = access_key\naccess_key_id = id\n"
        )
        expect(yield* Effect.flip(IniProfile.make({ path: `${home}/nothing` }))).toMatchObject({
          _tag: "NotConfigured"
        })
        const env = withEnv({ HOME: home })
        expect((yield* Effect.flip(IniProfile.make().pipe(env))).message).toContain("sts")
        expect(yield* Effect.flip(IniProfile.make({ profile: "missing" }).pipe(env))).toMatchObject({
          _tag: "NotConfigured"
        })
        expect(yield* Effect.flip(IniProfile.make({ profile: "notype" }).pipe(env))).toMatchObject({
          _tag: "InvalidConfiguration"
        })
        const partial = yield* Effect.flip(IniProfile.make({ profile: "partial" }).pipe(env))
        expect(partial.message).toContain("access_key_secret")
      })
    ))
})
