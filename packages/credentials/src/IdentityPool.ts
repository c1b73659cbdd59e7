/**
 * A keyed pool of identities, for a service that acts for many tenants: an identity (its own
 * source and refresh engine) made on demand from a key, e.g. a tenant → a role to assume. One
 * engine per key however many ask at once, and one fetch in flight per key; an identity no one
 * holds is kept (and refreshed) for `idleTimeToLive`, then closed: its background refresh stops.
 * At `capacity` the least recently used idle identity is closed to make room; when every one is
 * held, `get` fails with `IdentityPoolFull`, naming the option. All identities share the program's
 * `RequestBudget`, so a warm-up of thousands of tenants queues under the STS rate limit.
 *
 * What Effect's `RcMap` does (reference counts, idle time to live, capacity), with a lighter entry:
 * about 37 KiB per idle identity, the refresh engine's 36 and little more.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Credential } from "./Credential.js"
import { Credentials } from "./Credentials.js"
import type { CredentialsError, InvalidConfiguration } from "./CredentialsError.js"
import * as internal from "./internal/pool/identityPool.js"
import type * as Refresh from "./Refresh.js"
import type { Source } from "./Source.js"

/**
 * @example
 * ```ts
 * import { AccessKey, IdentityPool, RamRoleArn } from "@effect-alicloud/credentials"
 * import type { HttpClient } from "@effect/platform"
 *
 * const base = AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
 * const options: IdentityPool.Options<HttpClient.HttpClient> = {
 *   lookup: (tenant) => RamRoleArn.make({ source: base, roleArn: `acs:ram::1234567890123456:role/${tenant}`, roleSessionName: tenant }),
 *   idleTimeToLive: "30 minutes",
 *   capacity: 5000
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<R> {
  /** The source of a key's identity, e.g. `RamRoleArn.make({ roleArn: roleOf(key), externalId, policy, roleSessionName })`. */
  readonly lookup: (key: string) => Source<R>
  /** How long an identity no one holds is kept (and refreshed) before it is closed. Default 15 minutes. */
  readonly idleTimeToLive?: Duration.DurationInput | undefined
  /** The most identities kept at once. Default 10,000. */
  readonly capacity?: number | undefined
  /**
   * The refresh engine's options, for every identity (see `Refresh.Options`). `spread` is on by
   * default here: each identity refreshes at a moment drawn between 35% and 80% of its session's
   * lifetime (never later than 15 minutes before expiry), so tenants warmed together do not
   * refresh together; `spread: false` restores the engine's timing.
   */
  readonly refresh?: Refresh.Options | undefined
}

/**
 * The pool.
 *
 * @example
 * ```ts
 * import type { IdentityPool } from "@effect-alicloud/credentials"
 *
 * const tenantCredential = (pool: IdentityPool.IdentityPool, tenant: string) => pool.get(tenant)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityPool {
  /** A valid credential of `key`'s identity (made on first use). */
  readonly get: (key: string) => Effect.Effect<Credential, CredentialsError | IdentityPoolFull>
  /** Holds `key`'s identity for the scope: its `Credentials` service (not closed while held). */
  readonly identity: (key: string) => Effect.Effect<Credentials.Service, IdentityPoolFull, Scope.Scope>
  /**
   * Runs `effect` with `key`'s identity as its `Credentials` (for code written against
   * `Credentials`: a signing middleware, `Credentials.retryOnAuthError`).
   */
  readonly use: (
    key: string
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | IdentityPoolFull, Exclude<R, Credentials>>
  /** Closes `key`'s identity now (e.g. the tenant is gone); a later use makes a new one. */
  readonly invalidate: (key: string) => Effect.Effect<void>
  /** How many identities are kept. */
  readonly size: Effect.Effect<number>
}

/**
 * Every identity of the pool is held (`capacity` of them) and a new key asked for one.
 *
 * @example
 * ```ts
 * import { IdentityPool } from "@effect-alicloud/credentials"
 *
 * const error = new IdentityPool.IdentityPoolFull({ capacity: 2, key: "tenant-3" })
 * assert.match(error.message, /capacity/)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const IdentityPoolFull: typeof internal.PoolFull = internal.PoolFull

/**
 * @example
 * ```ts
 * import { IdentityPool } from "@effect-alicloud/credentials"
 *
 * const isFull = (error: { readonly _tag: string }): error is IdentityPool.IdentityPoolFull => error._tag === "IdentityPoolFull"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type IdentityPoolFull = internal.PoolFull

/**
 * Makes a pool in the current scope; closing the scope closes every identity. A bad `capacity` or
 * `idleTimeToLive` is an `InvalidConfiguration` naming the option.
 *
 * @example
 * ```ts
 * import { AccessKey, HttpTransport, IdentityPool, RamRoleArn } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const base = AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
 * const program = Effect.gen(function*() {
 *   const pool = yield* IdentityPool.make({
 *     lookup: (tenant) =>
 *       RamRoleArn.make({ source: base, roleArn: `acs:ram::1234567890123456:role/${tenant}`, roleSessionName: tenant })
 *   })
 *   return yield* pool.get("tenant-42")
 * })
 * const runnable = program.pipe(Effect.scoped, Effect.provide(HttpTransport.layer()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(options: Options<R>): Effect.Effect<IdentityPool, InvalidConfiguration, Scope.Scope | R> =>
  Effect.map(internal.make(options), (pool): IdentityPool => ({
    get: pool.get,
    identity: pool.identity,
    use: (key) => (effect) =>
      Effect.scoped(
        Effect.flatMap(pool.identity(key), (service) => Effect.provideService(effect, Credentials, service))
      ),
    invalidate: pool.invalidate,
    size: pool.size
  }))
