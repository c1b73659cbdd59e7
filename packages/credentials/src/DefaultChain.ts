/**
 * The default chain, in the official order: environment variables, OIDC (RRSA), the CLI profile
 * file `~/.aliyun/config.json`, the legacy ini file `~/.alibabacloud/credentials`, the ECS
 * instance's RAM role, and the credentials URI.
 *
 * Build your own chain from its sources in a few lines:
 *
 * ```ts
 * const d = DefaultChain.sources({ profile: "dev" })
 * Credentials.layerChain([mySource, d.env, d.cli_profile, d.credential_uri], { name: "mine" })
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Chain from "./Chain.js"
import type * as Credential from "./Credential.js"
import { Credentials } from "./Credentials.js"
import { metadataSource } from "./internal/composite.js"
import * as Upstream from "./internal/upstream.js"
import type * as Refresh from "./Refresh.js"
import * as CliProfile from "./sources/CliProfile.js"
import * as CredentialsUri from "./sources/CredentialsUri.js"
import * as Environment from "./sources/Environment.js"
import * as IniProfile from "./sources/IniProfile.js"
import * as OidcRoleArn from "./sources/OidcRoleArn.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends CliProfile.NetworkOptions {
  /** The CLI profile and ini section; else `ALIBABA_CLOUD_PROFILE`. */
  readonly profile?: string | undefined
  /** Else `<home>/.aliyun/config.json`. */
  readonly cliConfigPath?: string | undefined
  /** Else `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `<home>/.alibabacloud/credentials`. */
  readonly credentialsFilePath?: string | undefined
  /** Else `ALIBABA_CLOUD_CREDENTIALS_URI`. */
  readonly credentialsUri?: string | undefined
  /** How long an External `process_command` may run. Default 60 seconds. */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /** See `Chain.OnError`; default `"continue"`, as the official tool. */
  readonly onError?: Chain.OnError | undefined
  /** The refresh windows; ECS credentials get the official 1-hour prefetch unless `prefetchWindow` is set. */
  readonly refresh?: Refresh.Options | undefined
}

/**
 * The default sources by their official provider names, in chain order.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sources = (options: Options = {}) =>
  ({
    env: Environment.source,
    oidc_role_arn: OidcRoleArn.make({ ...Upstream.pick(options), stsEndpoint: options.stsEndpoint }),
    cli_profile: CliProfile.make({ ...options, path: options.cliConfigPath }),
    profile: IniProfile.make({ ...options, path: options.credentialsFilePath }),
    ecs_ram_role: metadataSource(options),
    credential_uri: CredentialsUri.make({ ...Upstream.pick(options), credentialsUri: options.credentialsUri })
  }) as const

/**
 * The requirements of the default sources: what `CredentialsLive` provides on Node.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = Effect.Effect.Context<ReturnType<typeof sources>[keyof ReturnType<typeof sources>]>

/**
 * The default sources as `[name, source]` pairs, in chain order (for `Chain.explain`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const entries = (options: Options = {}) => Object.entries(sources(options))

// ECS credentials are refreshed 1 hour ahead, the others at the stale window, as in the official tool.
const officialPrefetch = (credential: Credential.Credential): Duration.Duration =>
  credential.providerName.split("/").at(-1) === "ecs_ram_role" ? Duration.hours(1) : Duration.zero

/**
 * The `Credentials` service over the default chain (named `default`: provider names read
 * `default/env`, `default/cli_profile/ram_role_arn/static_ak`...). Needs the platform:
 * see `CredentialsLive` for Node.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}) =>
  Credentials.layerChain(entries(options).map(([, source]) => source), {
    name: "default",
    onError: options.onError,
    prefetchWindow: officialPrefetch,
    ...options.refresh
  })

/**
 * Explains the default chain: for each source, picked, skipped (and why) or not tried.
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const explain = (options: Options = {}) => Chain.explain(entries(options))
