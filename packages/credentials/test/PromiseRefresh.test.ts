// The Promise facade's forced refresh: `refresh()` on the client and on the providers, against the
// emulator with a session revoked through its control API; the official STS client signs the calls
// (it stamps them with the wall clock, so these tests run on the live clock, as Promise.test.ts).
import { Emulator } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { createRequire } from "node:module"
import { Credentials } from "../src/Credentials.js"
import Credential, { Config, RAMRoleARNCredentialsProvider, StaticAKCredentialsProvider } from "./facade.js"

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

type OfficialCredential = InstanceType<typeof import("@alicloud/credentials").default>

const key = { accessKeyId: "LTAI5tRefreshTestKey01", accessKeySecret: "refresh-secret-0001" } as const
const roleArn = "acs:ram::1234567890123456:role/test-role"

const closing = <A extends { close: () => Promise<void> }>(make: () => A) =>
  Effect.acquireRelease(Effect.sync(make), (c) => Effect.promise(() => c.close()))

const promise = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as Error & { code?: string } }).pipe(
    Effect.timeoutFail({
      duration: Duration.seconds(10),
      onTimeout: () => new Error("test timeout") as Error & { code?: string }
    })
  )

const sts = (emulator: Emulator.EmulatorShape, credential: Credential) =>
  new Sts20150401.default(
    new OpenApi.Config({
      credential: credential as unknown as OfficialCredential,
      endpoint: emulator.stsEndpoint,
      protocol: "http",
      connectTimeout: 2000,
      readTimeout: 2000
    })
  )

const assumeRoles = (emulator: Emulator.EmulatorShape) =>
  Effect.map(emulator.requests("sts"), (requests) => requests.filter((r) => r.params.Action === "AssumeRole").length)

const start = Emulator.make({ accessKeys: [key] })

describe("Promise facade: refresh()", () => {
  it.scopedLive("a revoked session: the official client's call fails with InvalidSecurityToken.Expired; after refresh() it succeeds", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const credential = yield* closing(() =>
        new Credential(new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl }))
      )
      const client = sts(emulator, credential)
      expect((yield* promise(() => client.getCallerIdentity())).statusCode).toBe(200)
      const refused = yield* promise(() => credential.getCredential())
      yield* emulator.revoke(refused.accessKeyId ?? "")

      const error = yield* Effect.flip(promise(() => client.getCallerIdentity()))
      expect(error.code).toBe("InvalidSecurityToken.Expired")
      // the official SDK's error is recognised by the default predicate of retryOnAuthError
      expect(Credentials.isAuthError(error)).toBe(true)

      // refresh() once, shared by the calls made meanwhile
      const models = yield* promise(() =>
        Promise.all([credential.refresh(), credential.refresh(), credential.getCredential()])
      )
      expect(models[0].accessKeyId).not.toBe(refused.accessKeyId)
      expect(models[1].accessKeyId).toBe(models[0].accessKeyId)
      expect(models[0].securityToken).toBeDefined()
      expect(models[0].type).toBe("ram_role_arn")
      expect(yield* assumeRoles(emulator)).toBe(2)

      expect((yield* promise(() => client.getCallerIdentity())).statusCode).toBe(200)
      expect((yield* promise(() => credential.getCredential())).accessKeyId).toBe(models[0].accessKeyId)
      expect(yield* assumeRoles(emulator)).toBe(2)
    }))

  it.scopedLive("providers: refresh() and the official refreshSession() fetch a new session; a failed refresh rejects and keeps the cached one", () =>
    Effect.gen(function*() {
      const emulator = yield* start
      const provider = yield* closing(() =>
        RAMRoleARNCredentialsProvider.builder()
          .withCredentialsProvider(
            StaticAKCredentialsProvider.builder().withAccessKeyId(key.accessKeyId).withAccessKeySecret(
              key.accessKeySecret
            ).build()
          )
          .withRoleArn(roleArn)
          .withStsEndpoint(emulator.stsUrl)
          .build()
      )
      const first = yield* promise(() => provider.getCredentials())
      const second = yield* promise(() => provider.refresh())
      expect(second.accessKeyId).not.toBe(first.accessKeyId)
      expect((yield* promise(() => provider.getCredentials())).accessKeyId).toBe(second.accessKeyId)
      yield* promise(() => provider.refreshSession())
      const third = yield* promise(() => provider.getSession())
      expect(third.accessKeyId).not.toBe(second.accessKeyId)
      expect(yield* assumeRoles(emulator)).toBe(3)

      yield* emulator.revoke(key.accessKeyId)
      const error = yield* Effect.flip(promise(() => provider.refresh()))
      expect(error.message).toContain("InvalidAccessKeyId.NotFound")
      expect((yield* promise(() => provider.getCredentials())).accessKeyId).toBe(third.accessKeyId)
    }))

  it.scopedLive("a custom provider is asked again even when its answer has not expired; refresh() after close() rejects", () =>
    Effect.gen(function*() {
      let asked = 0
      const custom = {
        getProviderName: () => "custom",
        getCredentials: async () => {
          asked++
          return { accessKeyId: `id-${asked}`, accessKeySecret: "s", expiration: Date.now() + 3_600_000 }
        }
      }
      const credential = new Credential(null, custom)
      expect((yield* promise(() => credential.getCredential())).accessKeyId).toBe("id-1")
      expect((yield* promise(() => credential.getCredential())).accessKeyId).toBe("id-1")
      expect((yield* promise(() => credential.refresh())).accessKeyId).toBe("id-2")
      expect((yield* promise(() => credential.getCredential())).accessKeyId).toBe("id-2")
      yield* promise(() => credential.close())
      expect((yield* Effect.flip(promise(() => credential.refresh()))).message).toContain("was closed")

      const staticClient = new Credential(new Config({ type: "access_key", ...key }))
      expect((yield* promise(() => staticClient.refresh())).accessKeyId).toBe(key.accessKeyId)
      yield* promise(() => staticClient.close())
      expect((yield* Effect.flip(promise(() => staticClient.refresh()))).message).toContain("was closed")
    }))
})
