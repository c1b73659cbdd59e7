// The official 2.4.7 provider classes and their builders, on our sources: each provider holds a
// recipe (a static source, or a network source built when the network module is first loaded)
// and an engine (one Effect runtime, built on the first `getCredentials()`). The builders' fields
// and methods are the official declarations'. Options are checked when the provider is first
// used (a rejected Promise), not in `build()`.
import * as Effect from "effect/Effect"
import type * as DefaultChain from "../DefaultChain.js"
import * as Environment from "../sources/Environment.js"
import {
  type ConfigOptions,
  Credentials,
  type CredentialsProvider,
  defineSecret,
  type ProviderCredentials,
  Session
} from "./model.js"
import {
  type Answer,
  effectEngine,
  type Engine,
  httpSourceIn,
  providerSource,
  type Recipe,
  sourceIn
} from "./runtime.js"
import { staticSource } from "./static.js"

const recipes = new WeakMap<object, Recipe>()

/** The recipe of one of our providers; `undefined` for any other (a custom provider). */
export const recipeOf = (provider: object): Recipe | undefined => recipes.get(provider)

/** The recipe of any provider: ours as they are, a custom one asked on every call. */
const anyRecipe = (provider: CredentialsProvider): Recipe =>
  recipeOf(provider) ?? { _tag: "Static", source: providerSource(provider), cached: true }

/**
 * The recipe of a network type of the official options, signed (`ram_role_arn`) by `signer` or
 * else by the options' keys. Only OIDC (a token file) and a signer that may read files or run the
 * CLI's helpers (a profile, the default chain...) need more than HTTP.
 */
export const network = (config: ConfigOptions, signer?: CredentialsProvider): Recipe => {
  const signedBy = signer === undefined ? undefined : anyRecipe(signer)
  if (config.type === "oidc_role_arn" || signedBy?._tag === "Network") {
    return {
      _tag: "Network",
      source: (layers) => layers.sourceOf(config, signedBy === undefined ? undefined : sourceIn(signedBy, layers))
    }
  }
  return {
    _tag: "Http",
    source: (layers) => layers.httpSourceOf(config, signedBy === undefined ? undefined : httpSourceIn(signedBy, layers))
  }
}

const credentialsOf = (answer: Answer): Credentials => {
  const builder = Credentials.builder().withAccessKeyId(answer.accessKeyId).withAccessKeySecret(answer.accessKeySecret)
  if (answer.securityToken !== undefined) builder.withSecurityToken(answer.securityToken)
  if (answer.providerName !== undefined) builder.withProviderName(answer.providerName)
  return builder.build()
}

// Copies the fields that are set (the official options read `undefined` as "not given").
const options = (fields: { readonly [key: string]: unknown }): ConfigOptions => {
  const config: { [key: string]: unknown } = {}
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null) config[key] = value
  return config
}

/** What our providers share: the recipe, the engine, `getCredentials()` and `close()`. */
abstract class Provider implements CredentialsProvider {
  readonly #engine: Engine
  #last: Answer | undefined

  constructor(recipe: Recipe) {
    recipes.set(this, recipe)
    this.#engine = effectEngine(recipe, "the credentials provider")
  }

  /** The answer itself (for the session methods). */
  protected async answer(): Promise<Answer> {
    const answer = await this.#engine.get()
    this.#last = answer
    return answer
  }

  protected get last(): Answer | undefined {
    return this.#last
  }

  async getCredentials(): Promise<Credentials> {
    return credentialsOf(await this.answer())
  }

  /**
   * Ours: fetches new credentials now, whatever the state of the cached ones (calls made meanwhile
   * share the one fetch), and answers them; later calls get them. For credentials the service
   * refused before their time (a revoked session, a rotated key). A failure rejects and leaves the
   * cached credentials as they were.
   */
  async refresh(): Promise<Credentials> {
    return credentialsOf(await this.refreshed())
  }

