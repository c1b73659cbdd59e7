// One configuration model, for the files: a config.json profile and an ini section decoded by the
// same rules as the options (string forms of numbers and booleans taken as the official client
// takes them, blank as unset, regions case-folded), and a profile the user selected that cannot be
// used ending the chain with its own error, never another source's credential. Against the
// emulator; the sts-vpc host is seen through a loopback proxy that records the CONNECT target and
// never dials out.
import type { Emulator } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Chain from "../src/Chain.js"
import { Credentials } from "../src/Credentials.js"
import type { CredentialsError } from "../src/CredentialsError.js"
import * as DefaultChain from "../src/DefaultChain.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as IniProfile from "../src/sources/IniProfile.js"
import * as LoopbackProxy from "./loopbackProxy.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const T0 = Date.UTC(2024, 0, 1)
const unixSeconds = (ms: number) => String(Math.floor(ms / 1000))

const run = <A, E, R>(body: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E, R>) =>
  withEmulator(body).pipe(Effect.provide(NodeContext.layer))

// A temp HOME; `config` and `ini` write ~/.aliyun/config.json and ~/.alibabacloud/credentials.
const makeHome = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  yield* fs.makeDirectory(`${dir}/.aliyun`)
  yield* fs.makeDirectory(`${dir}/.alibabacloud`)
  const configPath = `${dir}/.aliyun/config.json`
  return {
    dir,
    configPath,
    iniPath: `${dir}/.alibabacloud/credentials`,
    config: (profiles: ReadonlyArray<Record<string, unknown>>, current?: string) =>
      fs.writeFileString(configPath, JSON.stringify({ current: current ?? profiles[0]?.name, profiles }, null, 2)),
    configText: (text: string) => fs.writeFileString(configPath, text),
    ini: (lines: ReadonlyArray<string>) => fs.writeFileString(`${dir}/.alibabacloud/credentials`, lines.join("\n"))
  }
})

const keys = { access_key_id: accessKey.accessKeyId, access_key_secret: accessKey.accessKeySecret }

/** A RamRoleArn profile named "role" signed with the emulator's key; `extra` adds or overrides keys. */
const roleProfile = (extra: Record<string, unknown>) => ({
  name: "role",
  mode: "RamRoleArn",
  ...keys,
  ram_role_arn: roleArn,
  ...extra
})

const cli = (emulator: Emulator.EmulatorShape, path: string, options: CliProfile.Options = {}) =>
  CliProfile.make({
    path,
    stsEndpoint: emulator.stsUrl,
    metadataUrl: emulator.metadataUrl,
    oauthBaseUrl: emulator.oauthBaseUrl,
    retrySchedule: retryNow(0),
    ...options
  })

// The default chain with every later source answerable by the emulator: the metadata service and
// the credentials URI would both give a credential, if the chain asked them.
const chainOptions = (emulator: Emulator.EmulatorShape): DefaultChain.Options => ({
  stsEndpoint: emulator.stsUrl,
  metadataUrl: emulator.metadataUrl,
  oauthBaseUrl: emulator.oauthBaseUrl,
  credentialsUri: emulator.credentialsUri,
  retrySchedule: retryNow(0)
})

const defaultGet = (options: DefaultChain.Options) =>
  Effect.flatMap(Credentials, (c) => c.get).pipe(Effect.provide(DefaultChain.layer(options)))

// No later source was asked: neither the metadata service nor the credentials URI got a request.
const laterSourcesUntouched = (emulator: Emulator.EmulatorShape) =>
  Effect.gen(function*() {
    expect((yield* emulator.counters("metadata-token")).received).toBe(0)
    expect((yield* emulator.counters("metadata-role")).received).toBe(0)
    expect((yield* emulator.counters("credentials-uri")).received).toBe(0)
  })

const expectSelected = (error: CredentialsError, selection: string) => {
  expect(error._tag).not.toBe("ChainExhausted")
  expect(error._tag !== "ChainExhausted" && error.selection).toContain(selection)
}

