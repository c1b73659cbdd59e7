// The CLI profile source, every mode, with a temp HOME, real files, a real process_command and the
// emulator for every network mode.
import { Emulator } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, TestClock } from "effect"
import * as CliProfile from "../src/sources/CliProfile.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const T0 = Date.UTC(2024, 0, 1)

// A temp HOME with ~/.aliyun/config.json holding `profiles`.
const home = (profiles: ReadonlyArray<Record<string, unknown>>, current = profiles[0]?.name) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.makeDirectory(`${dir}/.aliyun`)
    const path = `${dir}/.aliyun/config.json`
    yield* fs.writeFileString(path, JSON.stringify({ current, profiles }, null, 2))
    return { dir, path, read: fs.readFileString(path), write: (text: string) => fs.writeFileString(path, text) }
  })

const cli = (emulator: Emulator.EmulatorShape, options: CliProfile.Options = {}) =>
  CliProfile.make({
    stsEndpoint: emulator.stsUrl,
    metadataUrl: emulator.metadataUrl,
    oauthBaseUrl: emulator.oauthBaseUrl,
    retrySchedule: retryNow(0),
    ...options
  })

const ak = {
  name: "base",
  mode: "AK",
  access_key_id: accessKey.accessKeyId,
  access_key_secret: accessKey.accessKeySecret
}

const run = <A, E, R>(body: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E, R>) =>
  withEmulator(body).pipe(Effect.provide(NodeContext.layer))

