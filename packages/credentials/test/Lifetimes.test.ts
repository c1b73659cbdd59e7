// What a caller waits on ends when what it waits for is gone: the subscribers of a service whose
// scope closed (before, a Changes stream and a Queue.take waited forever), for the refresh engine
// and both test doubles.
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Option, Queue, Redacted, Scope, Stream, TestClock } from "effect"
import * as Changes from "../src/Changes.js"
import { AccessKey, Credential, Credentials } from "../src/index.js"

/** Whether `fiber` is done within a second of the TestClock (a fiber that waits forever is not). */
const endsSoon = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function*() {
    const waiting = yield* Effect.fork(Effect.timeoutOption(Fiber.await(fiber), "1 second"))
    yield* TestClock.adjust("1 second")
    return yield* Fiber.join(waiting)
  })

const credential = Credential.make({
  type: "access_key",
  accessKeyId: "LTAI5tTestAccessKey01",
  accessKeySecret: Redacted.make("test-secret-0001"),
  providerName: "test"
})

const layers: ReadonlyArray<readonly [string, Layer.Layer<Credentials>]> = [
  ["Credentials.layer (the engine)", Credentials.layer(AccessKey.make({ ...credential, accessKeySecret: "s" }))],
  ["Credentials.layerCredential", Credentials.layerCredential(credential)],
  ["Credentials.layerTest", Credentials.layerTest([credential])]
]

describe("subscribers when the service's scope closes", () => {
  for (const [name, layer] of layers) {
    it.scoped(`${name}: a waiting Changes stream ends, a Queue.take is let go, a late subscriber ends at once`, () =>
      Effect.gen(function*() {
        const layerScope = yield* Scope.make()
        const credentials = Context.get(yield* Layer.buildWithScope(layer, layerScope), Credentials)
        yield* credentials.get
        const stream = yield* Effect.fork(Stream.runCollect(Changes.of(credentials)))
        const queue = yield* credentials.subscribe
        yield* Queue.take(queue)
        const take = yield* Effect.fork(Queue.take(queue))
        yield* TestClock.adjust(1)
        yield* Scope.close(layerScope, Exit.void)

        const streamed = yield* endsSoon(stream)
        expect(Option.map(streamed, Exit.isSuccess)).toEqual(Option.some(true))
        const taken = yield* endsSoon(take)
        expect(Option.map(taken, Exit.isInterrupted)).toEqual(Option.some(true))
        const late = yield* Effect.fork(Stream.runCollect(Changes.of(credentials)))
        expect(Option.map(yield* endsSoon(late), Exit.isSuccess)).toEqual(Option.some(true))
      }))
  }
})
