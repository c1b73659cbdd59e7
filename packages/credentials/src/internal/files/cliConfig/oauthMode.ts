// The OAuth mode of a CLI profile: the refresh token renews the access token, which is exchanged
// for an STS credential; the tokens and the credential are written back to the profile, as the
// official tool does.
//
// OAuth tokens are kept in memory first. What a source remembers between fetches, per config file
// and profile: the tokens it got last (the ones to use: the file may still hold a refresh token the
// service has spent, when the write-back failed) and the refresh tokens it has spent (so that a
// file still holding one is recognised as stale, while a new sign-in in the file is taken). One
// renewal at a time per source: a refresh token is spent once.
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Credential from "../../../Credential.js"
import type { CredentialsError } from "../../../CredentialsError.js"
import { exchangeOAuthToken, oauthSites, type OAuthTokens, refreshOAuthToken } from "../../protocols/signIn.js"
import * as Upstream from "../../upstream/pipeline.js"
import { source } from "./file.js"
import type { OAuthProfile } from "./model.js"
import { invalidField } from "./profiles.js"
import { credentialPatch, updateProfile, warnIfNotWritten } from "./writeBack.js"

// An OAuth access token with less than this left is renewed first (the official rule).
const renewBefore = Duration.minutes(20)

// The spent refresh tokens remembered per profile (one is spent per renewal, about once an hour).
const spentKept = 16

interface TokensSeen {
  readonly tokens: OAuthTokens
  readonly spent: ReadonlyArray<Redacted.Redacted<string>>
}

/** What one source remembers of the OAuth profiles it has fetched (made once per source, not per fetch). */
export interface Memory {
  readonly seen: Ref.Ref<ReadonlyMap<string, TokensSeen>>
  readonly lock: Effect.Semaphore
}

export const makeMemory = (): Memory => ({
  seen: Ref.unsafeMake<ReadonlyMap<string, TokensSeen>>(new Map()),
  lock: Effect.unsafeMakeSemaphore(1)
})

export interface Context {
  /** The config file, where the tokens are written back. */
  readonly path: string
  readonly policy: Upstream.Policy
  /** Overrides the site's base URL (tests: the emulator). */
  readonly baseUrl: string | undefined
  readonly memory: Memory
}

const without = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  const next = new Map(map)
  next.delete(key)
  return next
}

/** The OAuth profile's credential: tokens renewed when due, exchanged, written back. */
export const oauthCredential = (
  ctx: Context,
  profile: OAuthProfile
): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const site = oauthSites[profile.siteType]
    const baseUrl = (yield* Upstream.httpUrl(source, "oauthBaseUrl", ctx.baseUrl ?? site.baseUrl, site.baseUrl))
      .href.replace(/\/+$/, "")
    // The tokens to start from: those this process got, unless the file holds a sign-in it has
    // never seen (`aliyun configure` again, or another process that renewed them since).
    const key = `${ctx.path}\u0000${profile.name}`
    const remembered = (yield* Ref.get(ctx.memory.seen)).get(key)
    const fileToken = profile.refreshToken
    const stale = remembered !== undefined && (
      fileToken === undefined || Equal.equals(fileToken, remembered.tokens.refreshToken) ||
      remembered.spent.some((spent) => Equal.equals(spent, fileToken))
    )
    if (remembered !== undefined && !stale) yield* Ref.update(ctx.memory.seen, (seen) => without(seen, key))
    const start = remembered !== undefined && stale
      ? {
        refreshToken: remembered.tokens.refreshToken,
        accessToken: remembered.tokens.accessToken,
        accessTokenExpire: remembered.tokens.expiresAt
      }
      : {
        refreshToken: profile.refreshToken,
        accessToken: profile.accessToken,
        accessTokenExpire: profile.accessTokenExpire
      }
    const now = yield* Clock.currentTimeMillis
    const fresh = start.accessToken !== undefined && start.accessTokenExpire !== undefined &&
      DateTime.toEpochMillis(start.accessTokenExpire) - now > Duration.toMillis(renewBefore)
    const refreshToken = start.refreshToken
    if (!fresh && refreshToken === undefined && start.accessToken === undefined) {
      return yield* invalidField(
        ctx.path,
        profile.name,
        "oauth_access_token",
        "is missing and there is no refresh token",
        "sign in again with `aliyun configure --mode OAuth`"
      )
    }
    // One fetch, one budget: renew the access token (once: a retry must not spend the new refresh
    // token's predecessor again), then exchange it. The renewed tokens are kept in memory at once,
    // before the exchange and the file: whatever fails next, this process never spends the old
    // refresh token again.
    const renewal: { tokens?: OAuthTokens } = {}
    const outcome = yield* Effect.either(Upstream.run(
      source,
      Upstream.displayUrl(baseUrl),
      ctx.policy,
      Effect.gen(function*() {
        if (!fresh && refreshToken !== undefined && renewal.tokens === undefined) {
          // Once the answer is in, it is remembered even if the fetch is interrupted right then.
          yield* Effect.uninterruptibleMask((restore) =>
            restore(refreshOAuthToken({ source, baseUrl, clientId: site.clientId, refreshToken, policy: ctx.policy }))
              .pipe(
                Effect.tap((tokens) => {
                  renewal.tokens = tokens
                  return Ref.update(ctx.memory.seen, (seen) =>
                    new Map(seen).set(key, {
                      tokens,
                      spent: [...(seen.get(key)?.spent ?? []), refreshToken].slice(-spentKept)
                    }))
                })
              )
          )
        }
        const accessToken = renewal.tokens?.accessToken ?? start.accessToken!
        return yield* exchangeOAuthToken({ source, baseUrl, accessToken, policy: ctx.policy })
      })
    ))
    // Then the file, as the official tool: the tokens (the refresh token rotates) and the session.
    // The tokens go in whenever this process holds newer ones than the file, so a write that
    // failed before is made again.
    const held = (yield* Ref.get(ctx.memory.seen)).get(key)?.tokens
    const tokens = held !== undefined && (fileToken === undefined || !Equal.equals(fileToken, held.refreshToken))
      ? held
      : undefined
    const credential = Either.getOrUndefined(outcome)
    if (tokens !== undefined || credential !== undefined) {
      yield* updateProfile(ctx.path, profile.name, {
        ...(tokens === undefined ? {} : {
          oauthAccessToken: tokens.accessToken,
          oauthRefreshToken: tokens.refreshToken,
          oauthAccessTokenExpire: tokens.expiresAt
        }),
        ...(credential === undefined ? {} : credentialPatch(credential))
      }).pipe(warnIfNotWritten(ctx.path, tokens !== undefined ? "tokens" : "credential"))
    }
    return yield* outcome
  }).pipe(ctx.memory.lock.withPermits(1))