  /** A forced fetch (for `refresh()` and the session methods). */
  protected async refreshed(): Promise<Answer> {
    const answer = await this.#engine.refresh()
    this.#last = answer
    return answer
  }

  abstract getProviderName(): string

  /** Ours: stops the provider's background refresh (a forgotten `close()` does not hold the process). */
  close(): Promise<void> {
    return this.#engine.close()
  }
}

const staleMillis = 15 * 60 * 1000

/**
 * The public members of the official `SessionCredentialProvider`, for the providers that extend
 * it. The refresh itself is ours (in the background, ahead of expiry): these read its state.
 */
abstract class SessionProvider extends Provider {
  /** The official refresher: here, the current session. */
  refresher: () => Promise<Session> = () => this.getSession()

  async getSession(): Promise<Session> {
    const answer = await this.answer()
    return new Session(
      answer.accessKeyId,
      answer.accessKeySecret,
      answer.securityToken ?? "",
      answer.expiration === undefined ? "" : new Date(answer.expiration).toISOString().replace(/\.\d{3}Z$/, "Z")
    )
  }

  /** The official method: fetches a new session now (as the official refresher does). */
  async refreshSession(): Promise<void> {
    await this.refreshed()
  }

  /** The official hook; our engine keeps its own timestamps. */
  refreshTimestamp(): void {}

  maxStaleFailureJitter(): number {
    return 10
  }

  jitterTime(time: number, jitterStart: number, jitterEnd: number): number {
    return time + jitterStart + Math.abs(Math.floor(Math.random() * (jitterEnd - jitterStart)))
  }

  /** Whether the next call refreshes: no session yet, or 15 minutes or less left. */
  needUpdateCredential(): boolean {
    const expiration = this.last?.expiration
    return expiration === undefined || Date.now() >= expiration - staleMillis
  }

  shouldPrefetchCredential(): boolean {
    return false
  }
}

// --- static_ak -------------------------------------------------------------------------------

/** The official `StaticAKCredentialsProviderBuilder`. */
export class StaticAKCredentialsProviderBuilder {
  declare accessKeyId: string
  declare accessKeySecret: string

  withAccessKeyId(accessKeyId: string): StaticAKCredentialsProviderBuilder {
    this.accessKeyId = accessKeyId
    return this
  }

  withAccessKeySecret(accessKeySecret: string): StaticAKCredentialsProviderBuilder {
    defineSecret(this, "accessKeySecret", accessKeySecret)
    return this
  }

  build(): StaticAKCredentialsProvider {
    return new StaticAKCredentialsProvider(this)
  }
}

/** The official `StaticAKCredentialsProvider` (provider name `static_ak`): an AccessKey pair, else the environment's. */
export class StaticAKCredentialsProvider extends Provider {
  static builder(): StaticAKCredentialsProviderBuilder {
    return new StaticAKCredentialsProviderBuilder()
  }

  constructor(builder: StaticAKCredentialsProviderBuilder) {
    const config = options({
      type: "access_key",
      accessKeyId: builder.accessKeyId,
      accessKeySecret: builder.accessKeySecret
    })
    super({ _tag: "Static", source: staticSource(config) ?? Effect.die("access_key is static"), cached: true })
  }

  getProviderName(): string {
    return "static_ak"
  }
}

// --- static_sts ------------------------------------------------------------------------------

/** The official `StaticSTSCredentialsProviderBuilder`. */
export class StaticSTSCredentialsProviderBuilder {
  declare accessKeyId: string
  declare accessKeySecret: string
  declare securityToken: string

  withAccessKeyId(accessKeyId: string): StaticSTSCredentialsProviderBuilder {
    this.accessKeyId = accessKeyId
    return this
  }

  withAccessKeySecret(accessKeySecret: string): StaticSTSCredentialsProviderBuilder {
    defineSecret(this, "accessKeySecret", accessKeySecret)
    return this
  }

