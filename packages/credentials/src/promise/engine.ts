// The Promise facade's network engine, loaded by the first call of a client or provider whose
// source needs the network (see `lazyEngine` in `./runtime.ts`); it imports nothing of that
// module, which loads it.
//
// One Effect runtime serves every facade client of the process: the HTTP transport (one
// dispatcher) and a clock whose timers do not hold the process. Each client builds its own
// refresh engine in a scope of its own, closed by `close()`; a client whose source may read files
// or run the CLI's helpers adds Node's file system and child processes (loaded then, not by a
// client that only speaks HTTP).
//
// No Layer and no ManagedRuntime for a client that only speaks HTTP: the runtime is the default
// one with the client and the clock in it, and the engine is `Refresh.make` in the client's scope.
// Built through layers, they cost a short-lived process the first run (and V8's compilation) of
// the layer machinery before its first credential: ~10 ms of CPU in a paired A/B.
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Scope from "effect/Scope"
import * as CredentialModule from "../Credential.js"
import { Credentials } from "../Credentials.js"
import type { CredentialsError } from "../CredentialsError.js"
import * as HttpTransport from "../HttpTransport.js"
import * as NodeClient from "../internal/upstream/nodeClient.js"
import { type Answer, closedError, type Engine, keep, type Kept, settle, toError } from "./answer.js"
import * as Layers from "./layers.js"
import type { Recipe } from "./recipe.js"
import { unrefClock } from "./unrefClock.js"

// Built on the first network call, never disposed (its scope is never closed): it holds the HTTP
// agents, whose idle connections do not hold the process, and no fiber or timer of its own (a
// client's refresh fiber lives in the client's scope, on the unref'd clock).
let platform: Runtime.Runtime<HttpClient.HttpClient> | undefined
const platformRuntime = (): Runtime.Runtime<HttpClient.HttpClient> =>
  platform ??= Effect.runSync(
    Effect.flatMap(Scope.make(), (scope) => Scope.extend(NodeClient.make(), scope)).pipe(
      Effect.flatMap((client) =>
        Effect.provideService(Effect.runtime<HttpClient.HttpClient>(), HttpClient.HttpClient, client)
      ),
      Effect.withClock(unrefClock)
    )
  )

// What a client asks its engine.
type Service = Pick<Credentials["Type"], "get" | "refresh">

// The engine of a network recipe, built in the current scope: the refresh engine over the source
// for one that only speaks HTTP; the layer of the others, with Node's file system and processes.
const serviceOf = (
  recipe: Exclude<Recipe, { _tag: "Static" }>
): Effect.Effect<Service, never, Scope.Scope | HttpClient.HttpClient> =>
  recipe._tag === "Http"
    ? Layers.httpEngine(recipe.network)
    : Effect.map(
      Layer.build(Layers.systemLayer(recipe.network).pipe(Layer.provide(HttpTransport.layerNodeSystem))),
      (context) => Context.get(context, Credentials)
    )

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
  let built: Promise<Exit.Exit<{ readonly scope: Scope.CloseableScope; readonly service: Service }>> | undefined
  let kept: Kept | undefined
  let lookAt = 0
  let closed = false

  // The client's service, built once. It cannot fail: a failure is a defect (a module that did not
  // load, say), whose scope is closed at once and whose cause every call reports.
  const build = () =>
    built ??= Runtime.runPromiseExit(platformRuntime())(
      Effect.flatMap(Scope.make(), (scope) =>
        Scope.extend(serviceOf(recipe), scope).pipe(
          Effect.map((service) => ({ scope, service })),
          Effect.onExit((exit) => Exit.isFailure(exit) ? Scope.close(scope, exit) : Effect.void)
        ))
    )

  const run = (
    operation: (service: Service) => Effect.Effect<CredentialModule.Credential, CredentialsError>
  ): Promise<Answer> => {
    if (closed) return Promise.reject(closedError(what))
    return keepAlive(async () => {
      const service = await build()
      if (Exit.isFailure(service)) throw toError(service.cause, what)
      const exit = await Runtime.runPromiseExit(platformRuntime())(operation(service.value.service))
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
      if (Exit.isSuccess(service)) {
        await Runtime.runPromise(platformRuntime())(Scope.close(service.value.scope, Exit.void))
      }
    }
  }
}
