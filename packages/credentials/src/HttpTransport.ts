/**
 * The Node platform: `@effect/platform`'s `HttpClient` on Node's undici, with the connect and read
 * timeouts of each request, and the file system and child processes (`layerNodePlatform`). This is
 * the only module that knows Node's HTTP stack; the sources run on any platform's `HttpClient`
 * (e.g. `FetchHttpClient`), bounded there by the Clock deadlines of the upstream pipeline.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Undici from "undici"
import { currentTimeouts } from "./internal/upstream.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The connect timeout of requests made outside the sources' pipeline. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultConnectTimeout: Duration.Duration = Duration.seconds(10)

// A request's timeouts travel to the dispatcher in its options under this key: @effect/platform-node's
// client overrides undici's own header and body timeouts, and undici's connect timeout belongs to
// an agent, not a request.
const timeoutsKey = "effectAlicloudTimeouts"

interface Timeouts {
  readonly connect: number
  readonly read: number
}

// One agent per connect timeout in use (two in practice: 1 s for the metadata service, 10 s for
// the others), the read timeout set per request.
class TimeoutDispatcher extends Undici.Dispatcher {
  readonly #agents = new Map<number, Undici.Agent>()
  constructor(readonly defaultConnect: number) {
    super()
  }
  #agent(connect: number): Undici.Agent {
    let agent = this.#agents.get(connect)
    if (agent === undefined) {
      agent = new Undici.Agent({ connect: { timeout: connect } })
      this.#agents.set(connect, agent)
    }
    return agent
  }
  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    const timeouts = (options as { readonly [timeoutsKey]?: Timeouts })[timeoutsKey]
    return timeouts === undefined
      ? this.#agent(this.defaultConnect).dispatch(options, handler)
      : this.#agent(timeouts.connect).dispatch(
        { ...options, headersTimeout: timeouts.read, bodyTimeout: timeouts.read },
        handler
      )
  }
  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all([...this.#agents.values()].map((agent) => agent.close())).then(() => undefined)
    if (callback === undefined) return done
    void done.then(callback)
  }
  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === "function" ? a : b
    const done = Promise.all([...this.#agents.values()].map((agent) => agent.destroy())).then(() => undefined)
    if (callback === undefined) return done
    void done.then(callback)
  }
}

/**
 * An `HttpClient` on private undici agents, closed with the layer: each request of the sources'
 * pipeline gets its own connect and read timeouts.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (effect) =>
        Effect.flatMap(FiberRef.get(currentTimeouts), (timeouts) =>
          timeouts === undefined
            ? effect
            : Effect.provideService(
              effect,
              NodeHttpClient.UndiciRequestOptions,
              // undici's type asks for a whole request (path, method); the client merges these into its own.
              { [timeoutsKey]: timeouts } as unknown as Undici.Dispatcher.RequestOptions
            ))))
  ).pipe(
    Layer.provide(NodeHttpClient.layerUndiciWithoutDispatcher),
    Layer.provide(Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() =>
          new TimeoutDispatcher(Duration.toMillis(options.connectTimeout ?? defaultConnectTimeout))
        ),
        (dispatcher) => Effect.promise(() => dispatcher.destroy())
      )
    ))
  )

/**
 * What the default sources need, on Node: the HTTP transport, the file system, child processes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNodePlatform = (options: Options = {}) => Layer.mergeAll(layer(options), NodeContext.layer)
