import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { Fault } from "../Fault.js"
import {
  type AccessKey,
  type CallerIdentity,
  type CloudSsoToken,
  type Counters,
  defaultIdentity,
  Endpoint,
  type ExpiringEndpoint,
  type MetadataMode,
  type OAuthAccessToken,
  type OAuthRefreshToken,
  type Options,
  type RequestRecord
} from "./model.js"
import { formatUtcSeconds, randomHex, randomToken } from "./reply.js"
import { makeThrottle } from "./throttle.js"

/** The session of a credential the emulator issued, as `GetCallerIdentity` reports it. @internal */
export interface AssumedRole {
  readonly _tag: "AssumedRoleUser"
  readonly accountId: string
  readonly roleName: string
  readonly sessionName: string
}

/** @internal */
export type Identity = CallerIdentity | AssumedRole

/** The account id used where a request names none (metadata, credentials URI, OAuth). @internal */
export const defaultAccountId = "1234567890123456"

/** A role id shaped like the service's (`3` + 17 digits), stable per account. @internal */
export const roleIdOf = (accountId: string): string => `3${accountId.slice(0, 17).padEnd(17, "0")}`

/** A key pair STS accepts; issued keys carry their expiry. @internal */
export interface KeyEntry {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string | undefined
  readonly expiresAt: number | undefined
  readonly identity: Identity
}

/** @internal */
export interface SsoTokenEntry {
  readonly accountId: string
  readonly accessConfigurationId: string
  readonly expiresAt: number | undefined
}

/** @internal */
export interface RefreshTokenEntry {
  readonly clientId: string | undefined
}

/** @internal */
export interface ActiveFault {
  readonly fault: Fault
  readonly remaining: number | undefined
}

/** @internal */
export interface IssuedCredential {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly expiration: string
  readonly expiresAt: number
  readonly issuedAt: number
}

/** @internal */
export type CounterField = keyof Counters

const historyLimit = 1000

const zeroCounters: Counters = { received: 0, succeeded: 0, failed: 0, faulted: 0 }

const allEndpoints: ReadonlyArray<Endpoint> = Endpoint.literals

const zeroAll = (): Readonly<Record<Endpoint, Counters>> =>
  Object.fromEntries(allEndpoints.map((e) => [e, zeroCounters])) as Record<Endpoint, Counters>

const reveal = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

/** @internal */
export const toKeyEntry = (key: AccessKey): KeyEntry => ({
  accessKeyId: key.accessKeyId,
  accessKeySecret: reveal(key.accessKeySecret),
  securityToken: key.securityToken === undefined ? undefined : reveal(key.securityToken),
  expiresAt: undefined,
  identity: key.identity ?? defaultIdentity
})

/** @internal */
export const toSsoEntry = (token: CloudSsoToken): readonly [string, SsoTokenEntry] => [
  reveal(token.accessToken),
  { accountId: token.accountId, accessConfigurationId: token.accessConfigurationId, expiresAt: token.expiresAt }
]

/** @internal */
export const toRefreshEntry = (token: OAuthRefreshToken): readonly [string, RefreshTokenEntry] => [
  reveal(token.refreshToken),
  { clientId: token.clientId }
]

/** @internal */
export const toAccessEntry = (token: OAuthAccessToken): readonly [string, number] => [
  reveal(token.accessToken),
  token.expiresAt
]

/** Default credential lifetimes per endpoint (STS: `DurationSeconds`). @internal */
export const defaultLifetime: Readonly<Record<Exclude<ExpiringEndpoint, "sts">, Duration.Duration>> = {
  "metadata-credentials": Duration.hours(6),
  "credentials-uri": Duration.hours(1),
  "cloud-sso": Duration.hours(1),
  "oauth-token": Duration.hours(1),
  "oauth-exchange": Duration.hours(1)
}

/** @internal */
export interface Settings {
  readonly credentialsPath: string
  readonly timestampToleranceMillis: number
  readonly maxSessionDurationSeconds: number
}

