/**
 * The `cli_profile` source: a profile of the Alibaba Cloud CLI's file `~/.aliyun/config.json`, in
 * any of its modes: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, CloudSSO,
 * OAuth and External.
 *
 * The file is read on every fetch (so an edit is seen at the next refresh; the official Node tool
 * reads it once). OAuth and External profiles get their refreshed tokens and credentials written
 * back, as the official tool does, atomically where the file allows it (a temporary file renamed
 * over it; written in place where a rename cannot work, e.g. a bind-mounted file; through a
 * symbolic link to its target; its mode kept), and a file that no longer parses is not written.
 *
 * OAuth tokens are kept in memory first: a source made by `make` uses the tokens it got last, and
 * never sends a refresh token it has spent, even when the file still holds it (a failed write is a
 * warning, not an error). A new sign-in written to the file by `aliyun configure` is taken.
 *
 * An External helper whose answer has no expiration (an `AK` helper) is run at every `get`, as the
 * official tool runs it: its credential is marked `cache: "none"` (see `Credential.CachePolicy`).
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Credential from "../Credential.js"
import { type CredentialsError, InvalidConfiguration, NotConfigured } from "../CredentialsError.js"
import { metadataSource } from "../internal/chain/composite.js"
import { envFlag, envString } from "../internal/config/env.js"
import { decodeDuration } from "../internal/config/validate.js"
import {
  type CliProfile,
  defaultCliConfigPath,
  type OAuthProfile,
  readCliConfig,
  selectProfile,
  sourceProfileChain,
  updateProfile
} from "../internal/files/cliConfig.js"
import { homeDirectory } from "../internal/files/home.js"
import { cached } from "../internal/files/sessionCache.js"
import { runExternal } from "../internal/process/external.js"
import {
  cloudSsoCredentials,
  exchangeOAuthToken,
  oauthSites,
  type OAuthTokens,
  refreshOAuthToken
} from "../internal/protocols/signIn.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type * as SessionCache from "../SessionCache.js"
import type { Source } from "../Source.js"
import * as AccessKey from "./AccessKey.js"
import * as OidcRoleArn from "./OidcRoleArn.js"
import * as RamRoleArn from "./RamRoleArn.js"
import * as Sts from "./Sts.js"

/**
 * Where the network modes of a profile go, and how long they wait. The file says what to fetch;
 * these say where (tests point every endpoint at the emulator) and how. The option block
 * (`connectTimeout`, `readTimeout`, `timeBudget`, `retrySchedule`, `maxBodyBytes`) applies to STS,
 * CloudSSO, OAuth and the credentials URI; the metadata service has its own (`metadata`), with
 * its own defaults (connect 1 s, read 1 s, budget 2 s).
 *
 * @example
 * ```ts
 * import { CliProfile } from "@effect-alicloud/credentials"
 *
 * const network: CliProfile.NetworkOptions = {
 *   stsEndpoint: "sts-vpc.cn-hangzhou.aliyuncs.com",
 *   connectTimeout: "3 seconds",
 *   metadata: { timeBudget: "1 second" }
 * }
 * const source = CliProfile.make({ ...network, profile: "prod" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface NetworkOptions extends Upstream.Options {
  /** Overrides the STS endpoint of every role mode (a host, or a whole URL). */
  readonly stsEndpoint?: string | undefined
  /** The ECS metadata service of the EcsRamRole mode. Default `http://100.100.100.200`. */
  readonly metadataUrl?: string | undefined
  readonly disableIMDSv1?: boolean | undefined
  /** How the metadata service is asked: its own timeouts, budget and retries. */
  readonly metadata?: Upstream.Options | undefined
  /** Overrides the OAuth base URL of both sites (default per site: oauth.aliyun.com, oauth.alibabacloud.com). */
  readonly oauthBaseUrl?: string | undefined
}

/**
 * @example
 * ```ts
 * import { CliProfile } from "@effect-alicloud/credentials"
 *
 * const options: CliProfile.Options = { profile: "sso", path: "/home/me/.aliyun/config.json", cache: {} }
 * const source = CliProfile.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends NetworkOptions {
  /** The profile; else `ALIBABA_CLOUD_PROFILE`; else the file's `current`. */
  readonly profile?: string | undefined
  /** The file; else `<home>/.aliyun/config.json`. */
  readonly path?: string | undefined
  /** How long an External `process_command` may run. Default 60 seconds (the official tool's). */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /**
   * Keep the sessions of the CloudSSO mode in a file, for short-lived processes (see
   * `SessionCache`); off by default. The key: the sign-in URL, the account ID, the access
   * configuration and the config file's path (never the access token). Other modes: not cached.
   */
  readonly cache?: SessionCache.Options | undefined
}