  withSecurityToken(securityToken: string): StaticSTSCredentialsProviderBuilder {
    defineSecret(this, "securityToken", securityToken)
    return this
  }

  build(): StaticSTSCredentialsProvider {
    return new StaticSTSCredentialsProvider(this)
  }
}

/** The official `StaticSTSCredentialsProvider` (provider name `static_sts`). */
export class StaticSTSCredentialsProvider extends Provider {
  static builder(): StaticSTSCredentialsProviderBuilder {
    return new StaticSTSCredentialsProviderBuilder()
  }

  constructor(builder: StaticSTSCredentialsProviderBuilder) {
    const config = options({
      type: "sts",
      accessKeyId: builder.accessKeyId,
      accessKeySecret: builder.accessKeySecret,
      securityToken: builder.securityToken
    })
    super({ _tag: "Static", source: staticSource(config) ?? Effect.die("sts is static"), cached: true })
  }

  getProviderName(): string {
    return "static_sts"
  }
}

// --- env -------------------------------------------------------------------------------------

/** The official `EnvironmentVariableCredentialsProviderBuilder`. */
export class EnvironmentVariableCredentialsProviderBuilder {
  build(): EnvironmentVariableCredentialsProvider {
    return new EnvironmentVariableCredentialsProvider(this)
  }
}

/**
 * The official `EnvironmentVariableCredentialsProvider` (provider name `env`): reads
 * `ALIBABA_CLOUD_ACCESS_KEY_ID`, `..._SECRET` and `ALIBABA_CLOUD_SECURITY_TOKEN` on every call.
 */
export class EnvironmentVariableCredentialsProvider extends Provider {
  static builder(): EnvironmentVariableCredentialsProviderBuilder {
    return new EnvironmentVariableCredentialsProviderBuilder()
  }

  constructor(_builder: EnvironmentVariableCredentialsProviderBuilder) {
    super({ _tag: "Static", source: Environment.make(), cached: false })
  }

  getProviderName(): string {
    return "env"
  }
}

// --- ram_role_arn ----------------------------------------------------------------------------

// The official builders' timeout and proxy setters, once: each returns the builder it is called on.
class TimeoutsBuilder {
  declare readTimeout?: number
  declare connectTimeout?: number

  withReadTimeout(readTimeout: number): this {
    this.readTimeout = readTimeout
    return this
  }

  withConnectTimeout(connectTimeout: number): this {
    this.connectTimeout = connectTimeout
    return this
  }
}

class ProxiedBuilder extends TimeoutsBuilder {
  /** Ours: see `withProxy`. */
  declare proxy?: string | false

  /** Ours: the HTTP proxy (`http://user:password@host:port`), or `false` for none (default: `HTTPS_PROXY` / `HTTP_PROXY`). */
  withProxy(proxy: string | false): this {
    this.proxy = proxy
    return this
  }
}

/** The official `RAMRoleARNCredentialsProviderBuilder`. */
export class RAMRoleARNCredentialsProviderBuilder extends ProxiedBuilder {
  declare credentialsProvider: CredentialsProvider
  declare roleArn: string
  declare roleSessionName: string
  declare durationSeconds: number
  declare stsEndpoint: string
  declare stsRegionId: string
  declare policy: string
  declare externalId: string
  declare enableVpc?: boolean

  /** As in the official tool, a signer is required: `withCredentialsProvider(...)`. */
  build(): RAMRoleARNCredentialsProvider {
    if (this.credentialsProvider === undefined || this.credentialsProvider === null) {
      throw new Error("must specify a previous credentials provider to asssume role")
    }
    return new RAMRoleARNCredentialsProvider(this)
  }

  withCredentialsProvider(credentialsProvider: CredentialsProvider): RAMRoleARNCredentialsProviderBuilder {
    this.credentialsProvider = credentialsProvider
    return this
  }

  withRoleArn(roleArn: string): RAMRoleARNCredentialsProviderBuilder {
    this.roleArn = roleArn
    return this
  }