/** @internal */
export const makeState = (options: Options) =>
  Effect.gen(function*() {
    const initialKeys = new Map((options.accessKeys ?? []).map((k) => [k.accessKeyId, toKeyEntry(k)] as const))
    const initialMode: MetadataMode = options.metadataMode ?? "both"
    const initialRole: string | undefined = options.roleName ?? "EcsRamRole"
    const initialOidc = options.oidcTokens === undefined ? undefined : new Set(options.oidcTokens)
    const initialSso: ReadonlyMap<string, SsoTokenEntry> = new Map((options.cloudSsoTokens ?? []).map(toSsoEntry))
    const initialRefresh: ReadonlyMap<string, RefreshTokenEntry> = new Map(
      (options.oauthRefreshTokens ?? []).map(toRefreshEntry)
    )
    const initialAccess: ReadonlyMap<string, number> = new Map((options.oauthAccessTokens ?? []).map(toAccessEntry))

    const settings: Settings = {
      credentialsPath: options.credentialsPath ?? "/credentials",
      timestampToleranceMillis: Duration.toMillis(Duration.decode(options.timestampTolerance ?? "15 minutes")),
      maxSessionDurationSeconds: options.maxSessionDurationSeconds ?? 3600
    }

    const keys = yield* Ref.make<ReadonlyMap<string, KeyEntry>>(initialKeys)
    const oidcTokens = yield* Ref.make<ReadonlySet<string> | undefined>(initialOidc)
    const nonces = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
    const imdsTokens = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
    const ssoTokens = yield* Ref.make(initialSso)
    const oauthRefreshTokens = yield* Ref.make(initialRefresh)
    /** OAuth access token → expiry (epoch ms). */
    const oauthAccessTokens = yield* Ref.make(initialAccess)
    const faults = yield* Ref.make<ReadonlyMap<Endpoint, ActiveFault>>(new Map())
    const expiry = yield* Ref.make<ReadonlyMap<ExpiringEndpoint, Duration.Duration>>(new Map())
    const metadataMode = yield* Ref.make<MetadataMode>(initialMode)
    const roleName = yield* Ref.make<string | undefined>(initialRole)
    const counters = yield* SubscriptionRef.make(zeroAll())
    const history = yield* Ref.make<ReadonlyMap<Endpoint, ReadonlyArray<RequestRecord>>>(new Map())
    // Never reset, so that every credential ever issued has a distinct id.
    const issuedCount = yield* Ref.make(0)
    const throttle = makeThrottle(options.rateLimit)

    const count = (endpoint: Endpoint, field: CounterField) =>
      SubscriptionRef.update(counters, (all) => ({
        ...all,
        [endpoint]: { ...all[endpoint], [field]: all[endpoint][field] + 1 }
      }))

    const record = (endpoint: Endpoint, request: RequestRecord) =>
      Ref.update(history, (h) => {
        const list = [...(h.get(endpoint) ?? []), request]
        return new Map(h).set(endpoint, list.length > historyLimit ? list.slice(-historyLimit) : list)
      }).pipe(Effect.zipRight(count(endpoint, "received")))

    /** Takes the endpoint's fault for this request, decrementing its remaining count. */
    const takeFault = (endpoint: Endpoint) =>
      Ref.modify(faults, (m): [Option.Option<Fault>, ReadonlyMap<Endpoint, ActiveFault>] => {
        const active = m.get(endpoint)
        if (active === undefined) return [Option.none(), m]
        if (active.remaining === undefined) return [Option.some(active.fault), m]
        const next = new Map(m)
        if (active.remaining <= 1) next.delete(endpoint)
        else next.set(endpoint, { fault: active.fault, remaining: active.remaining - 1 })
        return [Option.some(active.fault), next]
      })

    const lifetime = (endpoint: ExpiringEndpoint) =>
      Ref.get(expiry).pipe(Effect.map((m) => Option.fromNullable(m.get(endpoint))))

    /** Issues a fresh STS-style credential and registers it so that requests signed with it verify. */
    const issue = (now: number, lifetimeMillis: number, identity: AssumedRole) =>
      Effect.gen(function*() {
        const n = yield* Ref.updateAndGet(issuedCount, (i) => i + 1)
        const serial = String(n).padStart(6, "0")
        // Expiration is sent with second precision: register the same instant.
        const expiresAt = Math.floor((now + lifetimeMillis) / 1000) * 1000
        const credential: IssuedCredential = {
          accessKeyId: `STS.emu-${serial}`,
          accessKeySecret: `emu-secret-${serial}-${randomHex(12)}`,
          securityToken: `emu-token-${serial}-${randomToken(24)}`,
          expiration: formatUtcSeconds(expiresAt),
          expiresAt,
          issuedAt: now
        }
        yield* Ref.update(keys, (m) =>
          new Map(m).set(credential.accessKeyId, {
            accessKeyId: credential.accessKeyId,
            accessKeySecret: credential.accessKeySecret,
            securityToken: credential.securityToken,
            expiresAt,
            identity
          }))
        return credential
      })

    /** Records a nonce; false if it was seen within the tolerance window. Old nonces are pruned. */
    const useNonce = (nonce: string, now: number) =>
      Ref.modify(nonces, (m): [boolean, ReadonlyMap<string, number>] => {
        const window = 2 * settings.timestampToleranceMillis
        const seen = m.get(nonce)
        if (seen !== undefined && now - seen <= window) return [false, m]
        const next = new Map<string, number>()
        for (const [k, at] of m) if (now - at <= window) next.set(k, at)
        next.set(nonce, now)
        return [true, next]
      })

    /**
     * Revokes a key at `now`: an STS credential (one with a token) then fails with
     * `InvalidSecurityToken.Expired`, a key pair without a token is removed
     * (`InvalidAccessKeyId.NotFound`). False when the key is unknown.
     */
    const revoke = (accessKeyId: string, now: number) =>
      Ref.modify(keys, (m): [boolean, ReadonlyMap<string, KeyEntry>] => {
        const key = m.get(accessKeyId)
        if (key === undefined) return [false, m]
        const next = new Map(m)
        if (key.securityToken === undefined) next.delete(accessKeyId)
        else next.set(accessKeyId, { ...key, expiresAt: Math.min(key.expiresAt ?? now, now) })
        return [true, next]
      })

    const reset = Effect.all([
      Ref.set(keys, initialKeys),
      Ref.set(oidcTokens, initialOidc),
      Ref.set(nonces, new Map()),
      Ref.set(imdsTokens, new Map()),
      Ref.set(ssoTokens, initialSso),
      Ref.set(oauthRefreshTokens, initialRefresh),
      Ref.set(oauthAccessTokens, initialAccess),
      Ref.set(faults, new Map()),
      Ref.set(expiry, new Map()),
      Ref.set(metadataMode, initialMode),
      Ref.set(roleName, initialRole),
      Ref.set(history, new Map()),
      SubscriptionRef.set(counters, zeroAll()),
      throttle.reset
    ], { discard: true })

    const awaitRequests = (endpoint: Endpoint, n: number) =>
      counters.changes.pipe(
        Stream.filter((all) => all[endpoint].received >= n),
        Stream.take(1),
        Stream.runDrain
      )

    return {
      settings,
      keys,
      oidcTokens,
      nonces,
      imdsTokens,
      ssoTokens,
      oauthRefreshTokens,
      oauthAccessTokens,
      faults,
      expiry,
      metadataMode,
      roleName,
      counters,
      history,
      count,
      record,
      takeFault,
      lifetime,
      issue,
      revoke,
      useNonce,
      reset,
      awaitRequests,
      throttle
    }
  })

/** @internal */
export type State = Effect.Effect.Success<ReturnType<typeof makeState>>

/**
 * How long what a non-STS endpoint hands out lives, in ms: the lifetime `setExpiry` set, else the
 * endpoint's default (STS has its own rule: `DurationSeconds`).
 *
 * @internal
 */
export const lifetimeMillis = (state: State, endpoint: Exclude<ExpiringEndpoint, "sts">) =>
  state.lifetime(endpoint).pipe(
    Effect.map((o) => Duration.toMillis(Option.getOrElse(o, () => defaultLifetime[endpoint])))
  )
