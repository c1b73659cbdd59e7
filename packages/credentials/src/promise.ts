/**
 * A Promise facade with the official `@alicloud/credentials` client API, so that an object of it
 * can be given to the official `@alicloud/openapi-client` (and the generated SDKs) as their
 * `credential`:
 *
 * ```ts
 * import Credential, { Config } from "@effect-alicloud/credentials/promise"
 * const credential = new Credential()                          // the default chain
 * const client = new Sts20150401(new OpenApi.Config({ credential, endpoint }))
 * await credential.close()                                     // stops the background refresh
 * ```
 *
 * Behind each object: one Effect runtime with one `Credentials` layer (cached, refreshed ahead of
 * expiry in the background, one upstream request however many calls wait). This module is the
 * only place that runs Effects. Errors are rejected as `Error`s whose `cause` is the typed error.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { Credential as EffectCredential } from "./Credential.js"
import * as CredentialModule from "./Credential.js"
import { Credentials } from "./Credentials.js"
import { CommandFailed, type CredentialsError, isCredentialsError } from "./CredentialsError.js"
import type * as DefaultChain from "./DefaultChain.js"
import { unrefClock } from "./internal/unrefClock.js"
import { fromKeys, staticSource } from "./internal/facadeStatic.js"
import type { Source } from "./Source.js"

/**
 * The official options (`@alicloud/credentials` `Config`), plus `metadataUrl` to move the ECS
 * metadata service. Time options are in milliseconds, as in the official tool; durations in seconds
 * (`roleSessionExpiration`) in seconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions {
  type?: string | undefined
  accessKeyId?: string | undefined
  accessKeySecret?: string | undefined
  securityToken?: string | undefined
  bearerToken?: string | undefined
  roleArn?: string | undefined
  roleSessionName?: string | undefined
  /** Seconds. */
  roleSessionExpiration?: number | undefined
  policy?: string | undefined
  externalId?: string | undefined
  stsEndpoint?: string | undefined
  stsRegionId?: string | undefined
  enableVpc?: boolean | undefined
  oidcProviderArn?: string | undefined
  oidcTokenFilePath?: string | undefined
  roleName?: string | undefined
  disableIMDSv1?: boolean | undefined
  credentialsURI?: string | undefined
  /** Read timeout, milliseconds. */
  timeout?: number | undefined
  /** Connect timeout, milliseconds. */
  connectTimeout?: number | undefined
  /** Ours: the ECS metadata service (default http://100.100.100.200). */
  metadataUrl?: string | undefined
}

/**
 * The official `Config`: copies the options given.
 *
 * @since 0.1.0
 * @category models
 */
export class Config implements ConfigOptions {
  [key: string]: unknown
  constructor(options: ConfigOptions = {}) {
    Object.assign(this, options)
  }
}

/**
 * What `getCredential()` returns: the official `CredentialModel` fields. `type` is the client's
 * type (`default` for the chain), as in the official Node tool.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialModel {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string | undefined
  readonly bearerToken?: string | undefined
  readonly type: string
  readonly providerName?: string | undefined
  /** Ours, as in the Java model: when the credential expires, epoch milliseconds. */
  readonly expiration?: number | undefined
}

/**
 * The official custom provider interface.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialsProvider {
  getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined; providerName?: string | undefined }>
  getProviderName(): string
}

const supportedTypes = ["access_key", "sts", "ecs_ram_role", "ram_role_arn", "oidc_role_arn", "credentials_uri", "bearer"]

// The network types and the default chain: their modules are loaded when the client is first used.
const networkLayer = (
  build: (layers: typeof import("./internal/facadeLayers.js")) => Layer.Layer<Credentials>
): Layer.Layer<Credentials> =>
  Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./internal/facadeLayers.js")), build))

const fromProvider = (provider: CredentialsProvider): Source =>
  Effect.tryPromise({
    try: () => provider.getCredentials(),
    catch: (cause) =>
      new CommandFailed({
        source: provider.getProviderName(),
        command: "getCredentials()",
        detail: `failed: ${cause instanceof Error ? cause.name : "error"}`
      })
  }).pipe(
    Effect.flatMap(fromKeys),
    Effect.map((c) => CredentialModule.withProviderName(c, provider.getProviderName()))
  )

// The keep-alive handle of a pending call: the background refresh does not hold the process.
const keepAlive = async <A>(promise: () => Promise<A>): Promise<A> => {
  const handle = setInterval(() => {}, 2 ** 30)
  try {
    return await promise()
  } finally {
    clearInterval(handle)
  }
}

const toError = (cause: Cause.Cause<CredentialsError>): Error => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && isCredentialsError(failure.value)) {
    return new Error(failure.value.message, { cause: failure.value })
  }
  return Cause.isInterruptedOnly(cause)
    ? new Error("the credential client was closed")
    : new Error("unexpected failure in @effect-alicloud/credentials", { cause: Cause.squash(cause) })
}

/**
 * The official client, backed by one Effect runtime. `close()` (or `await using`) stops its
 * background refresh; a forgotten `close()` does not keep the process alive.
 *
 * @since 0.1.0
 * @category models
 */
