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
 * The whole API of `@alicloud/credentials` 2.4.7: `Config`, `CredentialModel`,
 * `CredentialsProvider`, and the provider classes with their `builder()`s
 * (`CLIProfileCredentialsProvider.builder().withProfileName("dev").build()` picks a CLI profile).
 *
 * Behind each object: one Effect runtime with one `Credentials` layer (cached, refreshed ahead of
 * expiry in the background, one upstream request however many calls wait). This module is the
 * only place that runs Effects. Errors are rejected as `Error`s whose `cause` is the typed error.
 *
 * @since 0.1.0
 */
import type * as DefaultChain from "./DefaultChain.js"
import {
  Config,
  type ConfigOptions,
  CredentialModel,
  type CredentialsProvider,
  type ICredential,
  type ProviderCredentials
} from "./internal/facadeModel.js"
import {
  CLIProfileCredentialsProvider,
  defaultChainRecipe,
  DefaultCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  EnvironmentVariableCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  ProfileCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  recipeOf,
  StaticAKCredentialsProvider,
  StaticSTSCredentialsProvider,
  URICredentialsProvider
} from "./internal/facadeProviders.js"
import { type Answer, effectEngine, type Engine, providerEngine, type Recipe } from "./internal/facadeRuntime.js"
import { staticSource } from "./internal/facadeStatic.js"

export {
  /**
   * The official `CLIProfileCredentialsProvider`: a profile of the CLI's `config.json`
   * (`builder().withProfileName(name)`).
   *
   * @since 0.1.0
   * @category providers
   */
  CLIProfileCredentialsProvider,
  /**
   * The official `Config`: copies the options given. Every official key is accepted; see
   * docs/migration.md for the ones that are not acted on.
   *
   * @since 0.1.0
   * @category models
   */
  Config,
  /**
   * What `getCredential()` returns: the official `CredentialModel`. The secret and the token are
   * plain properties, masked in `util.inspect`, `JSON.stringify`, `String` and template literals.
   *
   * @since 0.1.0
   * @category models
   */
  CredentialModel,
  /**
   * The official `DefaultCredentialsProvider`: the default chain.
   *
   * @since 0.1.0
   * @category providers
   */
  DefaultCredentialsProvider,
  /**
   * The official `ECSRAMRoleCredentialsProvider`: the ECS instance's RAM role.
   *
   * @since 0.1.0
   * @category providers
   */
  ECSRAMRoleCredentialsProvider,
  /**
   * The official `EnvironmentVariableCredentialsProvider`.
   *
   * @since 0.1.0
   * @category providers
   */
  EnvironmentVariableCredentialsProvider,
  /**
   * The official `OIDCRoleArnCredentialsProvider`.
   *
   * @since 0.1.0
   * @category providers
   */
  OIDCRoleArnCredentialsProvider,
  /**
   * The official `ProfileCredentialsProvider`: a section of the ini credentials file.
   *
   * @since 0.1.0
   * @category providers
   */
  ProfileCredentialsProvider,
  /**
   * The official `RAMRoleARNCredentialsProvider`: AssumeRole, signed by another provider.
   *
   * @since 0.1.0
   * @category providers
   */
  RAMRoleARNCredentialsProvider,
  /**
   * The official `StaticAKCredentialsProvider`.
   *
   * @since 0.1.0
   * @category providers
   */
  StaticAKCredentialsProvider,
  /**
   * The official `StaticSTSCredentialsProvider`.
   *
   * @since 0.1.0
   * @category providers
   */
  StaticSTSCredentialsProvider,
  /**
   * The official `URICredentialsProvider`: a credentials URI.
   *
   * @since 0.1.0
   * @category providers
   */
  URICredentialsProvider
}

