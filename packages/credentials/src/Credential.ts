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
import type * as Duration from "effect/Duration"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Redacted from "effect/Redacted"
import { escapeControlCharacters } from "./internal/text/escape.js"

/**
 * The kind of credential, as the official tool's `type` of a credential (not of a client).
 *
 * @example
 * ```ts
 * import type { Credential } from "@effect-alicloud/credentials"
 *
 * // What to send: a bearer credential has a token and no AccessKey pair
 * const authorization = (credential: Credential.Credential): "bearer" | "signature" =>
 *   credential.type === "bearer" ? "bearer" : "signature"
 * ```
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
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential = Credential.make({
 *   type: "access_key",
 *   accessKeyId: "LTAI5tExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   providerName: "static_ak"
 * })
 *
 * // A source that wants to be asked again at every `get` unless the answer carries an expiration
 * const fresh = (credential: Credential.Credential): Credential.Credential =>
 *   credential.expiration === undefined ? Credential.uncached(credential) : credential
 * const policy: Credential.CachePolicy | undefined = fresh(credential).cache
 * assert.strictEqual(policy, "none")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CachePolicy = "none"

/**
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { DateTime, Redacted } from "effect"
 *
 * const fields: Credential.CredentialFields = {
 *   type: "sts",
 *   accessKeyId: "STS.NExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   securityToken: Redacted.make("t0ken-value"),
 *   expiration: DateTime.unsafeMake("2030-01-01T00:00:00Z"),
 *   providerName: "static_sts"
 * }
 * const credential = Credential.make(fields)
 * ```
 *
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
  /**
   * How far ahead of `expiration` the source asks to be refreshed (the ECS metadata service: 1 hour,
   * as the official tool). Absent: the refresh engine's own windows. The default chain honours it;
   * `Refresh.Options.prefetchWindow` decides for a layer of your own.
   */
  readonly prefetchWindow?: Duration.Duration | undefined
}

/**
 * A resolved credential.
 *
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential = Credential.make({
 *   type: "access_key",
 *   accessKeyId: "LTAI5tExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   providerName: "static_ak"
 * })
 *
 * assert.strictEqual(credential.accessKeyId, "LTAI5tExampleKeyId") // sent in clear in every signed request
 * assert.strictEqual(Redacted.value(credential.accessKeySecret), "s3cr3t-value") // only where you sign
 * assert.ok(!String(credential).includes("s3cr3t")) // printing never shows a secret
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Credential implements CredentialFields {
  // The fields are documented once, on `CredentialFields` (`@ignore`: docgen does not list them again).
  /** @ignore */
  readonly type: CredentialType
  /** @ignore */
  readonly accessKeyId: string
  /** @ignore */
  readonly accessKeySecret: Redacted.Redacted<string>
  /** @ignore */
  readonly securityToken: Redacted.Redacted<string> | undefined
  /** @ignore */
  readonly bearerToken: Redacted.Redacted<string> | undefined
  /** @ignore */
  readonly expiration: DateTime.Utc | undefined
  /** @ignore */
  readonly providerName: string
  /** @ignore */
  readonly cache: CachePolicy | undefined
  /** @ignore */
  readonly prefetchWindow: Duration.Duration | undefined

  constructor(fields: CredentialFields) {
    this.type = fields.type
    this.accessKeyId = fields.accessKeyId
    this.accessKeySecret = fields.accessKeySecret
    this.securityToken = fields.securityToken
    this.bearerToken = fields.bearerToken
    this.expiration = fields.expiration
    this.providerName = fields.providerName
    this.cache = fields.cache
    this.prefetchWindow = fields.prefetchWindow
  }

  /**
   * A printable view: the id masked, every secret replaced by `<redacted>`.
   *
   * @example
   * ```ts
   * import { Credential } from "@effect-alicloud/credentials"
   * import { Redacted } from "effect"
   *
   * const credential = Credential.make({
   *   type: "access_key",
   *   accessKeyId: "LTAI5tExampleKeyId",
   *   accessKeySecret: Redacted.make("s3cr3t-value"),
   *   providerName: "static_ak"
   * })
   * assert.deepStrictEqual(credential.toJSON(), {
   *   _id: "Credential",
   *   type: "access_key",
   *   providerName: "static_ak",
   *   accessKeyId: "LTAI****eyId",
   *   accessKeySecret: "<redacted>"
   * })
   * ```
   *
   * @since 0.1.0
   */
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

  /**
   * The printable view as JSON: what a log line or a template string shows.
   *
   * @example
   * ```ts
   * import { Credential } from "@effect-alicloud/credentials"
   * import { Redacted } from "effect"
   *
   * const credential = Credential.make({
   *   type: "access_key",
   *   accessKeyId: "LTAI5tExampleKeyId",
   *   accessKeySecret: Redacted.make("s3cr3t-value"),
   *   providerName: "static_ak"
   * })
   * assert.ok(`${credential}`.includes(`"accessKeySecret":"<redacted>"`))
   * ```
   *
   * @since 0.1.0
   */
  toString(): string {
    return JSON.stringify(this.toJSON())
  }

  /** @ignore `util.inspect` (and so `console.log`) shows the printable view. */
  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * How a credential prints its AccessKey ID (`toJSON`, `toString`, `inspect`, the Promise facade's
 * models): the first and last four characters, `LTAI****wxyz`; an ID shorter than 12 characters is
 * masked whole. Use it to log an ID the same way. An ID comes from outside (an STS answer, a
 * file): its control characters are escaped (ESC as `\u001b`), as every upstream text in an error is, so a
 * printed ID cannot clear a terminal or forge a line.
 *
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 *
 * assert.strictEqual(Credential.maskAccessKeyId("LTAI5tExampleKeyId"), "LTAI****eyId")
 * assert.strictEqual(Credential.maskAccessKeyId("short"), "****")
 * assert.strictEqual(Credential.maskAccessKeyId("STS.NUexampleId\u001b[2J"), "STS.****\\u001b[2J")
 * ```
 *
 * @since 0.1.0
 * @category printing
 */
export const maskAccessKeyId = (accessKeyId: string): string =>
  accessKeyId.length === 0
    ? ""
    : accessKeyId.length < 12
    ? "****"
    : `${escapeControlCharacters(accessKeyId.slice(0, 4))}****${escapeControlCharacters(accessKeyId.slice(-4))}`

/**
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential = Credential.make({
 *   type: "access_key",
 *   accessKeyId: "LTAI5tExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   providerName: "static_ak"
 * })
 * assert.strictEqual(credential.type, "access_key")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: CredentialFields): Credential => new Credential(fields)

/**
 * Returns the same credential with another provider name, e.g. to prefix the chain's name.
 *
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential = Credential.make({
 *   type: "access_key",
 *   accessKeyId: "LTAI5tExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   providerName: "static_ak"
 * })
 * assert.strictEqual(Credential.withProviderName(credential, "mine/static_ak").providerName, "mine/static_ak")
 * ```
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
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential = Credential.make({
 *   type: "access_key",
 *   accessKeyId: "LTAI5tExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   providerName: "static_ak"
 * })
 * assert.strictEqual(Credential.uncached(credential).cache, "none")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const uncached = (self: Credential): Credential => new Credential({ ...self, cache: "none" })