describe("CliProfile", () => {
  it.scoped("AK: the profile's AccessKey, provider cli_profile/static_ak", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([ak])
        const credential = yield* cli(emulator).pipe(withEnv({ HOME: h.dir }))
        expect(credential).toMatchObject({
          type: "access_key",
          accessKeyId: accessKey.accessKeyId,
          providerName: "cli_profile/static_ak"
        })
      })
    ))

  it.scoped("StsToken: the profile's STS token", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([{
          name: "s",
          mode: "StsToken",
          access_key_id: "STS.x",
          access_key_secret: "y",
          sts_token: "z"
        }])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential).toMatchObject({ type: "sts", providerName: "cli_profile/static_sts" })
        expect(Redacted.value(credential.securityToken!)).toBe("z")
      })
    ))

  it.scoped("RamRoleArn: AssumeRole with the profile's AccessKey and role fields", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([{
          ...ak,
          name: "role",
          mode: "RamRoleArn",
          ram_role_arn: roleArn,
          ram_session_name: "cli-session",
          expired_seconds: 1800
        }])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential.providerName).toBe("cli_profile/ram_role_arn/static_ak")
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.body).toMatchObject({
          RoleArn: roleArn,
          RoleSessionName: "cli-session",
          DurationSeconds: "1800"
        })
      })
    ))

  it.scoped("RamRoleArn: a leftover sts_token is not sent as SecurityToken: signed with the AccessKey pair alone, as the official Node client", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([{
          ...ak,
          name: "role",
          mode: "RamRoleArn",
          sts_token: "SECRET-leftover-token",
          ram_role_arn: roleArn
        }])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential.providerName).toBe("cli_profile/ram_role_arn/static_ak")
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.params).not.toHaveProperty("SecurityToken")
        expect(request.params["AccessKeyId"]).toBe(accessKey.accessKeyId)
        expect(request.headers["x-acs-credentials-provider"]).toBe("static_ak")
      })
    ))

  it.scoped("role profiles: the default session name is the official credentials-nodejs-<epoch ms>", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([
          { name: "chained", mode: "ChainableRamRoleArn", source_profile: "role", ram_role_arn: "acs:ram::1:role/top" },
          { ...ak, name: "role", mode: "RamRoleArn", ram_role_arn: roleArn }
        ])
        yield* cli(emulator, { path: h.path })
        const names = (yield* emulator.requests("sts")).map((r) => r.body["RoleSessionName"])
        expect(names).toEqual([`credentials-nodejs-${T0}`, `credentials-nodejs-${T0}`])
      })
    ))

  it.scoped("EcsRamRole: the metadata service (the emulator)", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([{ name: "ecs", mode: "EcsRamRole", ram_role_name: "EcsRamRole" }])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential.providerName).toBe("cli_profile/ecs_ram_role")
      })
    ))

  it.scoped("OIDC: AssumeRoleWithOIDC with the token file", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        yield* fs.writeFileString(`${dir}/token`, "oidc-token")
        const h = yield* home([{
          name: "o",
          mode: "OIDC",
          ram_role_arn: roleArn,
          oidc_provider_arn: "acs:ram::1:oidc-provider/p",
          oidc_token_file: `${dir}/token`
        }])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential.providerName).toBe("cli_profile/oidc_role_arn")
      })
    ))

  it.scoped("ChainableRamRoleArn: a chain of depth 3 assumes each role in turn", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([
          { name: "top", mode: "ChainableRamRoleArn", source_profile: "middle", ram_role_arn: "acs:ram::1:role/top" },
          {
            name: "middle",
            mode: "ChainableRamRoleArn",
            source_profile: "role",
            ram_role_arn: "acs:ram::1:role/middle"
          },
          { ...ak, name: "role", mode: "RamRoleArn", ram_role_arn: "acs:ram::1:role/bottom" }
        ])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential.providerName).toBe("cli_profile/ram_role_arn/ram_role_arn/ram_role_arn/static_ak")
        const roles = (yield* emulator.requests("sts")).map((r) => r.body.RoleArn)
        expect(roles).toEqual(["acs:ram::1:role/bottom", "acs:ram::1:role/middle", "acs:ram::1:role/top"])
      })
    ))

  it.scoped("ChainableRamRoleArn: a cycle is reported, not looped", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([
          { name: "a", mode: "ChainableRamRoleArn", source_profile: "b", ram_role_arn: roleArn },
          { name: "b", mode: "ChainableRamRoleArn", source_profile: "a", ram_role_arn: roleArn }
        ])
        const error = yield* Effect.flip(cli(emulator, { path: h.path }))
        expect(error._tag).toBe("InvalidConfiguration")
        expect(error.message).toContain("a -> b -> a")
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("CloudSSO: the sign-in token buys an STS credential", () =>
    run((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addCloudSsoToken({ accessToken: "sso-token", accountId: "123", accessConfigurationId: "ac-1" })
        const h = yield* home([{
          name: "sso",
          mode: "CloudSSO",
          cloud_sso_sign_in_url: emulator.cloudSsoSignInUrl,
          cloud_sso_account_id: "123",
          cloud_sso_access_config: "ac-1",
          access_token: "sso-token",
          cloud_sso_access_token_expire: Math.floor(T0 / 1000) + 3600
        }])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential).toMatchObject({ type: "sts", providerName: "cli_profile/cloud_sso" })
        // the JSON body the Go and Java tools and the aliyun CLI send (Node 2.4.7 forgets it)
        const request = Option.getOrThrow(yield* emulator.lastRequest("cloud-sso"))
        expect(request.headers["content-type"]).toContain("application/json")
        expect(request.body).toEqual({ AccountId: "123", AccessConfigurationId: "ac-1" })
        // once the sign-in has expired: a typed error naming the field, and no request
        yield* TestClock.adjust("2 hours")
        const error = yield* Effect.flip(cli(emulator, { path: h.path }))
        expect(error).toMatchObject({
          _tag: "InvalidConfiguration",
          field: "profiles[\"sso\"].cloud_sso_access_token_expire"
        })
        expect((yield* emulator.counters("cloud-sso")).received).toBe(1)
      })
    ))

  it.scoped("OAuth: renews the access token, exchanges it, and writes the rotated tokens back atomically", () =>
    run((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addOAuthRefreshToken({ refreshToken: "refresh-1" })
        const h = yield* home([
          {
            name: "oauth",
            mode: "OAuth",
            oauth_site_type: "CN",
            oauth_refresh_token: "refresh-1",
            oauth_access_token: "old",
            oauth_access_token_expire: 0,
            region_id: "cn-hangzhou"
          },
          ak
        ])
        const credential = yield* cli(emulator, { path: h.path })
        expect(credential).toMatchObject({ type: "sts", providerName: "cli_profile/oauth" })
        const written = JSON.parse(yield* h.read) as { current: string; profiles: Array<Record<string, unknown>> }
        const profile = written.profiles[0]!
        expect(profile.oauth_refresh_token).not.toBe("refresh-1")
        expect(profile.oauth_access_token).not.toBe("old")
        expect(profile.access_key_id).toBe(credential.accessKeyId)
        expect(profile.region_id).toBe("cn-hangzhou") // other keys kept
        expect(written.profiles[1]).toEqual(ak) // other profiles kept
        // the rotated refresh token works next time; the old one would not
        yield* TestClock.adjust("2 hours")
        yield* cli(emulator, { path: h.path })
        expect((yield* emulator.counters("oauth-token")).succeeded).toBe(2)
        // the form the official tools send (the emulator, as the service, also takes it without Timestamp)
        const renewal = Option.getOrThrow(yield* emulator.lastRequest("oauth-token"))
        expect(Object.keys(renewal.body).sort()).toEqual(["Timestamp", "client_id", "grant_type", "refresh_token"])
        expect(renewal.body).toMatchObject({ grant_type: "refresh_token", client_id: Emulator.oauthClientIds.CN })
      })
    ))

  it.scoped("OAuth: a refused refresh token is an UpstreamError, and the file is left alone", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([{
          name: "oauth",
          mode: "OAuth",
          oauth_site_type: "INTL",
          oauth_refresh_token: "unknown"
        }])
        const before = yield* h.read
        const error = yield* Effect.flip(cli(emulator, { path: h.path }))
        expect(error._tag).toBe("UpstreamError")
        expect(error.message).toContain("sign in again")
        expect(yield* h.read).toBe(before)
      })
    ))

  it.scoped(
    "External: runs process_command (a real process) and writes the credential back",
    () =>
      run((emulator) =>
        Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped()
          const script = `${dir}/creds.mjs`
          yield* fs.writeFileString(
            script,
            `process.stdout.write(JSON.stringify({ mode: "StsToken", access_key_id: "STS.ext", access_key_secret: "ext-secret", sts_token: "ext-token", expiration: "2024-01-01T06:00:00Z" }))`
          )
          const h = yield* home([{ name: "ext", mode: "External", process_command: `${process.execPath} ${script}` }])
          const credential = yield* cli(emulator, { path: h.path })
          expect(credential).toMatchObject({
            type: "sts",
            accessKeyId: "STS.ext",
            providerName: "cli_profile/external"
          })
          expect(credential.expiration).toBeDefined()
          const written = JSON.parse(yield* h.read) as { profiles: Array<Record<string, unknown>> }
          expect(written.profiles[0]).toMatchObject({ access_key_id: "STS.ext", sts_token: "ext-token" })
        })
      ),
    60_000
  ) // a real Node process: a generous limit for a loaded machine

  it.scoped("profile selection: option, then ALIBABA_CLOUD_PROFILE, then current", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([
          { ...ak, name: "one", access_key_id: "LTAI-one" },
          { ...ak, name: "two", access_key_id: "LTAI-two" },
          { ...ak, name: "three", access_key_id: "LTAI-three" }
        ], "one")
        expect((yield* cli(emulator, { path: h.path })).accessKeyId).toBe("LTAI-one")
        expect((yield* cli(emulator, { path: h.path }).pipe(withEnv({ ALIBABA_CLOUD_PROFILE: "two" }))).accessKeyId)
          .toBe("LTAI-two")
        expect(
          (yield* cli(emulator, { path: h.path, profile: "three" }).pipe(withEnv({ ALIBABA_CLOUD_PROFILE: "two" })))
            .accessKeyId
        ).toBe("LTAI-three")
      })
    ))

  it.scoped("not configured: no file, no HOME, or ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([ak])
        expect(yield* Effect.flip(cli(emulator, { path: `${h.dir}/missing.json` }))).toMatchObject({
          _tag: "NotConfigured"
        })
        expect(yield* Effect.flip(cli(emulator))).toMatchObject({ _tag: "NotConfigured" })
        const disabled = yield* Effect.flip(
          cli(emulator, { path: h.path }).pipe(withEnv({ ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "True" }))
        )
        expect(disabled.message).toContain("ALIBABA_CLOUD_CLI_PROFILE_DISABLED is true")
      })
    ))

  it.scoped("bad files: not JSON, unknown profile, unknown mode, missing field, wrong type: typed errors naming file, profile, field", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const h = yield* home([ak])
        yield* h.write(
          `{"current": "base", "profiles": [{"name": "base", "mode": "AK", "access_key_secret": "SECRET-IN-FILE"`
        )
        const truncated = yield* Effect.flip(cli(emulator, { path: h.path }))
        expect(truncated).toMatchObject({ _tag: "InvalidConfiguration" })
        expect(truncated.message).toContain(h.path)
        expect(truncated.message).not.toContain("SECRET-IN-FILE")
        const cases: ReadonlyArray<[Record<string, unknown>, string]> = [
          [{ ...ak, mode: "Weird" }, "Weird"],
          [{ name: "base", mode: "AK", access_key_secret: "SECRET-IN-FILE" }, "access_key_id"],
          [{ ...ak, access_key_id: 42 }, "access_key_id"]
        ]
        for (const [profile, named] of cases) {
          yield* h.write(JSON.stringify({ current: "base", profiles: [profile] }))
          const error = yield* Effect.flip(cli(emulator, { path: h.path }))
          expect(error._tag).toBe("InvalidConfiguration")
          expect(error.message).toContain(named)
          expect(error.message).toContain("base")
          expect(error.message).not.toContain("SECRET-IN-FILE")
        }
        yield* h.write(JSON.stringify({ current: "base", profiles: [ak] }))
        const unknown = yield* Effect.flip(cli(emulator, { path: h.path, profile: "nope" }))
        expect(unknown.message).toContain("nope")
      })
    ))
})
