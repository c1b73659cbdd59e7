// ~/.aliyun/config.json: real files in a temporary directory, every mode, every broken file, the
// source-profile chains and the atomic write-back. No error may carry a value from the file.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, DateTime, Effect, Exit, FastCheck, Redacted, type Scope, TestClock } from "effect"
import { inspect } from "node:util"
import {
  type CliConfig,
  type CliProfile,
  defaultCliConfigPath,
  jsonErrorOffset,
  readCliConfig,
  selectProfile,
  sourceProfileChain,
  updateProfile,
  writeFileAtomic
} from "../src/internal/files/cliConfig.js"

const SECRET = "SECRET-sk-0123456789"
const TOKEN = "SECRET-token-abcdef"
const SECRETS = [SECRET, TOKEN, "SECRET-refresh-r1", "SECRET-access-a1"]

// The official tool falls back to environment variables for some empty fields: tests start from an
// empty environment so that the machine's own variables cannot change the outcome.
const withEnv = (env: Record<string, string> = {}) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

type Body = (dir: string) => Effect.Effect<void, unknown, FileSystem.FileSystem | Scope.Scope>

const test = (name: string, body: Body) =>
  it.scoped(name, () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* body(yield* fs.makeTempDirectoryScoped())
    }).pipe(withEnv(), Effect.provide(NodeContext.layer)))

const write = (path: string, content: unknown) =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) => fs.writeFileString(path, typeof content === "string" ? content : JSON.stringify(content, null, 2))
  )

const expectNoSecret = (error: unknown) => {
  const views = [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]
  if (error instanceof Error) views.push(error.message)
  for (const view of views) for (const secret of SECRETS) expect(view).not.toContain(secret)
}

const profiles = {
  AK: { name: "ak", mode: "AK", access_key_id: "LTAI-ak", access_key_secret: SECRET },
  StsToken: { name: "sts", mode: "StsToken", access_key_id: "STS.id", access_key_secret: SECRET, sts_token: TOKEN },
  RamRoleArn: {
    name: "role",
    mode: "RamRoleArn",
    access_key_id: "LTAI-role",
    access_key_secret: SECRET,
    sts_token: TOKEN,
    ram_role_arn: "acs:ram::123:role/r",
    ram_session_name: "s",
    expired_seconds: 3600,
    sts_region: "cn-hangzhou",
    sts_endpoint: "sts-vpc.cn-hangzhou.aliyuncs.com",
    enable_vpc: true,
    policy: "{\"Version\":\"1\"}",
    external_id: "ext"
  },
  EcsRamRole: { name: "ecs", mode: "EcsRamRole", ram_role_name: "EcsRole" },
  OIDC: {
    name: "oidc",
    mode: "OIDC",
    ram_role_arn: "acs:ram::123:role/o",
    oidc_provider_arn: "acs:ram::123:oidc-provider/p",
    oidc_token_file: "/var/run/token",
    ram_session_name: "os",
    expired_seconds: 1200,
    duration_seconds: 1800,
    sts_region: "cn-beijing",
    enable_vpc: false
  },
  ChainableRamRoleArn: {
    name: "chained",
    mode: "ChainableRamRoleArn",
    source_profile: "ak",
    ram_role_arn: "acs:ram::123:role/c",
    ram_session_name: "cs",
    expired_seconds: 900,
    sts_region: "cn-shanghai"
  },
  CloudSSO: {
    name: "sso",
    mode: "CloudSSO",
    cloud_sso_sign_in_url: "https://signin-cn-shanghai.alibabacloudsso.com/d-123/login",
    cloud_sso_account_id: "1234567890",
    cloud_sso_access_config: "ac-123",
    access_token: TOKEN,
    cloud_sso_access_token_expire: 2_000_000_000
  },
  OAuth: {
    name: "oauth",
    mode: "OAuth",
    oauth_site_type: "cn",
    oauth_refresh_token: "SECRET-refresh-r1",
    oauth_access_token: "SECRET-access-a1",
    oauth_access_token_expire: 2_000_000_000
  },
  External: { name: "ext", mode: "External", process_command: "/usr/local/bin/get-creds --json" }
} as const

const fullFile = { current: "ak", profiles: Object.values(profiles), meta_path: "", language: "en" }

const configOf = (...list: ReadonlyArray<Record<string, unknown>>): CliConfig => ({
  path: "/home/u/.aliyun/config.json",
  current: undefined,
  profiles: list
})

