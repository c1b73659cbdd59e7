// The Promise facade's model classes, as `@alicloud/credentials` 2.4.7 declares them: `Config`,
// `CredentialModel`, the providers' `Credentials` and the custom provider interface. Plain
// classes, no Effect: importing them costs nothing.
//
// The secret fields (`accessKeySecret`, `securityToken`, `bearerToken`) are plain string
// properties, as the official clients read them, but not enumerable, and every rendering
// (`util.inspect`, `JSON.stringify`, `String`, template literals) masks them, the AccessKey ID as
// a Credential of the Effect API masks it. A `Config` keeps its options as given, enumerable, but
// renders them masked the same way, and a proxy URL without its user info.
import { maskAccessKeyId } from "../Credential.js"

/**
 * The official options (`@alicloud/credentials` `Config`), plus `metadataUrl` to move the ECS
 * metadata service. Time options are in milliseconds, as in the official tool; durations
 * (`roleSessionExpiration`, `metadataTokenDuration`) in seconds.
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
  /** Accepted, not read: the official client reads `roleSessionExpiration` (see docs/migration.md). */
  durationSeconds?: number | undefined
  policy?: string | undefined
  externalId?: string | undefined
  stsEndpoint?: string | undefined
  stsRegionId?: string | undefined
  /** `true` or `"true"` (the official package declares a string): `sts-vpc.<region>.aliyuncs.com`. */
  enableVpc?: boolean | string | undefined
  oidcProviderArn?: string | undefined
  oidcTokenFilePath?: string | undefined
  /**
   * Ours: the OIDC token from code instead of a file, a function answering a Promise of the token
   * (e.g. one that calls a CI's token endpoint), called at every fetch as the file is read at every
   * fetch. Not with `oidcTokenFilePath`.
   */
  oidcToken?: (() => Promise<string>) | undefined
  /**
   * Ours: the HTTP proxy of STS and the credentials URI (`http://user:password@host:port`), or
   * `false` for none whatever `HTTPS_PROXY` / `HTTP_PROXY` say; the metadata service is never
   * proxied. Default: the variables (see docs/proxies.md).
   */
  proxy?: string | false | undefined
  roleName?: string | undefined
  disableIMDSv1?: boolean | undefined
  /** Accepted: IMDSv2 is always tried first (see docs/migration.md). */
  enableIMDSv2?: boolean | undefined
  /** The lifetime of the IMDSv2 metadata token, seconds (default 21600). */
  metadataTokenDuration?: number | undefined
  /** Accepted: the facade always refreshes in the background (see docs/migration.md). */
  asyncCredentialUpdateEnabled?: boolean | undefined
  credentialsURI?: string | undefined
  /** Accepted, not acted on: `rsa_key_pair` is not supported (see docs/migration.md). */
  publicKeyId?: string | undefined
  /** Accepted, not acted on: `rsa_key_pair` is not supported (see docs/migration.md). */
  privateKeyFile?: string | undefined
  /** Read timeout, milliseconds. */
  timeout?: number | undefined
  /** Connect timeout, milliseconds. */
  connectTimeout?: number | undefined
  /** Ours: the ECS metadata service (default http://100.100.100.200). */
  metadataUrl?: string | undefined
}

const configNames: { readonly [key: string]: string } = {
  accessKeyId: "accessKeyId",
  accessKeySecret: "accessKeySecret",
  securityToken: "securityToken",
  bearerToken: "bearerToken",
  durationSeconds: "durationSeconds",
  roleArn: "roleArn",
  policy: "policy",
  roleSessionExpiration: "roleSessionExpiration",
  roleSessionName: "roleSessionName",
  externalId: "externalId",
  stsEndpoint: "stsEndpoint",
  stsRegionId: "stsRegionId",
  enableVpc: "enableVpc",
  timeout: "readTimeout",
  connectTimeout: "connectTimeout",
  publicKeyId: "publicKeyId",
  privateKeyFile: "privateKeyFile",
  roleName: "roleName",
  enableIMDSv2: "enableIMDSv2",
  disableIMDSv1: "disableIMDSv1",
  asyncCredentialUpdateEnabled: "asyncCredentialUpdateEnabled",
  metadataTokenDuration: "metadataTokenDuration",
  credentialsURI: "credentialsURI",
  oidcProviderArn: "oidcProviderArn",
  oidcTokenFilePath: "oidcTokenFilePath",
  type: "type"
}

const configTypes: { readonly [key: string]: string } = {
  ...Object.fromEntries(Object.keys(configNames).map((name) => [name, "string"])),
  durationSeconds: "number",
  roleSessionExpiration: "number",
  timeout: "number",
  connectTimeout: "number",
  enableIMDSv2: "boolean",
  disableIMDSv1: "boolean",
  asyncCredentialUpdateEnabled: "boolean",
  metadataTokenDuration: "number"
}

