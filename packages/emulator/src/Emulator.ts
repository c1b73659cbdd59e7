/**
 * A real HTTP server on loopback emulating the Alibaba Cloud endpoints a credentials library talks
 * to (STS `AssumeRole` / `AssumeRoleWithOIDC` / `GetCallerIdentity`, the ECS instance metadata
 * service, a credentials URI, CloudSSO `/cloud-credentials`, OAuth `/v1/token` and `/v1/exchange`),
 * with fault injection, counters and a JSON control API under `/__emulator/`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/emulator.js"
import * as model from "./internal/model.js"
import type * as throttle from "./internal/throttle.js"

/**
 * The emulated endpoints, each with its own faults, counters and request history.
 *
 * @since 0.1.0
 * @category models
 */
export const Endpoint: typeof model.Endpoint = model.Endpoint

/**
 * @since 0.1.0
 * @category models
 */
export type Endpoint = typeof Endpoint.Type

/**
 * Every endpoint, in a stable order.
 *
 * @since 0.1.0
 * @category models
 */
export const endpoints: ReadonlyArray<Endpoint> = Endpoint.literals

/**
 * The endpoints that hand out credentials, whose lifetime `setExpiry` overrides.
 *
 * @since 0.1.0
 * @category models
 */
export const ExpiringEndpoint: typeof model.ExpiringEndpoint = model.ExpiringEndpoint

/**
 * @since 0.1.0
 * @category models
 */
export type ExpiringEndpoint = typeof ExpiringEndpoint.Type

/**
 * How the metadata service treats IMDSv2 session tokens:
 * - `v2-required`: the token endpoint works; a metadata GET without a valid token gets 401.
 * - `v1-only`: the token endpoint is absent (404); token headers are ignored.
 * - `both`: the token endpoint works; a GET without a token is served, one with an invalid or
 *   expired token gets 401.
 *
 * @since 0.1.0
 * @category models
 */
export const MetadataMode: typeof model.MetadataMode = model.MetadataMode

/**
 * @since 0.1.0
 * @category models
 */
export type MetadataMode = typeof MetadataMode.Type

/**
 * Who `GetCallerIdentity` says a configured key belongs to: the account itself (root) or one of its
 * RAM users. (Keys the emulator issues belong to an assumed role: `IdentityType: AssumedRoleUser`.)
 *
 * @since 0.1.0
 * @category models
 */
export type CallerIdentity = model.CallerIdentity

/**
 * The identity of configured keys without one: RAM user `emulator-user` (id `200000000000000001`)
 * of account `1234567890123456`.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultIdentity: CallerIdentity = model.defaultIdentity

/**
 * A key pair STS accepts signatures from. With `securityToken` it is an STS credential: the request
 * must carry the same `SecurityToken` parameter (`x-acs-security-token` header with signature v3).
 *
 * @since 0.1.0
 * @category models
 */
export type AccessKey = model.AccessKey

/**
 * A CloudSSO access token (what `aliyun sso login` stores as `access_token`) and the one account and
 * access configuration it may get credentials for from `POST /cloud-credentials`.
 *
 * @since 0.1.0
 * @category models
 */
export type CloudSsoToken = model.CloudSsoToken

/**
 * An OAuth refresh token `POST /v1/token` accepts (once: it answers with a new one).
 *
 * @since 0.1.0
 * @category models
 */
export type OAuthRefreshToken = model.OAuthRefreshToken

/**
 * An OAuth access token `POST /v1/exchange` accepts until `expiresAt` (the ones `/v1/token` hands
 * out are registered automatically).
 *
 * @since 0.1.0
 * @category models
 */
export type OAuthAccessToken = model.OAuthAccessToken

/**
 * The OAuth client ids of the two sites (`oauth_site_type` `CN` / `INTL`), the only `client_id`s
 * `/v1/token` accepts for a refresh token without its own `clientId`.
 *
 * @since 0.1.0
 * @category models
 */
export const oauthClientIds: { readonly CN: string; readonly INTL: string } = model.oauthClientIds

/**
 * Per-endpoint counters. `received` counts every request; `succeeded` the complete 2xx answers;
 * `failed` the answers with status >= 400; `faulted` the requests a fault was applied to.
 *
 * @since 0.1.0
 * @category models
 */
export type Counters = model.Counters

/**
 * What a client sent. `body` holds the form fields, or the top-level fields of a JSON object body
 * (strings as sent, other values as their JSON text: CloudSSO's `AccountId`,
 * `AccessConfigurationId`); `params` merges `query` and the form fields; `headers` have lower-case
 * names. It holds what the client sent, tokens included: never log it (the control API redacts
 * `SecurityToken`, `OIDCToken`, `Signature` and token headers).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestRecord = model.RequestRecord

/**
 * @since 0.1.0
 * @category models
 */
export type Options = model.Options

/**
 * The running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export type EmulatorShape = model.EmulatorShape

/**
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@effect-alicloud/emulator/Emulator")<Emulator, EmulatorShape>() {}

/**
 * The emulator could not start.
 *
 * @since 0.1.0
 * @category errors
 */
export const EmulatorError: typeof model.EmulatorError = model.EmulatorError

/**
 * @since 0.1.0
 * @category errors
 */
export type EmulatorError = model.EmulatorError

/**
 * Starts the server in the current scope; closing the scope ends every connection (hung ones
 * included) and closes the server.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<EmulatorShape, EmulatorError, Scope.Scope> = internal.make

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Emulator, EmulatorError> => Layer.scoped(Emulator, make(options))

/**
 * STS's rate limit (the `rateLimit` option, `setRateLimit`): `perSecond` requests a second per
 * signing AccessKey ID, at most `burst` (default `perSecond`) at once; beyond it HTTP 400
 * `Throttling.User`.
 *
 * @since 0.1.0
 * @category models
 */
export type RateLimit = throttle.RateLimit
