// The official 2.4.7 API through the Promise facade: the provider classes and their builders, the
// custom provider semantics, the model's renderings and close(). Against the emulator, on the
// live clock (the official SDK clients stamp requests with the wall clock), as test/Promise.test.ts.
import { Emulator } from "@effect-alicloud/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspect } from "node:util"
import Credential, {
  CLIProfileCredentialsProvider,
  Config,
  CredentialModel,
  type CredentialsProvider,
  DefaultCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  EnvironmentVariableCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  ProfileCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  StaticAKCredentialsProvider,
  StaticSTSCredentialsProvider,
  URICredentialsProvider
} from "./facade.js"

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

const key = { accessKeyId: "LTAI5tFacadeTestKey001", accessKeySecret: "facade-secret-0001" } as const
const roleArn = "acs:ram::1234567890123456:role/test-role"
const token = "SECRET-sts-token-1"

const promise = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as Error & { code?: string } }).pipe(
    Effect.timeoutFail({
      duration: Duration.seconds(10),
      onTimeout: () => new Error("test timeout") as Error & { code?: string }
    })
  )

// Acquires anything with close() and closes it with the test's scope.
const closing = <A extends { close: () => unknown }>(make: () => A) =>
  Effect.acquireRelease(Effect.sync(make), (a) => Effect.promise(async () => await a.close()))

// The official client, signing GetCallerIdentity with the facade's credential.
const callerIdentity = (emulator: Emulator.EmulatorShape, credential: Credential) =>
  promise(() =>
    new Sts20150401.default(
      new OpenApi.Config({
        credential,
        endpoint: emulator.stsEndpoint,
        protocol: "http",
        connectTimeout: 2000,
        readTimeout: 2000
      })
    ).getCallerIdentity()
  )

const start = Emulator.make({ accessKeys: [key] })

// Environment and home directory of this file's process (vitest runs each file in its own).
const home = mkdtempSync(join(tmpdir(), "facade-home-"))
const saved = { ...process.env }
beforeAll(() => {
  process.env.HOME = home
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true"
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("ALIBABA_CLOUD_") && name !== "ALIBABA_CLOUD_ECS_METADATA_DISABLED") delete process.env[name]
  }
})
afterAll(() => {
  process.env = saved
  rmSync(home, { recursive: true, force: true })
})

const withEnv = (vars: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => Object.assign(process.env, vars)),
    () => Effect.sync(() => Object.keys(vars).forEach((name) => delete process.env[name]))
  )

