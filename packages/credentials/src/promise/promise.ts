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
import type * as DefaultChain from "../DefaultChain.js"
import { didYouMean } from "../internal/config/suggest.js"
import * as AuthCode from "../internal/refresh/authCode.js"
import type { Engine } from "./answer.js"
import { isType, types } from "./config.js"
import { InnerCredentialsClient } from "./innerClient.js"
import {
  Config,
  type ConfigOptions,
  CredentialModel,
  type CredentialsProvider,
  type ICredential,
  type ProviderCredentials
} from "./model.js"
import { recipeOf } from "./provider.js"
import {
  CLIProfileCredentialsProvider,
  DefaultCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  EnvironmentVariableCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  ProfileCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  StaticAKCredentialsProvider,
  StaticSTSCredentialsProvider,
  URICredentialsProvider
} from "./providers.js"
import * as Recipe from "./recipe.js"
import { effectEngine, providerEngine } from "./runtime.js"

export {
  /**
   * The official `CLIProfileCredentialsProvider`: a profile of the CLI's `config.json`
   * (`builder().withProfileName(name)`).
   *
   * @example
   * ```ts
   * import { CLIProfileCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // The file is read by the first getCredentials(), not here
   * const provider = CLIProfileCredentialsProvider.builder().withProfileName("dev").build()
   * assert.strictEqual(provider.getProviderName(), "cli_profile")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  CLIProfileCredentialsProvider,
  /**
   * The official `Config`: copies the options given. Every official key is accepted; see
   * docs/migration.md for the ones that are not acted on.
   *
   * @example
   * ```ts
   * import { Config } from "@effect-alicloud/credentials/promise"
   *
   * const config = new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * assert.strictEqual(config.type, "access_key")
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  Config,
  /**
   * What `getCredential()` returns: the official `CredentialModel`. The secret and the token are
   * plain properties, masked in `util.inspect`, `JSON.stringify`, `String` and template literals.
   *
   * @example
   * ```ts
   * import { CredentialModel } from "@effect-alicloud/credentials/promise"
   *
   * const model = new CredentialModel({
   *   accessKeyId: "LTAI5tExampleKeyId",
   *   accessKeySecret: "s3cr3t-value",
   *   type: "access_key"
   * })
   * assert.strictEqual(model.accessKeySecret, "s3cr3t-value") // readable, for the code that signs
   * assert.strictEqual(
   *   JSON.stringify(model),
   *   `{"accessKeyId":"LTAI****eyId","accessKeySecret":"<redacted>","type":"access_key"}`
   * )
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  CredentialModel,
  /**
   * The official `DefaultCredentialsProvider`: the default chain.
   *
   * @example
   * ```ts
   * import { DefaultCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // Nothing is looked up before the first getCredentials()
   * const provider = DefaultCredentialsProvider.builder().build()
   * assert.strictEqual(provider.getProviderName(), "default")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  DefaultCredentialsProvider,
  /**
   * The official `ECSRAMRoleCredentialsProvider`: the ECS instance's RAM role.
   *
   * @example
   * ```ts
   * import { ECSRAMRoleCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // The metadata service is asked by the first getCredentials(), not here
   * const provider = ECSRAMRoleCredentialsProvider.builder().withRoleName("my-ecs-role").build()
   * assert.strictEqual(provider.getProviderName(), "ecs_ram_role")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  ECSRAMRoleCredentialsProvider,
  /**
   * The official `EnvironmentVariableCredentialsProvider`.
   *
   * @example
   * ```ts
   * import { EnvironmentVariableCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // Reads ALIBABA_CLOUD_ACCESS_KEY_ID (and the rest) on every getCredentials()
   * const provider = EnvironmentVariableCredentialsProvider.builder().build()
   * assert.strictEqual(provider.getProviderName(), "env")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  EnvironmentVariableCredentialsProvider,
  /**
   * The official `OIDCRoleArnCredentialsProvider`.
   *
   * @example
   * ```ts
   * import { OIDCRoleArnCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // The token file is read, and STS asked, by the first getCredentials()
   * const provider = OIDCRoleArnCredentialsProvider.builder()
   *   .withRoleArn("acs:ram::123456789012****:role/my-role")
   *   .withOIDCProviderArn("acs:ram::123456789012****:oidc-provider/my-provider")
   *   .withOIDCTokenFilePath("/var/run/secrets/tokens/oidc-token")
   *   .withRoleSessionName("my-session")
   *   .build()
   * assert.strictEqual(provider.getProviderName(), "oidc_role_arn")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  OIDCRoleArnCredentialsProvider,
  /**
   * The official `ProfileCredentialsProvider`: a section of the ini credentials file.
   *
   * @example
   * ```ts
   * import { ProfileCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // The file is read by the first getCredentials(); getCredentialsProvider picks from a parsed one
   * const provider = ProfileCredentialsProvider.builder().withProfileName("dev").build()
   * const section = provider.getCredentialsProvider({
   *   dev: { type: "access_key", access_key_id: "LTAI5tExampleKeyId", access_key_secret: "s3cr3t-value" }
   * })
   * const credentials = await section.getCredentials()
   * assert.strictEqual(credentials.providerName, "static_ak")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  ProfileCredentialsProvider,
  /**
   * The official `RAMRoleARNCredentialsProvider`: AssumeRole, signed by another provider.
   *
   * @example
   * ```ts
   * import { RAMRoleARNCredentialsProvider, StaticAKCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * const signer = StaticAKCredentialsProvider.builder()
   *   .withAccessKeyId("LTAI5tExampleKeyId")
   *   .withAccessKeySecret("s3cr3t-value")
   *   .build()
   * // STS is asked by the first getCredentials(), not here
   * const provider = RAMRoleARNCredentialsProvider.builder()
   *   .withCredentialsProvider(signer)
   *   .withRoleArn("acs:ram::123456789012****:role/my-role")
   *   .withRoleSessionName("my-session")
   *   .build()
   * assert.strictEqual(provider.getProviderName(), "ram_role_arn/static_ak")
   * await provider.close()
   * await signer.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  RAMRoleARNCredentialsProvider,
  /**
   * The official `StaticAKCredentialsProvider`.
   *
   * @example
   * ```ts
   * import { StaticAKCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * const provider = StaticAKCredentialsProvider.builder()
   *   .withAccessKeyId("LTAI5tExampleKeyId")
   *   .withAccessKeySecret("s3cr3t-value")
   *   .build()
   * const credentials = await provider.getCredentials()
   * assert.strictEqual(credentials.accessKeyId, "LTAI5tExampleKeyId")
   * assert.strictEqual(credentials.providerName, "static_ak")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  StaticAKCredentialsProvider,
  /**
   * The official `StaticSTSCredentialsProvider`.
   *
   * @example
   * ```ts
   * import { StaticSTSCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * const provider = StaticSTSCredentialsProvider.builder()
   *   .withAccessKeyId("STS.NExampleKeyId")
   *   .withAccessKeySecret("s3cr3t-value")
   *   .withSecurityToken("example-security-token")
   *   .build()
   * const credentials = await provider.getCredentials()
   * assert.strictEqual(credentials.securityToken, "example-security-token")
   * assert.strictEqual(credentials.providerName, "static_sts")
   * await provider.close()
   * ```
   *
   * @since 0.1.0
   * @category providers
   */
  StaticSTSCredentialsProvider,
  /**
   * The official `URICredentialsProvider`: a credentials URI.
   *
   * @example
   * ```ts
   * import { URICredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // The URI is asked by the first getCredentials(), not here
   * const provider = URICredentialsProvider.builder().withCredentialsURI("http://localhost:8080/credentials").build()
   * assert.strictEqual(provider.getProviderName(), "credential_uri")
   * await provider.close()
   * ```
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
   * @example
   * ```ts
   * import Credential, { type ConfigOptions } from "@effect-alicloud/credentials/promise"
   *
   * const options: ConfigOptions = {
   *   type: "sts",
   *   accessKeyId: "STS.NExampleKeyId",
   *   accessKeySecret: "s3cr3t-value",
   *   securityToken: "example-security-token"
   * }
   * const client = new Credential(options)
   * assert.strictEqual((await client.getCredential()).securityToken, "example-security-token")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  ConfigOptions,
  /**
   * The official custom provider interface; an answer may carry an `expiration` (ours).
   *
   * @example
   * ```ts
   * import Credential, { type CredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // Your own source of keys, asked on every call (an answer with an expiration is kept until near it)
   * const vault: CredentialsProvider = {
   *   getProviderName: () => "vault",
   *   getCredentials: async () => ({
   *     accessKeyId: "LTAI5tExampleKeyId",
   *     accessKeySecret: "s3cr3t-value",
   *     securityToken: "",
   *     providerName: "vault"
   *   })
   * }
   * const client = new Credential(null, vault)
   * assert.strictEqual((await client.getCredential()).providerName, "vault")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  CredentialsProvider,
  /**
   * The official `ICredential`: the type of the client's `credential` field.
   *
   * @example
   * ```ts
   * import Credential, { Config, type ICredential } from "@effect-alicloud/credentials/promise"
   *
   * // What the official clients read their credential through
   * const authorization = async (credential: ICredential): Promise<string> =>
   *   credential.getType() === "bearer" ? `Bearer ${credential.getBearerToken()}` : "signed"
   *
   * const client = new Credential(new Config({ type: "bearer", bearerToken: "example-bearer-token" }))
   * assert.strictEqual(await authorization(client.credential), "Bearer example-bearer-token")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  ICredential,
  /**
   * A provider's answer (the official `Credentials`, with an optional `expiration`).
   *
   * @example
   * ```ts
   * import Credential, { type ProviderCredentials } from "@effect-alicloud/credentials/promise"
   *
   * // An STS session valid for one hour: kept, not asked again, until 15 minutes before it expires
   * const expiration = Date.now() + 60 * 60 * 1000
   * const session: ProviderCredentials = {
   *   accessKeyId: "STS.NExampleKeyId",
   *   accessKeySecret: "s3cr3t-value",
   *   securityToken: "example-security-token",
   *   providerName: "vault",
   *   expiration
   * }
   * const client = new Credential(null, { getProviderName: () => "vault", getCredentials: async () => session })
   * assert.strictEqual((await client.getCredential()).expiration, expiration)
   * await client.close()
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  ProviderCredentials
}

const clientName = "the credential client"

const isProvider = (provider: unknown): provider is CredentialsProvider =>
  typeof provider === "object" && provider !== null &&
  typeof Reflect.get(provider, "getCredentials") === "function" &&
  typeof Reflect.get(provider, "getProviderName") === "function"

/**
 * Whether an error (an official SDK's, ours, or one wrapping either, 3 levels deep) carries one of
 * Alibaba Cloud's authentication codes (`InvalidAccessKeyId*`, `InvalidSecurityToken*`,
 * `SignatureDoesNotMatch`, `InvalidAccessKeySecret`): the credential was refused, so `refresh()`
 * and one more try may help. The same predicate as `Credentials.isAuthError`, without loading the
 * Effect API.
 *
 * @example
 * ```ts
 * import { isAuthError } from "@effect-alicloud/credentials/promise"
 *
 * assert.strictEqual(isAuthError({ code: "InvalidSecurityToken.Expired" }), true)
 * assert.strictEqual(isAuthError(new Error("boom", { cause: { code: "SignatureDoesNotMatch" } })), true)
 * assert.strictEqual(isAuthError({ code: "Throttling" }), false)
 * ```
 *
 * @since 0.1.0
 * @category recovery
 */
export const isAuthError = (error: unknown): boolean => AuthCode.isAuthError(error)

/**
 * The official client, backed by one Effect runtime (built on first use). `close()` (or
 * `await using`) stops its background refresh; a forgotten `close()` does not keep the process
 * alive.
 *
 * @example
 * ```ts
 * import Credential, { Config } from "@effect-alicloud/credentials/promise"
 *
 * // A static key; give the client to an official SDK client as its `credential`
 * const client = new Credential(
 *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
 * )
 * const credential = await client.getCredential()
 * assert.strictEqual(credential.accessKeyId, "LTAI5tExampleKeyId")
 * await client.close()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Credential implements ICredential {
  /**
   * The official field: the inner client the methods delegate to.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * )
   * // The official SDK clients read the credential through this field
   * assert.strictEqual(client.credential.getType(), "access_key")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  credential: ICredential
  /** @ignore A private field, which docgen would otherwise list. */
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
      engine = effectEngine(Recipe.defaultChain(chain), clientName)
    } else {
      if (!config.type) throw new Error("Missing required type option")
      if (!isType(config.type)) {
        const typo = typeof config.type === "string" ? didYouMean(config.type, types) : ""
        throw new Error(`Invalid type option, support: ${types.join(", ")}${typo}`)
      }
      type = config.type
      engine = effectEngine(Recipe.ofConfig({ ...config, type: config.type }), clientName)
      if (config.type === "bearer") bearerToken = config.bearerToken
    }
    this.#inner = new InnerCredentialsClient(type, engine, bearerToken)
    this.credential = this.#inner
  }

  /**
   * Ours: the default chain with options (endpoints, a profile, timeouts, the refresh windows).
   *
   * @example
   * ```ts
   * import Credential from "@effect-alicloud/credentials/promise"
   *
   * // Nothing is looked up before the first call
   * const client = Credential.defaultChain({ profile: "dev" })
   * assert.strictEqual(client.getType(), "default")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static defaultChain(options: DefaultChain.Options): Credential {
    return new Credential(null, null, options)
  }

  /**
   * The AccessKey ID.
   *
   * @deprecated As in the official tool: use `getCredential()`.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * )
   * assert.strictEqual(await client.getAccessKeyId(), (await client.getCredential()).accessKeyId)
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  getAccessKeyId(): Promise<string> {
    return this.credential.getAccessKeyId()
  }

  /**
   * The AccessKey secret.
   *
   * @deprecated As in the official tool: use `getCredential()`.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * )
   * assert.strictEqual(await client.getAccessKeySecret(), (await client.getCredential()).accessKeySecret)
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  getAccessKeySecret(): Promise<string> {
    return this.credential.getAccessKeySecret()
  }

  /**
   * The security token; resolves `undefined` when there is no token.
   *
   * @deprecated As in the official tool: use `getCredential()`.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "sts", accessKeyId: "STS.NExampleKeyId", accessKeySecret: "s3cr3t-value", securityToken: "example-security-token" })
   * )
   * assert.strictEqual(await client.getSecurityToken(), "example-security-token")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  getSecurityToken(): Promise<string> {
    return this.credential.getSecurityToken()
  }

  /**
   * The bearer token of a `bearer` client, else `undefined`.
   *
   * @deprecated As in the official tool.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(new Config({ type: "bearer", bearerToken: "example-bearer-token" }))
   * assert.strictEqual(client.getBearerToken(), "example-bearer-token")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  getBearerToken(): string {
    return this.credential.getBearerToken()
  }

  /**
   * The client's type: the config's `type`, `default` for the chain, or the provider's name.
   *
   * @deprecated As in the official tool.
   *
   * @example
   * ```ts
   * import Credential, { Config, StaticAKCredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * const bearer = new Credential(new Config({ type: "bearer", bearerToken: "example-bearer-token" }))
   * assert.strictEqual(bearer.getType(), "bearer")
   * const provider = StaticAKCredentialsProvider.builder()
   *   .withAccessKeyId("LTAI5tExampleKeyId")
   *   .withAccessKeySecret("s3cr3t-value")
   *   .build()
   * const fromProvider = new Credential(null, provider)
   * assert.strictEqual(fromProvider.getType(), "static_ak")
   * await bearer.close()
   * await fromProvider.close()
   * ```
   *
   * @since 0.1.0
   */
  getType(): string {
    return this.credential.getType()
  }

  /**
   * The credential, fetched or refreshed as needed.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "sts", accessKeyId: "STS.NExampleKeyId", accessKeySecret: "s3cr3t-value", securityToken: "example-security-token" })
   * )
   * const credential = await client.getCredential()
   * assert.strictEqual(credential.type, "sts")
   * assert.strictEqual(credential.securityToken, "example-security-token")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
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
   *
   * @example
   * ```ts
   * import Credential, { type CredentialsProvider } from "@effect-alicloud/credentials/promise"
   *
   * // A custom provider whose key was rotated: refresh() asks it again at once
   * let asked = 0
   * const rotating: CredentialsProvider = {
   *   getProviderName: () => "rotating",
   *   getCredentials: async () => ({
   *     accessKeyId: `LTAI5tExampleKey${++asked}`,
   *     accessKeySecret: "s3cr3t-value",
   *     securityToken: "",
   *     providerName: "rotating"
   *   })
   * }
   * const client = new Credential(null, rotating)
   * assert.strictEqual((await client.getCredential()).accessKeyId, "LTAI5tExampleKey1")
   * assert.strictEqual((await client.refresh()).accessKeyId, "LTAI5tExampleKey2")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  refresh(): Promise<CredentialModel> {
    return this.#inner.refresh()
  }

  /**
   * Ours: the provider name of the current credential, e.g. `default/env` (fetches it if needed).
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * )
   * assert.strictEqual(await client.getProviderName(), "static_ak")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  async getProviderName(): Promise<string | undefined> {
    return (await this.getCredential()).providerName
  }

  /**
   * Ours: stops the background refresh and releases the connections; later calls reject.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * )
   * await client.getCredential()
   * await client.close()
   * await assert.rejects(client.getCredential(), /was closed/)
   * ```
   *
   * @since 0.1.0
   */
  close(): Promise<void> {
    return this.#inner.close()
  }

  /**
   * `await using client = new Credential(...)`: `close()` at the end of the block.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * {
   *   await using client = new Credential(
   *     new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   *   )
   *   assert.strictEqual((await client.getCredential()).type, "access_key")
   * } // closed here
   * ```
   *
   * @since 0.1.0
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /**
   * No secret in logs: the client prints its type only.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * )
   * assert.strictEqual(`${client}`, "Credential(access_key)")
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  toString(): string {
    return `Credential(${this.getType()})`
  }

  /**
   * No secret in logs: the client is JSON-encoded as its type only.
   *
   * @example
   * ```ts
   * import Credential, { Config } from "@effect-alicloud/credentials/promise"
   *
   * const client = new Credential(
   *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
   * )
   * assert.strictEqual(JSON.stringify({ client }), `{"client":{"type":"access_key"}}`)
   * await client.close()
   * ```
   *
   * @since 0.1.0
   */
  toJSON(): { readonly type: string } {
    return { type: this.getType() }
  }
}

export default Credential