export type {
  /**
   * The official options, as a plain object type (what `new Config(...)` takes).
   *
   * @since 0.1.0
   * @category models
   */
  ConfigOptions,
  /**
   * The official custom provider interface; an answer may carry an `expiration` (ours).
   *
   * @since 0.1.0
   * @category models
   */
  CredentialsProvider,
  /**
   * The official `ICredential`: the type of the client's `credential` field.
   *
   * @since 0.1.0
   * @category models
   */
  ICredential,
  /**
   * A provider's answer (the official `Credentials`, with an optional `expiration`).
   *
   * @since 0.1.0
   * @category models
   */
  ProviderCredentials
}

const supportedTypes = [
  "access_key",
  "sts",
  "ecs_ram_role",
  "ram_role_arn",
  "oidc_role_arn",
  "credentials_uri",
  "bearer"
]

const clientName = "the credential client"

const isProvider = (provider: unknown): provider is CredentialsProvider =>
  typeof provider === "object" && provider !== null &&
  typeof Reflect.get(provider, "getCredentials") === "function" &&
  typeof Reflect.get(provider, "getProviderName") === "function"

// The official tool's inner client: what the public `credential` field holds, and what the
// client's methods delegate to.
class InnerCredentialsClient implements ICredential {
  readonly #type: string
  readonly #engine: Engine
  readonly #bearerToken: string | undefined

  constructor(type: string, engine: Engine, bearerToken: string | undefined) {
    this.#type = type
    this.#engine = engine
    this.#bearerToken = bearerToken
  }