const select = (profile: Record<string, unknown>) => selectProfile(configOf(profile), String(profile.name))

const reveal = (r: Redacted.Redacted<string> | undefined) => (r === undefined ? undefined : Redacted.value(r))

describe("defaultCliConfigPath", () => {
  it("is <home>/.aliyun/config.json", () => {
    expect(defaultCliConfigPath("/home/u")).toBe("/home/u/.aliyun/config.json")
    expect(defaultCliConfigPath("/home/u/")).toBe("/home/u/.aliyun/config.json")
  })
})

describe("every mode", () => {
  test("a file with all nine modes: each is decoded with its fields, secrets Redacted", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/config.json`
      yield* write(path, fullFile)
      const config = yield* readCliConfig(path)
      expect(config.current).toBe("ak")
      expect(config.profiles).toHaveLength(9)
      const get = (name: string) => selectProfile(config, name)

      const ak = yield* get("ak")
      expect(ak).toMatchObject({ _tag: "AK", name: "ak", accessKeyId: "LTAI-ak" })
      if (ak._tag !== "AK") return expect.unreachable()
      expect(Redacted.isRedacted(ak.accessKeySecret)).toBe(true)
      expect(Redacted.value(ak.accessKeySecret)).toBe(SECRET)

      const sts = yield* get("sts")
      if (sts._tag !== "StsToken") return expect.unreachable()
      expect(sts.accessKeyId).toBe("STS.id")
      expect(Redacted.value(sts.stsToken)).toBe(TOKEN)

      const role = yield* get("role")
      if (role._tag !== "RamRoleArn") return expect.unreachable()
      // its leftover sts_token is not read, as in the official Node tool
      const { accessKeySecret, ...rest } = role
      expect(rest).toEqual({
        _tag: "RamRoleArn",
        name: "role",
        accessKeyId: "LTAI-role",
        roleArn: "acs:ram::123:role/r",
        roleSessionName: "s",
        durationSeconds: 3600,
        stsRegion: "cn-hangzhou",
        stsEndpoint: "sts-vpc.cn-hangzhou.aliyuncs.com",
        enableVpc: true,
        policy: "{\"Version\":\"1\"}",
        externalId: "ext"
      })
      expect(reveal(accessKeySecret)).toBe(SECRET)

      expect(yield* get("ecs")).toEqual({ _tag: "EcsRamRole", name: "ecs", roleName: "EcsRole" })

      // duration_seconds wins over expired_seconds, as in the Node tool.
      expect(yield* get("oidc")).toEqual({
        _tag: "OIDC",
        name: "oidc",
        roleArn: "acs:ram::123:role/o",
        oidcProviderArn: "acs:ram::123:oidc-provider/p",
        oidcTokenFile: "/var/run/token",
        roleSessionName: "os",
        durationSeconds: 1800,
        stsRegion: "cn-beijing",
        enableVpc: false
      })

      expect(yield* get("chained")).toEqual({
        _tag: "ChainableRamRoleArn",
        name: "chained",
        sourceProfile: "ak",
        roleArn: "acs:ram::123:role/c",
        roleSessionName: "cs",
        durationSeconds: 900,
        stsRegion: "cn-shanghai"
      })

      const sso = yield* get("sso")
      if (sso._tag !== "CloudSSO") return expect.unreachable()
      expect(sso).toMatchObject({
        signInUrl: "https://signin-cn-shanghai.alibabacloudsso.com/d-123/login",
        accountId: "1234567890",
        accessConfig: "ac-123"
      })
      expect(Redacted.value(sso.accessToken)).toBe(TOKEN)
      expect(DateTime.toEpochMillis(sso.accessTokenExpire)).toBe(2_000_000_000_000)

      const oauth = yield* get("oauth")
      if (oauth._tag !== "OAuth") return expect.unreachable()
      expect(oauth.siteType).toBe("CN")
      expect(reveal(oauth.refreshToken)).toBe("SECRET-refresh-r1")
      expect(reveal(oauth.accessToken)).toBe("SECRET-access-a1")
      expect(oauth.accessTokenExpire && DateTime.toEpochMillis(oauth.accessTokenExpire)).toBe(2_000_000_000_000)

      expect(yield* get("ext")).toEqual({
        _tag: "External",
        name: "ext",
        processCommand: "/usr/local/bin/get-creds --json"
      })

      // Printing a decoded profile shows no secret.
      for (const name of ["ak", "sts", "role", "sso", "oauth"]) {
        const p = yield* get(name)
        expectNoSecret(p)
        expect(JSON.stringify(p)).not.toContain(SECRET)
      }
    }))

  it.effect("aliyun-cli writes every key: empty strings, 0 and false count as not set", () =>
    Effect.gen(function*() {
      const profile = yield* select({
        name: "r",
        mode: "RamRoleArn",
        access_key_id: "id",
        access_key_secret: SECRET,
        sts_token: "",
        ram_role_arn: "acs:ram::1:role/r",
        ram_session_name: "",
        expired_seconds: 0,
        sts_region: "",
        region_id: "cn-hangzhou",
        output_format: "json",
        ram_role_name: "",
        source_profile: ""
      })
      const { accessKeySecret: _, ...rest } = profile as Extract<CliProfile, { _tag: "RamRoleArn" }>
      expect(rest).toEqual({ _tag: "RamRoleArn", name: "r", accessKeyId: "id", roleArn: "acs:ram::1:role/r" })
      expect(yield* select({ name: "e", mode: "EcsRamRole", ram_role_name: "" })).toEqual({
        _tag: "EcsRamRole",
        name: "e"
      })
    }).pipe(withEnv()))

  it.effect("OIDC without duration_seconds takes expired_seconds (as the Java tool)", () =>
    Effect.gen(function*() {
      const { duration_seconds: _, ...oidc } = profiles.OIDC
      expect(yield* select(oidc)).toMatchObject({ durationSeconds: 1200 })
    }).pipe(withEnv()))

  it.effect("OAuth with a refresh token only, site INTL", () =>
    Effect.gen(function*() {
      const p = yield* select({
        name: "o",
        mode: "OAuth",
        oauth_site_type: "INTL",
        oauth_refresh_token: "SECRET-refresh-r1"
      })
      expect(p).toMatchObject({ _tag: "OAuth", siteType: "INTL" })
      expect(p).not.toHaveProperty("accessToken")
    }).pipe(withEnv()))
})

describe("selecting a profile", () => {
  const config = { ...configOf(profiles.AK, profiles.External), current: "ext" }

  it.effect("the name given wins over current; no name (or an empty one) takes current", () =>
    Effect.gen(function*() {
      expect((yield* selectProfile(config, "ak"))._tag).toBe("AK")
      expect((yield* selectProfile(config, undefined))._tag).toBe("External")
      expect((yield* selectProfile(config, ""))._tag).toBe("External")
    }).pipe(withEnv()))

  it.effect("an unknown name: NotConfigured listing the profiles that exist", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(selectProfile(config, "prod"))
      expect(error._tag).toBe("NotConfigured")
      expect(error.message).toContain(
        "there is no profile \"prod\" in /home/u/.aliyun/config.json; profiles: \"ak\", \"ext\""
      )
    }))

  it.effect("current naming no profile: InvalidConfiguration on current", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(selectProfile({ ...config, current: "gone" }, undefined))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "current" })
      expect(error.message).toContain("names \"gone\"")
      expect(error.message).toContain("\"ak\", \"ext\"")
    }))

  it.effect("neither a name nor current: InvalidConfiguration on current", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(selectProfile(configOf(profiles.AK), undefined))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "current" })
    }))

  it.effect("no profiles: NotConfigured naming the file", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(selectProfile(configOf(), "ak"))
      expect(error._tag).toBe("NotConfigured")
      expect(error.message).toContain("/home/u/.aliyun/config.json has no profiles")
      expect(error.message).toContain("aliyun configure")
    }))

  const modeCases: ReadonlyArray<[string, unknown, string]> = [
    [
      "an unknown mode",
      "RsaKeyPair",
      "mode is \"RsaKeyPair\", which is not supported; supported modes: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, CloudSSO, OAuth, External"
    ],
    ["a missing mode", undefined, "mode is missing; supported modes: AK,"],
    ["a numeric mode", 3, "mode must be a string, got a number"]
  ]
  for (const [name, mode, text] of modeCases) {
    it.effect(`${name}: InvalidConfiguration on profiles["x"].mode`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          select({ name: "x", ...(mode === undefined ? {} : { mode }), access_key_secret: SECRET })
        )
        expect(error).toMatchObject({
          _tag: "InvalidConfiguration",
          source: "cli_profile",
          field: "profiles[\"x\"].mode"
        })
        expect(error.message).toContain(text)
        expectNoSecret(error)
      }))
  }
})

describe("bad fields", () => {
  const cases: ReadonlyArray<[string, Record<string, unknown>, string, string]> = [
    [
      "missing secret",
      { mode: "AK", access_key_id: "id" },
      "access_key_secret",
      "is missing (and ALIBABA_CLOUD_ACCESS_KEY_SECRET, which the official tool falls back to, is not set)"
    ],
    [
      "empty secret",
      { mode: "AK", access_key_id: "id", access_key_secret: "" },
      "access_key_secret",
      "is empty (and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    ],
    [
      "numeric id",
      { mode: "AK", access_key_id: 12, access_key_secret: SECRET },
      "access_key_id",
      "must be a string, got a number"
    ],
    [
      "object secret",
      { mode: "AK", access_key_id: "id", access_key_secret: { v: SECRET } },
      "access_key_secret",
      "must be a string, got an object"
    ],
    [
      "missing sts token",
      { mode: "StsToken", access_key_id: "id", access_key_secret: SECRET },
      "sts_token",
      "is missing"
    ],
    [
      "missing role arn",
      { mode: "RamRoleArn", access_key_id: "id", access_key_secret: SECRET },
      "ram_role_arn",
      "is missing (and ALIBABA_CLOUD_ROLE_ARN"
    ],
    [
      "short duration",
      { mode: "RamRoleArn", access_key_id: "id", access_key_secret: SECRET, ram_role_arn: "a", expired_seconds: 600 },
      "expired_seconds",
      "must be at least 900 seconds"
    ],
    // "3600" and "true" are taken, as the official client takes them (ConfigModelFiles.test.ts);
    // text that is not a number or a boolean is still refused
    [
      "duration that is not a number",
      {
        mode: "RamRoleArn",
        access_key_id: "id",
        access_key_secret: SECRET,
        ram_role_arn: "a",
        expired_seconds: "an hour"
      },
      "expired_seconds",
      "must be a whole number, got a string"
    ],
    [
      "enable_vpc that is not a boolean",
      { mode: "RamRoleArn", access_key_id: "id", access_key_secret: SECRET, ram_role_arn: "a", enable_vpc: "yes" },
      "enable_vpc",
      "must be true or false"
    ],
    [
      "fractional duration",
      {
        mode: "RamRoleArn",
        access_key_id: "id",
        access_key_secret: SECRET,
        ram_role_arn: "a",
        expired_seconds: 1800.5
      },
      "expired_seconds",
      "must be a whole number, got a number"
    ],
    [
      "secret sts token",
      { mode: "StsToken", access_key_id: "id", access_key_secret: SECRET, sts_token: 5 },
      "sts_token",
      "must be a string, got a number"
    ],
    [
      "OIDC without token file",
      { mode: "OIDC", ram_role_arn: "a", oidc_provider_arn: "p" },
      "oidc_token_file",
      "is missing (and ALIBABA_CLOUD_OIDC_TOKEN_FILE"
    ],
    [
      "OIDC without provider",
      { mode: "OIDC", ram_role_arn: "a", oidc_token_file: "/t" },
      "oidc_provider_arn",
      "is missing (and ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
    ],
    ["chain without source", { mode: "ChainableRamRoleArn", ram_role_arn: "a" }, "source_profile", "is missing"],
    ["CloudSSO without token", { ...profiles.CloudSSO, access_token: "" }, "access_token", "is empty"],
    [
      "CloudSSO without expiry",
      { ...profiles.CloudSSO, cloud_sso_access_token_expire: 0 },
      "cloud_sso_access_token_expire",
      "is missing"
    ],
    [
      "CloudSSO without account",
      { ...profiles.CloudSSO, cloud_sso_account_id: "" },
      "cloud_sso_account_id",
      "is empty"
    ],
    [
      "CloudSSO with a bad URL",
      { ...profiles.CloudSSO, cloud_sso_sign_in_url: "not a url" },
      "cloud_sso_sign_in_url",
      "is not a URL"
    ],
    [
      "OAuth with a bad site",
      { ...profiles.OAuth, oauth_site_type: "EU" },
      "oauth_site_type",
      "is not supported; it must be CN or INTL"
    ],
    [
      "OAuth without site",
      { mode: "OAuth", oauth_refresh_token: SECRET },
      "oauth_site_type",
      "is missing; it must be CN or INTL"
    ],
    [
      "OAuth without tokens",
      { mode: "OAuth", oauth_site_type: "CN" },
      "oauth_refresh_token",
      "is missing (and so is oauth_access_token)"
    ],
    ["External without command", { mode: "External", process_command: "" }, "process_command", "is empty"]
  ]
  for (const [name, fields, key, reason] of cases) {
    it.effect(`${name}: InvalidConfiguration on profiles["dev"].${key}, naming the file, no value`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(select({ ...fields, name: "dev" }))
        expect(error).toMatchObject({
          _tag: "InvalidConfiguration",
          source: "cli_profile",
          field: `profiles["dev"].${key}`
        })
        expect(error.message).toContain(`profiles["dev"].${key} ${reason}`)
        expect(error.message).toContain("/home/u/.aliyun/config.json")
        expectNoSecret(error)
      }).pipe(withEnv()))
  }

  it.effect("an empty field falls back to its environment variable, as in the official tool", () =>
    Effect.gen(function*() {
      const p = yield* select({ name: "dev", mode: "AK", access_key_id: "id", access_key_secret: "" }).pipe(
        withEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: "from-env" })
      )
      if (p._tag !== "AK") return expect.unreachable()
      expect(Redacted.value(p.accessKeySecret)).toBe("from-env")
      const role = yield* select({ name: "r", mode: "ChainableRamRoleArn", source_profile: "x" }).pipe(
        withEnv({ ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1:role/env" })
      )
      expect(role).toMatchObject({ roleArn: "acs:ram::1:role/env" })
    }))

  it.effect("a CloudSSO sign-in that has expired: InvalidConfiguration telling to sign in again", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(2_000_000_000_000)
      const error = yield* Effect.flip(select(profiles.CloudSSO))
      expect(error).toMatchObject({
        _tag: "InvalidConfiguration",
        field: "profiles[\"sso\"].cloud_sso_access_token_expire"
      })
      expect(error.message).toContain("has passed")
      expect(error.message).toContain("aliyun configure --profile sso --mode CloudSSO")
      expectNoSecret(error)
    }))
})

describe("bad files", () => {
  test("a missing file: NotConfigured naming the path and the ways to fix it", (dir) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readCliConfig(`${dir}/nope.json`))
      expect(error._tag).toBe("NotConfigured")
      expect(error.message).toBe(
        `cli_profile: not configured: ${dir}/nope.json does not exist. Fix: run \`aliyun configure\` to create it ` +
          "(and choose a profile with ALIBABA_CLOUD_PROFILE), or set ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true to skip this source"
      )
    }))

  test("a directory where the file should be: InvalidConfiguration, is a directory", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* fs.makeDirectory(`${dir}/config.json`)
      const error = yield* Effect.flip(readCliConfig(`${dir}/config.json`))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: `${dir}/config.json` })
      expect(error.message).toContain("is a directory, not a regular file")
    }))

  const broken: ReadonlyArray<[string, string, string]> = [
    ["not JSON", `access_key_secret = ${SECRET}\n`, "is not valid JSON: line 1, column 1"],
    ["truncated JSON", JSON.stringify(fullFile, null, 2).slice(0, 300), "is not valid JSON: it ends too early"],
    [
      "an unterminated secret",
      `{"profiles": [{"access_key_secret": "${SECRET}`,
      "is not valid JSON: it ends too early"
    ],
    [
      "a missing comma",
      `{\n  "current": "a"\n  "profiles": [{"access_key_secret": "${SECRET}"}]\n}`,
      "is not valid JSON: line 3, column 3"
    ],
    ["a trailing comma", `{"profiles": [{"access_key_secret": "${SECRET}",}]}`, "is not valid JSON: line 1, column 60"],
    ["an empty file", "", "is not valid JSON: it ends too early"]
  ]
  for (const [name, content, reason] of broken) {
    test(`${name}: InvalidConfiguration naming the file and where it breaks, never its content`, (dir) =>
      Effect.gen(function*() {
        const path = `${dir}/config.json`
        yield* write(path, content)
        const error = yield* Effect.flip(readCliConfig(path))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "cli_profile", field: path })
        expect(error.message).toContain(`${path} ${reason}`)
        expectNoSecret(error)
      }))
  }

  const shapes: ReadonlyArray<[string, unknown, string]> = [
    ["an array", [{ access_key_secret: SECRET }], "the top level must be a JSON object"],
    ["profiles as an object", { profiles: { dev: { access_key_secret: SECRET } } }, "profiles must be an array"],
    ["a profile that is not an object", { profiles: [{ name: "a" }, SECRET] }, "profiles[1] must be a JSON object"],
    ["a numeric current", { current: 7, profiles: [] }, "current must be a string"],
    ["null", null, "the top level must be a JSON object"]
  ]
  for (const [name, content, reason] of shapes) {
    test(`wrong shape, ${name}: InvalidConfiguration naming the JSON path`, (dir) =>
      Effect.gen(function*() {
        const path = `${dir}/config.json`
        yield* write(path, JSON.stringify(content))
        const error = yield* Effect.flip(readCliConfig(path))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: path })
        expect(error.message).toContain(`is not an aliyun CLI config: ${reason}`)
        expectNoSecret(error)
      }))
  }

  test("no profiles key and an empty list both read, then selecting is NotConfigured", (dir) =>
    Effect.gen(function*() {
      for (const content of [{ current: "a" }, { current: "a", profiles: [] }]) {
        const path = `${dir}/config.json`
        yield* write(path, content)
        const config = yield* readCliConfig(path)
        expect(config.profiles).toEqual([])
        expect((yield* Effect.flip(selectProfile(config, undefined)))._tag).toBe("NotConfigured")
      }
    }))

  test("a byte-order mark is skipped", (dir) =>
    Effect.gen(function*() {
      yield* write(`${dir}/c.json`, `\uFEFF${JSON.stringify({ current: "ak", profiles: [profiles.AK] })}`)
      expect((yield* readCliConfig(`${dir}/c.json`)).current).toBe("ak")
    }))

  it("jsonErrorOffset agrees with JSON.parse on what is valid", () => {
    const valid = ["{}", "[]", " 1 ", "\"a\\u00e9\\n\"", "{\"a\":[1,-2.5e3,true,false,null,{\"b\":{}}]}", "[[[[]]]]"]
    for (const text of valid) expect(jsonErrorOffset(text)).toBeUndefined()
    expect(jsonErrorOffset("{\"a\":1,}")).toBe(7)
    expect(jsonErrorOffset("[1 2]")).toBe(3)
    expect(jsonErrorOffset("{'a':1}")).toBe(1)
    expect(jsonErrorOffset("{} x")).toBe(3)
    expect(jsonErrorOffset("01")).toBe(1)
    expect(jsonErrorOffset("\"a\tb\"")).toBe(2)
    expect(jsonErrorOffset("[".repeat(100_000))).toBe(100_000)
  })
})