describe("string-typed profile fields, as the official client reads them", () => {
  it.scoped("RamRoleArn: \"expired_seconds\": \"1800\" sends DurationSeconds=1800", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([roleProfile({ expired_seconds: "1800" })])
        const credential = yield* cli(emulator, home.configPath)
        expect(credential.providerName).toBe("cli_profile/ram_role_arn/static_ak")
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.params).toMatchObject({ Action: "AssumeRole", RoleArn: roleArn, DurationSeconds: "1800" })
      })
    ))

  it.scoped("OIDC: \"duration_seconds\": \"900\" sends DurationSeconds=900", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        const fs = yield* FileSystem.FileSystem
        yield* fs.writeFileString(`${home.dir}/token`, "oidc-token")
        yield* home.config([{
          name: "o",
          mode: "OIDC",
          ram_role_arn: roleArn,
          oidc_provider_arn: "acs:ram::1:oidc-provider/p",
          oidc_token_file: `${home.dir}/token`,
          duration_seconds: "900"
        }])
        yield* cli(emulator, home.configPath)
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.params).toMatchObject({ Action: "AssumeRoleWithOIDC", DurationSeconds: "900" })
      })
    ))

  it.scoped("RamRoleArn: \"enable_vpc\": \"true\" with \"sts_region\": \"CN-Hangzhou\" goes to sts-vpc.cn-hangzhou (the CONNECT target a loopback proxy saw; nothing dialled out)", () =>
    run(() =>
      Effect.gen(function*() {
        const home = yield* makeHome
        const proxy = yield* LoopbackProxy.make
        yield* home.config([roleProfile({ name: "vpc", sts_region: "CN-Hangzhou", enable_vpc: "true" })])
        // no stsEndpoint: the host comes from the profile; the proxy refuses any target but 127.0.0.1
        const error = yield* Effect.flip(
          CliProfile.make({ path: home.configPath, proxy: proxy.url, retrySchedule: retryNow(0) })
        )
        expect(error._tag).not.toBe("InvalidConfiguration")
        expect(yield* proxy.targets).toEqual(["sts-vpc.cn-hangzhou.aliyuncs.com:443"])
        expect(yield* proxy.tunnels).toBe(0)
        // "false" in its string form: the public endpoint of the region
        yield* home.config([roleProfile({ name: "vpc", sts_region: "cn-hangzhou", enable_vpc: "false" })])
        yield* Effect.flip(CliProfile.make({ path: home.configPath, proxy: proxy.url, retrySchedule: retryNow(0) }))
        expect((yield* proxy.targets).at(-1)).toBe("sts.cn-hangzhou.aliyuncs.com:443")
      })
    ))

  it.scoped("CloudSSO: \"cloud_sso_access_token_expire\" as a string is the expiry it states", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* emulator.addCloudSsoToken({ accessToken: "sso-token", accountId: "123", accessConfigurationId: "ac-1" })
        const profile = {
          name: "sso",
          mode: "CloudSSO",
          cloud_sso_sign_in_url: emulator.cloudSsoSignInUrl,
          cloud_sso_account_id: "123",
          cloud_sso_access_config: "ac-1",
          access_token: "sso-token",
          cloud_sso_access_token_expire: unixSeconds(T0 + 3_600_000)
        }
        yield* home.config([profile])
        const credential = yield* cli(emulator, home.configPath)
        expect(credential.providerName).toBe("cli_profile/cloud_sso")
        expect((yield* emulator.counters("cloud-sso")).succeeded).toBe(1)
        // a string in the past is a lapsed sign-in, not a missing field
        yield* home.config([{ ...profile, cloud_sso_access_token_expire: unixSeconds(T0 - 1000) }])
        const error = yield* Effect.flip(cli(emulator, home.configPath))
        expect(error).toMatchObject({
          _tag: "InvalidConfiguration",
          field: "profiles[\"sso\"].cloud_sso_access_token_expire"
        })
        expect(error.message).toContain("has passed")
        expect((yield* emulator.counters("cloud-sso")).received).toBe(1)
      })
    ))

  it.scoped("OAuth: \"oauth_access_token_expire\" as a string: a fresh access token is exchanged, not renewed", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* emulator.addOAuthAccessToken({ accessToken: "access-1", expiresAt: T0 + 3_600_000 })
        yield* home.config([{
          name: "oauth",
          mode: "OAuth",
          oauth_site_type: "cn",
          oauth_access_token: "access-1",
          oauth_access_token_expire: unixSeconds(T0 + 3_600_000)
        }])
        const credential = yield* cli(emulator, home.configPath)
        expect(credential.providerName).toBe("cli_profile/oauth")
        expect((yield* emulator.counters("oauth-token")).received).toBe(0)
        expect((yield* emulator.counters("oauth-exchange")).succeeded).toBe(1)
      })
    ))

  it.scoped("blank keys are unset: no Policy, no ExternalId, the default session name, the default duration", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([
          roleProfile({
            ram_session_name: "",
            policy: "  ",
            external_id: "",
            sts_region: "",
            expired_seconds: "",
            enable_vpc: ""
          })
        ])
        yield* cli(emulator, home.configPath)
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.params).not.toHaveProperty("Policy")
        expect(request.params).not.toHaveProperty("ExternalId")
        expect(request.params).toMatchObject({ RoleSessionName: `credentials-nodejs-${T0}`, DurationSeconds: "3600" })
      })
    ))

  it.scoped("an ini section: blank role_session_name and policy are unset too", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.ini([
          "[default]",
          "type = ram_role_arn",
          `access_key_id = ${accessKey.accessKeyId}`,
          `access_key_secret = ${accessKey.accessKeySecret}`,
          `role_arn = ${roleArn}`,
          "role_session_name =   ",
          "policy ="
        ])
        yield* IniProfile.make({ path: home.iniPath, stsEndpoint: emulator.stsUrl, retrySchedule: retryNow(0) })
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.params).not.toHaveProperty("Policy")
        expect(request.params.RoleSessionName).toBe(`credentials-nodejs-${T0}`)
      })
    ))

  it.scoped("what is still refused names the file, the profile and the key, and sends nothing", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([roleProfile({ expired_seconds: "1h" })])
        const error = yield* Effect.flip(cli(emulator, home.configPath))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "profiles[\"role\"].expired_seconds" })
        expect(error.message).toContain("must be a whole number")
        expect(error.message).toContain(home.configPath)
        expect(error.message).not.toContain("1h")
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))
})