// The official tea model's `toMap()`: each set field under its wire name.
const toMap = (self: object, names: { readonly [key: string]: string }): { [key: string]: unknown } => {
  const map: { [key: string]: unknown } = {}
  for (const [name, wire] of Object.entries(names)) {
    const value: unknown = Reflect.get(self, name)
    if (value !== undefined && value !== null) map[wire] = value
  }
  return map
}

/**
 * The official `Config`: copies the options given (the official keys, and ours).
 * The field types are the official declarations' (four of them are declared required there).
 */
export class Config {
  [key: string]: unknown
  declare accessKeyId?: string
  declare accessKeySecret?: string
  declare securityToken?: string
  declare bearerToken?: string
  declare durationSeconds?: number
  declare roleArn?: string
  declare policy?: string
  declare roleSessionExpiration?: number
  declare roleSessionName?: string
  declare publicKeyId?: string
  declare privateKeyFile?: string
  declare roleName?: string
  declare enableIMDSv2?: boolean
  declare disableIMDSv1: boolean
  declare asyncCredentialUpdateEnabled: boolean
  declare metadataTokenDuration?: number
  declare credentialsURI?: string
  declare oidcProviderArn: string
  declare oidcTokenFilePath: string
  /** Ours: the OIDC token from a function answering a Promise of it (see `ConfigOptions`). */
  declare oidcToken?: () => Promise<string>
  /** Ours: the HTTP proxy (see `ConfigOptions`). */
  declare proxy?: string | false
  declare type?: string
  declare externalId?: string
  declare stsEndpoint?: string
  declare stsRegionId?: string
  /** `true` or `"true"` (the official package declares a string). */
  declare enableVpc?: boolean | string
  declare timeout?: number
  declare connectTimeout?: number
  declare metadataUrl?: string

  static names(): { [key: string]: string } {
    return { ...configNames }
  }

  static types(): { [key: string]: string } {
    return { ...configTypes }
  }

  constructor(config: ConfigOptions | { readonly [key: string]: unknown } = {}) {
    for (const [key, value] of Object.entries(config)) {
      if (value !== undefined && value !== null) this[key] = value
    }
  }

  toMap(): { [key: string]: unknown } {
    return toMap(this, configNames)
  }
}

const inspectCustom = Symbol.for("nodejs.util.inspect.custom")
const redacted = "<redacted>"

// A secret as a plain, writable, not enumerable property: read as `x.accessKeySecret`, skipped by
// `Object.keys`, spreads and the default renderings.
export const defineSecret = (self: object, name: string, value: unknown): void => {
  if (value === undefined) return
  Object.defineProperty(self, name, { value, writable: true, enumerable: false, configurable: true })
}

const secretNames = ["accessKeySecret", "securityToken", "bearerToken"] as const

/**
 * A proxy URL as renderings show it: scheme, host and port, and `<redacted>@` where it has user
 * info. The whole user info goes, not only the password: some proxies take a token as the user
 * name, and what a reader needs is which proxy, and that it has credentials. Text whose user info
 * cannot be told apart (not a URL, or an `@` the URL parser did not read as user info) is
 * `<redacted>` whole.
 */
const maskProxyUrl = (proxy: string): string => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`
  if (!URL.canParse(withScheme)) return redacted
  const url = new URL(withScheme)
  const hasUserInfo = url.username !== "" || url.password !== ""
  if (proxy.includes("@") && !hasUserInfo) return redacted
  return `${url.protocol}//${hasUserInfo ? `${redacted}@` : ""}${url.host}`
}

// The printable view of a model: the id masked, each secret that is set replaced by `<redacted>`,
// a proxy URL's user info too.
const maskedView = (self: object, fields: ReadonlyArray<string>): { [key: string]: unknown } => {
  const view: { [key: string]: unknown } = {}
  for (const field of fields) {
    const value: unknown = Reflect.get(self, field)
    if (value === undefined) continue
    view[field] = (secretNames as ReadonlyArray<string>).includes(field)
      ? (value === "" ? "" : redacted)
      : field === "accessKeyId" && typeof value === "string"
      ? maskAccessKeyId(value)
      : field === "proxy" && typeof value === "string"
      ? maskProxyUrl(value)
      : value
  }
  return view
}

const modelNames: { readonly [key: string]: string } = {
  accessKeyId: "accessKeyId",
  accessKeySecret: "accessKeySecret",
  securityToken: "securityToken",
  bearerToken: "bearerToken",
  type: "type",
  providerName: "providerName"
}

const modelFields = [...Object.keys(modelNames), "expiration"]

const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/**
 * What `getCredential()` returns: the official `CredentialModel`. `type` is the client's type
 * (`default` for the chain), as in the official Node tool. The secret and the token are plain
 * properties, masked in every rendering.
 */
export class CredentialModel {
  declare accessKeyId?: string
  declare accessKeySecret?: string
  declare securityToken?: string
  declare bearerToken?: string
  declare type?: string
  declare providerName?: string
  /** Ours, as in the Java model: when the credential expires, epoch milliseconds. */
  declare expiration?: number

  static names(): { [key: string]: string } {
    return { ...modelNames }
  }

