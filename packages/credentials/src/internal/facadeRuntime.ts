// The Promise facade's engines: an Effect runtime over a `Credentials` layer (our sources, cached
// and refreshed), or a custom provider asked as the official tool asks it. This is where the
// facade runs Effects (`runPromiseExit`, `runFork`), and the only place.
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { Credential as EffectCredential } from "../Credential.js"
import * as CredentialModule from "../Credential.js"
import { Credentials } from "../Credentials.js"
import { CommandFailed, type CredentialsError, isCredentialsError } from "../CredentialsError.js"
import type * as DefaultChain from "../DefaultChain.js"
import type { Source } from "../Source.js"
import type * as FacadeLayers from "./facadeLayers.js"
import type { CredentialsProvider } from "./facadeModel.js"
import { fromKeys } from "./facadeStatic.js"
import { unrefClock } from "./unrefClock.js"

/** The network module, loaded on first use. */
export type Layers = typeof FacadeLayers

/**
 * How a provider gets its credentials: a static source (no network, no platform), or a source
 * built from the network module once it is loaded. `cached: false` runs the source on every call
 * (the official environment provider reads the variables on every call).
 */
export type Recipe =
  | { readonly _tag: "Static"; readonly source: Source; readonly cached: boolean }
  | {
    readonly _tag: "Network"
    readonly source: (layers: Layers) => Source<DefaultChain.Requirements>
    /** A layer of its own (the default chain); else `layers.layerOf(source)`. */
    readonly layer?: ((layers: Layers) => Layer.Layer<Credentials>) | undefined
  }

/** The source of a recipe, inside the network module (to be the signer of a role, say). */
export const sourceIn = (recipe: Recipe, layers: Layers): Source<DefaultChain.Requirements> =>
  recipe._tag === "Static" ? recipe.source : recipe.source(layers)

const layerOf = (recipe: Recipe): Layer.Layer<Credentials> => {
  if (recipe._tag === "Static") {
    // Not cached: the engine's own mark, so every `get` runs the source (single flight still holds).
    return Credentials.layer(recipe.cached ? recipe.source : Effect.map(recipe.source, CredentialModule.uncached))
  }
  return Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => import("./facadeLayers.js")),
      (layers) => recipe.layer !== undefined ? recipe.layer(layers) : layers.layerOf(recipe.source(layers))
    )
  )
}

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

const answerOf = (credential: EffectCredential): Answer => ({
  accessKeyId: credential.accessKeyId,
  accessKeySecret: Redacted.value(credential.accessKeySecret),
  securityToken: credential.securityToken === undefined ? undefined : Redacted.value(credential.securityToken),
  bearerToken: credential.bearerToken === undefined ? undefined : Redacted.value(credential.bearerToken),
  providerName: credential.providerName,
  expiration: credential.expiration === undefined ? undefined : credential.expiration.epochMillis,
  kind: credential.type
})

// The keep-alive handle of a pending call: the background refresh does not hold the process.
const keepAlive = async <A>(promise: () => Promise<A>): Promise<A> => {
  const handle = setInterval(() => {}, 2 ** 30)
  try {
    return await promise()
  } finally {
    clearInterval(handle)
  }
}

const toError = (cause: Cause.Cause<CredentialsError>, what: string): Error => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && isCredentialsError(failure.value)) {
    return new Error(failure.value.message, { cause: failure.value })
  }
  return Cause.isInterruptedOnly(cause)
    ? closedError(what)
    : new Error("unexpected failure in @effect-alicloud/credentials", { cause: Cause.squash(cause) })
}

/**
 * One Effect runtime over the recipe's `Credentials` layer, built on the first call. A call made
 * while the last published credential is valid is answered without entering the runtime.
 */
export const effectEngine = (recipe: Recipe, what: string): Engine => {
  const cached = recipe._tag === "Network" || recipe.cached
  let runtime: ManagedRuntime.ManagedRuntime<Credentials, never> | undefined
  let latest: EffectCredential | undefined
  let subscription: Fiber.RuntimeFiber<void> | undefined
  let closed = false
  // The answer of the last credential handed out: the same object while the credential is the
  // same, so the hot path allocates nothing and the client can reuse what it built from it.
  let answered: { readonly credential: EffectCredential; readonly answer: Answer } | undefined
  const answerFor = (credential: EffectCredential): Answer => {
    if (answered?.credential !== credential) answered = { credential, answer: answerOf(credential) }
    return answered.answer
  }

  const subscribe = (rt: ManagedRuntime.ManagedRuntime<Credentials, never>, credential: EffectCredential) => {
    latest = credential
    subscription ??= rt.runFork(
      Effect.flatMap(Credentials, (c) =>
        Stream.runForEach(c.changes, (next) =>
          Effect.sync(() => {
            latest = next
          })))
    )
  }

  // `get` or `refresh` of the service, in the runtime (built on first use).
  const run = (
    operation: (credentials: Credentials["Type"]) => Effect.Effect<EffectCredential, CredentialsError>
  ): Promise<Answer> => {
    if (closed) return Promise.reject(closedError(what))
    const rt = runtime ??= ManagedRuntime.make(layerOf(recipe).pipe(Layer.provide(Layer.setClock(unrefClock))))
    return keepAlive(() => rt.runPromiseExit(Effect.flatMap(Credentials, operation))).then(
      (exit) => {
        if (closed) return Promise.reject(closedError(what))
        if (Exit.isFailure(exit)) return Promise.reject(toError(exit.cause, what))
        if (cached) subscribe(rt, exit.value)
        return answerFor(exit.value)
      },
      () => Promise.reject(closed ? closedError(what) : new Error("unexpected failure in @effect-alicloud/credentials"))
    )
  }

  return {
    get: () => {
      if (!closed && cached && latest !== undefined && CredentialModule.isValidAt(latest, Date.now())) {
        return Promise.resolve(answerFor(latest))
      }
      return run((c) => c.get)
    },
    refresh: () => run((c) => c.refresh),
    close: async () => {
      if (closed) return
      closed = true
      latest = undefined
      const rt = runtime
      if (rt === undefined) return
      if (subscription !== undefined) await rt.runPromise(Fiber.interrupt(subscription))
      await rt.dispose()
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
