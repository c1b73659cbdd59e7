// Role profiles of ~/.aliyun/config.json, ours and the official `@alicloud/credentials` 2.4.7 on the
// same file: the AssumeRole requests must be the same (host, parameters), except for the one
// deliberate difference docs/config-files.md names (`policy` and `external_id` are sent, as the Java
// tool does; Node ignores them).
//
// Neither client reaches the network: both derive the real STS host from the profile (so that the
// host choice is what is compared), and both have their requests redirected to the emulator on
// 127.0.0.1 before anything is sent (no DNS look-up, no connection): ours through an HttpClient
// that rewrites the URL, the official through its own `doRequest` (which its providers read from
// the `http` module when they are built: "used for mock"). The official client stamps requests
// with the wall clock, so these tests run on the live Clock.
import { Emulator } from "@effect-alicloud/emulator"
import { FileSystem, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { createRequire } from "node:module"
import { Credentials } from "../src/Credentials.js"
import * as DefaultChain from "../src/DefaultChain.js"
import * as HttpTransport from "../src/HttpTransport.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import { accessKey, retryNow, withEnv } from "./withEmulator.js"

const require = createRequire(import.meta.url)
const Official = require("@alicloud/credentials") as typeof import("@alicloud/credentials")

// The official request model and its sender, as much of them as is used here.
interface OfficialRequest {
  protocol: string
  host: string
}
const OfficialHttp = require("@alicloud/credentials/dist/src/providers/http") as {
  doRequest: (request: OfficialRequest) => Promise<unknown>
}

interface Sent {
  readonly host: string
  /** The `x-acs-credentials-provider` header: the provider of the credential that signed. */
  readonly provider: string | undefined
  readonly params: Readonly<Record<string, string>>
}

// Per request: differs on every run.
const volatile = new Set(["Timestamp", "SignatureNonce", "Signature", "RoleSessionName"])

const home = (profiles: ReadonlyArray<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.makeDirectory(`${dir}/.aliyun`)
    const path = `${dir}/.aliyun/config.json`
    yield* fs.writeFileString(path, JSON.stringify({ current: profiles[0]?.name, profiles }, null, 4))
    return { dir, path }
  })

// What the emulator received since `from`, paired with the hosts the client meant to reach.
const sentSince = (emulator: Emulator.EmulatorShape, from: number, hosts: ReadonlyArray<string>) =>
  Effect.map(emulator.requests("sts"), (requests): ReadonlyArray<Sent> =>
    requests.slice(from).map((r, i) => ({
      host: hosts[i] ?? "?",
      provider: r.headers["x-acs-credentials-provider"],
      params: r.params
    })))

// The parameters that must match; a key or token the emulator issued during the run only as its kind.
const stable = (sent: ReadonlyArray<Sent>) =>
  sent.map(({ host, params, provider }) => ({
    host,
    provider,
    params: Object.fromEntries(
      Object.entries(params).filter(([k]) => !volatile.has(k)).map((
        [k, v]
      ) => [
        k,
        k === "SecurityToken" ? "<issued token>" : k === "AccessKeyId" && v.startsWith("STS.") ? "<issued STS key>" : v
      ])
    )
  }))

// Sets process.env for the official client (it reads it directly) and restores it afterwards.
const processEnv = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
      Object.assign(process.env, env)
      return saved
    }),
    (saved) =>
      Effect.sync(() => {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k]
          else process.env[k] = v
        }
      })
  )

/** The official CLI profile provider on `dir`'s config.json, its requests sent to the emulator. */
const official = (emulator: Emulator.EmulatorShape, dir: string, profile: string, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const from = (yield* emulator.requests("sts")).length
    const hosts: Array<string> = []
    yield* processEnv(env)
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const original = OfficialHttp.doRequest
        OfficialHttp.doRequest = (request) => {
          hosts.push(request.host)
          request.protocol = "http"
          request.host = emulator.stsEndpoint
          return original(request)
        }
        return original
      }),
      (original) => Effect.sync(() => (OfficialHttp.doRequest = original))
    )
    const provider = Official.CLIProfileCredentialsProvider.builder().withProfileName(profile).build() // The provider reads its home directory from this field ("used for mock" in its source).
    ;(provider as unknown as { homedir: string }).homedir = dir
    const credential = yield* Effect.tryPromise(() => provider.getCredentials()).pipe(
      Effect.timeoutFail({
        duration: Duration.seconds(10),
        onTimeout: () => new Error("the official client timed out")
      })
    )
    return { credential, sent: yield* sentSince(emulator, from, hosts) }
  }).pipe(Effect.scoped)

