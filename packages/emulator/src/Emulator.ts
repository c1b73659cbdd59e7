/**
 * A real HTTP server on loopback emulating the Alibaba Cloud endpoints a credentials library talks
 * to (STS `AssumeRole` / `AssumeRoleWithOIDC`, the ECS instance metadata service, a credentials
 * URI), with fault injection, counters and a JSON control API under `/__emulator/`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Fault } from "./Fault.js"
import * as internal from "./internal/emulator.js"
import * as model from "./internal/model.js"

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
 * A key pair STS accepts signatures from. With `securityToken` it is an STS credential: the request
 * must carry the same `SecurityToken` parameter.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessKey {
  readonly accessKeyId: string
  readonly accessKeySecret: string | Redacted.Redacted<string>
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
}

/**
 * Per-endpoint counters. `received` counts every request; `succeeded` the complete 2xx answers;
 * `failed` the answers with status >= 400; `faulted` the requests a fault was applied to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly received: number
  readonly succeeded: number
  readonly failed: number
  readonly faulted: number
}

/**
 * What a client sent. `params` merges `query` and the form `body`; `headers` have lower-case
 * names. It holds what the client sent, tokens included: never log it (the control API redacts
 * `SecurityToken`, `OIDCToken`, `Signature` and token headers).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestRecord {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly body: Readonly<Record<string, string>>
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** Clock time (ms) at arrival. */
  readonly receivedAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
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
  /**
   * Serve HTTPS with this key and certificate (PEM) instead of HTTP: the official Node client
   * hard-codes `https://` for STS. The URLs then start with `https://`.
   */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer } | undefined
}

/**
 * The running emulator.
 *
 * @since 0.1.0
 * @category models
 */
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

  readonly addAccessKey: (key: AccessKey) => Effect.Effect<void>
  readonly addOidcToken: (token: string) => Effect.Effect<void>
  /** Applies `fault` to the endpoint's next `times` requests (default: until cleared). Replaces any fault set before. */
  readonly setFault: (
    endpoint: Endpoint,
    fault: Fault,
    options?: { readonly times?: number | undefined } | undefined
  ) => Effect.Effect<void>
  readonly clearFault: (endpoint: Endpoint) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  /** Lifetime of the credentials the endpoint hands out (for STS it overrides `DurationSeconds`). */
  readonly setExpiry: (endpoint: ExpiringEndpoint, duration: Duration.DurationInput) => Effect.Effect<void>
  readonly clearExpiry: (endpoint: ExpiringEndpoint) => Effect.Effect<void>
  readonly setMetadataMode: (mode: MetadataMode) => Effect.Effect<void>
  /** `undefined` detaches the role (discovery and credentials then answer 404). */
  readonly setRoleName: (roleName: string | undefined) => Effect.Effect<void>
  readonly counters: (endpoint: Endpoint) => Effect.Effect<Counters>
  /** Every request seen by the endpoint since start or `reset`, oldest first (at most 1000). */
  readonly requests: (endpoint: Endpoint) => Effect.Effect<ReadonlyArray<RequestRecord>>
  readonly lastRequest: (endpoint: Endpoint) => Effect.Effect<Option.Option<RequestRecord>>
  /** Completes once the endpoint has received at least `count` requests (no polling, no sleep). */
  readonly awaitRequests: (endpoint: Endpoint, count: number) => Effect.Effect<void>
  /** Back to the start options: faults, expiries, counters, history, nonces, tokens, issued keys. */
  readonly reset: Effect.Effect<void>
}

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
export const layer = (options?: Options): Layer.Layer<Emulator, EmulatorError> =>
  Layer.scoped(Emulator, make(options))