/**
 * @example
 * ```ts
 * import { CliProfile } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // The profile, unless `profile` says otherwise (the ini file's section too)
 * const env = ConfigProvider.fromMap(new Map([[CliProfile.PROFILE, "prod"]]))
 * const source = CliProfile.make().pipe(Effect.withConfigProvider(env))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const PROFILE = "ALIBABA_CLOUD_PROFILE"
/**
 * @example
 * ```ts
 * import { CliProfile, HttpTransport } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([[CliProfile.CLI_PROFILE_DISABLED, "true"]]))
 * const program = Effect.flip(CliProfile.make()).pipe(Effect.withConfigProvider(env), Effect.provide(HttpTransport.layerNode()))
 * Effect.runPromise(program).then((error) => assert.strictEqual(error._tag, "NotConfigured"))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const CLI_PROFILE_DISABLED = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"

const source = "cli_profile"

// An OAuth access token with less than this left is renewed first (the official rule).
const oauthRenewBefore = Duration.minutes(20)

interface Context {
  readonly path: string
  readonly options: Options
  readonly policy: Upstream.Policy
  readonly oauth: OAuthMemory
}

// What an OAuth profile's source remembers between fetches, per config file and profile: the
// tokens it got last (the ones to use: the file may still hold a refresh token the service has
// spent, when the write-back failed) and the refresh tokens it has spent (so that a file still
// holding one is recognised as stale, while a new sign-in in the file is taken). One renewal at a
// time per source instance: a refresh token is spent once.
interface OAuthTokensSeen {
  readonly tokens: OAuthTokens
  readonly spent: ReadonlyArray<Redacted.Redacted<string>>
}

interface OAuthMemory {
  readonly seen: Ref.Ref<ReadonlyMap<string, OAuthTokensSeen>>
  readonly lock: Effect.Semaphore
}

// The spent refresh tokens remembered per profile (one is spent per renewal, about once an hour).
const spentKept = 16

type Requirements = HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor

const roleOptions = (ctx: Context) => Upstream.pick(ctx.options)

const seconds = (
  value: number | undefined
) => (value === undefined || value === 0 ? undefined : Duration.seconds(value))

// The source of one profile, ChainableRamRoleArn excepted (it needs the whole file).
const sourceOf = (ctx: Context, profile: CliProfile): Source<Requirements> => {
  switch (profile._tag) {
    case "AK":
      return AccessKey.make(profile)
    case "StsToken":
      return Sts.make({ ...profile, securityToken: profile.stsToken })
    case "RamRoleArn":
      // Signed with the AccessKey pair alone, as the official Node client: a leftover `sts_token`
      // (from an earlier StsToken mode) is not the pair's token, and STS would refuse it.
      return RamRoleArn.make({
        ...roleOptions(ctx),
        source: AccessKey.make(profile),
        roleArn: profile.roleArn,
        roleSessionName: profile.roleSessionName,
        roleSessionExpiration: seconds(profile.durationSeconds),
        policy: profile.policy,
        externalId: profile.externalId,
        stsEndpoint: ctx.options.stsEndpoint ?? profile.stsEndpoint,
        stsRegionId: profile.stsRegion,
        enableVpc: profile.enableVpc
      })
    case "EcsRamRole":
      return metadataSource(ctx.options, profile.roleName)
    case "OIDC":
      return OidcRoleArn.make({
        ...roleOptions(ctx),
        roleArn: profile.roleArn,
        oidcProviderArn: profile.oidcProviderArn,
        oidcTokenFilePath: profile.oidcTokenFile,
        roleSessionName: profile.roleSessionName,
        roleSessionExpiration: seconds(profile.durationSeconds),
        stsEndpoint: ctx.options.stsEndpoint,
        stsRegionId: profile.stsRegion,
        enableVpc: profile.enableVpc
      })
    case "ChainableRamRoleArn":
      return Effect.die("a ChainableRamRoleArn profile is resolved through its chain")
    case "CloudSSO":
      return cloudSso(ctx, profile)
    case "OAuth":
      return oauth(ctx, profile)
    case "External":
      return external(ctx, profile)
  }
}

const cloudSso = (ctx: Context, profile: Extract<CliProfile, { _tag: "CloudSSO" }>): Source<Requirements> =>
  Effect.gen(function*() {
    if (DateTime.toEpochMillis(profile.accessTokenExpire) <= (yield* Clock.currentTimeMillis)) {
      return yield* new InvalidConfiguration({
        source,
        field: `profiles["${profile.name}"].cloud_sso_access_token_expire`,
        reason: "has passed: the CloudSSO sign-in has expired",
        fix: "sign in again with `aliyun configure --mode CloudSSO`"
      })
    }
    const fetch = Upstream.run(
      source,
      Upstream.displayUrl(profile.signInUrl),
      ctx.policy,
      cloudSsoCredentials({ source, ...profile, policy: ctx.policy })
    )
    if (ctx.options.cache === undefined) return yield* fetch
    return yield* cached(ctx.options.cache, {
      source,
      fields: {
        api: "CloudSSO",
        signInUrl: profile.signInUrl,
        accountId: profile.accountId,
        accessConfigurationId: profile.accessConfig,
        configPath: ctx.path
      }
    }, fetch)
  })

const oauth = (ctx: Context, profile: OAuthProfile): Source<Requirements> =>
  Effect.gen(function*() {
    const site = oauthSites[profile.siteType]
    const baseUrl =
      (yield* Upstream.httpUrl(source, "oauthBaseUrl", ctx.options.oauthBaseUrl ?? site.baseUrl, site.baseUrl))
        .href.replace(/\/+$/, "")
    // The tokens to start from: those this process got, unless the file holds a sign-in it has
    // never seen (`aliyun configure` again, or another process that renewed them since).
    const key = `${ctx.path}\u0000${profile.name}`
    const remembered = (yield* Ref.get(ctx.oauth.seen)).get(key)
    const fileToken = profile.refreshToken
    const stale = remembered !== undefined && (
      fileToken === undefined || Equal.equals(fileToken, remembered.tokens.refreshToken) ||
      remembered.spent.some((spent) => Equal.equals(spent, fileToken))
    )
    if (remembered !== undefined && !stale) yield* Ref.update(ctx.oauth.seen, (seen) => without(seen, key))
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
      DateTime.toEpochMillis(start.accessTokenExpire) - now > Duration.toMillis(oauthRenewBefore)
    const refreshToken = start.refreshToken
    if (!fresh && refreshToken === undefined && start.accessToken === undefined) {
      return yield* new InvalidConfiguration({
        source,
        field: `profiles["${profile.name}"].oauth_access_token`,
        reason: "is missing and there is no refresh token",
        fix: "sign in again with `aliyun configure --mode OAuth`"
      })
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
                  return Ref.update(ctx.oauth.seen, (seen) =>
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
    const held = (yield* Ref.get(ctx.oauth.seen)).get(key)?.tokens
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
        ...(credential === undefined ? {} : {
          accessKeyId: credential.accessKeyId,
          accessKeySecret: credential.accessKeySecret,
          ...(credential.securityToken === undefined ? {} : { stsToken: credential.securityToken }),
          stsExpiration: credential.expiration ?? null
        })
      }).pipe(writeBackFailure(ctx.path, tokens !== undefined))
    }
    return yield* outcome
  }).pipe(ctx.oauth.lock.withPermits(1))

const without = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  const next = new Map(map)
  next.delete(key)
  return next
}

// A failed write is a warning: the process goes on with what it holds in memory. Losing a rotated
// refresh token from the file means the next process must sign in again: say so.
const writeBackFailure =
  (path: string, tokens: boolean) => <A>(effect: Effect.Effect<A, CredentialsError, FileSystem.FileSystem>) =>
    effect.pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(
          tokens
            ? `could not write the renewed OAuth tokens back to ${path}: this process keeps using them from memory, ` +
              "but the file still holds a refresh token the service has spent (another process must sign in again)"
            : `could not write the refreshed credential back to ${path}`
        ).pipe(Effect.annotateLogs({ source, error: error.message }))
      )
    )

const external = (ctx: Context, profile: Extract<CliProfile, { _tag: "External" }>): Source<Requirements> =>
  Effect.gen(function*() {
    const output = yield* runExternal({
      source,
      field: `profiles["${profile.name}"].process_command`,
      processCommand: profile.processCommand,
      timeout: yield* decodeDuration(source, "commandTimeout", ctx.options.commandTimeout ?? "60 seconds")
    })
    const credential = Credential.make({
      type: output.mode === "AK" ? "access_key" : "sts",
      accessKeyId: output.accessKeyId,
      accessKeySecret: output.accessKeySecret,
      securityToken: output.stsToken,
      expiration: output.expiration,
      providerName: "external"
    })
    yield* updateProfile(ctx.path, profile.name, {
      accessKeyId: credential.accessKeyId,
      accessKeySecret: credential.accessKeySecret,
      ...(credential.securityToken === undefined ? {} : { stsToken: credential.securityToken }),
      stsExpiration: credential.expiration ?? null
    }).pipe(writeBackFailure(ctx.path, false))
    // As the official tool: an answer without an expiration (an `AK` helper's) is asked for again
    // at every call, so a rotated key is seen at once; one with an expiration is kept until its
    // refresh window.
    return credential.expiration === undefined ? Credential.uncached(credential) : credential
  })

/**
 * The CLI profile source (provider name `cli_profile/<mode's provider>`, e.g.
 * `cli_profile/ram_role_arn/static_ak`). No file, or `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`:
 * `NotConfigured`. A file that cannot be read or parsed, an unknown profile or mode, a missing or
 * mistyped field: `InvalidConfiguration` naming the file, the profile and the field.
 *
 * @example
 * ```ts
 * import { CliProfile, Credentials, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // The profile `prod` of ~/.aliyun/config.json, whatever its mode
 * const layer = Credentials.layer(CliProfile.make({ profile: "prod" })).pipe(Layer.provide(HttpTransport.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Source<Requirements> => {
  // Made once per source, not per fetch: the OAuth tokens this source got outlive each fetch.
  const oauthMemory: OAuthMemory = {
    seen: Ref.unsafeMake<ReadonlyMap<string, OAuthTokensSeen>>(new Map()),
    lock: Effect.unsafeMakeSemaphore(1)
  }
  return Effect.gen(function*() {
    if (yield* envFlag(CLI_PROFILE_DISABLED)) {
      return yield* new NotConfigured({
        source,
        reason: `${CLI_PROFILE_DISABLED} is true`,
        fix: `unset ${CLI_PROFILE_DISABLED} to use ~/.aliyun/config.json`
      })
    }
    const path = options.path ?? Option.map(yield* homeDirectory, defaultCliConfigPath).pipe(Option.getOrUndefined)
    if (path === undefined) {
      return yield* new NotConfigured({
        source,
        reason: "HOME is not set, so there is no ~/.aliyun/config.json",
        fix: "set HOME, or pass the file's path"
      })
    }
    const ctx: Context = { path, options, policy: yield* Upstream.policy(source, options), oauth: oauthMemory }
    const config = yield* readCliConfig(path)
    const name = options.profile ?? Option.getOrUndefined(yield* envString(PROFILE))
    const profile = yield* selectProfile(config, name)
    const credential = profile._tag === "ChainableRamRoleArn"
      ? yield* chained(ctx, yield* sourceProfileChain(config, profile))
      : yield* sourceOf(ctx, profile)
    return Credential.withProviderName(credential, `${source}/${credential.providerName}`)
  })
}

// The root profile's credential assumes each role of the chain in turn.
const chained = (ctx: Context, chain: readonly [CliProfile, ...Array<CliProfile>]): Source<Requirements> =>
  chain.slice(1).reduce<Source<Requirements>>(
    (inner, link) =>
      link._tag !== "ChainableRamRoleArn" ? inner : RamRoleArn.make({
        ...roleOptions(ctx),
        source: inner,
        roleArn: link.roleArn,
        roleSessionName: link.roleSessionName,
        roleSessionExpiration: seconds(link.durationSeconds),
        policy: link.policy,
        externalId: link.externalId,
        // As the official Node client: no `sts_endpoint`, no `enable_vpc` here (only
        // ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED picks sts-vpc.<region>).
        stsEndpoint: ctx.options.stsEndpoint,
        stsRegionId: link.stsRegion
      }),
    sourceOf(ctx, chain[0])
  )
