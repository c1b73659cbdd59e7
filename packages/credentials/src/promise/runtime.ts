// The Promise facade's engines that start with it: static sources on Effect's default runtime,
// network sources on the network engine (`./engine.ts`, loaded by their first call), and custom
// providers asked as the official tool asks them. With `./engine.ts`, the only place the facade
// runs Effects. Imported by the facade at start-up: nothing here may load the network modules.
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as CredentialModule from "../Credential.js"
import { STALE_WINDOW } from "../internal/refresh/timing.js"
import { type Answer, closedError, type Engine, keep, type Kept, settle, unexpectedFailure } from "./answer.js"
import type { CredentialsProvider } from "./model.js"
import type { Recipe } from "./recipe.js"

/**
 * The engine of a recipe. A static source runs on Effect's default runtime (no layer, no Node
 * platform, no refresh fiber: its credential never expires); a network source loads the network
 * engine (`./engine.ts`) on its first call.
 */
export const effectEngine = (recipe: Recipe, what: string): Engine =>
  recipe._tag === "Static" ? staticEngine(recipe, what) : lazyEngine(recipe, what)

// A static source (access_key, sts, bearer, environment, or the facade's own fixed keys): one
// run at a time, its credential kept until it is no longer valid (a static one always is), unless
// the recipe says to run it on every call.
const staticEngine = (recipe: Extract<Recipe, { _tag: "Static" }>, what: string): Engine => {
  let kept: Kept | undefined
  let inFlight: Promise<Answer> | undefined
  let closed = false
  const fetch = (): Promise<Answer> =>
    inFlight ??= Effect.runPromiseExit(recipe.source).then((exit) => {
      inFlight = undefined
      if (closed) throw closedError(what)
      const credential = settle(exit, what)
      const next = keep(kept, credential)
      kept = recipe.cached && CredentialModule.isCacheable(credential) ? next : undefined
      return next.answer
    })
  return {
    get: () => {
      if (closed) return Promise.reject(closedError(what))
      if (kept !== undefined && CredentialModule.isValidAt(kept.credential, Date.now())) {
        return Promise.resolve(kept.answer)
      }
      return fetch()
    },
    refresh: () => {
      if (closed) return Promise.reject(closedError(what))
      kept = undefined
      return fetch()
    },
    close: async () => {
      closed = true
      kept = undefined
    }
  }
}

// A network source: the network engine and its modules (the Node platform, undici, Schema, the
// refresh engine) are loaded by the first call, not by the import of the facade.
const lazyEngine = (recipe: Exclude<Recipe, { _tag: "Static" }>, what: string): Engine => {
  let engine: Engine | undefined
  let loading: Promise<Engine> | undefined
  let closed = false
  // A failed load (a defect) is reported as the facade's unexpected failure, its cause kept.
  const load = (): Promise<Engine> =>
    loading ??= import("./engine.js").then(
      (module) => (engine = module.networkEngine(recipe, what)),
      (cause: unknown) => Promise.reject(unexpectedFailure(cause))
    )
  const call = (operation: (engine: Engine) => Promise<Answer>): Promise<Answer> => {
    if (closed) return Promise.reject(closedError(what))
    return engine !== undefined ? operation(engine) : load().then(operation)
  }
  return {
    get: () => call((e) => e.get()),
    refresh: () => call((e) => e.refresh()),
    close: async () => {
      closed = true
      // Nothing to close if the engine never loaded.
      if (loading !== undefined) await loading.then((e) => e.close(), () => undefined)
    }
  }
}

const expirationOf = (value: unknown): number | undefined => {
  const millis = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : NaN
  return Number.isFinite(millis) ? millis : undefined
}

const stringField = (answer: object, field: string): string | undefined => {
  const value: unknown = Reflect.get(answer, field)
  return typeof value === "string" ? value : undefined
}

/**
 * A custom provider, with the official semantics: asked on every call, its errors passed through
 * as they are. An answer that carries an `expiration` is kept until the official refresh rule
 * says to refresh (15 minutes before it expires).
 */
export const providerEngine = (provider: CredentialsProvider, what: string): Engine => {
  let kept: Answer | undefined
  let closed = false
  const engine: Engine = {
    refresh: () => {
      kept = undefined
      return engine.get()
    },
    get: async () => {
      if (closed) throw closedError(what)
      if (kept?.expiration !== undefined && Date.now() < kept.expiration - Duration.toMillis(STALE_WINDOW)) return kept
      const answer: unknown = await provider.getCredentials()
      if (closed) throw closedError(what)
      if (typeof answer !== "object" || answer === null) {
        throw new Error(`the provider ${provider.getProviderName()} answered no credentials`)
      }
      const securityToken = stringField(answer, "securityToken")
      const result: Answer = {
        accessKeyId: stringField(answer, "accessKeyId") ?? "",
        accessKeySecret: stringField(answer, "accessKeySecret") ?? "",
        securityToken,
        bearerToken: undefined,
        providerName: stringField(answer, "providerName"),
        expiration: expirationOf(Reflect.get(answer, "expiration")),
        kind: securityToken === undefined || securityToken === "" ? "access_key" : "sts"
      }
      kept = result.expiration === undefined ? undefined : result
      return result
    },
    close: async () => {
      closed = true
      kept = undefined
    }
  }
  return engine
}
