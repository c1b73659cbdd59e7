// The Promise facade's network engine, loaded by the first call of a client or provider whose
// source needs the network (see `lazyEngine` in `./runtime.ts`); it imports nothing of that
// module, which loads it.
//
// One Effect runtime serves every facade client of the process: the HTTP transport (one
// dispatcher) and a clock whose timers do not hold the process. Each client builds its own
// `Credentials` service (the refresh engine) in a scope of its own, closed by `close()`; a client
// whose source may read files or run the CLI's helpers adds Node's file system and child processes
// to its own layer (loaded then, not by a client that only speaks HTTP).
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import * as CredentialModule from "../Credential.js"
import { Credentials } from "../Credentials.js"
import type { CredentialsError } from "../CredentialsError.js"
import * as HttpTransport from "../HttpTransport.js"
import { type Answer, closedError, type Engine, keep, type Kept, settle, toError } from "./answer.js"
import * as Layers from "./layers.js"
import type { Recipe } from "./recipe.js"
import { unrefClock } from "./unrefClock.js"

// Built on the first network call, never disposed: it holds no fiber and no timer of its own (a
// client's refresh fiber lives in the client's scope, on the unref'd clock).
const platform = ManagedRuntime.make(Layer.merge(HttpTransport.layer(), Layer.setClock(unrefClock)))

// How long a client answers from its own memory before it looks at its engine again (which may
// have refreshed in the background): the hot path stays out of the runtime, and a rotation is
// seen within this time. Never past the credential's validity.
const lookAgainMillis = 1000

// The keep-alive handle of a pending call: the runtime's timers are unref'd, so without it a
// script awaiting its first credential could exit while the request is in flight.
const keepAlive = async <A>(promise: () => Promise<A>): Promise<A> => {
  const handle = setInterval(() => {}, 2 ** 30)
  try {
    return await promise()
  } finally {
    clearInterval(handle)
  }
}

/** A network recipe's engine: its `Credentials` service, built on the shared runtime at the first call. */
export const networkEngine = (recipe: Exclude<Recipe, { _tag: "Static" }>, what: string): Engine => {
  const layer = recipe._tag === "Http"
    ? Layers.httpLayer(recipe.network)
    : Layers.systemLayer(recipe.network).pipe(Layer.provide(HttpTransport.layerNodeSystem))
  let built:
    | Promise<Exit.Exit<{ readonly scope: Scope.CloseableScope; readonly service: Credentials["Type"] }>>
    | undefined
  let kept: Kept | undefined
  let lookAt = 0
  let closed = false

  // The client's service, built once. The layer cannot fail: a failure is a defect (a module that
  // did not load, say), whose scope is closed at once and whose cause every call reports.
  const build = () =>
    built ??= platform.runPromiseExit(
      Effect.flatMap(Scope.make(), (scope) =>
        Layer.buildWithScope(layer, scope).pipe(
          Effect.map((context) => ({ scope, service: Context.get(context, Credentials) })),
          Effect.onExit((exit) => Exit.isFailure(exit) ? Scope.close(scope, exit) : Effect.void)
        ))
    )

  const run = (
    operation: (service: Credentials["Type"]) => Effect.Effect<CredentialModule.Credential, CredentialsError>
  ): Promise<Answer> => {
    if (closed) return Promise.reject(closedError(what))
    return keepAlive(async () => {
      const service = await build()
      if (Exit.isFailure(service)) throw toError(service.cause, what)
      const exit = await platform.runPromiseExit(operation(service.value.service))
      if (closed) throw closedError(what)
      const credential = settle(exit, what)
      kept = keep(kept, credential)
      // A credential marked not to be cached (an AK helper's) goes to the engine at every call.
      lookAt = CredentialModule.isCacheable(credential) ? Date.now() + lookAgainMillis : 0
      return kept.answer
    })
  }

  return {
    get: () => {
      if (!closed && kept !== undefined) {
        const now = Date.now()
        if (now < lookAt && CredentialModule.isValidAt(kept.credential, now)) return Promise.resolve(kept.answer)
      }
      return run((service) => service.get)
    },
    refresh: () => run((service) => service.refresh),
    close: async () => {
      if (closed) return
      closed = true
      kept = undefined
      if (built === undefined) return
      const service = await built
      if (Exit.isSuccess(service)) await platform.runPromise(Scope.close(service.value.scope, Exit.void))
    }
  }
}