/**
 * Whether a refreshing layer may keep the credential (it is not marked `cache: "none"`).
 *
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential = Credential.make({
 *   type: "access_key",
 *   accessKeyId: "LTAI5tExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   providerName: "static_ak"
 * })
 * assert.strictEqual(Credential.isCacheable(credential), true)
 * assert.strictEqual(Credential.isCacheable(Credential.uncached(credential)), false)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCacheable = (self: Credential): boolean => self.cache !== "none"

/**
 * Whether the credential is still usable at `nowMillis` (epoch milliseconds).
 * A credential without an expiration never expires.
 *
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { DateTime, Redacted } from "effect"
 *
 * const session = Credential.make({
 *   type: "sts",
 *   accessKeyId: "STS.NExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   securityToken: Redacted.make("t0ken-value"),
 *   expiration: DateTime.unsafeMake(3_600_000),
 *   providerName: "static_sts"
 * })
 * assert.strictEqual(Credential.isValidAt(session, 0), true)
 * assert.strictEqual(Credential.isValidAt(session, 3_600_000), false)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isValidAt = (self: Credential, nowMillis: number): boolean =>
  self.expiration === undefined || nowMillis < DateTime.toEpochMillis(self.expiration)

/**
 * Milliseconds left before expiry at `nowMillis`; `Infinity` for a credential that never expires.
 *
 * @example
 * ```ts
 * import { Credential } from "@effect-alicloud/credentials"
 * import { DateTime, Redacted } from "effect"
 *
 * const session = Credential.make({
 *   type: "sts",
 *   accessKeyId: "STS.NExampleKeyId",
 *   accessKeySecret: Redacted.make("s3cr3t-value"),
 *   securityToken: Redacted.make("t0ken-value"),
 *   expiration: DateTime.unsafeMake(3_600_000),
 *   providerName: "static_sts"
 * })
 * assert.strictEqual(Credential.remainingMillis(session, 600_000), 3_000_000)
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const remainingMillis = (self: Credential, nowMillis: number): number =>
  self.expiration === undefined ? Infinity : DateTime.toEpochMillis(self.expiration) - nowMillis
