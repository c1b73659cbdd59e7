import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Ref } from "effect"
import * as Chain from "../src/Chain.js"
import { InvalidConfiguration, NotConfigured, UpstreamError } from "../src/CredentialsError.js"
import type { Source } from "../src/Source.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as Environment from "../src/sources/Environment.js"

const notConfigured = (source: string): Source =>
  Effect.fail(new NotConfigured({ source, reason: `${source} has nothing`, fix: `configure ${source}` }))
const broken = (source: string): Source =>
  Effect.fail(new UpstreamError({ source, endpoint: "http://127.0.0.1:1/", status: 403, code: "NoPermission" }))
// A profile the user selected that cannot be used: its error names the selection.
const selectedButBroken = (source: string): Source =>
  Effect.fail(
    new InvalidConfiguration({
      source,
      field: "profiles[\"prod\"].ram_role_arn",
      reason: "is missing",
      selection: "the profile \"prod\", selected by ALIBABA_CLOUD_PROFILE"
    })
  )
const static_ = (id: string) => AccessKey.make({ accessKeyId: id, accessKeySecret: "s" })

// Counts how often a source is asked.
const counted = (source: Source) =>
  Effect.map(Ref.make(0), (calls) => ({
    source: Effect.zipRight(Ref.update(calls, (n) => n + 1), source),
    calls: Ref.get(calls)
  }))

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("Chain.orElse", () => {
  it.effect("takes the first source that works", () =>
    Effect.gen(function*() {
      const credential = yield* notConfigured("a").pipe(Chain.orElse(static_("b-id")), Chain.orElse(static_("c-id")))
      expect(credential.accessKeyId).toBe("b-id")
    }))

  it.effect("lists every failure, flattened, in order", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        notConfigured("a").pipe(Chain.orElse(broken("b")), Chain.orElse(notConfigured("c")))
      )
      expect(error._tag).toBe("ChainExhausted")
      if (error._tag !== "ChainExhausted") return
      expect(error.failures.map((e) => e.source)).toEqual(["a", "b", "c"])
    }))

  it.effect("with onError: stop, a configured source that fails stops the chain", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(broken("a").pipe(Chain.orElse(static_("b"), { onError: "stop" })))
      expect(error._tag).toBe("ChainExhausted")
      if (error._tag !== "ChainExhausted") return
      expect(error.failures.map((e) => e.source)).toEqual(["a"])
    }))
})

describe("an error with a selection ends the chain", () => {
  it.effect("orElse: the error itself, the next source never asked", () =>
    Effect.gen(function*() {
      const next = yield* counted(static_("next"))
      const error = yield* Effect.flip(selectedButBroken("cli_profile").pipe(Chain.orElse(next.source)))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "cli_profile" })
      expect(yield* next.calls).toBe(0)
      // after sources that failed before it, too: the selection is the answer, not a ChainExhausted
      const later = yield* Effect.flip(
        notConfigured("env").pipe(Chain.orElse(selectedButBroken("cli_profile")), Chain.orElse(next.source))
      )
      expect(later._tag).toBe("InvalidConfiguration")
      expect(yield* next.calls).toBe(0)
    }))

  it.effect("make, with either onError, and explain", () =>
    Effect.gen(function*() {
      for (const onError of ["continue", "stop"] as const) {
        const next = yield* counted(static_("next"))
        const chain = yield* Chain.make([notConfigured("env"), selectedButBroken("cli_profile"), next.source], {
          name: "default",
          onError
        })
        const error = yield* Effect.flip(chain)
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "cli_profile" })
        expect(yield* next.calls).toBe(0)
      }
      const steps = yield* Chain.explain([["env", notConfigured("env")], [
        "cli_profile",
        selectedButBroken("cli_profile")
      ], [
        "key",
        static_("next")
      ]])
      expect(steps.map((step) => step._tag)).toEqual(["Skipped", "Skipped", "NotTried"])
    }))
})

