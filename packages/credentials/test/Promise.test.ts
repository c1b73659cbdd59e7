// The Promise facade given to the real official clients (@alicloud/sts20150401 on openapi-core,
// @alicloud/openapi-client), against the emulator, which verifies their signatures. The SDKs stamp
// requests with the wall clock, so these tests run on the live clock (it.scopedLive), each call
// bounded by client timeouts and an Effect timeout.
import { Emulator, Hostile } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { createRequire } from "node:module"
import { inspect } from "node:util"
import Credential, { Config, CredentialModel } from "./facade.js"

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

type OfficialCredential = InstanceType<typeof import("@alicloud/credentials").default>

const key = { accessKeyId: "LTAI5tFacadeTestKey001", accessKeySecret: "facade-secret-0001" } as const
const roleArn = "acs:ram::1234567890123456:role/test-role"

// Acquires a facade object and closes it with the test's scope.
const facade = (make: () => Credential) =>
  Effect.acquireRelease(Effect.sync(make), (c) => Effect.promise(() => c.close()))

const promise = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as Error & { code?: string; cause?: unknown } }).pipe(
    Effect.timeoutFail({
      duration: Duration.seconds(10),
      onTimeout: () => new Error("test timeout") as Error & { code?: string }
    })
  )

const sts = (emulator: Emulator.EmulatorShape, credential: Credential, extra: Record<string, unknown> = {}) =>
  new Sts20150401.default(
    new OpenApi.Config({
      // typed as the official class; the client calls only the methods both have
      credential: credential as unknown as OfficialCredential,
      endpoint: emulator.stsEndpoint,
      protocol: "http",
      connectTimeout: 2000,
      readTimeout: 2000,
      ...extra
    })
  )

const start = Emulator.make({ accessKeys: [key] })

