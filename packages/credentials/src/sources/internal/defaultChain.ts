// The default chain as data: its options, its sources in the official order, and the options of
// the chain and refresh engine over them. It builds no layer (it imports neither the service's
// module nor `DefaultChain`): `DefaultChain.layer` and `Credentials.layerDefault` each hand these
// to `Credentials.layerChain`, and the Promise facade walks `entries`.
//
// Each source's module is loaded when the chain first reaches that source (then kept): an
// application answered by the environment loads neither the network sources, nor Schema, nor the
// HTTP stack. The modules are imported here for their types only.
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Chain from "../../Chain.js"
import type { Credential } from "../../Credential.js"
import type { CredentialsError } from "../../CredentialsError.js"
import { loadedWhenReached } from "../../internal/chain/loaded.js"
import { askedPrefetchWindow, type Options as RefreshOptions } from "../../internal/refresh/timing.js"
import type * as CliProfile from "../CliProfile.js"
import * as OidcSettings from "./oidcSettings.js"

// The network options every network source takes (`Upstream.pick`), from the pipeline's module,
// loaded with the first network source.
const upstream = () => import("../../internal/upstream/pipeline.js")

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
export const sources = (options: Options = {}) => {
  const oidcRoleArn = loadedWhenReached<HttpClient.HttpClient | FileSystem.FileSystem>(async () => {
    const [OidcRoleArn, Upstream] = await Promise.all([import("../OidcRoleArn.js"), upstream()])
    return OidcRoleArn.make({ ...Upstream.pick(options), stsEndpoint: options.stsEndpoint })
  })
  return ({
    env: loadedWhenReached<never>(() => import("../Environment.js").then((Environment) => Environment.make())),
    // Loaded only when one of its variables is set: unset, it answers as the source would. This
    // holds because the chain gives the source none of its three settings in code (only the
    // endpoint and network options); a chain that did must pass them to the check too.
    oidc_role_arn: Effect.flatMap(
      OidcSettings.unsetInEnvironment,
      (unset): Effect.Effect<Credential, CredentialsError, HttpClient.HttpClient | FileSystem.FileSystem> =>
        unset ? Effect.fail(OidcSettings.notConfigured()) : oidcRoleArn
    ),
    cli_profile: loadedWhenReached<HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor>(
      () =>
        import("../CliProfile.js").then((CliProfile) => CliProfile.make({ ...options, path: options.cliConfigPath }))
    ),
    profile: loadedWhenReached<HttpClient.HttpClient | FileSystem.FileSystem>(() =>
      import("../IniProfile.js").then((IniProfile) =>
        IniProfile.make({ ...options, path: options.credentialsFilePath })
      )
    ),
    ecs_ram_role: loadedWhenReached<HttpClient.HttpClient>(async () => {
      const [EcsRamRole, Composite] = await Promise.all([
        import("../EcsRamRole.js"),
        import("../../internal/chain/composite.js")
      ])
      return EcsRamRole.make(Composite.metadataOptions(options))
    }),
    credentials_uri: loadedWhenReached<HttpClient.HttpClient>(async () => {
      const [CredentialsUri, Upstream] = await Promise.all([import("../CredentialsUri.js"), upstream()])
      return CredentialsUri.make({ ...Upstream.pick(options), credentialsUri: options.credentialsUri })
    })
  }) as const
}

/** What the default sources need: what `CredentialsLive` provides on Node (`DefaultChain.Requirements`). */
export type Requirements = Effect.Effect.Context<ReturnType<typeof sources>[keyof ReturnType<typeof sources>]>

/** The default sources as `[name, source]` pairs, in chain order (for `Chain.explain`). */
export const entries = (options: Options = {}) => Object.entries(sources(options))

/** The default sources, in chain order. */
export const inOrder = (options: Options = {}) => Object.values(sources(options))

/**
 * The default sources, in chain order, each given what it needs from `platform` when it first
 * runs. The environment source needs nothing: a chain it answers never builds the platform.
 */
export const inOrderOn = (platform: Effect.Effect<Context.Context<Requirements>>, options: Options = {}) => {
  const { env, ...others } = sources(options)
  return [env, ...Object.values(others).map((source) => Effect.flatMap(platform, (on) => Effect.provide(source, on)))]
}

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