describe("Chain.make", () => {
  it.effect("sources in order: each wins when the ones before it are not configured", () =>
    Effect.gen(function*() {
      const sources = [Environment.make(), static_("second")]
      const chain = yield* Chain.make(sources, { name: "default" })
      const fromEnv = yield* chain.pipe(
        withEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: "first", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s" })
      )
      expect(fromEnv.accessKeyId).toBe("first")
      expect(fromEnv.providerName).toBe("default/env")
      const other = yield* Chain.make(sources, { name: "default" })
      const fromStatic = yield* other.pipe(withEnv({}))
      expect(fromStatic.accessKeyId).toBe("second")
      expect(fromStatic.providerName).toBe("default/static_ak")
    }))

  it.effect("moves on past a configured source that fails (the official behaviour)", () =>
    Effect.gen(function*() {
      const chain = yield* Chain.make([broken("first"), static_("second")])
      expect((yield* chain).accessKeyId).toBe("second")
    }))

  it.effect("with onError: stop, reports the configured source's failure instead of moving on", () =>
    Effect.gen(function*() {
      const chain = yield* Chain.make([notConfigured("a"), broken("b"), static_("c")], {
        onError: "stop",
        name: "mine"
      })
      const error = yield* Effect.flip(chain)
      expect(error.message).toBe(
        [
          "mine: no source of the chain produced a credential; tried in order:",
          "  - a: not configured: a has nothing. Fix: configure a",
          "  - b: http://127.0.0.1:1/ answered HTTP 403: NoPermission"
        ].join("\n")
      )
    }))

  it.effect("the final error has one line per source, each with its reason and fix", () =>
    Effect.gen(function*() {
      const chain = yield* Chain.make([Environment.make(), notConfigured("cli_profile"), broken("credentials_uri")], {
        name: "default"
      })
      const error = yield* Effect.flip(chain.pipe(withEnv({})))
      expect(error._tag).toBe("ChainExhausted")
      expect(error.source).toBe("default")
      expect(error.message.split("\n")).toEqual([
        "default: no source of the chain produced a credential; tried in order:",
        "  - env: not configured: ALIBABA_CLOUD_ACCESS_KEY_ID is not set. Fix: export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for an STS token)",
        "  - cli_profile: not configured: cli_profile has nothing. Fix: configure cli_profile",
        "  - credentials_uri: http://127.0.0.1:1/ answered HTTP 403: NoPermission"
      ])
    }))

  it.effect("a single failing source still gives a ChainExhausted listing it", () =>
    Effect.gen(function*() {
      const chain = yield* Chain.make([notConfigured("only")])
      const error = yield* Effect.flip(chain)
      expect(error._tag).toBe("ChainExhausted")
    }))

  it.effect("an empty chain fails with an empty list", () =>
    Effect.gen(function*() {
      const chain = yield* Chain.make<never>([])
      const error = yield* Effect.flip(chain)
      expect(error).toMatchObject({ _tag: "ChainExhausted", failures: [] })
    }))

  it.effect("after a success the chain is pinned to the winner; its errors are then reported as they are", () =>
    Effect.gen(function*() {
      const failing = yield* Ref.make(false)
      const second: Source = Effect.flatMap(Ref.get(failing), (fail) => (fail ? broken("second") : static_("second")))
      const first = yield* counted(notConfigured("first"))
      const chain = yield* Chain.make([first.source, second, static_("third")])
      expect((yield* chain).accessKeyId).toBe("second")
      yield* Ref.set(failing, true)
      const error = yield* Effect.flip(chain)
      expect(error).toMatchObject({ _tag: "UpstreamError", source: "second" })
      expect(yield* first.calls).toBe(1)
    }))

  it.effect("after a failure the chain is not pinned: the next call walks every source again", () =>
    Effect.gen(function*() {
      const configured = yield* Ref.make(false)
      const first: Source = Effect.flatMap(
        Ref.get(configured),
        (ok) => (ok ? static_("first") : notConfigured("first"))
      )
      const chain = yield* Chain.make([first, notConfigured("last")])
      yield* Effect.flip(chain)
      yield* Ref.set(configured, true)
      expect((yield* chain).accessKeyId).toBe("first")
    }))
})