describe("Promise facade", () => {
  it.scopedLive("access_key: the official model, type and getters", () =>
    Effect.gen(function*() {
      const credential = yield* facade(() => new Credential(new Config({ type: "access_key", ...key })))
      const model = yield* promise(() => credential.getCredential())
      expect(model).toBeInstanceOf(CredentialModel)
      expect(model.accessKeyId).toBe(key.accessKeyId)
      expect(model.accessKeySecret).toBe(key.accessKeySecret)
      expect(model.securityToken).toBeUndefined()
      expect(model.type).toBe("access_key")
      expect(model.providerName).toBe("static_ak")
      expect(credential.getType()).toBe("access_key")
      expect(yield* promise(() => credential.getAccessKeyId())).toBe(key.accessKeyId)
      expect(yield* promise(() => credential.getAccessKeySecret())).toBe(key.accessKeySecret)
      expect(yield* promise(() => credential.getSecurityToken())).toBeUndefined()
      expect(credential.getBearerToken()).toBeUndefined()
      expect(`${credential} ${inspect(credential)} ${JSON.stringify(credential)}`).not.toContain(key.accessKeySecret)
    }))

  it.scopedLive("the official GetCallerIdentity, signed (ACS3-HMAC-SHA256) with our credential, verified by the emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* facade(() => new Credential(new Config({ type: "access_key", ...key })))
      const answer = yield* promise(() => sts(emulator, credential).getCallerIdentity())
      expect(answer.statusCode).toBe(200)
      const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
      expect(request.signatureAlgorithm).toBe("ACS3-HMAC-SHA256")
      expect(request.headers["x-acs-credentials-provider"]).toBe("static_ak")
    }))

  it.scopedLive("the same with RPC signature v1 (signatureAlgorithm v2)", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* facade(() => new Credential(new Config({ type: "access_key", ...key })))
      yield* promise(() => sts(emulator, credential, { signatureAlgorithm: "v2" }).getCallerIdentity())
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).signatureAlgorithm).toBe("HMAC-SHA1")
    }))

  it.scopedLive("ram_role_arn: our AssumeRole, then the official client signs with the STS token", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* facade(() =>
        new Credential(new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl }))
      )
      const answer = yield* promise(() => sts(emulator, credential).getCallerIdentity())
      expect(answer.statusCode).toBe(200)
      const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
      expect(request.headers["x-acs-security-token"]).toBeDefined()
      expect(request.headers["x-acs-credentials-provider"]).toBe("ram_role_arn/static_ak")
    }))

  it.scopedLive("concurrent first calls on a cold ram_role_arn client: one AssumeRole", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* facade(() =>
        new Credential(new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl }))
      )
      const models = yield* promise(() => Promise.all(Array.from({ length: 50 }, () => credential.getCredential())))
      expect(new Set(models.map((m) => m.accessKeyId)).size).toBe(1)
      expect((yield* emulator.counters("sts")).received).toBe(1)
    }))

  it.scopedLive("a wrong secret: the official client's SignatureDoesNotMatch", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* facade(() =>
        new Credential(new Config({ type: "access_key", accessKeyId: key.accessKeyId, accessKeySecret: "wrong" }))
      )
      const error = yield* Effect.flip(promise(() => sts(emulator, credential).getCallerIdentity()))
      expect(error.code).toBe("SignatureDoesNotMatch")
    }))

  it.scopedLive("bearer: the official client sends the bearer token (BEARERTOKEN)", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* facade(() =>
        new Credential(new Config({ type: "bearer", bearerToken: "bearer-token-1" }))
      )
      expect(credential.getBearerToken()).toBe("bearer-token-1")
      const model = yield* promise(() => credential.getCredential())
      expect(model.toMap()).toEqual({
        accessKeyId: "",
        accessKeySecret: "",
        securityToken: "",
        bearerToken: "bearer-token-1",
        type: "bearer"
      })
      expect(`${model} ${inspect(model)} ${JSON.stringify(model)}`).not.toContain("bearer-token-1")
      yield* Effect.flip(promise(() => sts(emulator, credential).getCallerIdentity()))
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).signatureAlgorithm).toMatch(/BEARER/i)
    }))

  it.scopedLive("errors reject as Errors whose cause is the typed error, without the secret", () =>
    Effect.gen(function*() {
      const credential = yield* facade(() =>
        new Credential(new Config({ type: "sts", accessKeyId: "id", accessKeySecret: "SECRET-1", securityToken: "" }))
      )
      const error = yield* Effect.flip(promise(() => credential.getCredential()))
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toContain("securityToken is missing")
      expect(error.cause).toMatchObject({ _tag: "InvalidConfiguration", field: "securityToken" })
      expect(`${error.message} ${inspect(error)}`).not.toContain("SECRET-1")
    }))

  it.scopedLive("timeout and connectTimeout bound the whole getCredential(), retries included: an STS that never answers", () =>
    Effect.gen(function*() {
      const stsUrl = yield* Hostile.silent
      const c = yield* facade(() =>
        new Credential(
          new Config({
            type: "ram_role_arn",
            ...key,
            roleArn,
            stsEndpoint: stsUrl,
            timeout: 1000,
            connectTimeout: 1000
          })
        )
      )
      const error = yield* Effect.flip(promise(() => c.getCredential()))
      // One attempt: after the 1 s read timeout, the 2 s budget leaves no room for a whole retry.
      expect(error.message).toContain("ram_role_arn")
      expect(error.message).toMatch(/read timeout|time budget/)
      expect(error.message).toContain("(1 attempt in")
    }))

  it("a missing or unknown type throws in the constructor, as the official tool", () => {
    expect(() => new Credential(new Config({}))).toThrow("Missing required type option")
    expect(() => new Credential(new Config({ type: "rsa_key_pair" }))).toThrow("Invalid type option")
  })

  it.scopedLive("the default chain (type default), pointed at the emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* facade(() =>
        Credential.defaultChain({
          metadataUrl: emulator.metadataUrl,
          credentialsUri: emulator.credentialsUri,
          stsEndpoint: emulator.stsUrl
        })
      )
      expect(credential.getType()).toBe("default")
      const model = yield* promise(() => credential.getCredential())
      expect(model.type).toBe("default")
      expect(model.providerName).toMatch(/^default\//)
    }))

  it.scopedLive("a custom provider, as in the official tool: type is its name, providerName its answer's", () =>
    Effect.gen(function*() {
      const credential = yield* facade(() =>
        new Credential(null, {
          getProviderName: () => "mine",
          getCredentials: () => Promise.resolve({ accessKeyId: "custom", accessKeySecret: "s" })
        })
      )
      expect(credential.getType()).toBe("mine")
      const model = yield* promise(() => credential.getCredential())
      expect(model.toMap()).toEqual({ accessKeyId: "custom", accessKeySecret: "s", type: "mine" })
    }))
})