describe("a selected profile that cannot be used ends the chain", () => {
  const broken = roleProfile({ name: "broken", expired_seconds: "soon" })
  const working = { name: "ok", mode: "AK", ...keys }

  it.scoped("selected by current: the default chain fails with the profile's error; ECS and the URI get no request", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([broken, working], "broken")
        const error = yield* Effect.flip(defaultGet(chainOptions(emulator)).pipe(withEnv({ HOME: home.dir })))
        expect(error).toMatchObject({
          _tag: "InvalidConfiguration",
          source: "cli_profile",
          field: "profiles[\"broken\"].expired_seconds"
        })
        expectSelected(error, `the profile "broken" of ${home.configPath}, selected by its current`)
        yield* laterSourcesUntouched(emulator)
      })
    ))

  it.scoped("selected by ALIBABA_CLOUD_PROFILE, or by the profile option: the same", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([working, broken], "ok")
        const byVariable = yield* Effect.flip(
          defaultGet(chainOptions(emulator)).pipe(withEnv({ HOME: home.dir, ALIBABA_CLOUD_PROFILE: "broken" }))
        )
        expectSelected(byVariable, "selected by ALIBABA_CLOUD_PROFILE")
        const byOption = yield* Effect.flip(
          defaultGet({ ...chainOptions(emulator), profile: "broken" }).pipe(withEnv({ HOME: home.dir }))
        )
        expectSelected(byOption, "selected by the profile option")
        yield* laterSourcesUntouched(emulator)
      })
    ))

  it.scoped("an upstream that refuses the selected profile ends it too (an unknown AccessKey: STS answers 4xx)", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([{
          name: "role",
          mode: "RamRoleArn",
          access_key_id: "LTAI-unknown-to-sts",
          access_key_secret: "nope",
          ram_role_arn: roleArn
        }])
        const error = yield* Effect.flip(defaultGet(chainOptions(emulator)).pipe(withEnv({ HOME: home.dir })))
        expect(error._tag).toBe("UpstreamError")
        expectSelected(error, "the profile \"role\"")
        expect((yield* emulator.counters("sts")).received).toBe(1)
        yield* laterSourcesUntouched(emulator)
      })
    ))

  it.scoped("a config.json that is not JSON ends the chain: the profile it selects cannot be known", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.configText("{ \"current\": \"prod\", ")
        const error = yield* Effect.flip(defaultGet(chainOptions(emulator)).pipe(withEnv({ HOME: home.dir })))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: home.configPath })
        expectSelected(error, "which cannot be read")
        yield* laterSourcesUntouched(emulator)
      })
    ))

  it.scoped("an ini section in use ([default], or the one named) that cannot be used ends the chain", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.ini(["[default]", "type = ram_role_arn", `access_key_id = ${accessKey.accessKeyId}`])
        const error = yield* Effect.flip(defaultGet(chainOptions(emulator)).pipe(withEnv({ HOME: home.dir })))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "profile" })
        expectSelected(error, `the section [default] of ${home.iniPath}, selected as the default`)
        yield* laterSourcesUntouched(emulator)
      })
    ))

  it.scoped("Chain.orElse and Chain.make stop there too, with the profile's error itself", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([broken])
        const uri = CredentialsUri.make({ credentialsUri: emulator.credentialsUri, retrySchedule: retryNow(0) })
        const byOrElse = yield* Effect.flip(cli(emulator, home.configPath).pipe(Chain.orElse(uri)))
        expect(byOrElse).toMatchObject({ _tag: "InvalidConfiguration", field: "profiles[\"broken\"].expired_seconds" })
        const chain = yield* Chain.make([cli(emulator, home.configPath), uri], { name: "mine", onError: "continue" })
        const byMake = yield* Effect.flip(chain)
        expectSelected(byMake, "the profile \"broken\"")
        yield* laterSourcesUntouched(emulator)
      })
    ))

  it.scoped("explain: the profile's step carries the error, the sources after it are not tried", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([broken])
        const steps = yield* DefaultChain.explain(chainOptions(emulator)).pipe(withEnv({ HOME: home.dir }))
        expect(steps.map((s) => [s.name, s._tag])).toEqual([
          ["env", "Skipped"],
          ["oidc_role_arn", "Skipped"],
          ["cli_profile", "Skipped"],
          ["profile", "NotTried"],
          ["ecs_ram_role", "NotTried"],
          ["credentials_uri", "NotTried"]
        ])
        yield* laterSourcesUntouched(emulator)
      })
    ))
})

describe("nothing selected: the chain moves on", () => {
  it.scoped("no config.json and no ini file: the next configured source answers (the credentials URI)", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        const credential = yield* defaultGet(chainOptions(emulator)).pipe(
          withEnv({ HOME: home.dir, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" })
        )
        expect(credential.providerName).toBe("default/credentials_uri")
        expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(1)
      })
    ))

  it.scoped("a profile name that is in neither file: both file sources are skipped, the next one answers", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* makeHome
        yield* home.config([{ name: "ok", mode: "AK", ...keys }])
        yield* home.ini([
          "[default]",
          "type = access_key",
          `access_key_id = ${accessKey.accessKeyId}`,
          "access_key_secret = s"
        ])
        const credential = yield* defaultGet(chainOptions(emulator)).pipe(
          withEnv({ HOME: home.dir, ALIBABA_CLOUD_PROFILE: "elsewhere", ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" })
        )
        expect(credential.providerName).toBe("default/credentials_uri")
      })
    ))
})