describe("Promise facade: the official providers", () => {
  it.scopedLive("StaticAKCredentialsProvider: the official Credentials, and a client over it signs for the official SDK", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const provider = yield* closing(() =>
        StaticAKCredentialsProvider.builder().withAccessKeyId(key.accessKeyId).withAccessKeySecret(key.accessKeySecret)
          .build()
      )
      expect(provider.getProviderName()).toBe("static_ak")
      const credentials = yield* promise(() => provider.getCredentials())
      expect(credentials.accessKeyId).toBe(key.accessKeyId)
      expect(credentials.accessKeySecret).toBe(key.accessKeySecret)
      expect(credentials.providerName).toBe("static_ak")
      expect(`${credentials} ${inspect(credentials)} ${JSON.stringify(credentials)}`).not.toContain(key.accessKeySecret)
      const credential = yield* closing(() => new Credential(null, provider))
      expect(credential.getType()).toBe("static_ak")
      expect((yield* callerIdentity(emulator, credential)).statusCode).toBe(200)
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).headers["x-acs-credentials-provider"]).toBe(
        "static_ak"
      )
    }))

  it.scopedLive("StaticSTSCredentialsProvider: the token, masked in every rendering", () =>
    Effect.gen(function*() {
      const provider = yield* closing(() =>
        StaticSTSCredentialsProvider.builder().withAccessKeyId("STS.id").withAccessKeySecret("SECRET-sts-secret")
          .withSecurityToken(token).build()
      )
      const credentials = yield* promise(() => provider.getCredentials())
      expect(credentials.securityToken).toBe(token)
      expect(credentials.providerName).toBe("static_sts")
      const model = yield* promise(() => new Credential(null, provider).getCredential())
      expect(model.securityToken).toBe(token)
      expect(model.type).toBe("static_sts")
    }))

  it.scopedLive("RAMRoleARNCredentialsProvider over a StaticAKCredentialsProvider: our AssumeRole, the official SDK signs with the STS token", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const signer = StaticAKCredentialsProvider.builder().withAccessKeyId(key.accessKeyId).withAccessKeySecret(
        key.accessKeySecret
      ).build()
      const provider = yield* closing(() =>
        RAMRoleARNCredentialsProvider.builder()
          .withCredentialsProvider(signer)
          .withRoleArn(roleArn)
          .withRoleSessionName("facade")
          .withDurationSeconds(3600)
          .withStsEndpoint(emulator.stsUrl)
          .withReadTimeout(2000)
          .withConnectTimeout(2000)
          .build()
      )
      expect(provider.getProviderName()).toBe("ram_role_arn/static_ak")
      const credentials = yield* promise(() => provider.getCredentials())
      expect(credentials.providerName).toBe("ram_role_arn/static_ak")
      expect(credentials.securityToken.length).toBeGreaterThan(0)
      expect(provider.needUpdateCredential()).toBe(false)
      const session = yield* promise(() => provider.getSession())
      expect(session.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect((yield* emulator.counters("sts")).received).toBe(1)
      const credential = yield* closing(() => new Credential(null, provider))
      yield* callerIdentity(emulator, credential)
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).headers["x-acs-security-token"]).toBeDefined()
    }))

  it("RAMRoleARNCredentialsProvider: build() without a signer throws, as the official", () => {
    expect(() => RAMRoleARNCredentialsProvider.builder().withRoleArn(roleArn).build()).toThrow(
      "must specify a previous credentials provider"
    )
  })

  it.scopedLive("RAMRoleARNCredentialsProvider over a custom provider: asked on each AssumeRole, its error's message kept", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      let asked = 0
      const signer: CredentialsProvider = {
        getProviderName: () => "vault",
        getCredentials: () => {
          asked++
          return asked === 1
            ? Promise.resolve({ ...key, securityToken: "", providerName: "vault" })
            : Promise.reject(new Error("the vault is sealed"))
        }
      }
      const role = () =>
        RAMRoleARNCredentialsProvider.builder().withCredentialsProvider(signer).withRoleArn(roleArn).withStsEndpoint(
          emulator.stsUrl
        ).build()
      const first = yield* closing(role)
      expect(first.getProviderName()).toBe("ram_role_arn/vault")
      expect((yield* promise(() => first.getCredentials())).providerName).toBe("ram_role_arn/vault")
      const second = yield* closing(role)
      const error = yield* Effect.flip(promise(() => second.getCredentials()))
      expect(error.message).toContain("the vault is sealed")
      expect(asked).toBe(2)
    }))

  it.scopedLive("OIDCRoleArnCredentialsProvider: AssumeRoleWithOIDC with the token file", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const file = join(home, "oidc-token")
      writeFileSync(file, "eyJhbGciOi.token-1\n")
      const provider = yield* closing(() =>
        OIDCRoleArnCredentialsProvider.builder()
          .withRoleArn(roleArn)
          .withOIDCProviderArn("acs:ram::1234567890123456:oidc-provider/ack")
          .withOIDCTokenFilePath(file)
          .withRoleSessionName("pod")
          .withStsEndpoint(emulator.stsUrl)
          .build()
      )
      expect(provider.lastUpdateTimestamp).toBe(0)
      const credentials = yield* promise(() => provider.getCredentials())
      expect(credentials.providerName).toBe("oidc_role_arn")
      expect(provider.lastUpdateTimestamp).toBeGreaterThan(0)
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).params.Action).toBe("AssumeRoleWithOIDC")
    }))

  it.scopedLive("ECSRAMRoleCredentialsProvider: the metadata service (moved to the emulator)", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      yield* Effect.acquireRelease(
        Effect.sync(() => delete process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED),
        () => Effect.sync(() => void (process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true"))
      )
      const provider = yield* closing(() =>
        ECSRAMRoleCredentialsProvider.builder().withRoleName("EcsRamRole").withMetadataUrl(emulator.metadataUrl)
          .withReadTimeout(2000).build()
      )
      const credentials = yield* promise(() => provider.getCredentials())
      expect(credentials.providerName).toBe("ecs_ram_role")
      expect(credentials.securityToken.length).toBeGreaterThan(0)
    }))

  it.scopedLive("URICredentialsProvider: the credentials URI", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const provider = yield* closing(() =>
        URICredentialsProvider.builder().withCredentialsURI(emulator.credentialsUri).build()
      )
      expect(provider.getProviderName()).toBe("credential_uri")
      expect((yield* promise(() => provider.getCredentials())).securityToken.length).toBeGreaterThan(0)
    }))

  it.scopedLive("EnvironmentVariableCredentialsProvider: reads the variables on every call, as the official", () =>
    Effect.gen(function*() {
      const provider = yield* closing(() => EnvironmentVariableCredentialsProvider.builder().build())
      yield* withEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: "env-id-1", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "SECRET-env-1" })
      expect((yield* promise(() => provider.getCredentials())).accessKeyId).toBe("env-id-1")
      process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = "env-id-2"
      const second = yield* promise(() => provider.getCredentials())
      expect(second.accessKeyId).toBe("env-id-2")
      expect(second.providerName).toBe("env")
    }))

  it.scopedLive("ProfileCredentialsProvider: a section of the ini file, by name", () =>
    Effect.gen(function*() {
      const file = join(home, "credentials.ini")
      writeFileSync(
        file,
        "[default]\ntype = access_key\naccess_key_id = ini-default\naccess_key_secret = SECRET-ini-1\n\n[other]\ntype = access_key\naccess_key_id = ini-other\naccess_key_secret = SECRET-ini-2\n"
      )
      yield* withEnv({ ALIBABA_CLOUD_CREDENTIALS_FILE: file })
      const provider = yield* closing(() => ProfileCredentialsProvider.builder().withProfileName("other").build())
      const credentials = yield* promise(() => provider.getCredentials())
      expect(credentials.accessKeyId).toBe("ini-other")
      expect(credentials.providerName).toBe("profile/static_ak")
      const inner = provider.getCredentialsProvider({
        other: { type: "access_key", access_key_id: "a", access_key_secret: "b" }
      })
      expect(inner.getProviderName()).toBe("static_ak")
      expect(() => provider.getCredentialsProvider({})).toThrow("Can not find credential type for \"other\"")
    }))

  it.scopedLive("CLIProfileCredentialsProvider.builder().withProfileName(): picks that profile of config.json", () =>
    Effect.gen(function*() {
      mkdirSync(join(home, ".aliyun"), { recursive: true })
      writeFileSync(
        join(home, ".aliyun", "config.json"),
        JSON.stringify({
          current: "first",
          profiles: [
            { name: "first", mode: "AK", access_key_id: "cli-first", access_key_secret: "SECRET-cli-1" },
            { name: "second", mode: "AK", access_key_id: "cli-second", access_key_secret: "SECRET-cli-2" }
          ]
        })
      )
      const picked = yield* closing(() => CLIProfileCredentialsProvider.builder().withProfileName("second").build())
      expect(picked.getProviderName()).toBe("cli_profile")
      const credentials = yield* promise(() => picked.getCredentials())
      expect(credentials.accessKeyId).toBe("cli-second")
      expect(credentials.providerName).toBe("cli_profile/static_ak")
      const current = yield* closing(() => new Credential(null, CLIProfileCredentialsProvider.builder().build()))
      expect((yield* promise(() => current.getCredential())).accessKeyId).toBe("cli-first")
    }))

  it.scopedLive("DefaultCredentialsProvider: the default chain (here the environment)", () =>
    Effect.gen(function*() {
      yield* withEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: "env-default", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "SECRET-env-2" })
      const provider = yield* closing(() => DefaultCredentialsProvider.builder().build())
      expect(provider.getProviderName()).toBe("default")
      const credentials = yield* promise(() => provider.getCredentials())
      expect(credentials.accessKeyId).toBe("env-default")
      expect(credentials.providerName).toBe("default/env")
    }))
})