export class Credential {
  readonly #type: string
  readonly #bearerToken: string | undefined
  readonly #runtime: ManagedRuntime.ManagedRuntime<Credentials, never>
  // The latest credential the engine published (kept by a subscription to `changes`), so that a
  // call made while it is valid is answered without entering the runtime.
  #latest: EffectCredential | undefined
  #subscription: Fiber.RuntimeFiber<void> | undefined

  /**
   * `new Credential()`: the default chain. `new Credential(config)`: one source, by `config.type`.
   * `new Credential(null, provider)`: a custom provider. As in the official tool, a missing or
   * unknown `type` throws here; every other check happens on first use, as a rejected Promise.
   */
  constructor(config?: ConfigOptions | null, provider?: CredentialsProvider | null, chain?: DefaultChain.Options) {
    let layer: Layer.Layer<Credentials>
    if (provider !== undefined && provider !== null && typeof provider.getCredentials === "function") {
      this.#type = provider.getProviderName()
      layer = Credentials.layer(fromProvider(provider))
    } else if (config === undefined || config === null) {
      this.#type = "default"
      layer = networkLayer((layers) => layers.layerDefaultChain(chain))
    } else {
      if (!config.type) throw new Error("Missing required type option")
      if (!supportedTypes.includes(config.type)) {
        throw new Error(`Invalid type option, support: ${supportedTypes.join(", ")}`)
      }
      this.#type = config.type
      const source = staticSource(config)
      layer = source !== undefined ? Credentials.layer(source) : networkLayer((layers) => layers.layerFor(config))
    }
    this.#bearerToken = config?.type === "bearer" ? config.bearerToken : undefined
    this.#runtime = ManagedRuntime.make(layer.pipe(Layer.provide(Layer.setClock(unrefClock))))
  }

  /** The default chain with options (endpoints, a profile, timeouts, the refresh windows). */
  static defaultChain(options: DefaultChain.Options): Credential {
    return new Credential(null, null, options)
  }

  #get(): Promise<EffectCredential> {
    const latest = this.#latest
    if (latest !== undefined && CredentialModule.isValidAt(latest, Date.now())) return Promise.resolve(latest)
    return keepAlive(() =>
      this.#runtime.runPromiseExit(Effect.flatMap(Credentials, (c) => c.get)).then((exit) => {
        if (Exit.isFailure(exit)) return Promise.reject(toError(exit.cause))
        this.#subscribe(exit.value)
        return exit.value
      })
    )
  }

  #subscribe(credential: EffectCredential): void {
    this.#latest = credential
    this.#subscription ??= this.#runtime.runFork(
      Effect.flatMap(Credentials, (c) =>
        Stream.runForEach(c.changes, (next) =>
          Effect.sync(() => {
            this.#latest = next
          })))
    )
  }

  /** The credential, fetched or refreshed as needed. */
  async getCredential(): Promise<CredentialModel> {
    const credential = await this.#get()
    const model: {
      -readonly [K in keyof CredentialModel]: CredentialModel[K]
    } = {
      accessKeyId: credential.accessKeyId,
      accessKeySecret: Redacted.value(credential.accessKeySecret),
      type: this.#type
    }
    if (credential.type === "bearer") {
      model.securityToken = ""
      model.bearerToken = credential.bearerToken === undefined ? "" : Redacted.value(credential.bearerToken)
      return model
    }
    if (credential.securityToken !== undefined) model.securityToken = Redacted.value(credential.securityToken)
    model.providerName = credential.providerName
    if (credential.expiration !== undefined) model.expiration = credential.expiration.epochMillis
    return model
  }

  /** @deprecated As in the official tool: use `getCredential()`. */
  async getAccessKeyId(): Promise<string> {
    return (await this.getCredential()).accessKeyId
  }

  /** @deprecated As in the official tool: use `getCredential()`. */
  async getAccessKeySecret(): Promise<string> {
    return (await this.getCredential()).accessKeySecret
  }

  /** @deprecated As in the official tool: use `getCredential()`. */
  async getSecurityToken(): Promise<string | undefined> {
    return (await this.getCredential()).securityToken
  }

  /** @deprecated As in the official tool: the bearer token of a `bearer` client. */
  getBearerToken(): string | undefined {
    return this.#bearerToken
  }

  /** The client's type: the config's `type`, `default` for the chain, or the provider's name. */
  getType(): string {
    return this.#type
  }

  /** The provider name of the current credential, e.g. `default/env` (fetches it if needed). */
  async getProviderName(): Promise<string | undefined> {
    return (await this.getCredential()).providerName
  }

  /** Stops the background refresh and releases the connections. */
  async close(): Promise<void> {
    this.#latest = undefined
    if (this.#subscription !== undefined) await this.#runtime.runPromise(Fiber.interrupt(this.#subscription))
    await this.#runtime.dispose()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** No secret in logs: the client prints its type only. */
  toString(): string {
    return `Credential(${this.#type})`
  }

  toJSON(): { readonly type: string } {
    return { type: this.#type }
  }
}

export default Credential