  withStsRegionId(regionId: string): RAMRoleARNCredentialsProviderBuilder {
    this.stsRegionId = regionId
    return this
  }

  withStsEndpoint(endpoint: string): RAMRoleARNCredentialsProviderBuilder {
    this.stsEndpoint = endpoint
    return this
  }

  withRoleSessionName(roleSessionName: string): RAMRoleARNCredentialsProviderBuilder {
    this.roleSessionName = roleSessionName
    return this
  }

  withPolicy(policy: string): RAMRoleARNCredentialsProviderBuilder {
    this.policy = policy
    return this
  }

  withExternalId(externalId: string): RAMRoleARNCredentialsProviderBuilder {
    this.externalId = externalId
    return this
  }

  withDurationSeconds(durationSeconds: number): RAMRoleARNCredentialsProviderBuilder {
    this.durationSeconds = durationSeconds
    return this
  }

  withEnableVpc(enableVpc: boolean): RAMRoleARNCredentialsProviderBuilder {
    this.enableVpc = enableVpc
    return this
  }
}

/**
 * The official `RAMRoleARNCredentialsProvider` (provider name `ram_role_arn/<signer's>`): our
 * AssumeRole, signed by the given provider's credential (ours: its source; any other: asked on
 * every AssumeRole).
 */
export class RAMRoleARNCredentialsProvider extends SessionProvider {
  readonly #signer: CredentialsProvider

  static builder(): RAMRoleARNCredentialsProviderBuilder {
    return new RAMRoleARNCredentialsProviderBuilder()
  }

  constructor(builder: RAMRoleARNCredentialsProviderBuilder) {
    const config = options({
      type: "ram_role_arn",
      roleArn: builder.roleArn,
      roleSessionName: builder.roleSessionName,
      roleSessionExpiration: builder.durationSeconds,
      policy: builder.policy,
      externalId: builder.externalId,
      stsEndpoint: builder.stsEndpoint,
      stsRegionId: builder.stsRegionId,
      enableVpc: builder.enableVpc,
      timeout: builder.readTimeout,
      connectTimeout: builder.connectTimeout,
      proxy: builder.proxy
    })
    super(network(config, builder.credentialsProvider))
    this.#signer = builder.credentialsProvider
  }

  getProviderName(): string {
    return `ram_role_arn/${this.#signer.getProviderName()}`
  }
}

// --- oidc_role_arn ---------------------------------------------------------------------------

/** The official `OIDCRoleArnCredentialsProviderBuilder`. */
export class OIDCRoleArnCredentialsProviderBuilder extends ProxiedBuilder {
  declare oidcProviderArn: string
  declare oidcTokenFilePath: string
  declare roleArn: string
  declare roleSessionName: string
  declare stsEndpoint: string
  declare stsRegionId: string
  declare policy: string
  declare durationSeconds: number
  declare enableVpc?: boolean
  /** Ours: see `withOIDCToken`. */
  declare oidcToken?: () => Promise<string>

  /**
   * Ours: the OIDC token from code instead of a file: a function answering a Promise of the token
   * (e.g. a call to a CI's token endpoint), called at every fetch. Not with `withOIDCTokenFilePath`.
   */
  withOIDCToken(oidcToken: () => Promise<string>): OIDCRoleArnCredentialsProviderBuilder {
    this.oidcToken = oidcToken
    return this
  }

  withOIDCProviderArn(oidcProviderArn: string): this {
    this.oidcProviderArn = oidcProviderArn
    return this
  }

  withOIDCTokenFilePath(path: string): this {
    this.oidcTokenFilePath = path
    return this
  }

  withRoleArn(roleArn: string): this {
    this.roleArn = roleArn
    return this
  }

  withRoleSessionName(roleSessionName: string): this {
    this.roleSessionName = roleSessionName
    return this
  }

  withDurationSeconds(durationSeconds: number): this {
    this.durationSeconds = durationSeconds
    return this
  }

