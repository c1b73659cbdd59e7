// The direct transport: every exchange that goes to its host directly (no proxy) on Node's own
// `http` / `https`, whose parser is native: no WebAssembly to compile after the first answer, and
// nothing for the process to wait for at exit. (undici, whose parser is WebAssembly, is loaded only
// for a request through a proxy: undiciProxy.ts.)
//
// The bounds are the same as the proxy's, on Node's own timers: the connect timeout from the
// request to the connection (DNS, TCP and TLS), then the read timeout to the headers, re-armed by
// every chunk of the body; redirects are never followed (Node's client does not); certificates are
// verified as Node verifies them (its CA store, NODE_EXTRA_CA_CERTS, the host's name). Its failures
// reach the pipeline typed (a TransportFailure, failureCodes.ts), before the answer and while the
// body is read. The body cap is the pipeline's (exchange.ts): it reads the stream and stops.
import * as NodeSink from "@effect/platform-node/NodeSink"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import type * as Net from "node:net"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as Url from "node:url"
import { transportFailure } from "./failureCodes.js"
import { NodeResponse } from "./nodeResponse.js"
import { currentRequestOptions, TransportFailure } from "./transport.js"

interface Timeouts {
  readonly connect: Duration.Duration
  /** None for a request made outside the pipeline. */
  readonly read: Duration.Duration | undefined
}

const connectTimeout = () =>
  new TransportFailure({ reason: "ConnectTimeout", detail: "no connection within the connect timeout" })
const headersTimeout = () =>
  new TransportFailure({ reason: "ReadTimeout", detail: "no headers within the read timeout" })
const bodyTimeout = () =>
  new TransportFailure({ reason: "ReadTimeout", detail: "the body stalled past the read timeout" })

// The timers of one request: the connect timer from the request to the connection (a reused one is
// there at once), then the read timer, re-armed by the headers and by every chunk that arrives
// after them. Past either, the request (before the headers) or the answer (after them) is
// destroyed with the failure, which then reaches whoever waits for it.
const watch = (request: Http.ClientRequest, secure: boolean, timeouts: Timeouts) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  let socket: Net.Socket | undefined
  let response: Http.IncomingMessage | undefined
  const connectedEvent = secure ? "secureConnect" : "connect"
  const arm = (after: Duration.Duration | undefined, failure: () => TransportFailure) => {
    clearTimeout(timer)
    timer = after === undefined ? undefined : setTimeout(() => {
      if (response === undefined) request.destroy(failure())
      else response.destroy(failure())
    }, Duration.toMillis(after))
  }
  const read = () => arm(timeouts.read, response === undefined ? headersTimeout : bodyTimeout)
  const done = () => {
    clearTimeout(timer)
    socket?.off(connectedEvent, read)
    socket?.off("data", read)
  }
  arm(timeouts.connect, connectTimeout)
  request.once("socket", (assigned: Net.Socket) => {
    socket = assigned
    if (request.reusedSocket) read()
    else assigned.once(connectedEvent, read)
  })
  request.once("response", (answer: Http.IncomingMessage) => {
    response = answer
    read()
    socket?.on("data", read)
    answer.once("end", done)
    answer.once("close", done)
  })
  request.once("close", done)
}

const transportError = (request: HttpClientRequest.HttpClientRequest) => (cause: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause: transportFailure(cause) })

// The request's body, written; the end of the request.
const writeBody = (
  outgoing: Http.ClientRequest,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<void, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.sync(() => void outgoing.end())
    case "Uint8Array":
      return Effect.sync(() => void outgoing.end(body.body))
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Effect.sync(() => void outgoing.end(body.body))
        : Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Encode",
            description: "a raw body must be a string or a Uint8Array"
          })
        )
    case "FormData":
      return Effect.tryPromise({
        try: () => {
          const encoded = new Response(body.formData)
          encoded.headers.forEach((value, name) => outgoing.setHeader(name, value))
          return pipeline(Readable.fromWeb(encoded.body!), outgoing)
        },
        catch: transportError(request)
      })
    case "Stream":
      return Stream.run(
        Stream.mapError(body.stream, (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })),
        NodeSink.fromWritable(() => outgoing, transportError(request))
      )
  }
}