describe("source profile chains", () => {
  const ak = profiles.AK
  const link = (name: string, source: string) => ({
    name,
    mode: "ChainableRamRoleArn",
    source_profile: source,
    ram_role_arn: `acs:ram::1:role/${name}`
  })
  // the chain as a list, root first
  const chainOf = (config: CliConfig, name: string) =>
    Effect.flatMap(
      selectProfile(config, name),
      (p) => Effect.map(sourceProfileChain(config, p), (chain) => [chain.root, ...chain.links])
    )

  it.effect("a profile of another mode is its own chain", () =>
    Effect.gen(function*() {
      const names = (yield* chainOf(configOf(ak), "ak")).map((p) => p.name)
      expect(names).toEqual(["ak"])
    }).pipe(withEnv()))

  it.effect("depth 1: the source profile, then the chained one", () =>
    Effect.gen(function*() {
      const chain = yield* chainOf(configOf(ak, link("c1", "ak")), "c1")
      expect(chain.map((p) => `${p._tag}:${p.name}`)).toEqual(["AK:ak", "ChainableRamRoleArn:c1"])
    }).pipe(withEnv()))

  it.effect("depth 3: from the root to the requested profile", () =>
    Effect.gen(function*() {
      const config = configOf(link("c3", "c2"), link("c1", "ak"), ak, link("c2", "c1"))
      const chain = yield* chainOf(config, "c3")
      expect(chain.map((p) => p.name)).toEqual(["ak", "c1", "c2", "c3"])
      expect(chain[3]).toMatchObject({ roleArn: "acs:ram::1:role/c3", sourceProfile: "c2" })
    }).pipe(withEnv()))

  it.effect("a cycle: InvalidConfiguration listing it, no loop", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(chainOf(configOf(link("a", "b"), link("b", "a")), "a"))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "profiles[\"b\"].source_profile" })
      expect(error.message).toContain("makes a cycle of source profiles: a -> b -> a")
    }).pipe(withEnv()))

  it.effect("a cycle further up, and a profile that is its own source", () =>
    Effect.gen(function*() {
      const far = yield* Effect.flip(
        chainOf(configOf(link("x", "a"), link("a", "b"), link("b", "c"), link("c", "a")), "x")
      )
      expect(far.message).toContain("a -> b -> c -> a")
      const self = yield* Effect.flip(chainOf(configOf(link("me", "me")), "me"))
      expect(self.message).toContain("me -> me")
    }).pipe(withEnv()))

  it.effect("a missing source profile: InvalidConfiguration naming it and the profiles", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(chainOf(configOf(ak, link("c1", "c0"), link("c2", "c1")), "c2"))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "profiles[\"c1\"].source_profile" })
      expect(error.message).toContain("names \"c0\", which is not a profile; profiles: \"ak\", \"c1\", \"c2\"")
    }).pipe(withEnv()))

  it.effect("a broken source profile is reported with its own name", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        chainOf(configOf({ name: "ak", mode: "AK", access_key_id: "id" }, link("c1", "ak")), "c1")
      )
      expect(error).toMatchObject({ field: "profiles[\"ak\"].access_key_secret" })
    }).pipe(withEnv()))
})

