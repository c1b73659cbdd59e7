/**
 * The HTTP transport the network sources use: `@effect/platform`'s `HttpClient` on Node's undici,
 * with a connect timeout. `CredentialsLive` provides it; provide it yourself when you build layers
 * from network sources, or provide any other `HttpClient` (a proxy, a test stub).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Undici from "undici"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long to wait for a TCP (and TLS) connection. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultConnectTimeout: Duration.Duration = Duration.seconds(10)

/**
 * An `HttpClient` on a private undici agent, closed with the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() =>
          new Undici.Agent({
            connect: { timeout: Duration.toMillis(options.connectTimeout ?? defaultConnectTimeout) }
          })
        ),
        (agent) => Effect.promise(() => agent.destroy())
      )
    ))
  )
