import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import * as Environment from "../src/sources/Environment.js"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("Environment", () => {
  it.effect("an id and a secret: an access_key credential named env", () =>
    Effect.gen(function*() {
      const credential = yield* Environment.make().pipe(withEnv({
        ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI-env",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "env-secret"
      }))
      expect(credential).toMatchObject({ type: "access_key", accessKeyId: "LTAI-env", providerName: "env" })
      expect(Redacted.value(credential.accessKeySecret)).toBe("env-secret")
      expect(credential.securityToken).toBeUndefined()
    }))

  it.effect("with a security token: an sts credential", () =>
    Effect.gen(function*() {
      const credential = yield* Environment.make().pipe(withEnv({
        ALIBABA_CLOUD_ACCESS_KEY_ID: "STS.env",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "env-secret",
        ALIBABA_CLOUD_SECURITY_TOKEN: "env-token"
      }))
      expect(credential.type).toBe("sts")
      expect(Redacted.value(credential.securityToken!)).toBe("env-token")
    }))

  it.effect("an empty security token counts as none", () =>
    Effect.gen(function*() {
      const credential = yield* Environment.make().pipe(withEnv({
        ALIBABA_CLOUD_ACCESS_KEY_ID: "id",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s",
        ALIBABA_CLOUD_SECURITY_TOKEN: ""
      }))
      expect(credential.type).toBe("access_key")
    }))

  it.effect("no id: NotConfigured, naming the variables to set", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Environment.make().pipe(withEnv({})))
      expect(error._tag).toBe("NotConfigured")
      expect(error.message).toBe(
        "env: not configured: ALIBABA_CLOUD_ACCESS_KEY_ID is not set. Fix: export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for an STS token)"
      )
    }))

  it.effect("an empty id is the same as none", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Environment.make().pipe(withEnv({
          ALIBABA_CLOUD_ACCESS_KEY_ID: "",
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s"
        }))
      )
      expect(error._tag).toBe("NotConfigured")
    }))

  it.effect("a secret without an id is not configured (the official rule: the id comes first)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Environment.make().pipe(withEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s" })))
      expect(error._tag).toBe("NotConfigured")
    }))

  for (const secret of [undefined, ""]) {
    it.effect(`an id with ${secret === undefined ? "no" : "an empty"} secret: InvalidConfiguration naming the secret variable`, () =>
      Effect.gen(function*() {
        const env: Record<string, string> = { ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI-env" }
        if (secret !== undefined) env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = secret
        const error = yield* Effect.flip(Environment.make().pipe(withEnv(env)))
        expect(error).toMatchObject({
          _tag: "InvalidConfiguration",
          source: "env",
          field: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
          reason: "is not set, but ALIBABA_CLOUD_ACCESS_KEY_ID is"
        })
      }))
  }

  it.effect("reads the environment on every call", () =>
    Effect.gen(function*() {
      const first = yield* Environment.make().pipe(withEnv({
        ALIBABA_CLOUD_ACCESS_KEY_ID: "one",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s"
      }))
      const second = yield* Environment.make().pipe(withEnv({
        ALIBABA_CLOUD_ACCESS_KEY_ID: "two",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s"
      }))
      expect([first.accessKeyId, second.accessKeyId]).toEqual(["one", "two"])
    }))
})
