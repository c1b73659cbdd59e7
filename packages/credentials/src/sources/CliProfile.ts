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
import * as Composite from "../internal/chain/composite.js"
import { selected, selectedError } from "../internal/chain/selection.js"
import { env, envFlag, isBlank } from "../internal/config/rules.js"
import {
  type Choice,
  chooseProfile,
  type CliConfig,
  decodeProfile,
  defaultCliConfigPath,
  readCliConfig,
  type SourceProfileChain,
  sourceProfileChain
} from "../internal/files/cliConfig.js"
import { cloudSsoCredential } from "../internal/files/cliConfig/cloudSsoMode.js"
import { externalCredential } from "../internal/files/cliConfig/externalMode.js"
import * as OAuthMode from "../internal/files/cliConfig/oauthMode.js"
import { homeDirectory } from "../internal/files/home.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type * as SessionCache from "../SessionCache.js"
import type { Source } from "../Source.js"
import * as AccessKey from "./AccessKey.js"
import * as EcsRamRole from "./EcsRamRole.js"
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

interface Context {
  readonly path: string
  readonly options: Options
  readonly oauth: OAuthMode.Memory
}

// The option block, decoded by the modes that talk to an upstream themselves (CloudSSO, OAuth);
// the role modes hand the options to their source, which decodes them once.
const policyOf = (ctx: Context) => Upstream.policy(source, ctx.options)

const roleOptions = (ctx: Context) => Upstream.pick(ctx.options)

const seconds = (value: number | undefined) => (value === undefined ? undefined : Duration.seconds(value))

// The source of one profile, ChainableRamRoleArn excepted (it needs the whole file).
const sourceOf = (ctx: Context, profile: SourceProfileChain["root"]): Source<Requirements> => {
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
      return EcsRamRole.make(Composite.metadataOptions(ctx.options, profile.roleName))
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
    case "CloudSSO":
      return Effect.flatMap(
        policyOf(ctx),
        (policy) => cloudSsoCredential({ path: ctx.path, policy, cache: ctx.options.cache }, profile)
      )
    case "OAuth":
      return Effect.flatMap(policyOf(ctx), (policy) =>
        OAuthMode.oauthCredential(
          { path: ctx.path, policy, baseUrl: ctx.options.oauthBaseUrl, memory: ctx.oauth },
          profile
        ))
    case "External":
      return externalCredential({ path: ctx.path, timeout: ctx.options.commandTimeout }, profile)
  }
}

// The root profile's credential assumes each role of the chain in turn.
const chained = (ctx: Context, chain: SourceProfileChain): Source<Requirements> =>
  chain.links.reduce<Source<Requirements>>(
    (inner, link) =>
      RamRoleArn.make({
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
    sourceOf(ctx, chain.root)
  )

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
  const oauth = OAuthMode.makeMemory()
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