  withStsEndpoint(stsEndpoint: string): this {
    this.stsEndpoint = stsEndpoint
    return this
  }

  withStsRegionId(regionId: string): this {
    this.stsRegionId = regionId
    return this
  }

  withPolicy(policy: string): this {
    this.policy = policy
    return this
  }

  withEnableVpc(enableVpc: boolean): OIDCRoleArnCredentialsProviderBuilder {
    this.enableVpc = enableVpc
    return this
  }

  build(): OIDCRoleArnCredentialsProvider {
    return new OIDCRoleArnCredentialsProvider(this)
  }
}

/**
 * The official `OIDCRoleArnCredentialsProvider` (provider name `oidc_role_arn`); the ARNs and the
 * token file fall back to `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
 * `ALIBABA_CLOUD_OIDC_TOKEN_FILE`.
 */
export class OIDCRoleArnCredentialsProvider extends SessionProvider {
  /** The official field (its HTTP options); not read. */
  runtime: { [key: string]: unknown } = {}

  static builder(): OIDCRoleArnCredentialsProviderBuilder {
    return new OIDCRoleArnCredentialsProviderBuilder()
  }

  constructor(builder: OIDCRoleArnCredentialsProviderBuilder) {
    super(network(options({
      type: "oidc_role_arn",
      oidcProviderArn: builder.oidcProviderArn,
      oidcTokenFilePath: builder.oidcTokenFilePath,
      roleArn: builder.roleArn,
      roleSessionName: builder.roleSessionName,
      roleSessionExpiration: builder.durationSeconds,
      policy: builder.policy,
      stsEndpoint: builder.stsEndpoint,
      stsRegionId: builder.stsRegionId,
      enableVpc: builder.enableVpc,
      timeout: builder.readTimeout,
      connectTimeout: builder.connectTimeout,
      oidcToken: builder.oidcToken,
      proxy: builder.proxy
    })))
  }

  /** The official field: when a new credential last came, epoch milliseconds (0 before). */
  lastUpdateTimestamp = 0

  protected override async answer(): Promise<Answer> {
    return this.#stamped(this.last, await super.answer())
  }

  protected override async refreshed(): Promise<Answer> {
    return this.#stamped(this.last, await super.refreshed())
  }

  #stamped(before: Answer | undefined, answer: Answer): Answer {
    if (before?.accessKeyId !== answer.accessKeyId || before.expiration !== answer.expiration) {
      this.lastUpdateTimestamp = Date.now()
    }
    return answer
  }

  getProviderName(): string {
    return "oidc_role_arn"
  }

  getCredentialsInternal(): Promise<Session> {
    return this.getSession()
  }
}

// --- ecs_ram_role ----------------------------------------------------------------------------

/** The official `ECSRAMRoleCredentialsProviderBuilder`, plus `withMetadataUrl` (ours). */
export class ECSRAMRoleCredentialsProviderBuilder extends TimeoutsBuilder {
  declare roleName: string
  declare disableIMDSv1: boolean
  declare asyncCredentialUpdateEnabled?: boolean
  /** Ours: the metadata service (default http://100.100.100.200). */
  declare metadataUrl?: string

  constructor() {
    super()
  }

  withRoleName(roleName: string): ECSRAMRoleCredentialsProviderBuilder {
    this.roleName = roleName
    return this
  }

  withDisableIMDSv1(disableIMDSv1: boolean): ECSRAMRoleCredentialsProviderBuilder {
    this.disableIMDSv1 = disableIMDSv1
    return this
  }

  /** Accepted: the credential is always refreshed in the background. */
  withAsyncCredentialUpdateEnabled(asyncCredentialUpdateEnabled: boolean): ECSRAMRoleCredentialsProviderBuilder {
    this.asyncCredentialUpdateEnabled = asyncCredentialUpdateEnabled
    return this
  }

