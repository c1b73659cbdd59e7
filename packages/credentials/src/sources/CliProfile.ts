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
 * Keys are decoded by the rules every configuration input shares: `"expired_seconds": "1800"`,
 * `"enable_vpc": "true"` and the other string forms the aliyun CLI or a hand edit writes are taken
 * as the official tool takes them, a blank key is unset, `sts_region` is case-folded. Once a profile
 * is selected (the `profile` option, `ALIBABA_CLOUD_PROFILE` or the file's `current`), every error
 * it gives carries a `selection` and ends a chain: no other source is tried in its place.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Credential from "../Credential.js"
import { NotConfigured } from "../CredentialsError.js"
import type * as Composite from "../internal/chain/composite.js"
import { loadedOnce } from "../internal/chain/loaded.js"
import { selected, selectedError } from "../internal/chain/selection.js"
import { env, envFlag, isBlank } from "../internal/config/rules.js"
import { type CliConfig, defaultCliConfigPath, readCliConfig } from "../internal/files/cliConfig/file.js"
import type * as OAuthMode from "../internal/files/cliConfig/oauthMode.js"
import { decodeProfile } from "../internal/files/cliConfig/profiles.js"
import {
  type Choice,
  chooseProfile,
  type SourceProfileChain,
  sourceProfileChain
} from "../internal/files/cliConfig/select.js"
import { homeDirectory } from "../internal/files/home.js"
import type * as SessionCache from "../SessionCache.js"
import type { Source } from "../Source.js"

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
export type NetworkOptions = Composite.NetworkOptions

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

type Requirements = HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor

// Each mode's modules (its source, the upstream pipeline, a helper process, write-back), loaded
// when a selected profile first needs them: a RamRoleArn profile loads no External helper, no
// OAuth or CloudSSO exchange, no metadata client. The pipeline comes with every network mode.
const upstream = () => import("../internal/upstream/pipeline.js")
const accessKeyMode = loadedOnce(() => import("./AccessKey.js"))
const stsTokenMode = loadedOnce(() => import("./Sts.js"))
const roleModes = loadedOnce(() => Promise.all([import("./RamRoleArn.js"), import("./AccessKey.js"), upstream()]))
const ecsRamRoleMode = loadedOnce(() =>
  Promise.all([import("./EcsRamRole.js"), import("../internal/chain/composite.js")])
)
const oidcMode = loadedOnce(() => Promise.all([import("./OidcRoleArn.js"), upstream()]))
const cloudSsoMode = loadedOnce(() => Promise.all([import("../internal/files/cliConfig/cloudSsoMode.js"), upstream()]))
const externalMode = loadedOnce(() => import("../internal/files/cliConfig/externalMode.js"))

/** The OAuth mode's modules and what one source remembers of its tokens, made with them. */
interface OAuth {
  readonly mode: typeof OAuthMode
  readonly upstream: Awaited<ReturnType<typeof upstream>>
  readonly memory: OAuthMode.Memory
}

interface Context {
  readonly path: string
  readonly options: Options
  readonly oauth: Effect.Effect<OAuth>
}

const seconds = (value: number | undefined) => (value === undefined ? undefined : Duration.seconds(value))

// The source of one profile, ChainableRamRoleArn excepted (it needs the whole file). The option
// block is decoded by the modes that talk to an upstream themselves (CloudSSO, OAuth); the role
// modes hand the options to their source, which decodes them once.
const sourceOf = (ctx: Context, profile: SourceProfileChain["root"]): Source<Requirements> => {
  switch (profile._tag) {
    case "AK":
      return Effect.flatMap(accessKeyMode, (AccessKey) => AccessKey.make(profile))
    case "StsToken":
      return Effect.flatMap(stsTokenMode, (Sts) => Sts.make({ ...profile, securityToken: profile.stsToken }))
    case "RamRoleArn":
      // Signed with the AccessKey pair alone, as the official Node client: a leftover `sts_token`
      // (from an earlier StsToken mode) is not the pair's token, and STS would refuse it.
      return Effect.flatMap(roleModes, ([RamRoleArn, AccessKey, Upstream]) =>
        RamRoleArn.make({
          ...Upstream.pick(ctx.options),
          source: AccessKey.make(profile),
          roleArn: profile.roleArn,
          roleSessionName: profile.roleSessionName,
          roleSessionExpiration: seconds(profile.durationSeconds),
          policy: profile.policy,
          externalId: profile.externalId,
          stsEndpoint: ctx.options.stsEndpoint ?? profile.stsEndpoint,
          stsRegionId: profile.stsRegion,
          enableVpc: profile.enableVpc
        }))
    case "EcsRamRole":
      return Effect.flatMap(
        ecsRamRoleMode,
        ([EcsRamRole, Composite]) => EcsRamRole.make(Composite.metadataOptions(ctx.options, profile.roleName))
      )
    case "OIDC":
      return Effect.flatMap(oidcMode, ([OidcRoleArn, Upstream]) =>
        OidcRoleArn.make({
          ...Upstream.pick(ctx.options),
          roleArn: profile.roleArn,
          oidcProviderArn: profile.oidcProviderArn,
          oidcTokenFilePath: profile.oidcTokenFile,
          roleSessionName: profile.roleSessionName,
          roleSessionExpiration: seconds(profile.durationSeconds),
          stsEndpoint: ctx.options.stsEndpoint,
          stsRegionId: profile.stsRegion,
          enableVpc: profile.enableVpc
        }))
    case "CloudSSO":
      return Effect.flatMap(cloudSsoMode, ([CloudSsoMode, Upstream]) =>
        Effect.flatMap(
          Upstream.policy(source, ctx.options),
          (policy) => CloudSsoMode.cloudSsoCredential({ path: ctx.path, policy, cache: ctx.options.cache }, profile)
        ))
    case "OAuth":
      return Effect.flatMap(
        ctx.oauth,
        (oauth) =>
          Effect.flatMap(oauth.upstream.policy(source, ctx.options), (policy) =>
            oauth.mode.oauthCredential(
              { path: ctx.path, policy, baseUrl: ctx.options.oauthBaseUrl, memory: oauth.memory },
              profile
            ))
      )
    case "External":
      return Effect.flatMap(
        externalMode,
        (ExternalMode) =>
          ExternalMode.externalCredential({ path: ctx.path, timeout: ctx.options.commandTimeout }, profile)
      )
  }
}

// The root profile's credential assumes each role of the chain in turn.
const chained = (ctx: Context, chain: SourceProfileChain): Source<Requirements> =>
  Effect.flatMap(roleModes, ([RamRoleArn, , Upstream]) =>
    chain.links.reduce<Source<Requirements>>(
      (inner, link) =>
        RamRoleArn.make({
          ...Upstream.pick(ctx.options),
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
      sourceOf(ctx, chain.root)
    ))

// The selected profile's credential, whatever its mode.
const resolve = (ctx: Context, config: CliConfig, choice: Choice) =>
  Effect.gen(function*() {
    const profile = yield* decodeProfile(config, choice.raw, choice.name)
    return profile._tag === "ChainableRamRoleArn"
      ? yield* chained(ctx, yield* sourceProfileChain(config, profile))
      : yield* sourceOf(ctx, profile)
  })

/**
 * The CLI profile source (provider name `cli_profile/<mode's provider>`, e.g.
 * `cli_profile/ram_role_arn/static_ak`). No file, `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`, no
 * profiles, or a profile name (option or `ALIBABA_CLOUD_PROFILE`) that is not in the file:
 * `NotConfigured`, and a chain moves on. A file that cannot be read or parsed, an unknown mode, a
 * missing or mistyped field, a sign-in that has lapsed, an upstream that refuses: an error naming
 * the file, the profile and the field, with a `selection` that ends a chain (the profile the user
 * selected cannot be used; another source would be another identity).
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
  const oauth = loadedOnce(() =>
    Promise.all([import("../internal/files/cliConfig/oauthMode.js"), upstream()]).then(([mode, upstream]) => ({
      mode,
      upstream,
      memory: mode.makeMemory()
    }))
  )
  return Effect.gen(function*() {
    if (yield* envFlag(source, CLI_PROFILE_DISABLED)) {
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
    const ctx: Context = { path, options, oauth }
    // A file that is there but cannot be read selects a profile nobody can tell: that ends a chain too.
    const config = yield* readCliConfig(path).pipe(
      Effect.catchTag(
        "InvalidConfiguration",
        (error) =>
          Effect.fail(selectedError(`${path}, which cannot be read (so the profile it selects is unknown)`)(error))
      )
    )
    const requested = !isBlank(options.profile)
      ? { name: options.profile, by: "the profile option" }
      : Option.getOrUndefined(Option.map(yield* env(PROFILE), (name) => ({ name, by: PROFILE })))
    const choice = yield* chooseProfile(config, requested?.name)
    const credential = yield* resolve(ctx, config, choice).pipe(
      selected(`the profile ${JSON.stringify(choice.name)} of ${path}, selected by ${requested?.by ?? "its current"}`)
    )
    return Credential.withProviderName(credential, `${source}/${credential.providerName}`)
  })
}
