/**
 * The Node platform: `@effect/platform`'s `HttpClient` on Node's undici, with the connect and read
 * timeouts and the proxy of each request, and the file system and child processes (`layerNode`). This is
 * the only module that knows Node's HTTP stack; the sources run on any platform's `HttpClient`
 * (e.g. `FetchHttpClient`), bounded there by the Clock deadlines of the upstream pipeline.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Undici from "undici"
import { currentRequestOptions, type RequestOptions } from "./internal/upstream/pipeline.js"

/**
 * @example
 * ```ts
 * import { HttpTransport } from "@effect-alicloud/credentials"
 *
 * const options: HttpTransport.Options = { connectTimeout: "3 seconds" }
 * const platform = HttpTransport.layerNode(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The connect timeout of requests made outside the sources' pipeline. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

// The connect timeout of requests made outside the sources' pipeline, unless `connectTimeout` says.
const defaultConnectTimeout: Duration.Duration = Duration.seconds(10)

// A request's timeouts and proxy travel to the dispatcher in its options under this key:
// @effect/platform-node's client overrides undici's own header and body timeouts, and undici's
// connect timeout and proxy belong to an agent, not a request. The key is taken out of the options
// before undici sees them.
const requestKey = "effectAlicloudRequest"

// undici's own connect, headers and body timeouts run on its coarse timers (a tick of about half a
// second), so a 1 s timeout could fire at 1.5 s: the metadata probe would miss its bound. Both are
// kept as a backstop, and enforced on time here with Node's own timers.

// A connector whose connect timeout is a Node timer: past it, the socket is destroyed.
const preciseConnector = (timeoutMs: number): Undici.buildConnector.connector => {
  const connect = Undici.buildConnector({ timeout: 0 }) // 0: no undici timer, ours instead
  return (options, callback) => {
    let settled = false
    const socket = (connect as (...args: Parameters<typeof connect>) => unknown)(options, (...args) => {
      if (settled) return void args[1]?.destroy()
      settled = true
      clearTimeout(timer)
      callback(...args)
    }) as { destroy?: () => void } | undefined
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      socket?.destroy?.()
      callback(new Undici.errors.ConnectTimeoutError(), null)
    }, timeoutMs)
  }
}

// The client to a proxy: its connection has the precise connect timeout, and the CONNECT exchange
// (connection, the proxy's answer) is bounded by the connect timeout too, on a Node timer: a proxy
// that accepts but never answers is a connect timeout, as a host that never answers SYN.
const tunnelPool = (origin: URL, options: Undici.Pool.Options, timeoutMs: number): Undici.Pool => {
  const pool = new Undici.Pool(origin, { ...options, connect: preciseConnector(timeoutMs) })
  type Connect = (options: Undici.Dispatcher.ConnectOptions) => Promise<Undici.Dispatcher.ConnectData>
  const connect = pool.connect.bind(pool) as unknown as Connect & ((...args: Array<unknown>) => unknown)
  const bounded = (options: Undici.Dispatcher.ConnectOptions, callback?: unknown): unknown => {
    if (callback !== undefined) return connect(options, callback)
    const controller = new AbortController()
    const outer = options.signal as AbortSignal | null | undefined
    outer?.addEventListener("abort", () => controller.abort(), { once: true })
    return new Promise<Undici.Dispatcher.ConnectData>((resolve, reject) => {
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        reject(new Undici.errors.ConnectTimeoutError())
        controller.abort()
      }, timeoutMs)
      connect({ ...options, signal: controller.signal }).then(
        (data) => {
          clearTimeout(timer)
          if (timedOut) data.socket.destroy()
          else resolve(data)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        }
      )
    })
  }
  Object.defineProperty(pool, "connect", { value: bounded })
  return pool
}

type LegacyHandler = Undici.Dispatcher.DispatchHandler & {
  onConnect?: (abort: (error?: Error) => void, context?: unknown) => void
}

// The read timeout of one request, on a Node timer: armed when the request is on a connection,
// re-armed by the headers and by every chunk of the body, cleared at the end.
const withReadTimer = (handler: LegacyHandler, readMs: number): Undici.Dispatcher.DispatchHandler => {
  let timer: ReturnType<typeof setTimeout> | undefined
  let abort: ((error?: Error) => void) | undefined
  let headersDone = false
  const arm = () => {
    clearTimeout(timer)
    timer = setTimeout(
      () => abort?.(headersDone ? new Undici.errors.BodyTimeoutError() : new Undici.errors.HeadersTimeoutError()),
      readMs
    )
  }
  const stop = () => clearTimeout(timer)
  if (typeof handler.onConnect !== "function") return handler // a handler of undici's newer API: its own timers
  return new Proxy(handler, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== "function") return value
      const call = (...args: Array<unknown>) => (value as (...a: Array<unknown>) => unknown).apply(target, args)
      switch (property) {
        case "onConnect":
          return (...args: Array<unknown>) => {
            abort = args[0] as (error?: Error) => void
            arm()
            return call(...args)
          }
        case "onHeaders":
          return (...args: Array<unknown>) => {
            headersDone = true
            arm()
            return call(...args)
          }
        case "onData":
          return (...args: Array<unknown>) => {
            arm()
            return call(...args)
          }
        case "onComplete":
        case "onError":
        case "onUpgrade":
          return (...args: Array<unknown>) => {
            stop()
            return call(...args)
          }
        default:
          return call
      }
    }
  })
}

// One agent per connect timeout and proxy in use (in practice: 1 s for the metadata service, 10 s
// for the others, direct or through the proxy), the read timeout set per request. Through a proxy,
// undici's ProxyAgent opens a CONNECT tunnel for every target (http ones too): the connection to
// the proxy and its answer to CONNECT are bounded by the connect timeout (tunnelPool), the request
// in the tunnel by the read timer.
class TimeoutDispatcher extends Undici.Dispatcher {
  readonly #agents = new Map<string, Undici.Dispatcher>()
  constructor(readonly defaultConnect: number) {
    super()
  }
  #agent(connect: number, proxy: string | undefined): Undici.Dispatcher {
    const key = `${connect} ${proxy ?? ""}`
    let agent = this.#agents.get(key)
    if (agent === undefined) {
      agent = proxy === undefined
        ? new Undici.Agent({ connect: preciseConnector(connect) })
        : new Undici.ProxyAgent({
          uri: proxy,
          clientFactory: (origin, options) => tunnelPool(origin, options, connect)
        })
      this.#agents.set(key, agent)
    }
    return agent
  }
  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    const { [requestKey]: request, ...rest } = options as Undici.Dispatcher.DispatchOptions & {
      readonly [requestKey]?: RequestOptions
    }
    return request === undefined
      ? this.#agent(this.defaultConnect, undefined).dispatch(rest, handler)
      : this.#agent(request.connect, request.proxy === undefined ? undefined : Redacted.value(request.proxy)).dispatch(
        { ...rest, headersTimeout: request.read, bodyTimeout: request.read },
        withReadTimer(handler, request.read)
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
 * pipeline gets its own connect and read timeouts, and goes through the proxy the pipeline chose
 * for it (the source's `proxy` option, else `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`; never for
 * the metadata service), through an undici `ProxyAgent` (a CONNECT tunnel). Requests made outside
 * the pipeline go direct. To use a transport of your own (another proxy library, a custom agent),
 * provide your own `HttpClient.HttpClient` instead of this layer: the sources take it from context,
 * and the proxy settings then do not apply.
 *
 * @example
 * ```ts
 * import { Credentials, CredentialsUri, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // A network source on Node: the HTTP transport is all it needs
 * const layer = Credentials.layer(CredentialsUri.make({ credentialsUri: "http://127.0.0.1:8080/credentials" })).pipe(
 *   Layer.provide(HttpTransport.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (effect) =>
        Effect.flatMap(FiberRef.get(currentRequestOptions), (request) =>
          request === undefined
            ? effect
            : Effect.provideService(
              effect,
              NodeHttpClient.UndiciRequestOptions,
              // undici's type asks for a whole request (path, method); the client merges these into its own.
              { [requestKey]: request } as unknown as Undici.Dispatcher.RequestOptions
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
 * What the default sources need, on Node: the HTTP transport, the file system, child processes
 * (and paths). Not the whole `NodeContext`: its terminal and worker services are not needed, and
 * building them costs start-up time.
 *
 * @example
 * ```ts
 * import { DefaultChain, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // The default chain on Node (what `Credentials.layerDefault` does)
 * const layer = DefaultChain.layer({ refresh: { jitter: 0 } }).pipe(Layer.provide(HttpTransport.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNode = (
  options: Options = {}
): Layer.Layer<HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor | Path.Path> =>
  Layer.merge(layer(options), layerNodeSystem)

/**
 * The file system, child processes and paths on Node, without an HTTP client: what the file
 * sources (`CliProfile`, `IniProfile`, an OIDC token file) and the CLI's External helpers need.
 * Node's modules for them are loaded when the layer is first built, not when this module is
 * imported, so that a program whose sources only speak HTTP does not load them.
 *
 * @example
 * ```ts
 * import { HttpTransport, IniProfile, Credentials } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // An ini-file profile needs the file system, not an HTTP client (unless it names a role)
 * const layer = Credentials.layer(IniProfile.make({ profile: "default" })).pipe(
 *   Layer.provide(Layer.merge(HttpTransport.layer(), HttpTransport.layerNodeSystem))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNodeSystem: Layer.Layer<FileSystem.FileSystem | CommandExecutor.CommandExecutor | Path.Path> = Layer
  .unwrapEffect(
    Effect.promise(async () => {
      const [NodeFileSystem, NodeCommandExecutor, NodePath] = await Promise.all([
        import("@effect/platform-node/NodeFileSystem"),
        import("@effect/platform-node/NodeCommandExecutor"),
        import("@effect/platform-node/NodePath")
      ])
      return Layer.merge(NodeCommandExecutor.layer, NodePath.layer).pipe(Layer.provideMerge(NodeFileSystem.layer))
    })
  )
