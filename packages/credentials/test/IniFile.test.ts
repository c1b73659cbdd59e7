// The legacy ini file ~/.alibabacloud/credentials: the parser (as the `ini` package 1.3.x reads a
// file), every type, every broken file; real files in a temporary directory, no value in an error.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted, type Scope } from "effect"
import { inspect } from "node:util"
import { defaultIniFilePath, type IniProfile, parseIni, readIniProfile } from "../src/internal/files/iniFile.js"

const SECRET = "SECRET-ini-0123456789"

const withEnv = (env: Record<string, string> = {}) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

type Body = (dir: string) => Effect.Effect<void, unknown, FileSystem.FileSystem | Scope.Scope>

const test = (name: string, body: Body) =>
  it.scoped(name, () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* body(yield* fs.makeTempDirectoryScoped())
    }).pipe(withEnv(), Effect.provide(NodeContext.layer)))

const write = (path: string, content: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(path, content))

const expectNoSecret = (error: unknown) => {
  const views = [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]
  if (error instanceof Error) views.push(error.message)
  for (const view of views) expect(view).not.toContain(SECRET)
}

const sample = `
; the example of the official documentation
[default]
enable = true
type = access_key
access_key_id = LTAI_example
access_key_secret = ${SECRET}

[client1]
type = ram_role_arn
access_key_id = LTAI_example
access_key_secret = ${SECRET}
role_arn = acs:ram::123456789012****:role/adminrole
role_session_name = session1
policy = "{\\"Version\\":\\"1\\"}"

[ecs]
type = ecs_ram_role
role_name = EcsRole

[ecs-any]
type = ecs_ram_role
`

/** Reads `section` of `content` written to a real file. */
const readSection = (content: string, section: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* write(`${dir}/credentials`, content)
    return yield* readIniProfile(`${dir}/credentials`, section)
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))

const section = (lines: ReadonlyArray<string>) => `[dev]\n${lines.join("\n")}\n`

describe("parseIni", () => {
  it("sections, key = value, comments and blanks as the ini package reads them", () => {
    const doc = parseIni([
      "top = ignored",
      "[a]",
      "  ; a comment",
      "# another",
      "k1=v1",
      "  k2   =   v2  ",
      "k3 = v3 ; inline comment",
      "k4 = v4 # inline comment",
      "k5 = semi\\;colon and \\#hash",
      "k6 = \"quoted ; kept\"",
      "k7 = 'single'",
      "k8 = a=b==",
      "bare",
      "t = true",
      "f = false",
      "n = null",
      "e =",
      "[ b ]  ",
      "x = 1\r",
      "[a]",
      "k1 = again"
    ].join("\n"))
    expect([...doc.sections.keys()]).toEqual(["a", "b"])
    expect(Object.fromEntries(doc.sections.get("a")!)).toEqual({
      k1: "again",
      k2: "v2",
      k3: "v3",
      k4: "v4",
      k5: "semi;colon and #hash",
      k6: "quoted ; kept",
      k7: "single",
      k8: "a=b==",
      bare: true,
      t: true,
      f: false,
      n: null,
      e: ""
    })
    expect(Object.fromEntries(doc.sections.get("b")!)).toEqual({ x: "1" })
  })

  it("CRLF line ends, and a dotted section name is kept literal", () => {
    const doc = parseIni("[prod.cn]\r\ntype = access_key\r\n")
    expect(doc.sections.get("prod.cn")?.get("type")).toBe("access_key")
  })
})

describe("readIniProfile: every type", () => {
  it.effect("access_key", () =>
    Effect.gen(function*() {
      const p = yield* readSection(sample, "default")
      expect(p).toMatchObject({ _tag: "access_key", section: "default", accessKeyId: "LTAI_example" })
      if (p._tag !== "access_key") return expect.unreachable()
      expect(Redacted.isRedacted(p.accessKeySecret)).toBe(true)
      expect(Redacted.value(p.accessKeySecret)).toBe(SECRET)
      expectNoSecret(p)
    }).pipe(withEnv()))

  it.effect("ram_role_arn, with its optional keys", () =>
    Effect.gen(function*() {
      const p = yield* readSection(sample, "client1")
      if (p._tag !== "ram_role_arn") return expect.unreachable()
      const { accessKeySecret, ...rest } = p
      expect(rest).toEqual({
        _tag: "ram_role_arn",
        section: "client1",
        accessKeyId: "LTAI_example",
        roleArn: "acs:ram::123456789012****:role/adminrole",
        roleSessionName: "session1",
        policy: "{\"Version\":\"1\"}"
      })
      expect(Redacted.value(accessKeySecret)).toBe(SECRET)
    }).pipe(withEnv()))

  it.effect("ecs_ram_role, with and without a role name", () =>
    Effect.gen(function*() {
      expect(yield* readSection(sample, "ecs")).toEqual({ _tag: "ecs_ram_role", section: "ecs", roleName: "EcsRole" })
      const any: IniProfile = yield* readSection(sample, "ecs-any")
      expect(any).toEqual({ _tag: "ecs_ram_role", section: "ecs-any" })
    }).pipe(withEnv()))

  it.effect("an empty key falls back to its environment variable, as in the official tool", () =>
    Effect.gen(function*() {
      const p = yield* readSection(section(["type = access_key", "access_key_id = id", "access_key_secret ="]), "dev")
        .pipe(
          withEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: "from-env" })
        )
      if (p._tag !== "access_key") return expect.unreachable()
      expect(Redacted.value(p.accessKeySecret)).toBe("from-env")
    }))

  it("defaultIniFilePath is <home>/.alibabacloud/credentials", () => {
    expect(defaultIniFilePath("/root")).toBe("/root/.alibabacloud/credentials")
  })
})