  /** Ours: the metadata service's base URL. */
  withMetadataUrl(metadataUrl: string): ECSRAMRoleCredentialsProviderBuilder {
    this.metadataUrl = metadataUrl
    return this
  }

  build(): ECSRAMRoleCredentialsProvider {
    return new ECSRAMRoleCredentialsProvider(this)
  }
}

/**
 * The official `ECSRAMRoleCredentialsProvider` (provider name `ecs_ram_role`): IMDSv2 first (an
 * IMDSv1 fallback unless disabled), refreshed 1 hour ahead of expiry, in the background.
 */
export class ECSRAMRoleCredentialsProvider extends SessionProvider {
  static builder(): ECSRAMRoleCredentialsProviderBuilder {
    return new ECSRAMRoleCredentialsProviderBuilder()
  }

  constructor(builder: ECSRAMRoleCredentialsProviderBuilder) {
    super(network(options({
      type: "ecs_ram_role",
      roleName: builder.roleName,
      disableIMDSv1: builder.disableIMDSv1,
      timeout: builder.readTimeout,
      connectTimeout: builder.connectTimeout,
      metadataUrl: builder.metadataUrl
    })))
    if (builder.asyncCredentialUpdateEnabled === true) this.checkCredentialsUpdateAsynchronously()
  }

  /** The official method: fetches now, in the background; the refresh after that is ours. */
  checkCredentialsUpdateAsynchronously(): NodeJS.Timeout {
    return setTimeout(() => {
      this.getCredentials().catch(() => {})
    }, 0).unref()
  }

  override shouldPrefetchCredential(): boolean {
    const expiration = this.last?.expiration
    return expiration !== undefined && expiration - Date.now() <= 60 * 60 * 1000
  }

  getProviderName(): string {
    return "ecs_ram_role"
  }
}

// --- credentials_uri -------------------------------------------------------------------------

/** The official `URICredentialsProviderBuilder`. */
export class URICredentialsProviderBuilder extends ProxiedBuilder {
  declare credentialsURI: string

  withCredentialsURI(credentialsURI: string): URICredentialsProviderBuilder {
    this.credentialsURI = credentialsURI
    return this
  }

  build(): URICredentialsProvider {
    return new URICredentialsProvider(this)
  }
}

/** The official `URICredentialsProvider` (provider name `credential_uri`); else `ALIBABA_CLOUD_CREDENTIALS_URI`. */
export class URICredentialsProvider extends SessionProvider {
  static builder(): URICredentialsProviderBuilder {
    return new URICredentialsProviderBuilder()
  }

  constructor(builder: URICredentialsProviderBuilder) {
    super(network(options({
      type: "credentials_uri",
      credentialsURI: builder.credentialsURI,
      timeout: builder.readTimeout,
      connectTimeout: builder.connectTimeout,
      proxy: builder.proxy
    })))
  }

  getProviderName(): string {
    return "credential_uri"
  }
}

// --- profile (ini) ---------------------------------------------------------------------------

/** The official `ProfileCredentialsProviderBuilder`. */
export class ProfileCredentialsProviderBuilder {
  declare profileName: string

  withProfileName(profileName: string): this {
    this.profileName = profileName
    return this
  }

  build(): ProfileCredentialsProvider {
    return new ProfileCredentialsProvider(this)
  }
}

const iniField = (section: { readonly [key: string]: unknown }, key: string): string | undefined => {
  const value = section[key]
  return typeof value === "string" ? value : undefined
}

/**
 * The official `ProfileCredentialsProvider` (provider name `profile/<inner>`): a section of the
 * credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials`); the
 * profile is the one given, else `ALIBABA_CLOUD_PROFILE`, else `default`.
 */
export class ProfileCredentialsProvider extends Provider {
  readonly #profileName: string | undefined

  static builder(): ProfileCredentialsProviderBuilder {
    return new ProfileCredentialsProviderBuilder()
  }