// One request: sent, its body written, its answer awaited (the headers; the body is read from the
// response). Interrupted or aborted, the request and its connection are destroyed.
const send = (
  agents: Agents,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal,
  timeouts: Timeouts
): Effect.Effect<NodeResponse, HttpClientError.RequestError> =>
  Effect.suspend(() => {
    const secure = url.protocol === "https:"
    const answer = Deferred.unsafeMake<NodeResponse, HttpClientError.RequestError>(FiberId.none)
    let outgoing: Http.ClientRequest
    try {
      // Node refuses here what it cannot send (a header value with a line break, say). The URL's
      // user info is not sent (Node would make it an Authorization header; undici never did).
      const { auth: _userInfo, ...target } = Url.urlToHttpOptions(url)
      outgoing = (secure ? Https : Http).request({
        ...target,
        agent: secure ? agents.https : agents.http,
        method: request.method,
        headers: request.headers
      })
    } catch (error) {
      return Effect.fail(transportError(request)(error))
    }
    watch(outgoing, secure, timeouts)
    // The listener stays for the request's life: an error after the answer (its body cut) is the
    // answer's to report, and an 'error' without a listener would end the process.
    outgoing.on("error", (error) => Deferred.unsafeDone(answer, Effect.fail(transportError(request)(error))))
    outgoing.once("response", (incoming: Http.IncomingMessage) => {
      // An answer that ends before the request was all sent (an early 413 or 401): the rest is not
      // wanted, and Node would hold the connection, and the process, for a request that never ends.
      incoming.once("end", () => outgoing.writableFinished || outgoing.destroy())
      Deferred.unsafeDone(answer, Effect.succeed(new NodeResponse(request, incoming)))
    })
    const abort = () => void outgoing.destroy()
    signal.addEventListener("abort", abort, { once: true })
    outgoing.once("close", () => signal.removeEventListener("abort", abort))
    const answered = Deferred.await(answer).pipe(
      Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : Effect.sync(abort))
    )
    // A body in memory is written at once, then the answer awaited. No fiber forked for the usual
    // case: the first one costs a short-lived process its compilation.
    const streamed = request.body._tag === "Stream" || request.body._tag === "FormData"
    if (!streamed) return Effect.zipRight(writeBody(outgoing, request), answered)
    // A streamed one is written beside the wait and goes on after the answer (a server may answer
    // before it has read it all, or stream its answer to the upload), until the request closes.
    // A body that fails fails the exchange: the request if it is not answered yet, else the answer's body.
    const writing = Effect.catchAll(writeBody(outgoing, request), (error) =>
      Effect.sync(() => {
        Deferred.unsafeDone(answer, Effect.fail(error))
        abort()
      }))
    return Effect.flatMap(Effect.forkDaemon(writing), (writer) => {
      outgoing.once("close", () => writer.unsafeInterruptAsFork(FiberId.none))
      return answered
    })
  })

interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
}

// Connections are kept for the next request to the same host (the metadata service's three, a
// refresh), and closed after 4 s idle, as undici does, before a server would close them under a
// request. An idle connection does not hold the process.
const agentOptions: Https.AgentOptions = { keepAlive: true, timeout: 4_000 }

/**
 * The direct client: each request with the connect and read timeouts the pipeline set for it
 * (`currentRequestOptions`), or, outside the pipeline, `defaultConnect` and no read timeout.
 */
export const make = (defaultConnect: Duration.Duration): {
  readonly client: HttpClient.HttpClient
  readonly destroy: () => void
} => {
  const agents: Agents = { http: new Http.Agent(agentOptions), https: new Https.Agent(agentOptions) }
  const client = HttpClient.make((request, url, signal, fiber) => {
    const options = fiber.getFiberRef(currentRequestOptions)
    return send(agents, request, url, signal, {
      connect: options?.connectTimeout ?? defaultConnect,
      read: options?.readTimeout
    })
  })
  return {
    client,
    destroy: () => {
      agents.http.destroy()
      agents.https.destroy()
    }
  }
}