describe("writing back", () => {
  test("writeFileAtomic replaces the content, mode 0600, and leaves no temporary file", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${dir}/config.json`
      yield* write(path, "old")
      yield* writeFileAtomic(path, "new")
      expect(yield* fs.readFileString(path)).toBe("new")
      expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
      expect((yield* fs.stat(path)).mode & 0o777).toBe(0o600)
    }))

  test("writeFileAtomic that cannot rename removes its temporary file", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const target = `${dir}/config.json`
      yield* fs.makeDirectory(target)
      yield* write(`${target}/keep`, "x")
      const exit = yield* Effect.exit(writeFileAtomic(target, "new"))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
    }))

  test("readers during repeated writes see the old or the new content, never a mix", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${dir}/config.json`
      const a = "a".repeat(2_000_000)
      const b = "b".repeat(2_000_000)
      yield* write(path, a)
      const writer = Effect.forEach([b, a, b, a, b, a], (content) => writeFileAtomic(path, content), { discard: true })
      const reader = Effect.forEach(Array.from({ length: 30 }), () => fs.readFileString(path))
      const [, reads] = yield* Effect.all([writer, Effect.all([reader, reader], { concurrency: 2 })], {
        concurrency: 2
      })
      for (const text of reads.flat()) expect(text === a || text === b).toBe(true)
      expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
    }))

  const original = {
    current: "oauth",
    profiles: [
      { name: "ak", mode: "AK", access_key_id: "LTAI-ak", access_key_secret: SECRET, region_id: "cn-hangzhou" },
      {
        name: "oauth",
        mode: "OAuth",
        access_key_id: "",
        access_key_secret: "",
        sts_token: "",
        region_id: "cn-shanghai",
        output_format: "json",
        oauth_site_type: "CN",
        oauth_refresh_token: "old-refresh",
        oauth_access_token: "old-access",
        oauth_access_token_expire: 100
      }
    ],
    meta_path: "",
    extra: { nested: [1, 2, 3] }
  }

  test("updateProfile sets the given keys of one profile and keeps everything else, in place", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${dir}/config.json`
      yield* write(path, original)
      yield* updateProfile(path, "oauth", {
        oauthAccessToken: Redacted.make("new-access"),
        oauthRefreshToken: Redacted.make("new-refresh"),
        oauthAccessTokenExpire: DateTime.unsafeMake(2_000_000_000_000),
        accessKeyId: "STS.new",
        accessKeySecret: Redacted.make("new-secret"),
        stsToken: Redacted.make("new-token"),
        stsExpiration: DateTime.unsafeMake(1_900_000_000_500)
      })
      const text = yield* fs.readFileString(path)
      expect(text).toBe(JSON.stringify(
        {
          ...original,
          profiles: [original.profiles[0], {
            ...original.profiles[1],
            access_key_id: "STS.new",
            access_key_secret: "new-secret",
            sts_token: "new-token",
            oauth_refresh_token: "new-refresh",
            oauth_access_token: "new-access",
            oauth_access_token_expire: 2_000_000_000,
            sts_expiration: 1_900_000_000
          }]
        },
        null,
        4
      ))
      expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
      const p = yield* Effect.flatMap(readCliConfig(path), (c) => selectProfile(c, undefined))
      if (p._tag !== "OAuth") return expect.unreachable()
      expect(reveal(p.accessToken)).toBe("new-access")
    }))

  test("updateProfile with stsExpiration null writes 0; keys not in the patch are untouched", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${dir}/config.json`
      yield* write(path, original)
      yield* updateProfile(path, "oauth", { stsExpiration: null })
      const parsed = JSON.parse(yield* fs.readFileString(path))
      expect(parsed.profiles[1]).toEqual({ ...original.profiles[1], sts_expiration: 0 })
      expect(parsed.profiles[0]).toEqual(original.profiles[0])
    }))

  test("updateProfile on a file that no longer parses writes nothing and fails typed", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${dir}/config.json`
      const broken = `{"profiles": [{"name": "oauth", "access_key_secret": "${SECRET}"`
      yield* write(path, broken)
      const error = yield* Effect.flip(updateProfile(path, "oauth", { accessKeyId: "x" }))
      expect(error._tag).toBe("InvalidConfiguration")
      expectNoSecret(error)
      expect(yield* fs.readFileString(path)).toBe(broken)
      expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
    }))

  test("updateProfile for a profile that is gone, or a file that is gone: NotConfigured, nothing written", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${dir}/config.json`
      yield* write(path, original)
      const before = yield* fs.readFileString(path)
      const gone = yield* Effect.flip(updateProfile(path, "nobody", { accessKeyId: "x" }))
      expect(gone._tag).toBe("NotConfigured")
      expect(gone.message).toContain("\"ak\", \"oauth\"")
      expect(yield* fs.readFileString(path)).toBe(before)
      const noFile = yield* Effect.flip(updateProfile(`${dir}/other.json`, "oauth", { accessKeyId: "x" }))
      expect(noFile._tag).toBe("NotConfigured")
      expect(yield* fs.exists(`${dir}/other.json`)).toBe(false)
    }))
})

