import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as Bearer from "../src/sources/Bearer.js"
import * as Sts from "../src/sources/Sts.js"

// Plain JavaScript callers (and the Promise facade) can pass anything: every field is checked.
const loose = <A>(options: Record<string, unknown>) => options as unknown as A

describe("AccessKey", () => {
  it.effect("hands out an access_key credential named static_ak", () =>
    Effect.gen(function*() {
      const credential = yield* AccessKey.make({ accessKeyId: "LTAI-id", accessKeySecret: "the-secret" })
      expect(credential.type).toBe("access_key")
      expect(credential.accessKeyId).toBe("LTAI-id")
      expect(Redacted.value(credential.accessKeySecret)).toBe("the-secret")
      expect(credential.securityToken).toBeUndefined()
      expect(credential.expiration).toBeUndefined()
      expect(credential.providerName).toBe("static_ak")
    }))

  it.effect("takes the secret as a Redacted too", () =>
    Effect.gen(function*() {
      const secret = Redacted.make("the-secret")
      const credential = yield* AccessKey.make({ accessKeyId: "LTAI-id", accessKeySecret: secret })
      expect(Redacted.value(credential.accessKeySecret)).toBe("the-secret")
    }))

  const cases: ReadonlyArray<[string, Record<string, unknown>, string, string]> = [
    ["missing id", { accessKeySecret: "s" }, "accessKeyId", "is missing"],
    ["empty id", { accessKeyId: "", accessKeySecret: "s" }, "accessKeyId", "is empty"],
    ["numeric id", { accessKeyId: 42, accessKeySecret: "s" }, "accessKeyId", "must be a string, got a number"],
    ["missing secret", { accessKeyId: "id" }, "accessKeySecret", "is missing"],
    ["empty secret", { accessKeyId: "id", accessKeySecret: "" }, "accessKeySecret", "is empty"],
    ["empty redacted secret", { accessKeyId: "id", accessKeySecret: Redacted.make("") }, "accessKeySecret", "is empty"],
    ["null secret", { accessKeyId: "id", accessKeySecret: null }, "accessKeySecret", "must be a string, got null"],
    ["object secret", { accessKeyId: "id", accessKeySecret: {} }, "accessKeySecret", "must be a string, got an object"],
    [
      "lone surrogate",
      { accessKeyId: "id\uD800", accessKeySecret: "s" },
      "accessKeyId",
      "is not valid Unicode (it holds a lone UTF-16 surrogate)"
    ]
  ]
  for (const [name, options, field, reason] of cases) {
    it.effect(`${name}: InvalidConfiguration naming ${field}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(AccessKey.make(loose(options)))
        expect(error._tag).toBe("InvalidConfiguration")
        expect(error).toMatchObject({ source: "access_key", field, reason })
        expect(error.message).toContain(`access_key: invalid configuration: ${field} ${reason}. Fix:`)
      }))
  }
})

describe("Sts", () => {
  it.effect("hands out an sts credential named static_sts", () =>
    Effect.gen(function*() {
      const credential = yield* Sts.make({ accessKeyId: "STS.id", accessKeySecret: "s", securityToken: "t" })
      expect(credential.type).toBe("sts")
      expect(credential.providerName).toBe("static_sts")
      expect(Redacted.value(credential.securityToken!)).toBe("t")
    }))

  const cases: ReadonlyArray<[string, Record<string, unknown>, string, string]> = [
    ["missing id", { accessKeySecret: "s", securityToken: "t" }, "accessKeyId", "is missing"],
    ["empty secret", { accessKeyId: "id", accessKeySecret: "", securityToken: "t" }, "accessKeySecret", "is empty"],
    ["missing token", { accessKeyId: "id", accessKeySecret: "s" }, "securityToken", "is missing"],
    ["empty token", { accessKeyId: "id", accessKeySecret: "s", securityToken: "" }, "securityToken", "is empty"],
    [
      "numeric token",
      { accessKeyId: "id", accessKeySecret: "s", securityToken: 1 },
      "securityToken",
      "must be a string, got a number"
    ]
  ]
  for (const [name, options, field, reason] of cases) {
    it.effect(`${name}: InvalidConfiguration naming ${field}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Sts.make(loose(options)))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "sts", field, reason })
      }))
  }
})

describe("Bearer", () => {
  it.effect("hands out a bearer credential with empty AccessKey fields", () =>
    Effect.gen(function*() {
      const credential = yield* Bearer.make({ bearerToken: "bt" })
      expect(credential.type).toBe("bearer")
      expect(credential.accessKeyId).toBe("")
      expect(Redacted.value(credential.bearerToken!)).toBe("bt")
    }))

  const cases: ReadonlyArray<[string, Record<string, unknown>, string]> = [
    ["missing token", {}, "is missing"],
    ["empty token", { bearerToken: "" }, "is empty"],
    ["wrong type", { bearerToken: ["bt"] }, "must be a string, got an array"]
  ]
  for (const [name, options, reason] of cases) {
    it.effect(`${name}: InvalidConfiguration naming bearerToken`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Bearer.make(loose(options)))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "bearer", field: "bearerToken", reason })
      }))
  }

  it.effect("options that are not an object at all: InvalidConfiguration, no crash", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Bearer.make(undefined as unknown as Bearer.Options))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "bearerToken", reason: "is missing" })
    }))
})