describe("Promise facade: custom providers keep the official semantics", () => {
  const counting = (answer: (n: number) => object) => {
    const provider = {
      asked: 0,
      getProviderName: () => "rotating",
      getCredentials: () => {
        provider.asked++
        return Promise.resolve(answer(provider.asked))
      }
    }
    return provider
  }

  it.scopedLive("an answer without an expiration: asked on every getCredential()", () =>
    Effect.gen(function*() {
      const provider = counting((n) => ({ accessKeyId: `id-${n}`, accessKeySecret: `SECRET-r-${n}` }))
      const credential = yield* closing(() => new Credential(null, provider))
      const ids = []
      for (let i = 0; i < 3; i++) ids.push((yield* promise(() => credential.getCredential())).accessKeyId)
      expect(ids).toEqual(["id-1", "id-2", "id-3"])
      expect(provider.asked).toBe(3)
    }))

  it.scopedLive("an answer with an expiration more than 15 minutes away: kept until then", () =>
    Effect.gen(function*() {
      const provider = counting((n) => ({
        accessKeyId: `id-${n}`,
        accessKeySecret: "s",
        expiration: Date.now() + 60 * 60 * 1000
      }))
      const credential = yield* closing(() => new Credential(null, provider))
      for (let i = 0; i < 3; i++) expect((yield* promise(() => credential.getCredential())).accessKeyId).toBe("id-1")
      expect(provider.asked).toBe(1)
    }))

  it.scopedLive("an answer with an ISO expiration within 15 minutes: asked again (the official refresh rule)", () =>
    Effect.gen(function*() {
      const provider = counting((n) => ({
        accessKeyId: `id-${n}`,
        accessKeySecret: "s",
        expiration: new Date(Date.now() + 10 * 60 * 1000).toISOString()
      }))
      const credential = yield* closing(() => new Credential(null, provider))
      yield* promise(() => credential.getCredential())
      expect((yield* promise(() => credential.getCredential())).accessKeyId).toBe("id-2")
    }))

  it.scopedLive("its error passes through as it is", () =>
    Effect.gen(function*() {
      const failure = new Error("the vault is sealed")
      const credential = yield* closing(() =>
        new Credential(null, { getProviderName: () => "vault", getCredentials: () => Promise.reject(failure) })
      )
      const error = yield* Effect.flip(promise(() => credential.getCredential()))
      expect(error).toBe(failure)
      expect(error.message).toBe("the vault is sealed")
    }))
})

