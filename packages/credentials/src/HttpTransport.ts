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
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Undici from "undici"
import { currentRequestOptions, type RequestOptions, TransportFailure } from "./internal/upstream/transport.js"

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

// ---------------------------------------------------------------------------------------------
// undici's failures, typed
// ---------------------------------------------------------------------------------------------

// What each code of undici or of the system means for the pipeline (transport.ts).
const failures: Record<string, readonly [TransportFailure["reason"], string]> = {
  UND_ERR_CONNECT_TIMEOUT: ["ConnectTimeout", "connect timeout (UND_ERR_CONNECT_TIMEOUT)"],
  UND_ERR_HEADERS_TIMEOUT: ["ReadTimeout", "no headers within the read timeout (UND_ERR_HEADERS_TIMEOUT)"],
  UND_ERR_BODY_TIMEOUT: ["ReadTimeout", "the body stalled past the read timeout (UND_ERR_BODY_TIMEOUT)"],
  ECONNREFUSED: ["Unreachable", "connection refused (ECONNREFUSED)"],
  EHOSTUNREACH: ["Unreachable", "host unreachable (EHOSTUNREACH)"],
  ENETUNREACH: ["Unreachable", "network unreachable (ENETUNREACH)"],
  ENOTFOUND: ["Unreachable", "host not found (ENOTFOUND)"],
  ECONNRESET: ["ClosedEarly", "connection reset (ECONNRESET)"],
  UND_ERR_SOCKET: ["ClosedEarly", "the connection closed before the answer was complete (UND_ERR_SOCKET)"]
}

// undici's refused tunnel: "Proxy response (407) !== 200 when HTTP Tunneling"
const tunnelRefusal = /^Proxy response \((\d{3})\)/

/** A failure of undici (or of the socket under it) as the pipeline reads it. */
const transportFailure = (error: unknown): TransportFailure => {
  if (error instanceof TransportFailure) return error
  // undici wraps the socket's error: the first error down the causes with a code says what happened
  let code: string | undefined
  let current: unknown = error
  for (let depth = 0; depth < 4 && current instanceof Error && code === undefined; depth++) {
    const status = tunnelRefusal.exec(current.message)?.[1]
    if (status !== undefined) {
      return new TransportFailure({
        reason: "ProxyRefused",
        detail: `the proxy answered CONNECT with ${status}`,
        status: Number(status)
      })
    }
    const own = (current as { code?: unknown }).code
    if (typeof own === "string") code = own
    current = (current as { cause?: unknown }).cause
  }
  const [reason, detail] = (code === undefined ? undefined : failures[code]) ?? ["Other", code ?? "transport error"]
  return new TransportFailure({ reason, detail, code })
}

// A RequestError of the client whose cause is not yet typed (an error undici threw before it had
// a handler to tell): typed like the others.
const typedRequestError = (error: HttpClientError.HttpClientError): HttpClientError.HttpClientError =>
  error._tag === "RequestError" && !(error.cause instanceof TransportFailure)
    ? new HttpClientError.RequestError({ ...error, cause: transportFailure(error.cause) })
    : error

// ---------------------------------------------------------------------------------------------
// The timers: connect, the proxy's answer to CONNECT, read
// ---------------------------------------------------------------------------------------------

// undici's own connect, headers and body timeouts run on its coarse timers (a tick of about half a
// second), so a 1 s timeout could fire at 1.5 s: the metadata probe would miss its bound. They are
// kept as a backstop, and enforced on time here with Node's own timers.

// A connector whose connect timeout is a Node timer: past it, the socket is destroyed.
const preciseConnector = (timeout: Duration.Duration): Undici.buildConnector.connector => {
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
    }, Duration.toMillis(timeout))
  }
}

// The client to a proxy: its connection has the precise connect timeout, and the CONNECT exchange
// (connection, the proxy's answer) is bounded by the connect timeout too, on a Node timer: a proxy
// that accepts but never answers is a connect timeout, as a host that never answers SYN.
const tunnelPool = (origin: URL, options: Undici.Pool.Options, timeout: Duration.Duration): Undici.Pool => {
  const pool = new Undici.Pool(origin, { ...options, connect: preciseConnector(timeout) })
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
      }, Duration.toMillis(timeout))
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

