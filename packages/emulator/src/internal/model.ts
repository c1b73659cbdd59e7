/**
 * The emulator's data model. `Emulator.ts` re-exports each with its documentation; the internal
 * modules take them from here, so that none of them imports the public module that starts them.
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Fault } from "../Fault.js"
import type { RateLimit } from "./throttle.js"

/** @internal */
export const Endpoint = Schema.Literal(
  "sts",
  "metadata-token",
  "metadata-role",
  "metadata-credentials",
  "credentials-uri",
  "cloud-sso",
  "oauth-token",
  "oauth-exchange",
  "api"
)

/** @internal */
export type Endpoint = typeof Endpoint.Type

/** @internal */
export const ExpiringEndpoint = Schema.Literal(
  "sts",
  "metadata-credentials",
  "credentials-uri",
  "cloud-sso",
  "oauth-token",
  "oauth-exchange"
)

/** @internal */
export type ExpiringEndpoint = typeof ExpiringEndpoint.Type

/** @internal */
export const MetadataMode = Schema.Literal("v2-required", "v1-only", "both")

/** @internal */
export type MetadataMode = typeof MetadataMode.Type

/** @internal */
export type CallerIdentity =
  | { readonly _tag: "Account"; readonly accountId: string }
  | {
    readonly _tag: "RAMUser"
    readonly accountId: string
    readonly userId: string
    readonly userName: string
  }

/** @internal */
export const defaultIdentity = {
  _tag: "RAMUser",
  accountId: "1234567890123456",
  userId: "200000000000000001",
  userName: "emulator-user"
} as const

/** @internal */
export interface AccessKey {
  readonly accessKeyId: string
  readonly accessKeySecret: string | Redacted.Redacted<string>
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
  /** What `GetCallerIdentity` answers for this key (default {@link defaultIdentity}). */
  readonly identity?: CallerIdentity | undefined
}

/** @internal */
export interface CloudSsoToken {
  readonly accessToken: string | Redacted.Redacted<string>
  readonly accountId: string
  readonly accessConfigurationId: string
  /** Clock time (epoch ms) from which the token is refused (401); valid forever when absent. */
  readonly expiresAt?: number | undefined
}

/** @internal */
export interface OAuthRefreshToken {
  readonly refreshToken: string | Redacted.Redacted<string>
  /** When set, the request's `client_id` must equal it; otherwise any of {@link oauthClientIds}. */
  readonly clientId?: string | undefined
}

/** @internal */
export interface OAuthAccessToken {
  readonly accessToken: string | Redacted.Redacted<string>
  /** Clock time (epoch ms) from which the token is refused (401). */
  readonly expiresAt: number
}

/** @internal */
export const oauthClientIds = { CN: "4038181954557748008", INTL: "4103531455503354461" } as const

/** @internal */
export interface Counters {
  readonly received: number
  readonly succeeded: number
  readonly failed: number
  readonly faulted: number
}

/** @internal */
export interface RequestRecord {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly body: Readonly<Record<string, string>>
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** Clock time (ms) at arrival. */
  readonly receivedAt: number
  /**
   * How the client authenticated, read from the request before any check: `HMAC-SHA1` (RPC
   * signature v1: its `SignatureMethod`), the algorithm of an `Authorization: ACS3-...` header
   * (signature v3, e.g. `ACS3-HMAC-SHA256`; `ACS4-...` for v4), `BEARERTOKEN` (`SignatureType`
   * parameter or `x-acs-signature-type` header), `Bearer` (`Authorization: Bearer`, CloudSSO and
   * OAuth), or `none`.
   */
  readonly signatureAlgorithm: string
}

/** @internal */
export interface Options {
  /** Port to bind; 0 (default) picks an ephemeral one. */
  readonly port?: number | undefined
  /** Loopback address to bind (default `127.0.0.1`); anything else is refused. */
  readonly host?: string | undefined
  /** Default `both`. */
  readonly metadataMode?: MetadataMode | undefined
  /** The RAM role attached to the emulated instance (default `EcsRamRole`). */
  readonly roleName?: string | undefined
  /** Key pairs STS accepts signatures from. */
  readonly accessKeys?: ReadonlyArray<AccessKey> | undefined
  /** Path of the credentials-URI endpoint (default `/credentials`). */
  readonly credentialsPath?: string | undefined
  /** OIDC tokens AssumeRoleWithOIDC accepts; when absent any non-empty token is accepted. */
  readonly oidcTokens?: ReadonlyArray<string> | undefined
  /** How far a signed request's `Timestamp` may be from the Clock (default 15 minutes). */
  readonly timestampTolerance?: Duration.DurationInput | undefined
  /** Largest `DurationSeconds` accepted (the role's max session duration, default 3600). */
  readonly maxSessionDurationSeconds?: number | undefined
  /** Access tokens `POST /cloud-credentials` accepts (none by default: every token is 401). */
  readonly cloudSsoTokens?: ReadonlyArray<CloudSsoToken> | undefined
  /** Refresh tokens `POST /v1/token` accepts (none by default). */
  readonly oauthRefreshTokens?: ReadonlyArray<OAuthRefreshToken> | undefined
  /** Access tokens `POST /v1/exchange` accepts besides those `/v1/token` hands out. */
  readonly oauthAccessTokens?: ReadonlyArray<OAuthAccessToken> | undefined
  /**
   * Serve HTTPS with this key and certificate (PEM) instead of HTTP: the official Node client
   * hard-codes `https://` for STS. The URLs then start with `https://`.
   */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer } | undefined
  /**
   * STS's rate limit per signing AccessKey ID (AssumeRoleWithOIDC: per OIDC provider), a token
   * bucket: beyond it STS answers HTTP 400 `Throttling.User`. Off by default.
   */
  readonly rateLimit?: RateLimit | undefined
}

