// Issue 18, item 9: what comes from outside and is printed or sent on. An upstream AccessKey ID
// with terminal escapes or CR/LF prints escaped wherever a credential prints (the CLI's resolve
// and explain are tested in packages/cli); the role name the metadata service lists is held to the
// rule of a configured one (at most 64 characters, no control character), so a 400 KB answer is
// refused instead of becoming a 1.2 MB request path and error line.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { inspect } from "node:util"
import * as Credential from "../src/Credential.js"
import { selectProfile } from "../src/internal/files/cliConfig.js"
import { readIniProfile } from "../src/internal/files/iniFile.js"
import * as EcsRamRole from "../src/sources/EcsRamRole.js"
import { retryNow, withEmulator, withEnv } from "./withEmulator.js"

const hostileId = "\r\nS\u001b" + "x".repeat(12) + "\u001b[2J"

describe("a printed AccessKey ID", () => {
  it("escapes control characters in every rendering of a credential", () => {
    const credential = Credential.make({
      type: "sts",
      accessKeyId: hostileId,
      accessKeySecret: Redacted.make("s"),
      securityToken: Redacted.make("t"),
      providerName: "test"
    })
    expect(Credential.maskAccessKeyId(hostileId)).toBe("\\u000d\\u000aS\\u001b****\\u001b[2J")
    for (const view of [String(credential), inspect(credential), JSON.stringify(credential), `${credential}`]) {
      // inspect's own layout has newlines; the ID brings no CR, LF or ESC of its own
      expect(view).not.toContain("\r")
      expect(view).not.toContain("\u001b")
      expect(view).toMatch(/u000aS\\+u001b\*{4}\\+u001b\[2J/)
    }
    expect(credential.toJSON().accessKeyId).toBe("\\u000d\\u000aS\\u001b****\\u001b[2J")
    // An ordinary ID prints as before.
    expect(Credential.maskAccessKeyId("LTAI5tExampleKeyId")).toBe("LTAI****eyId")
  })
})

// The source at the emulator, no retry; `roleName` configured or not.
const ecs = (metadataUrl: string, roleName?: string) =>
  EcsRamRole.make(
    roleName === undefined
      ? { metadataUrl, retrySchedule: retryNow(0) }
      : { metadataUrl, roleName, retrySchedule: retryNow(0) }
  )

describe("the ECS role name", () => {
  it.scoped("a listed name of 400 KB: MalformedResponse, short, and no request to a path built from it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setRoleName("r".repeat(400_000))
        const error = yield* Effect.flip(ecs(emulator.metadataUrl))
        expect(error).toMatchObject({ _tag: "MalformedResponse", source: "ecs_ram_role" })
        expect(error.message).toContain("is 400000 characters long (a RAM role name has 1 to 64)")
        expect(error.message.length).toBeLessThan(600)
        expect((yield* emulator.counters("metadata-role")).succeeded).toBe(1)
        expect((yield* emulator.counters("metadata-credentials")).received).toBe(0)
      })
    ))

  it.scoped("a listed name with a control character: MalformedResponse naming the code point", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setRoleName("role\u001b[2Jx")
        const error = yield* Effect.flip(ecs(emulator.metadataUrl))
        expect(error).toMatchObject({ _tag: "MalformedResponse", source: "ecs_ram_role" })
        expect(error.message).toContain("holds a control character (U+001B at 4)")
        expect(error.message).not.toContain("\u001b")
        expect((yield* emulator.counters("metadata-credentials")).received).toBe(0)
      })
    ))

  it.scoped("a listed name of 64 characters is used", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setRoleName("r".repeat(64))
        expect(yield* ecs(emulator.metadataUrl)).toMatchObject({ providerName: "ecs_ram_role" })
      })
    ))

  it.scoped("a configured name is held to the same rule: option, variable, nothing sent", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const long = "r".repeat(65)
        const fromOption = yield* Effect.flip(ecs(emulator.metadataUrl, long))
        expect(fromOption).toMatchObject({
          _tag: "InvalidConfiguration",
          field: "roleName",
          reason: "is 65 characters long (a RAM role name has 1 to 64)"
        })
        const fromVariable = yield* Effect.flip(
          ecs(emulator.metadataUrl).pipe(withEnv({ ALIBABA_CLOUD_ECS_METADATA: "a\nb" }))
        )
        expect(fromVariable).toMatchObject({
          _tag: "InvalidConfiguration",
          field: "ALIBABA_CLOUD_ECS_METADATA",
          reason: "holds a control character (U+000A at 1)"
        })
        expect((yield* emulator.counters("metadata-token")).received).toBe(0)
      })
    ))

  it.effect("a role name in config.json or the ini file: the same rule, naming the key", () =>
    Effect.gen(function*() {
      const long = "r".repeat(65)
      const fromJson = yield* Effect.flip(selectProfile({
        path: "/home/u/.aliyun/config.json",
        current: undefined,
        profiles: [{ name: "ecs", mode: "EcsRamRole", ram_role_name: long }]
      }, "ecs"))
      expect(fromJson).toMatchObject({ _tag: "InvalidConfiguration" })
      expect(fromJson.message).toContain("ram_role_name")
      expect(fromJson.message).toContain("is 65 characters long (a RAM role name has 1 to 64)")
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/credentials`, "[default]\ntype = ecs_ram_role\nrole_name = a\u0007b\n")
      const fromIni = yield* Effect.flip(readIniProfile(`${dir}/credentials`, "default"))
      expect(fromIni).toMatchObject({ _tag: "InvalidConfiguration" })
      expect(fromIni.message).toContain("role_name")
      expect(fromIni.message).toContain("holds a control character (U+0007 at 1)")
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer), withEnv({})))
})
