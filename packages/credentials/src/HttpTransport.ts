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

// The read timeout of one request travels to undici under this key of the request options
// (`readTimeoutOptions`); @effect/platform-node's client overrides undici's own header and body
// timeouts, so an interceptor sets them from it.
const readTimeoutKey = "effectAlicloudReadTimeout"

const withReadTimeout: Undici.Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
  const readTimeout = (options as { readonly [readTimeoutKey]?: unknown })[readTimeoutKey]
  return typeof readTimeout === "number"
    ? dispatch({ ...options, headersTimeout: readTimeout, bodyTimeout: readTimeout }, handler)
    : dispatch(options, handler)
}

/**
 * The request options that give one request a read timeout (headers, then each body chunk) on
 * this transport; other HttpClients ignore them.
 *
 * @since 0.1.0
 * @category utils
 */
export const readTimeoutOptions = (readTimeout: Duration.Duration) =>
  // undici's type asks for a whole request (path, method); the client merges these into its own.
  ({ [readTimeoutKey]: Duration.toMillis(readTimeout) }) as unknown as Undici.Dispatcher.RequestOptions

/**
 * An `HttpClient` on a private undici agent, closed with the layer: the connect timeout on the
 * agent, the read timeout per request.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.map(
        Effect.acquireRelease(
          Effect.sync(() =>
            new Undici.Agent({
              connect: { timeout: Duration.toMillis(options.connectTimeout ?? defaultConnectTimeout) }
            })
          ),
          (agent) => Effect.promise(() => agent.destroy())
        ),
        (agent) => agent.compose(withReadTimeout)
      )
    ))
  )