  constructor(builder: ProfileCredentialsProviderBuilder) {
    const profileName = builder.profileName
    super({ _tag: "Network", source: (layers) => layers.iniProfile(profileName) })
    this.#profileName = profileName
  }

  /** The official method: the provider of one section of a parsed ini file. */
  getCredentialsProvider(ini: { readonly [section: string]: unknown }): CredentialsProvider {
    const name = this.#profileName ?? "default"
    const found = ini[name]
    const section: { readonly [key: string]: unknown } = typeof found === "object" && found !== null ? { ...found } : {}
    const type = iniField(section, "type")
    const key = () =>
      StaticAKCredentialsProvider.builder()
        .withAccessKeyId(iniField(section, "access_key_id") ?? "")
        .withAccessKeySecret(iniField(section, "access_key_secret") ?? "")
        .build()
    switch (type) {
      case undefined:
        throw new Error(`Can not find credential type for "${name}"`)
      case "access_key":
        return key()
      case "ecs_ram_role":
        return ECSRAMRoleCredentialsProvider.builder().withRoleName(iniField(section, "role_name") ?? "").build()
      case "ram_role_arn":
        return RAMRoleARNCredentialsProvider.builder()
          .withCredentialsProvider(key())
          .withRoleArn(iniField(section, "role_arn") ?? "")
          .withRoleSessionName(iniField(section, "role_session_name") ?? "")
          .withPolicy(iniField(section, "policy") ?? "")
          .build()
      default:
        throw new Error("Invalid type option, support: access_key, ecs_ram_role, ram_role_arn")
    }
  }

  getProviderName(): string {
    return "profile"
  }
}

// --- cli_profile -----------------------------------------------------------------------------

/** The official `CLIProfileCredentialsProviderBuilder`. */
export class CLIProfileCredentialsProviderBuilder {
  declare profileName: string

  build(): CLIProfileCredentialsProvider {
    return new CLIProfileCredentialsProvider(this)
  }

  withProfileName(profileName: string): this {
    this.profileName = profileName
    return this
  }
}

/**
 * The official `CLIProfileCredentialsProvider` (provider name `cli_profile/<inner>`): a profile of
 * the CLI's `~/.aliyun/config.json`, the one given, else `ALIBABA_CLOUD_PROFILE`, else the file's
 * `current`.
 */
export class CLIProfileCredentialsProvider extends Provider {
  static builder(): CLIProfileCredentialsProviderBuilder {
    return new CLIProfileCredentialsProviderBuilder()
  }

  constructor(builder: CLIProfileCredentialsProviderBuilder) {
    const profileName = builder.profileName
    super({ _tag: "Network", source: (layers) => layers.cliProfile(profileName) })
  }

  getProviderName(): string {
    return "cli_profile"
  }
}

// --- default ---------------------------------------------------------------------------------

/** The official `DefaultCredentialsProviderBuilder`. */
export class DefaultCredentialsProviderBuilder {
  build(): DefaultCredentialsProvider {
    return new DefaultCredentialsProvider(this)
  }
}

/** The default chain (see `Credential.defaultChain` for one with options). */
export const defaultChainRecipe = (chain: DefaultChain.Options | undefined): Recipe => ({
  _tag: "Network",
  source: (layers) => layers.defaultChainSource(chain),
  layer: (layers) => layers.layerDefaultChain(chain)
})

/**
 * The official `DefaultCredentialsProvider` (provider name `default/<the source that answered>`):
 * environment, OIDC, CLI profile, ini profile, ECS metadata, credentials URI.
 */
export class DefaultCredentialsProvider extends Provider {
  static builder(): DefaultCredentialsProviderBuilder {
    return new DefaultCredentialsProviderBuilder()
  }

  constructor(_builder: DefaultCredentialsProviderBuilder) {
    super(defaultChainRecipe(undefined))
  }

  getProviderName(): string {
    return "default"
  }
}

export type { ProviderCredentials }
