// The Promise facade's engines: static sources on Effect's default runtime, network sources on
// the network engine (`./engine.ts`, loaded on first use), and custom providers asked as the
// official tool asks them. With `./engine.ts`, the only place the facade runs Effects.
// Imported by the facade at start-up: nothing here may load the network modules.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Credential as EffectCredential } from "../Credential.js"
import * as CredentialModule from "../Credential.js"
import type { Credentials } from "../Credentials.js"
import { CommandFailed, type CredentialsError, isCredentialsError } from "../CredentialsError.js"
import type * as DefaultChain from "../DefaultChain.js"
import type { Source } from "../Source.js"
import type * as FacadeLayers from "./layers.js"
import type { CredentialsProvider } from "./model.js"
import { fromKeys } from "./static.js"

/** The network module, loaded on first use. */
export type Layers = typeof FacadeLayers

/**
 * How a provider gets its credentials: a static source (no network, no platform); a source that
 * only speaks HTTP (a role signed by keys, the metadata service, a credentials URI); or one that may
 * also read files or run the CLI's helpers (OIDC, profiles, the default chain, a role signed by a
 * provider). The last two are built from the network module once it is loaded. `cached: false`
 * runs a static source on every call (the official environment provider reads the variables on
 * every call).
 */
export type Recipe =
  | { readonly _tag: "Static"; readonly source: Source; readonly cached: boolean }
  | { readonly _tag: "Http"; readonly source: (layers: Layers) => Source<HttpClient.HttpClient> }
  | {
    readonly _tag: "Network"
    readonly source: (layers: Layers) => Source<DefaultChain.Requirements>
    /** A layer of its own (the default chain); else `layers.layerOf(source)`. */
    readonly layer?: ((layers: Layers) => Layer.Layer<Credentials, never, DefaultChain.Requirements>) | undefined
  }

/** The source of a recipe, inside the network module (to be the signer of a role, say). */
export const sourceIn = (recipe: Recipe, layers: Layers): Source<DefaultChain.Requirements> =>
  recipe._tag === "Static" ? recipe.source : recipe.source(layers)

/** The source of a recipe that needs no more than HTTP, inside the network module. */
export const httpSourceIn = (
  recipe: Exclude<Recipe, { _tag: "Network" }>,
  layers: Layers
): Source<HttpClient.HttpClient> => recipe._tag === "Static" ? recipe.source : recipe.source(layers)

/** A credential as the facade hands it out: plain strings. */
export interface Answer {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string | undefined
  readonly bearerToken: string | undefined
  readonly providerName: string | undefined
  /** Epoch milliseconds. */
  readonly expiration: number | undefined
  readonly kind: "access_key" | "sts" | "bearer"
}

/** What every facade object asks for credentials through. */
export interface Engine {
  readonly get: () => Promise<Answer>
  /** Fetches now (joining a fetch in flight), whatever the state of the current credential. */
  readonly refresh: () => Promise<Answer>
  readonly close: () => Promise<void>
}

/** The rejection of a call on a closed client or provider. */
export const closedError = (what: string): Error => new Error(`${what} was closed: create a new one to get credentials`)

export const answerOf = (credential: EffectCredential): Answer => ({
  accessKeyId: credential.accessKeyId,
  accessKeySecret: Redacted.value(credential.accessKeySecret),
  securityToken: credential.securityToken === undefined ? undefined : Redacted.value(credential.securityToken),
  bearerToken: credential.bearerToken === undefined ? undefined : Redacted.value(credential.bearerToken),
  providerName: credential.providerName,
  expiration: credential.expiration === undefined ? undefined : credential.expiration.epochMillis,
  kind: credential.type
})

/** The rejection of a defect (a bug, a module that did not load): its cause kept. */
export const unexpectedFailure = (cause: unknown): Error =>
  new Error("unexpected failure in @effect-alicloud/credentials", { cause })

export const toError = (cause: Cause.Cause<CredentialsError>, what: string): Error => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && isCredentialsError(failure.value)) {
    return new Error(failure.value.message, { cause: failure.value })
  }
  return Cause.isInterruptedOnly(cause)
    ? closedError(what)
    : unexpectedFailure(Cause.squash(cause))
}

/**
 * The engine of a recipe. A static source runs on Effect's default runtime (no layer, no Node
 * platform, no refresh fiber: its credential never expires); a network source loads the network
 * engine (`./engine.ts`) on its first call.
 */
export const effectEngine = (recipe: Recipe, what: string): Engine =>
  recipe._tag === "Static" ? staticEngine(recipe, what) : lazyEngine(recipe, what)

/** The last credential handed out and its answer: the same object while the credential is the same. */
export interface Kept {
  readonly credential: EffectCredential
  readonly answer: Answer
}

/** The answer of `credential`, reusing `kept`'s when it is the same credential. */
export const keep = (kept: Kept | undefined, credential: EffectCredential): Kept =>
  kept?.credential === credential ? kept : { credential, answer: answerOf(credential) }

/** The answer of an Effect's exit, or the rejection a facade caller sees. */
export const settle = (exit: Exit.Exit<EffectCredential, CredentialsError>, what: string): EffectCredential => {
  if (Exit.isFailure(exit)) throw toError(exit.cause, what)
  return exit.value
}

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

// The official refresh rule: a session is refreshed when 15 minutes or less are left.
const staleMillis = 15 * 60 * 1000

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
      if (kept?.expiration !== undefined && Date.now() < kept.expiration - staleMillis) return kept
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

/**
 * A custom provider as the signer of a role (the official `withCredentialsProvider`): asked on
 * every AssumeRole; its error's own message is kept.
 */
export const providerSource = (provider: CredentialsProvider): Source =>
  Effect.tryPromise({
    try: () => provider.getCredentials(),
    catch: (cause) =>
      new CommandFailed({
        source: provider.getProviderName(),
        command: "getCredentials()",
        detail: `failed: ${cause instanceof Error ? cause.message : String(cause)}`
      })
  }).pipe(
    Effect.flatMap((answer) => fromKeys(answer)),
    Effect.map((c) => CredentialModule.withProviderName(c, provider.getProviderName()))
  )
