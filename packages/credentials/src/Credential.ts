/**
 * The credential value: what every source produces and every caller receives.
 *
 * Secrets (the AccessKey secret, the security token, the bearer token) are `Redacted` from the
 * moment they are read, so printing, inspecting, JSON-encoding or logging a `Credential` never
 * shows one. The AccessKey ID is an identifier, not a secret (Alibaba Cloud sends it in clear in
 * every signed request), but a `Credential` still prints it masked.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Redacted from "effect/Redacted"
import { maskAccessKeyId } from "./internal/maskAccessKeyId.js"

/**
 * The kind of credential, as the official tool's `type` of a credential (not of a client).
 *
 * @since 0.1.0
 * @category models
 */
export type CredentialType = "access_key" | "sts" | "bearer"

/**
 * How long a refreshing layer (`Refresh.make`, every `Credentials` layer) may keep a credential.
 *
 * - absent (the default): until its refresh window before `expiration`, or for ever without one.
 * - `"none"`: not at all. Every `get` asks the source again (concurrent callers still share one
 *   fetch), whatever the credential's `expiration`; the background fiber never refreshes it. For
 *   sources the official tools ask on every call, e.g. an External helper that prints an AccessKey
 *   pair without expiration, so that a rotation is seen at the next `get`. A source decides it per
 *   credential: "ask again unless the answer carries an expiration" is `expiration === undefined ?
 *   uncached(credential) : credential`.
 *
 * @since 0.1.0
 * @category models
 */
export type CachePolicy = "none"

/**
 * @since 0.1.0
 * @category models
 */
export interface CredentialFields {
  readonly type: CredentialType
  /** The AccessKey ID ("" for a bearer credential). */
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  /** Present for `sts` credentials. */
  readonly securityToken?: Redacted.Redacted<string> | undefined
  /** Present for `bearer` credentials. */
  readonly bearerToken?: Redacted.Redacted<string> | undefined
  /** When the credential stops working; absent for long-lived AccessKey pairs. */
  readonly expiration?: DateTime.Utc | undefined
  /** The path through the chain that produced it, e.g. `default/env` or `default/cli_profile/ram_role_arn`. */
  readonly providerName: string
  /** `"none"`: a refreshing layer asks the source again at every `get` (see `CachePolicy`). Absent: cached. */
  readonly cache?: CachePolicy | undefined
}

/**
 * A resolved credential.
 *
 * @since 0.1.0
 * @category models
 */
export class Credential implements CredentialFields {
  readonly type: CredentialType
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly securityToken: Redacted.Redacted<string> | undefined
  readonly bearerToken: Redacted.Redacted<string> | undefined
  readonly expiration: DateTime.Utc | undefined
  readonly providerName: string
  readonly cache: CachePolicy | undefined

  constructor(fields: CredentialFields) {
    this.type = fields.type
    this.accessKeyId = fields.accessKeyId
    this.accessKeySecret = fields.accessKeySecret
    this.securityToken = fields.securityToken
    this.bearerToken = fields.bearerToken
    this.expiration = fields.expiration
    this.providerName = fields.providerName
    this.cache = fields.cache
  }

  /** A printable view: the id masked, every secret replaced by `<redacted>`. */
  toJSON(): Record<string, string> {
    const view: Record<string, string> = {
      _id: "Credential",
      type: this.type,
      providerName: this.providerName,
      accessKeyId: maskAccessKeyId(this.accessKeyId),
      accessKeySecret: String(this.accessKeySecret)
    }
    if (this.securityToken !== undefined) view.securityToken = String(this.securityToken)
    if (this.bearerToken !== undefined) view.bearerToken = String(this.bearerToken)
    if (this.expiration !== undefined) view.expiration = DateTime.formatIso(this.expiration)
    if (this.cache !== undefined) view.cache = this.cache
    return view
  }

  toString(): string {
    return JSON.stringify(this.toJSON())
  }

  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: CredentialFields): Credential => new Credential(fields)

/**
 * Returns the same credential with another provider name, e.g. to prefix the chain's name.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withProviderName = (self: Credential, providerName: string): Credential =>
  new Credential({ ...self, providerName })

/**
 * Returns the same credential marked `cache: "none"`: a refreshing layer hands it to the callers of
 * the fetch that got it and asks the source again at the next `get` (see `CachePolicy`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const uncached = (self: Credential): Credential => new Credential({ ...self, cache: "none" })

/**
 * Whether a refreshing layer may keep the credential (it is not marked `cache: "none"`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCacheable = (self: Credential): boolean => self.cache !== "none"

/**
 * Whether the credential is still usable at `nowMillis` (epoch milliseconds).
 * A credential without an expiration never expires.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isValidAt = (self: Credential, nowMillis: number): boolean =>
  self.expiration === undefined || nowMillis < DateTime.toEpochMillis(self.expiration)

/**
 * Milliseconds left before expiry at `nowMillis`; `Infinity` for a credential that never expires.
 *
 * @since 0.1.0
 * @category getters
 */
export const remainingMillis = (self: Credential, nowMillis: number): number =>
  self.expiration === undefined ? Infinity : DateTime.toEpochMillis(self.expiration) - nowMillis
