// Who is told of each new credential (`Credentials.Service.subscribe`): every subscriber gets a
// queue of its own, holding the current credential, then each new one, until its scope closes.
//
// Not a `SubscriptionRef`: its `changes` is a `Stream`, and `effect/Stream` loads ~75 modules (the
// channel machinery, STM), ~45 ms of an Effect app's start, for every service built, read or not.
// The Stream over a subscription is made in ../../Changes.ts, by the programs that want one.
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"

// How far a subscriber may fall behind before its oldest credentials are dropped: only the latest
// matters, and a subscriber that never reads must not hold every credential of a long-lived service.
const backlog = 16

export interface Subscribers<A> {
  /** The current value, `undefined` when there is none. */
  readonly latest: () => A | undefined
  /** Makes `value` the current one and offers it to every subscriber; `undefined` clears it quietly. */
  readonly publish: (value: A | undefined) => Effect.Effect<void>
  /**
   * A queue of the current value (if any) and each new one, shut down when the subscriber's scope
   * closes or the service's does (then a subscriber's stream ends instead of waiting forever).
   */
  readonly subscribe: Effect.Effect<Queue.Dequeue<A>, never, Scope.Scope>
}

export const make = <A>(initial?: A): Effect.Effect<Subscribers<A>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const lock = yield* Effect.makeSemaphore(1)
    let latest = initial
    let closed = false
    const queues = new Set<Queue.Queue<A>>()
    // The lock makes "set the current value, offer it to all" and "take the current value, join"
    // one step each: a subscriber neither misses a value nor sees one twice.
    const offer = (queue: Queue.Queue<A>, value: A) =>
      // A queue its subscriber shut down itself refuses the offer by interruption: not ours to feel.
      Effect.asVoid(Effect.exit(Queue.offer(queue, value)))
    const publish = (value: A | undefined) =>
      lock.withPermits(1)(Effect.suspend(() => {
        latest = value
        return value === undefined ? Effect.void : Effect.forEach(queues, (queue) => offer(queue, value), {
          discard: true
        })
      }))
    const join = Effect.tap(Queue.sliding<A>(backlog), (queue) =>
      Effect.suspend(() => {
        // The service is gone: nothing will come, the subscriber's stream ends at once.
        if (closed) return Queue.shutdown(queue)
        queues.add(queue)
        return latest === undefined ? Effect.void : offer(queue, latest)
      }))
    const subscribe = Effect.acquireRelease(
      lock.withPermits(1)(join),
      (queue) => Effect.zipRight(Effect.sync(() => queues.delete(queue)), Queue.shutdown(queue))
    )
    // The service's scope closes: every subscriber still waiting is let go.
    yield* Effect.addFinalizer(() =>
      lock.withPermits(1)(Effect.suspend(() => {
        closed = true
        const open = [...queues]
        queues.clear()
        return Effect.forEach(open, Queue.shutdown, { discard: true })
      }))
    )
    return { latest: () => latest, publish, subscribe }
  })
