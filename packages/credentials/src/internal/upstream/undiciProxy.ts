// The transport of the requests that go through a proxy: undici's ProxyAgent, which opens a
// CONNECT tunnel for every target (http ones too). This module, and undici with it, is loaded
// (HttpTransport.ts, a dynamic import) by the first request a proxy applies to: a process whose
// requests go direct (nodeTransport.ts) never loads undici, nor compiles its WebAssembly parser.
//
// The connection to the proxy and its answer to CONNECT are bounded by the connect timeout
// (tunnelPool), the request in the tunnel by the read timer (TimedRequest), on Node's own timers;
// every failure reaches the pipeline typed (failureCodes.ts).
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Undici from "undici"
import { transportFailure } from "./failureCodes.js"
import { type RequestOptions, TransportFailure } from "./transport.js"

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

/** A request through a proxy: its timeouts and the proxy. */
export type ProxiedRequest = RequestOptions & { readonly proxy: Redacted.Redacted<string> }

/**
 * The clients of the proxied requests: one ProxyAgent per connect timeout and proxy in use, shared
 * by a client per read timeout.
 */
export const makeClients = () => {
  const agents = new Map<string, Undici.Dispatcher>()
  const clients = new Map<string, HttpClient.HttpClient>()
  const agent = (connect: Duration.Duration, proxy: Redacted.Redacted<string>) => {
    const uri = Redacted.value(proxy)
    const key = `${Duration.toMillis(connect)} ${uri}`
    let found = agents.get(key)
    if (found === undefined) {
      found = new Undici.ProxyAgent({ uri, clientFactory: (origin, options) => tunnelPool(origin, options, connect) })
      agents.set(key, found)
    }
    return found
  }
  return {
    for: (request: ProxiedRequest): HttpClient.HttpClient => {
      const key = `${[request.connectTimeout, request.readTimeout].map(Duration.toMillis).join(" ")} ${
        Redacted.value(request.proxy)
      }`
      let found = clients.get(key)
      if (found === undefined) {
        const dispatcher = agent(request.connectTimeout, request.proxy).compose(timed(request.readTimeout))
        found = HttpClient.transformResponse(NodeHttpClient.makeUndici(dispatcher), Effect.mapError(typedRequestError))
        clients.set(key, found)
      }
      return found
    },
    destroy: () => Promise.all([...agents.values()].map((agent) => agent.destroy())).then(() => undefined)
  }
}