  static types(): { [key: string]: string } {
    return Object.fromEntries(Object.keys(modelNames).map((name) => [name, "string"]))
  }

  constructor(map: { readonly [key: string]: unknown } = {}) {
    const accessKeyId = stringOf(map.accessKeyId)
    if (accessKeyId !== undefined) this.accessKeyId = accessKeyId
    for (const name of secretNames) defineSecret(this, name, stringOf(map[name]))
    const type = stringOf(map.type)
    if (type !== undefined) this.type = type
    const providerName = stringOf(map.providerName)
    if (providerName !== undefined) this.providerName = providerName
    if (typeof map.expiration === "number") this.expiration = map.expiration
  }

  /** The official `toMap()`: the fields as data, secrets included (for code that reads them). */
  toMap(): { [key: string]: unknown } {
    return toMap(this, modelNames)
  }
}

// The renderings live on the prototype, outside the declared type, so that the class stays the
// official declaration's shape both ways (the official model has no `toJSON`).
// `fields`: the fields shown, or those the instance has (a `Config` holds any key it is given).
const defineRenderings = (prototype: object, name: string, fields?: ReadonlyArray<string>): void => {
  const view = function(this: object) {
    return maskedView(this, fields ?? Object.keys(this))
  }
  Object.defineProperties(prototype, {
    toJSON: { value: view, writable: true, configurable: true },
    toString: {
      value: function(this: object) {
        return `${name} ${JSON.stringify(view.call(this))}`
      },
      writable: true,
      configurable: true
    },
    [inspectCustom]: { value: view, writable: true, configurable: true }
  })
}

defineRenderings(CredentialModel.prototype, "CredentialModel", modelFields)

// A `Config` keeps every option as given, as a plain property (`config.proxy` is the URL, and
// `toMap()` answers the official keys as data); its renderings mask the secrets and the proxy's
// user info as the model's do.
defineRenderings(Config.prototype, "Config")

/**
 * What a provider's `getCredentials()` answers (the official `Credentials`), masked as the model.
 */
export class Credentials {
  declare readonly accessKeyId: string
  declare readonly accessKeySecret: string
  declare readonly securityToken: string
  declare readonly providerName: string

  constructor(builder: CredentialsBuilder) {
    Object.defineProperty(this, "accessKeyId", { value: builder.accessKeyId, enumerable: true })
    defineSecret(this, "accessKeySecret", builder.accessKeySecret)
    defineSecret(this, "securityToken", builder.securityToken)
    Object.defineProperty(this, "providerName", { value: builder.providerName, enumerable: true })
  }

  static builder(): CredentialsBuilder {
    return new CredentialsBuilder()
  }
}

defineRenderings(Credentials.prototype, "Credentials", [
  "accessKeyId",
  "accessKeySecret",
  "securityToken",
  "providerName"
])

/** The official `CredentialsBuilder`. */
export class CredentialsBuilder {
  declare accessKeyId: string
  declare accessKeySecret: string
  declare securityToken: string
  declare providerName: string

  withAccessKeyId(value: string): this {
    this.accessKeyId = value
    return this
  }

  withAccessKeySecret(value: string): this {
    defineSecret(this, "accessKeySecret", value)
    return this
  }

  withSecurityToken(value: string): this {
    defineSecret(this, "securityToken", value)
    return this
  }

  withProviderName(value: string): this {
    this.providerName = value
    return this
  }

  build(): Credentials {
    return new Credentials(this)
  }
}

/**
 * The official custom provider interface. Ours also reads an `expiration` on the answer (epoch
 * milliseconds or an ISO 8601 string): an answer that carries one is kept until the official
 * refresh rule (15 minutes before it expires) says to ask again; any other answer is asked for on
 * every call, as in the official tool.
 */
export interface CredentialsProvider {
  getCredentials: () => Promise<ProviderCredentials>
  getProviderName: () => string
}

/** A provider's answer: the official `Credentials`, with our optional `expiration`. */
export interface ProviderCredentials {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly providerName: string
  readonly expiration?: number | string | undefined
}

/** The official `ICredential`: what the client's public `credential` field holds. */
export interface ICredential {
  getAccessKeyId: () => Promise<string>
  getAccessKeySecret: () => Promise<string>
  getSecurityToken: () => Promise<string>
  getBearerToken: () => string
  getType: () => string
  getCredential: () => Promise<CredentialModel>
}

/** The official `Session` (of the session providers), masked as the model. */
export class Session {
  declare accessKeyId: string
  declare accessKeySecret: string
  declare securityToken: string
  /** ISO 8601, as the service answers it (`2015-04-09T11:52:19Z`). */
  declare expiration: string

  constructor(accessKeyId: string, accessKeySecret: string, securityToken: string, expiration: string) {
    this.accessKeyId = accessKeyId
    defineSecret(this, "accessKeySecret", accessKeySecret)
    defineSecret(this, "securityToken", securityToken)
    this.expiration = expiration
  }
}

defineRenderings(Session.prototype, "Session", ["accessKeyId", "accessKeySecret", "securityToken", "expiration"])