describe("Promise facade: the model and close()", () => {
  it.scopedLive("the model masks its secret and token in util.inspect, JSON.stringify, String and template literals, and keeps them as plain properties", () =>
    Effect.gen(function*() {
      const credential = yield* closing(() =>
        new Credential(
          new Config({
            type: "sts",
            accessKeyId: "STS.LTAI5tMaskedKey0001",
            accessKeySecret: "SECRET-masked-1",
            securityToken: token
          })
        )
      )
      const model = yield* promise(() => credential.getCredential())
      const renderings = [
        inspect(model),
        inspect(model, { depth: 5, showHidden: true }),
        inspect({ nested: [model] }),
        JSON.stringify(model),
        JSON.stringify({ nested: model }),
        String(model),
        `${model}`,
        model.toString(),
        inspect({ ...model }),
        JSON.stringify(Object.assign({}, model))
      ]
      for (const rendering of renderings) {
        expect(rendering).not.toContain("SECRET-masked-1")
        expect(rendering).not.toContain(token)
      }
      expect(JSON.parse(JSON.stringify(model))).toMatchObject({
        accessKeySecret: "<redacted>",
        securityToken: "<redacted>",
        type: "sts"
      })
      expect(typeof model.accessKeySecret).toBe("string")
      expect(model.accessKeySecret).toBe("SECRET-masked-1")
      expect(model.securityToken).toBe(token)
      expect(model.toMap()).toMatchObject({ accessKeySecret: "SECRET-masked-1", securityToken: token })
      // Plain data properties (read through from the credential's model, not enumerable), writable
      // on the caller's own object without touching the next call's.
      expect(Object.keys(model)).not.toContain("accessKeySecret")
      model.accessKeySecret = "changed by the caller"
      expect(model.accessKeySecret).toBe("changed by the caller")
      expect((yield* Effect.promise(() => credential.getCredential())).accessKeySecret).toBe("SECRET-masked-1")
    }))

  it.scopedLive("the official SDK signs with the masked model (an STS token through GetCallerIdentity)", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* closing(() => new Credential(new Config({ type: "access_key", ...key })))
      yield* callerIdentity(emulator, credential)
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).signatureAlgorithm).toBe("ACS3-HMAC-SHA256")
      const model = new CredentialModel({ ...key, type: "access_key" })
      expect(inspect(model)).not.toContain(key.accessKeySecret)
      expect(model.accessKeySecret).toBe(key.accessKeySecret)
    }))

  it.scopedLive("getCredential() after close() rejects saying the client was closed", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const clients = [
        new Credential(new Config({ type: "access_key", ...key })),
        new Credential(new Config({ type: "credentials_uri", credentialsURI: emulator.credentialsUri })),
        new Credential(null, { getProviderName: () => "mine", getCredentials: () => Promise.resolve({ ...key }) })
      ]
      for (const client of clients) {
        yield* promise(() => client.getCredential())
        yield* promise(() => client.close())
        const error = yield* Effect.flip(promise(() => client.getCredential()))
        expect(error.message).toContain("the credential client was closed")
        expect(error.message).not.toContain("ManagedRuntime")
      }
      const never = new Credential(new Config({ type: "access_key", ...key }))
      yield* promise(() => never.close())
      expect((yield* Effect.flip(promise(() => never.getAccessKeyId()))).message).toContain("was closed")
      const provider = URICredentialsProvider.builder().withCredentialsURI(emulator.credentialsUri).build()
      yield* promise(() => provider.getCredentials())
      yield* promise(() => provider.close())
      expect((yield* Effect.flip(promise(() => provider.getCredentials()))).message).toContain(
        "the credentials provider was closed"
      )
    }))

  it("the official Config keys are accepted; the public credential field delegates", () => {
    const config = new Config({
      type: "ecs_ram_role",
      asyncCredentialUpdateEnabled: true,
      enableIMDSv2: true,
      metadataTokenDuration: 21600,
      durationSeconds: 3600,
      publicKeyId: "pk",
      privateKeyFile: "/nowhere",
      roleName: "r"
    })
    expect(config.metadataTokenDuration).toBe(21600)
    expect(config.toMap()).toMatchObject({ type: "ecs_ram_role", enableIMDSv2: true, durationSeconds: 3600 })
    const credential = new Credential(config)
    expect(credential.credential.getType()).toBe("ecs_ram_role")
    return credential.close()
  })
})