/** Ours on the same file, with no endpoint option: the host comes from the profile, as above. */
const ours = (emulator: Emulator.EmulatorShape, path: string, profile: string, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const from = (yield* emulator.requests("sts")).length
    const hosts: Array<string> = []
    const redirected = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, (client) =>
        HttpClient.mapRequest(client, (request) => {
          const url = new URL(request.url)
          hosts.push(url.host)
          return HttpClientRequest.setUrl(request, `${emulator.baseUrl}${url.pathname}`)
        }))
    ).pipe(Layer.provide(HttpTransport.layer()))
    const credential = yield* CliProfile.make({ path, profile, retrySchedule: retryNow(0) }).pipe(
      Effect.provide(redirected),
      withEnv(env)
    )
    return { credential, sent: yield* sentSince(emulator, from, hosts) }
  })

// An emulator, and the Node file system for the temp files (the official client reads them through node:fs).
const start = Emulator.make({ accessKeys: [accessKey] })
const withNode = Effect.provide(NodeContext.layer)
const ak = { access_key_id: accessKey.accessKeyId, access_key_secret: accessKey.accessKeySecret }

describe("role profiles: ours and the official client on the same config.json", () => {
  it.scopedLive("RamRoleArn with a leftover sts_token and enable_vpc: the same request (no SecurityToken, sts-vpc.<region>)", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const h = yield* home([{
        name: "role",
        mode: "RamRoleArn",
        ...ak,
        sts_token: "SECRET-leftover-sts-token",
        ram_role_arn: "acs:ram::1234567890123456:role/deployer",
        expired_seconds: 1800,
        sts_region: "cn-shanghai",
        enable_vpc: true
      }])
      const theirs = yield* official(emulator, h.dir, "role")
      const mine = yield* ours(emulator, h.path, "role")
      expect(theirs.credential.providerName).toBe("cli_profile/ram_role_arn/static_ak")
      expect(mine.credential.providerName).toBe("cli_profile/ram_role_arn/static_ak")
      expect(theirs.sent).toHaveLength(1)
      expect(stable(mine.sent)).toEqual(stable(theirs.sent))
      expect(mine.sent[0]!.host).toBe("sts-vpc.cn-shanghai.aliyuncs.com")
      expect(mine.sent[0]!.params).not.toHaveProperty("SecurityToken")
      // the default session names: the same form
      for (const { params } of [...theirs.sent, ...mine.sent]) {
        expect(params["RoleSessionName"]).toMatch(/^credentials-nodejs-\d{13}$/)
      }
    }).pipe(withNode))

  it.scopedLive("string forms as the aliyun CLI or a hand edit writes them (\"expired_seconds\": \"1800\", \"enable_vpc\": \"true\"): the same request", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const h = yield* home([{
        name: "role",
        mode: "RamRoleArn",
        ...ak,
        ram_role_arn: "acs:ram::1234567890123456:role/deployer",
        expired_seconds: "1800",
        sts_region: "cn-shanghai",
        enable_vpc: "true"
      }])
      const theirs = yield* official(emulator, h.dir, "role")
      const mine = yield* ours(emulator, h.path, "role")
      expect(theirs.sent).toHaveLength(1)
      expect(stable(mine.sent)).toEqual(stable(theirs.sent))
      expect(mine.sent[0]!.host).toBe("sts-vpc.cn-shanghai.aliyuncs.com")
      expect(mine.sent[0]!.params["DurationSeconds"]).toBe("1800")
    }).pipe(withNode))

  it.scopedLive("the deliberate differences of the string forms: \"enable_vpc\": \"false\" is false (the official takes any non-empty string as true), an upper-case region is case-folded", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const h = yield* home([{
        name: "role",
        mode: "RamRoleArn",
        ...ak,
        ram_role_arn: "acs:ram::1234567890123456:role/deployer",
        sts_region: "CN-Shanghai",
        enable_vpc: "false"
      }])
      const theirs = yield* official(emulator, h.dir, "role")
      const mine = yield* ours(emulator, h.path, "role")
      expect(theirs.sent.map((s) => s.host)).toEqual(["sts-vpc.CN-Shanghai.aliyuncs.com"])
      expect(mine.sent.map((s) => s.host)).toEqual(["sts.cn-shanghai.aliyuncs.com"])
      expect(stable(mine.sent).map((s) => s.params)).toEqual(stable(theirs.sent).map((s) => s.params))
    }).pipe(withNode))

  it.scopedLive("ChainableRamRoleArn with enable_vpc: sts.<region>, not sts-vpc, unless ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const h = yield* home([
        {
          name: "chained",
          mode: "ChainableRamRoleArn",
          source_profile: "base",
          ram_role_arn: "acs:ram::1234567890123456:role/cross-account",
          ram_session_name: "chain",
          sts_region: "cn-hangzhou",
          enable_vpc: true,
          sts_endpoint: "ignored.example"
        },
        { name: "base", mode: "AK", ...ak }
      ])
      const theirs = yield* official(emulator, h.dir, "chained")
      const mine = yield* ours(emulator, h.path, "chained")
      expect(theirs.sent.map((s) => s.host)).toEqual(["sts.cn-hangzhou.aliyuncs.com"])
      expect(stable(mine.sent)).toEqual(stable(theirs.sent))
      expect(mine.sent[0]!.params["RoleSessionName"]).toBe("chain")

      const env = { ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "true" }
      const theirsVpc = yield* official(emulator, h.dir, "chained", env)
      const mineVpc = yield* ours(emulator, h.path, "chained", env)
      expect(theirsVpc.sent.map((s) => s.host)).toEqual(["sts-vpc.cn-hangzhou.aliyuncs.com"])
      expect(stable(mineVpc.sent)).toEqual(stable(theirsVpc.sent))
    }).pipe(withNode))

  it.scopedLive("a chain over a RamRoleArn profile: the same requests, in the same order, to the same hosts", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const h = yield* home([
        {
          name: "top",
          mode: "ChainableRamRoleArn",
          source_profile: "role",
          ram_role_arn: "acs:ram::1234567890123456:role/top",
          expired_seconds: 900
        },
        {
          name: "role",
          mode: "RamRoleArn",
          ...ak,
          ram_role_arn: "acs:ram::1234567890123456:role/bottom",
          ram_session_name: "bottom"
        }
      ])
      const theirs = yield* official(emulator, h.dir, "top")
      const mine = yield* ours(emulator, h.path, "top")
      expect(theirs.sent.map((s) => s.host)).toEqual(["sts.aliyuncs.com", "sts.aliyuncs.com"])
      expect(stable(mine.sent)).toEqual(stable(theirs.sent))
    }).pipe(withNode))

  it.scopedLive("the deliberate difference: a profile's policy and external_id are sent (as the Java tool; Node ignores them)", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const policy =
        "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"oss:Get*\",\"Resource\":\"*\"}]}"
      const h = yield* home([{
        name: "role",
        mode: "RamRoleArn",
        ...ak,
        ram_role_arn: "acs:ram::1234567890123456:role/deployer",
        policy,
        external_id: "ext-1"
      }])
      const theirs = yield* official(emulator, h.dir, "role")
      const mine = yield* ours(emulator, h.path, "role")
      expect(theirs.sent[0]!.params).not.toHaveProperty("Policy")
      expect(theirs.sent[0]!.params).not.toHaveProperty("ExternalId")
      const [{ params: { ExternalId, Policy, ...rest }, ...mineRest }] = stable(mine.sent)
      expect({ Policy, ExternalId }).toEqual({ Policy: policy, ExternalId: "ext-1" })
      expect([{ ...mineRest, params: rest }]).toEqual(stable(theirs.sent))
    }).pipe(withNode))

  it.scopedLive("the deliberate difference of the chain: the official default chain moves on past a selected profile it cannot use (to the ini file's key); ours ends with that profile's error", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      // a RamRoleArn profile without its role: both clients refuse it before any request
      const h = yield* home([{ name: "role", mode: "RamRoleArn", ...ak }])
      yield* fs.makeDirectory(`${h.dir}/.alibabacloud`)
      yield* fs.writeFileString(
        `${h.dir}/.alibabacloud/credentials`,
        "[default]\ntype = access_key\naccess_key_id = LTAI-ini-key\naccess_key_secret = s\n"
      )
      const env = { HOME: h.dir, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }
      yield* processEnv(env)
      const theirs = yield* Effect.tryPromise(() => new Official.default().getCredential())
      expect(theirs).toMatchObject({ accessKeyId: "LTAI-ini-key", providerName: "default/profile" })
      const mine = yield* Effect.flip(
        Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(DefaultChain.layer({ retrySchedule: retryNow(0) })),
          Effect.provide(HttpTransport.layer()),
          withEnv(env)
        )
      )
      expect(mine).toMatchObject({
        _tag: "InvalidConfiguration",
        source: "cli_profile",
        field: "profiles[\"role\"].ram_role_arn"
      })
      expect(mine._tag !== "ChainExhausted" && mine.selection).toContain("selected by its current")
    }).pipe(withNode))
})
