import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Redacted, Stream, TestClock } from "effect"
import * as Changes from "../src/Changes.js"
import * as Credential from "../src/Credential.js"
import { Credentials } from "../src/Credentials.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import { makeFakeUpstream, upstreamDown } from "./fakeUpstream.js"

const credential = (id: string) =>
  Credential.make({ type: "access_key", accessKeyId: id, accessKeySecret: Redacted.make("s"), providerName: "test" })

describe("Credentials", () => {
  it.effect("layer: a static source, through the service", () =>
    Effect.gen(function*() {
      const credentials = yield* Credentials
      const got = yield* credentials.get
      expect(got.accessKeyId).toBe("LTAI-static")
      expect(yield* credentials.get).toBe(got)
    }).pipe(Effect.provide(Credentials.layer(AccessKey.make({ accessKeyId: "LTAI-static", accessKeySecret: "s" })))))

  it.effect("layer: a refreshing source, rotating under the TestClock, seen on changes", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      yield* Effect.gen(function*() {
        const credentials = yield* Credentials
        const rotations = yield* Changes.of(credentials).pipe(Stream.take(2), Stream.runCollect, Effect.fork)
        const first = yield* credentials.get
        yield* TestClock.adjust("1 hour")
        const ids = Chunk.toReadonlyArray(yield* Fiber.join(rotations)).map((c) => c.accessKeyId)
        expect(ids).toEqual([first.accessKeyId, "STS.fake-2"])
      }).pipe(Effect.provide(Credentials.layer(upstream.source)))
    }))

  it.effect("layerChain: sources in order, with the chain's name", () =>
    Effect.gen(function*() {
      const got = yield* (yield* Credentials).get
      expect(got.providerName).toBe("default/static_ak")
    }).pipe(Effect.provide(Credentials.layerChain(
      [
        AccessKey.make({ accessKeyId: "", accessKeySecret: "s" }),
        AccessKey.make({ accessKeyId: "second", accessKeySecret: "s" })
      ],
      { name: "default" }
    ))))

  it.effect("layerCredential: always the same credential", () =>
    Effect.gen(function*() {
      const credentials = yield* Credentials
      expect((yield* credentials.get).accessKeyId).toBe("fixed")
      expect((yield* credentials.get).accessKeyId).toBe("fixed")
    }).pipe(Effect.provide(Credentials.layerCredential(credential("fixed")))))

  it.effect("layerTest: scripted credentials and errors, the last repeating", () =>
    Effect.gen(function*() {
      const credentials = yield* Credentials
      const latest = Changes.of(credentials).pipe(
        Stream.runHead,
        Effect.map((c) => c._tag === "Some" ? c.value.accessKeyId : "none")
      )
      expect((yield* credentials.get).accessKeyId).toBe("one")
      expect(yield* latest).toBe("one")
      expect(yield* Effect.flip(credentials.get)).toBe(upstreamDown)
      expect((yield* credentials.get).accessKeyId).toBe("two")
      expect((yield* credentials.get).accessKeyId).toBe("two")
      expect(yield* latest).toBe("two")
    }).pipe(Effect.provide(Credentials.layerTest([credential("one"), upstreamDown, credential("two")]))))
})
