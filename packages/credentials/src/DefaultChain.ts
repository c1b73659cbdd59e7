/**
 * The default chain, in the official order: environment variables, OIDC (RRSA), the CLI profile
 * file `~/.aliyun/config.json`, the legacy ini file `~/.alibabacloud/credentials`, the ECS
 * instance's RAM role, and the credentials URI.
 *
 * Build your own chain from its sources in a few lines:
 *
 * ```ts
 * const d = DefaultChain.sources({ profile: "dev" })
 * Credentials.layerChain([mySource, d.env, d.cli_profile, d.credentials_uri], { name: "mine" })
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Chain from "./Chain.js"
import { Credentials } from "./Credentials.js"
import * as internal from "./sources/internal/defaultChain.js"

/**
 * Where the default sources look and how they connect (the network options of `CliProfile`), the
 * profile, the files, the credentials URI, the chain's `onError` and the `refresh` windows. Each
 * field's own documentation says more.
 *
 * @example
 * ```ts
 * import { Credentials, type DefaultChain } from "@effect-alicloud/credentials"
 *
 * const options: DefaultChain.Options = {
 *   profile: "prod",
 *   connectTimeout: "3 seconds",
 *   metadata: { timeBudget: "1 second" },
 *   onError: "stop",
 *   refresh: { jitter: 0.3 }
 * }
 * const layer = Credentials.layerDefault(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Options = internal.Options

/**
 * The default sources by their official provider names, in chain order.
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials, DefaultChain } from "@effect-alicloud/credentials"
 *
 * // Your own order: a key of yours first, then some of the official sources
 * const d = DefaultChain.sources({ profile: "dev" })
 * const layer = Credentials.layerChain([AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" }), d.env, d.cli_profile, d.credentials_uri], {
 *   name: "mine"
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const sources = internal.sources

/**
 * The requirements of the default sources: what `CredentialsLive` provides on Node.
 *
 * @example
 * ```ts
 * import { Credentials, DefaultChain, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * const chain: Layer.Layer<Credentials, never, DefaultChain.Requirements> = DefaultChain.layer()
 * const onNode: Layer.Layer<Credentials> = chain.pipe(Layer.provide(HttpTransport.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = internal.Requirements

/**
 * The `Credentials` service over the default chain (named `default`: provider names read
 * `default/env`, `default/cli_profile/ram_role_arn/static_ak`...). Needs the platform:
 * see `CredentialsLive` for Node.
 *
 * @example
 * ```ts
 * import { DefaultChain, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // On Node (see `Credentials.layerDefault`); on another platform, provide its HttpClient, FileSystem
 * // and CommandExecutor instead
 * const layer = DefaultChain.layer({ profile: "dev" }).pipe(Layer.provide(HttpTransport.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Credentials, never, Requirements> =>
  Credentials.layerChain(internal.inOrder(options), internal.layerOptions(options))

/**
 * Explains the default chain: for each source, picked, skipped (and why) or not tried.
 *
 * @example
 * ```ts
 * import { DefaultChain, HttpTransport } from "@effect-alicloud/credentials"
 * import { Console, Effect } from "effect"
 *
 * // Why the default chain picks what it picks (`alicloud-credentials explain`)
 * const program = DefaultChain.explain().pipe(
 *   Effect.flatMap((steps) => Console.log(steps.map((step) => `${step.name}: ${step._tag}`).join("\n"))),
 *   Effect.provide(HttpTransport.layerNode())
 * )
 * ```
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const explain = (options: Options = {}): Effect.Effect<ReadonlyArray<Chain.Step>, never, Requirements> =>
  Chain.explain(internal.entries(options))