  async getAccessKeyId(): Promise<string> {
    return (await this.#engine.get()).accessKeyId
  }

  async getAccessKeySecret(): Promise<string> {
    return (await this.#engine.get()).accessKeySecret
  }

  // As the official declares it: `string`, `undefined` when there is no token.
  async getSecurityToken(): Promise<string> {
    return (await this.#engine.get()).securityToken as string
  }

  // As the official declares it: `string`, `undefined` except for a bearer client.
  getBearerToken(): string {
    return this.#bearerToken as string
  }

  getType(): string {
    return this.#type
  }

  async getCredential(): Promise<CredentialModel> {
    return this.#model(await this.#engine.get())
  }

  async refresh(): Promise<CredentialModel> {
    return this.#model(await this.#engine.refresh())
  }

  // The model built from the last answer, kept while the answer is the same (the credential has
  // not changed): its secrets are set once, which costs ~300 ns; each call then gets a fresh object
  // (callers may change theirs) in front of it, with the official model's own enumerable fields.
  #template: { readonly answer: Answer; readonly model: CredentialModel } | undefined

  #model(answer: Answer): CredentialModel {
    if (this.#template?.answer !== answer) this.#template = { answer, model: this.#build(answer) }
    const template = this.#template.model
    const model = Object.create(template) as CredentialModel
    if (template.accessKeyId !== undefined) model.accessKeyId = template.accessKeyId
    if (template.type !== undefined) model.type = template.type
    if (template.providerName !== undefined) model.providerName = template.providerName
    if (template.expiration !== undefined) model.expiration = template.expiration
    return model
  }

  #build(answer: Answer): CredentialModel {
    if (answer.kind === "bearer") {
      return new CredentialModel({
        accessKeyId: "",
        accessKeySecret: "",
        securityToken: "",
        bearerToken: answer.bearerToken ?? "",
        type: this.#type
      })
    }
    return new CredentialModel({
      accessKeyId: answer.accessKeyId,
      accessKeySecret: answer.accessKeySecret,
      securityToken: answer.securityToken,
      type: this.#type,
      providerName: answer.providerName,
      expiration: answer.expiration
    })
  }

  close(): Promise<void> {
    return this.#engine.close()
  }

  toString(): string {
    return `Credential(${this.#type})`
  }

  toJSON(): { readonly type: string } {
    return { type: this.#type }
  }
}

const recipeOfConfig = (config: ConfigOptions): Recipe => {
  const source = staticSource(config)
  return source !== undefined
    ? { _tag: "Static", source, cached: true }
    : { _tag: "Network", source: (layers) => layers.sourceOf(config) }
}

/**
 * The official client, backed by one Effect runtime (built on first use). `close()` (or
 * `await using`) stops its background refresh; a forgotten `close()` does not keep the process
 * alive.
 *
 * @since 0.1.0
 * @category models
 */
export class Credential implements ICredential {
  /** The official field: the inner client the methods delegate to. */
  credential: ICredential
  readonly #inner: InnerCredentialsClient

  /**
   * `new Credential()`: the default chain. `new Credential(config)`: one source, by `config.type`.
   * `new Credential(null, provider)`: a provider (ours, or a custom one, asked on every call). As
   * in the official tool, a missing or unknown `type` throws here; every other check happens on
   * first use, as a rejected Promise.
   */
  constructor(
    config?: Config | ConfigOptions | null,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the official declaration
    provider?: CredentialsProvider | { [key: string]: any } | null,
    chain?: DefaultChain.Options
  ) {
    let type: string
    let engine: Engine
    let bearerToken: string | undefined
    if (isProvider(provider)) {
      type = provider.getProviderName()
      const recipe = recipeOf(provider)
      engine = recipe !== undefined ? effectEngine(recipe, clientName) : providerEngine(provider, clientName)
    } else if (config === undefined || config === null) {
      type = "default"
      engine = effectEngine(defaultChainRecipe(chain), clientName)
    } else {
      if (!config.type) throw new Error("Missing required type option")
      if (!supportedTypes.includes(config.type)) {
        throw new Error(`Invalid type option, support: ${supportedTypes.join(", ")}`)
      }
      type = config.type
      engine = effectEngine(recipeOfConfig(config), clientName)
      if (config.type === "bearer") bearerToken = config.bearerToken
    }
    this.#inner = new InnerCredentialsClient(type, engine, bearerToken)
    this.credential = this.#inner
  }

  /** Ours: the default chain with options (endpoints, a profile, timeouts, the refresh windows). */
  static defaultChain(options: DefaultChain.Options): Credential {
    return new Credential(null, null, options)
  }

  /** @deprecated As in the official tool: use `getCredential()`. */
  getAccessKeyId(): Promise<string> {
    return this.credential.getAccessKeyId()
  }

  /** @deprecated As in the official tool: use `getCredential()`. */
  getAccessKeySecret(): Promise<string> {
    return this.credential.getAccessKeySecret()
  }

  /** @deprecated As in the official tool: use `getCredential()`. Resolves `undefined` when there is no token. */
  getSecurityToken(): Promise<string> {
    return this.credential.getSecurityToken()
  }

  /** @deprecated As in the official tool: the bearer token of a `bearer` client, else `undefined`. */
  getBearerToken(): string {
    return this.credential.getBearerToken()
  }

  /** @deprecated As in the official tool. The client's type: the config's `type`, `default` for the chain, or the provider's name. */
  getType(): string {
    return this.credential.getType()
  }

  /** The credential, fetched or refreshed as needed. */
  getCredential(): Promise<CredentialModel> {
    return this.credential.getCredential()
  }

  /**
   * Ours: fetches a new credential now, whatever the state of the cached one, and answers it; later
   * calls get it. For a credential the service refused before its time: when a call fails with
   * `InvalidSecurityToken.*`, `InvalidAccessKeyId.*`, `SignatureDoesNotMatch` or
   * `InvalidAccessKeySecret` (a revoked session, a rotated key), refresh once and retry the call
   * once. Calls made meanwhile share the one fetch. A failure rejects and leaves the cached
   * credential as it was. A custom provider is asked again, even if its answer had not expired.
   */
  refresh(): Promise<CredentialModel> {
    return this.#inner.refresh()
  }

  /** Ours: the provider name of the current credential, e.g. `default/env` (fetches it if needed). */
  async getProviderName(): Promise<string | undefined> {
    return (await this.getCredential()).providerName
  }

  /** Ours: stops the background refresh and releases the connections; later calls reject. */
  close(): Promise<void> {
    return this.#inner.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** No secret in logs: the client prints its type only. */
  toString(): string {
    return `Credential(${this.getType()})`
  }

  toJSON(): { readonly type: string } {
    return { type: this.getType() }
  }
}

export default Credential