describe("readIniProfile: broken files", () => {
  test("a missing file: NotConfigured (source profile) naming the path", (dir) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readIniProfile(`${dir}/credentials`, "default"))
      expect(error).toMatchObject({ _tag: "NotConfigured", source: "profile" })
      expect(error.message).toContain(`${dir}/credentials does not exist`)
      expect(error.message).toContain("ALIBABA_CLOUD_CREDENTIALS_FILE")
    }))

  test("a directory in place of the file: InvalidConfiguration, is a directory", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* fs.makeDirectory(`${dir}/credentials`)
      const error = yield* Effect.flip(readIniProfile(`${dir}/credentials`, "default"))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "profile", field: `${dir}/credentials` })
      expect(error.message).toContain("is a directory, not a regular file")
    }))

  it.effect("a missing section: NotConfigured listing the sections there are", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readSection(sample, "prod"))
      expect(error._tag).toBe("NotConfigured")
      expect(error.message).toContain("has no [prod] section (it has [default], [client1], [ecs], [ecs-any])")
      expect(error.message).toContain("ALIBABA_CLOUD_PROFILE")
      expectNoSecret(error)
    }).pipe(withEnv()))

  it.effect("an empty file: NotConfigured, no sections", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readSection("", "default"))
      expect(error.message).toContain("has no [default] section (it has none)")
    }).pipe(withEnv()))

  const cases: ReadonlyArray<[string, ReadonlyArray<string>, string, string]> = [
    [
      "no type",
      ["access_key_id = id", `access_key_secret = ${SECRET}`],
      "type",
      "is missing; supported types: access_key, ecs_ram_role, ram_role_arn"
    ],
    ["an empty type", ["type =", `access_key_secret = ${SECRET}`], "type", "is empty; supported types"],
    [
      "an unknown type",
      ["type = sts", `access_key_secret = ${SECRET}`],
      "type",
      "is \"sts\", which is not supported; supported types: access_key, ecs_ram_role, ram_role_arn"
    ],
    [
      "rsa_key_pair",
      ["type = rsa_key_pair", "public_key_id = k"],
      "type",
      "is \"rsa_key_pair\", which is not supported (only the Java tool"
    ],
    [
      "oidc_role_arn",
      ["type = oidc_role_arn"],
      "type",
      "is \"oidc_role_arn\", which is not supported (only the Java tool reads it here"
    ],
    [
      "a missing secret",
      ["type = access_key", "access_key_id = id"],
      "access_key_secret",
      "is missing (and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    ],
    [
      "an empty id",
      ["type = access_key", "access_key_id = ", `access_key_secret = ${SECRET}`],
      "access_key_id",
      "is empty (and ALIBABA_CLOUD_ACCESS_KEY_ID"
    ],
    [
      "a boolean secret",
      ["type = access_key", "access_key_id = id", "access_key_secret = true"],
      "access_key_secret",
      "must be a string, got a boolean"
    ],
    [
      "a role without its arn",
      ["type = ram_role_arn", "access_key_id = id", `access_key_secret = ${SECRET}`],
      "role_arn",
      "is missing (and ALIBABA_CLOUD_ROLE_ARN"
    ],
    [
      "a secret lost to an inline comment",
      ["type = access_key", "access_key_id = id", "access_key_secret = ;oops"],
      "access_key_secret",
      "is empty"
    ]
  ]
  for (const [name, lines, key, reason] of cases) {
    it.effect(`${name}: InvalidConfiguration on [dev].${key}, naming the file, no value`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(readSection(section(lines), "dev"))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "profile", field: `[dev].${key}` })
        expect(error.message).toContain(`[dev].${key} ${reason}`)
        expect(error.message).toMatch(/ in \/.*\/credentials/)
        expectNoSecret(error)
      }).pipe(withEnv()))
  }
})