// fast-check comes with `effect` (re-exported as FastCheck); nothing extra is installed.
describe("properties", () => {
  const parses = (text: string) => {
    try {
      JSON.parse(text)
      return true
    } catch {
      return false
    }
  }
  // Valid JSON, JSON with a character inserted or cut off, and arbitrary text.
  const texts = FastCheck.oneof(
    FastCheck.json(),
    FastCheck.tuple(FastCheck.json(), FastCheck.nat(), FastCheck.string({ maxLength: 2 })).map(([json, at, insert]) => {
      const i = at % (json.length + 1)
      return json.slice(0, i) + insert + json.slice(i)
    }),
    FastCheck.tuple(FastCheck.json(), FastCheck.nat()).map(([json, at]) => json.slice(0, at % (json.length + 1))),
    FastCheck.string()
  )

  it.prop("jsonErrorOffset finds an error exactly when JSON.parse does", [texts], ([text]) => {
    const offset = jsonErrorOffset(text)
    expect(offset === undefined).toBe(parses(text))
    if (offset !== undefined) expect(offset).toBeLessThanOrEqual(text.length)
  }, { timeout: 30_000, fastCheck: { numRuns: 2000 } })

  const secrets = FastCheck.stringMatching(/^[A-Za-z0-9+/]{12,40}$/).map((s) => `SECRET-${s}`)

  it.scoped.prop(
    "no error of a broken or incomplete file repeats the secret it holds",
    [secrets, FastCheck.nat(), FastCheck.constantFrom("AK", "StsToken", "RamRoleArn", "Nope")],
    ([secret, cut, mode]) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const full = JSON.stringify(
          {
            current: "dev",
            profiles: [{ name: "dev", mode, access_key_id: "id", access_key_secret: secret, sts_token: secret }]
          },
          null,
          4
        )
        const content = full.slice(0, cut % (full.length + 1))
        yield* fs.writeFileString(`${dir}/config.json`, content)
        const exit = yield* Effect.exit(
          Effect.flatMap(readCliConfig(`${dir}/config.json`), (c) => selectProfile(c, undefined))
        )
        if (Exit.isFailure(exit)) {
          const text = [String(exit.cause), inspect(exit.cause, { depth: 10 }), JSON.stringify(exit.cause)].join("\n")
          expect(text).not.toContain(secret)
        }
      }).pipe(withEnv(), Effect.provide(NodeContext.layer)),
    { timeout: 30_000, fastCheck: { numRuns: 100 } }
  )
})
