/**
 * The layer an application provides: the default chain on Node (HTTP through undici, the file
 * system, child processes).
 *
 * ```ts
 * program.pipe(Effect.provide(CredentialsLive))
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Credentials } from "./Credentials.js"
import * as DefaultChain from "./DefaultChain.js"
import * as HttpTransport from "./HttpTransport.js"

/**
 * What the default sources need, on Node (see `HttpTransport.layerNodePlatform`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNodePlatform = HttpTransport.layerNodePlatform

/**
 * The default chain with options (a profile, endpoints, timeouts, the refresh windows), on Node.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLive = (options: DefaultChain.Options = {}): Layer.Layer<Credentials> =>
  DefaultChain.layer(options).pipe(Layer.provide(layerNodePlatform()))

/**
 * The same, with options read through `Config` (e.g. `Config.string("APP_ALIBABA_PROFILE")`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLiveConfig = (
  options: Config.Config.Wrap<DefaultChain.Options>
): Layer.Layer<Credentials, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(options), layerLive))

/**
 * The default chain on Node, with the official defaults.
 *
 * @since 0.1.0
 * @category layers
 */
export const CredentialsLive: Layer.Layer<Credentials> = layerLive()
