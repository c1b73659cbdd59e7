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
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Chain from "./Chain.js"
import type { Credentials } from "./Credentials.js"
import * as internal from "./internal/defaultChain.js"
import type * as Refresh from "./Refresh.js"
import type * as CliProfile from "./sources/CliProfile.js"

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
export const sources = internal.sources

/**
 * The requirements of the default sources: what `CredentialsLive` provides on Node.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = Effect.Effect.Context<ReturnType<typeof sources>[keyof ReturnType<typeof sources>]>

/**
 * The `Credentials` service over the default chain (named `default`: provider names read
 * `default/env`, `default/cli_profile/ram_role_arn/static_ak`...). Needs the platform:
 * see `CredentialsLive` for Node.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: Options) => Layer.Layer<Credentials, never, Requirements> = internal.layer

/**
 * Explains the default chain: for each source, picked, skipped (and why) or not tried.
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const explain: (options?: Options) => Effect.Effect<ReadonlyArray<Chain.Step>, never, Requirements> =
  internal.explain
