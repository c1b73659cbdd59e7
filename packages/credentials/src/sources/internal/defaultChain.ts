// The default chain as data: its options, its sources in the official order, and the options of
// the chain and refresh engine over them. It builds no layer (it imports neither the service's
// module nor `DefaultChain`): `DefaultChain.layer` and `Credentials.layerDefault` each hand these
// to `Credentials.layerChain`, and the Promise facade walks `entries`.
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Chain from "../../Chain.js"
import { metadataOptions } from "../../internal/chain/composite.js"
import { askedPrefetchWindow, type Options as RefreshOptions } from "../../internal/refresh/timing.js"
import * as Upstream from "../../internal/upstream/pipeline.js"
import * as CliProfile from "../CliProfile.js"
import * as CredentialsUri from "../CredentialsUri.js"
import * as EcsRamRole from "../EcsRamRole.js"
import * as Environment from "../Environment.js"
import * as IniProfile from "../IniProfile.js"
import * as OidcRoleArn from "../OidcRoleArn.js"

/** The default chain's options (`DefaultChain.Options`). */
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
  readonly refresh?: RefreshOptions | undefined
}

/**
 * The default sources by their provider names, in chain order: the official ones, except
 * `credentials_uri` (the official `credential_uri`), named as its type, its variable and its errors.
 */
export const sources = (options: Options = {}) =>
  ({
    env: Environment.make(),
    oidc_role_arn: OidcRoleArn.make({ ...Upstream.pick(options), stsEndpoint: options.stsEndpoint }),
    cli_profile: CliProfile.make({ ...options, path: options.cliConfigPath }),
    profile: IniProfile.make({ ...options, path: options.credentialsFilePath }),
    ecs_ram_role: EcsRamRole.make(metadataOptions(options)),
    credentials_uri: CredentialsUri.make({ ...Upstream.pick(options), credentialsUri: options.credentialsUri })
  }) as const

/** What the default sources need: what `CredentialsLive` provides on Node (`DefaultChain.Requirements`). */
export type Requirements = Effect.Effect.Context<ReturnType<typeof sources>[keyof ReturnType<typeof sources>]>

/** The default sources as `[name, source]` pairs, in chain order (for `Chain.explain`). */
export const entries = (options: Options = {}) => Object.entries(sources(options))

/** The default sources, in chain order. */
export const inOrder = (options: Options = {}) => Object.values(sources(options))

/**
 * The options of the chain and refresh engine over the default sources: named `default`, and each
 * credential refreshed as far ahead as its source asked (ECS: the official hour), unless
 * `refresh.prefetchWindow` says otherwise.
 */
export const layerOptions = (options: Options = {}): Chain.Options & RefreshOptions => ({
  name: "default",
  onError: options.onError,
  prefetchWindow: askedPrefetchWindow,
  ...options.refresh
})