// One request on its way through undici: its read timeout on a Node timer (armed when the request
// is on a connection, re-armed by the headers and by every chunk of the body, cleared at the end;
// none for a request made outside the pipeline), and every failure it ends with handed on typed.
class TimedRequest implements Undici.Dispatcher.DispatchHandler {
  #timer: ReturnType<typeof setTimeout> | undefined
  #headersDone = false
  constructor(
    readonly handler: Undici.Dispatcher.DispatchHandler,
    readonly readTimeout: Duration.Duration | undefined
  ) {}
  #arm(controller: Undici.Dispatcher.DispatchController) {
    clearTimeout(this.#timer)
    if (this.readTimeout === undefined) return
    this.#timer = setTimeout(
      () =>
        controller.abort(
          this.#headersDone ? new Undici.errors.BodyTimeoutError() : new Undici.errors.HeadersTimeoutError()
        ),
      Duration.toMillis(this.readTimeout)
    )
  }
  onRequestStart(controller: Undici.Dispatcher.DispatchController, context: unknown) {
    this.#arm(controller)
    this.handler.onRequestStart?.(controller, context)
  }
  onRequestUpgrade(...args: Parameters<NonNullable<Undici.Dispatcher.DispatchHandler["onRequestUpgrade"]>>) {
    clearTimeout(this.#timer)
    this.handler.onRequestUpgrade?.(...args)
  }
  onResponseStart(...args: Parameters<NonNullable<Undici.Dispatcher.DispatchHandler["onResponseStart"]>>) {
    this.#headersDone = true
    this.#arm(args[0])
    this.handler.onResponseStart?.(...args)
  }
  onResponseData(controller: Undici.Dispatcher.DispatchController, chunk: Buffer) {
    this.#arm(controller)
    this.handler.onResponseData?.(controller, chunk)
  }
  onResponseEnd(...args: Parameters<NonNullable<Undici.Dispatcher.DispatchHandler["onResponseEnd"]>>) {
    clearTimeout(this.#timer)
    this.handler.onResponseEnd?.(...args)
  }
  onResponseError(controller: Undici.Dispatcher.DispatchController, error: Error) {
    clearTimeout(this.#timer)
    this.handler.onResponseError?.(controller, transportFailure(error))
  }
}

// Each request timed (with undici's own read timers too, as the backstop) and its failures typed.
const timed =
  (readTimeout: Duration.Duration | undefined): Undici.Dispatcher.DispatcherComposeInterceptor =>
  (dispatch) =>
  (options, handler) =>
    dispatch(
      readTimeout === undefined ? options : {
        ...options,
        headersTimeout: Duration.toMillis(readTimeout),
        bodyTimeout: Duration.toMillis(readTimeout)
      },
      new TimedRequest(handler, readTimeout)
    )

// ---------------------------------------------------------------------------------------------
// The layer
// ---------------------------------------------------------------------------------------------

// One agent per connect timeout and proxy in use (in practice: 1 s for the metadata service, 10 s
// for the others, direct or through the proxy), shared by a client per read timeout. Through a
// proxy, undici's ProxyAgent opens a CONNECT tunnel for every target (http ones too): the
// connection to the proxy and its answer to CONNECT are bounded by the connect timeout
// (tunnelPool), the request in the tunnel by the read timer.
const makeClients = (defaultConnect: Duration.Duration) => {
  const agents = new Map<string, Undici.Dispatcher>()
  const clients = new Map<string, HttpClient.HttpClient>()
  const agent = (connect: Duration.Duration, proxy: Redacted.Redacted<string> | undefined) => {
    const url = proxy === undefined ? undefined : Redacted.value(proxy)
    const key = `${Duration.toMillis(connect)} ${url ?? ""}`
    let found = agents.get(key)
    if (found === undefined) {
      found = url === undefined
        ? new Undici.Agent({ connect: preciseConnector(connect) })
        : new Undici.ProxyAgent({ uri: url, clientFactory: (origin, options) => tunnelPool(origin, options, connect) })
      agents.set(key, found)
    }
    return found
  }
  const direct = NodeHttpClient.makeUndici(agent(defaultConnect, undefined).compose(timed(undefined)))
  return {
    /** The client of a request of the pipeline, or of one made outside it. */
    for: (request: RequestOptions | undefined): HttpClient.HttpClient => {
      if (request === undefined) return direct
      const key = [request.connectTimeout, request.readTimeout].map(Duration.toMillis).join(" ") +
        (request.proxy === undefined ? "" : ` ${Redacted.value(request.proxy)}`)
      let found = clients.get(key)
      if (found === undefined) {
        const dispatcher = agent(request.connectTimeout, request.proxy).compose(timed(request.readTimeout))
        found = NodeHttpClient.makeUndici(dispatcher)
        clients.set(key, found)
      }
      return found
    },
    destroy: () => Promise.all([...agents.values()].map((agent) => agent.destroy())).then(() => undefined)
  }
}

/**
 * An `HttpClient` on private undici agents, closed with the layer: each request of the sources'
 * pipeline gets its own connect and read timeouts, and goes through the proxy the pipeline chose
 * for it (the source's `proxy` option, else `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`; never for
 * the metadata service nor a loopback or link-local target), through an undici `ProxyAgent` (a
 * CONNECT tunnel). Its failures reach the pipeline typed: a connect or read timeout, an unreachable
 * host or proxy, a connection closed early, the proxy's refusal to open a tunnel. Requests made
 * outside the pipeline go direct. To use a transport of your own (another proxy library, a custom agent),
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
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => makeClients(Duration.decode(options.connectTimeout ?? defaultConnectTimeout))),
        (clients) => Effect.promise(clients.destroy)
      ),
      (clients) =>
        HttpClient.transform(clients.for(undefined), (outside, request) =>
          Effect.flatMap(
            FiberRef.get(currentRequestOptions),
            (options) => options === undefined ? outside : clients.for(options).execute(request)
          ).pipe(Effect.mapError(typedRequestError)))
    )
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