/** @internal */
export interface EmulatorShape {
  /** `http://127.0.0.1:PORT` (`https://` with the `tls` option) */
  readonly baseUrl: string
  readonly host: string
  readonly port: number
  /** `127.0.0.1:PORT`, the form the official client's `stsEndpoint` option takes. */
  readonly stsEndpoint: string
  /** `http://127.0.0.1:PORT/` */
  readonly stsUrl: string
  /** Base URL of the metadata service: append `/latest/...`. */
  readonly metadataUrl: string
  /** Full URL of the credentials-URI endpoint. */
  readonly credentialsUri: string
  /** Base URL of the control API (`http://127.0.0.1:PORT/__emulator`). */
  readonly controlUrl: string
  /**
   * A CloudSSO sign-in URL (`http://127.0.0.1:PORT/login`) for a profile's `cloud_sso_sign_in_url`:
   * the client keeps its scheme and host and posts to `/cloud-credentials`.
   */
  readonly cloudSsoSignInUrl: string
  /** The OAuth base URL (`http://127.0.0.1:PORT`): `/v1/token` and `/v1/exchange` live under it. */
  readonly oauthBaseUrl: string

  readonly addAccessKey: (key: AccessKey) => Effect.Effect<void>
  /**
   * Revokes a session or key now, as when an administrator revokes a role's sessions or disables a
   * key: requests signed with an STS credential it issued (or one added with a token) then fail with
   * `InvalidSecurityToken.Expired`; a key pair without a token is removed, and requests signed with
   * it fail with `InvalidAccessKeyId.NotFound`. `false` when no such key is known. `reset` restores
   * the keys given at start.
   */
  readonly revoke: (accessKeyId: string) => Effect.Effect<boolean>
  readonly addOidcToken: (token: string) => Effect.Effect<void>
  /** Adds (or replaces, by token) a CloudSSO access token. */
  readonly addCloudSsoToken: (token: CloudSsoToken) => Effect.Effect<void>
  readonly addOAuthRefreshToken: (token: OAuthRefreshToken) => Effect.Effect<void>
  readonly addOAuthAccessToken: (token: OAuthAccessToken) => Effect.Effect<void>
  /** Applies `fault` to the endpoint's next `times` requests (default: until cleared). Replaces any fault set before. */
  readonly setFault: (
    endpoint: Endpoint,
    fault: Fault,
    options?: { readonly times?: number | undefined } | undefined
  ) => Effect.Effect<void>
  readonly clearFault: (endpoint: Endpoint) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  /**
   * Lifetime of the credentials the endpoint hands out (for STS it overrides `DurationSeconds`; for
   * `oauth-token` it is the access token's `expires_in`, default 3600 s).
   */
  readonly setExpiry: (endpoint: ExpiringEndpoint, duration: Duration.DurationInput) => Effect.Effect<void>
  readonly clearExpiry: (endpoint: ExpiringEndpoint) => Effect.Effect<void>
  readonly setMetadataMode: (mode: MetadataMode) => Effect.Effect<void>
  /** `undefined` detaches the role (discovery and credentials then answer 404). */
  readonly setRoleName: (roleName: string | undefined) => Effect.Effect<void>
  /** Base URL of the generic API endpoint (`http://127.0.0.1:PORT/api`): any `Action`, ACS3 or RPC. */
  readonly apiUrl: string
  /**
   * Moves the API endpoint's clock `skew` ahead of the Clock (or behind): its timestamp check and
   * its `Date` header, as when the client's clock is off the other way. `reset` sets it to 0.
   */
  readonly setClockSkew: (skew: Duration.DurationInput, direction?: "ahead" | "behind") => Effect.Effect<void>
  readonly counters: (endpoint: Endpoint) => Effect.Effect<Counters>
  /** Every request seen by the endpoint since start or `reset`, oldest first (at most 1000). */
  readonly requests: (endpoint: Endpoint) => Effect.Effect<ReadonlyArray<RequestRecord>>
  readonly lastRequest: (endpoint: Endpoint) => Effect.Effect<Option.Option<RequestRecord>>
  /** Completes once the endpoint has received at least `count` requests (no polling, no sleep). */
  readonly awaitRequests: (endpoint: Endpoint, count: number) => Effect.Effect<void>
  /** Sets STS's rate limit (undefined: off), every bucket full; `reset` restores the start option. */
  readonly setRateLimit: (limit: RateLimit | undefined) => Effect.Effect<void>
  /** How many STS answers were `Throttling.User` since start or `reset`. */
  readonly throttled: Effect.Effect<number>
  /**
   * Back to the start options: faults, expiries, counters, history, nonces, tokens (OIDC, metadata,
   * CloudSSO, OAuth), issued keys.
   */
  readonly reset: Effect.Effect<void>
}

/** @internal */
export class EmulatorError extends Data.TaggedError("EmulatorError")<{
  readonly reason: "InvalidOptions" | "Listen"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `emulator: ${this.reason}: ${this.detail}`
  }
}
