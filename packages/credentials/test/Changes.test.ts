// `Credentials.Service.subscribe` (a queue per subscriber) and `Changes` (the same as a Stream):
// the current credential first, every new one after, a bounded backlog, and a subscriber that
// shuts its queue down or goes away harming nobody.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Exit, Fiber, Layer, Queue, Redacted, Scope, Stream, TestClock } from "effect"
import * as Changes from "../src/Changes.js"
import * as Credential from "../src/Credential.js"
import { Credentials } from "../src/Credentials.js"
import { makeFakeUpstream } from "./fakeUpstream.js"

const credential = (id: string) =>
  Credential.make({ type: "access_key", accessKeyId: id, accessKeySecret: Redacted.make("s"), providerName: "test" })

const script = Array.from({ length: 20 }, (_, i) => credential(`key-${i}`))
const ids = (items: Iterable<Credential.Credential>) => Array.from(items, (c) => c.accessKeyId)

describe("Credentials.subscribe and Changes", () => {
  it.scoped("a subscriber gets the current credential first, then each new one", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const credentials = Context.get(yield* Layer.build(Credentials.layer(upstream.source)), Credentials)
      const early = yield* credentials.subscribe
      expect(yield* Queue.size(early)).toBe(0) // nothing fetched yet
      const first = yield* credentials.get
      const late = yield* credentials.subscribe
      yield* TestClock.adjust("1 hour")
      const expected = [first.accessKeyId, "STS.fake-2"]
      expect(ids(yield* Queue.takeAll(early))).toEqual(expected)
      expect(ids(yield* Queue.takeAll(late))).toEqual(expected)
    }))

  it.scoped("a subscriber that never reads holds the 16 latest credentials, not every one", () =>
    Effect.gen(function*() {
      const credentials = Context.get(
        yield* Layer.build(Credentials.layerTest([script[0]!, ...script.slice(1)])),
        Credentials
      )
      const idle = yield* credentials.subscribe
      yield* Effect.repeatN(credentials.get, 19)
      expect(ids(yield* Queue.takeAll(idle))).toEqual(ids(script.slice(4)))
    }))

  it.scoped("a subscriber that shuts its queue down, or whose scope closes, stops nothing", () =>
    Effect.gen(function*() {
      const credentials = Context.get(
        yield* Layer.build(Credentials.layerTest([script[0]!, ...script.slice(1)])),
        Credentials
      )
      const rude = yield* credentials.subscribe
      yield* Queue.shutdown(rude)
      const scope = yield* Scope.make()
      const gone = yield* Scope.extend(credentials.subscribe, scope)
      yield* Scope.close(scope, Exit.void)
      expect(yield* Queue.isShutdown(gone)).toBe(true)
      const stays = yield* credentials.subscribe
      expect((yield* credentials.get).accessKeyId).toBe("key-0")
      expect((yield* credentials.get).accessKeyId).toBe("key-1")
      expect(ids(yield* Queue.takeAll(stays))).toEqual(["key-0", "key-1"])
    }))

  it.scoped("Changes.changes: the program's service as a Stream, each run a subscription of its own", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      yield* Effect.gen(function*() {
        const runs = yield* Effect.all(
          [Changes.changes, Changes.changes].map((stream) => stream.pipe(Stream.take(2), Stream.runCollect)),
          { concurrency: "unbounded" }
        ).pipe(Effect.fork)
        yield* (yield* Credentials).get
        yield* TestClock.adjust("1 hour")
        const [a, b] = yield* Fiber.join(runs)
        expect(ids(Chunk.toReadonlyArray(a!))).toEqual(["STS.fake-1", "STS.fake-2"])
        expect(ids(Chunk.toReadonlyArray(b!))).toEqual(["STS.fake-1", "STS.fake-2"])
      }).pipe(Effect.provide(Credentials.layer(upstream.source)))
    }))
})
