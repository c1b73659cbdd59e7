// The Node platform's HttpClient (`HttpTransport.layer`) as a scoped value: the direct transport
// (nodeTransport.ts) for every request, except those the pipeline sends through a proxy, which go
// through undici's ProxyAgent (undiciProxy.ts, loaded by the first such request). The Promise
// facade builds its one client from here, without a Layer.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Scope from "effect/Scope"
import * as NodeTransport from "./nodeTransport.js"
import { currentRequestOptions, TransportFailure } from "./transport.js"
import type * as UndiciProxy from "./undiciProxy.js"

// The proxy's transport (undici), loaded by the first request a proxy applies to: a process whose
// requests all go direct never loads it.
const lazyProxyClients = () => {
  let loading: Promise<ReturnType<typeof UndiciProxy.makeClients>> | undefined
  return {
    load: (request: HttpClientRequest.HttpClientRequest) =>
      Effect.tryPromise({
        try: () => loading ??= import("./undiciProxy.js").then((module) => module.makeClients()),
        catch: () =>
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new TransportFailure({ reason: "Other", detail: "the proxy transport (undici) could not be loaded" })
          })
      }),
    destroy: () =>
      loading === undefined ? Promise.resolve() : loading.then((clients) => clients.destroy(), () => undefined)
  }
}

// The connect timeout of requests made outside the sources' pipeline, unless the caller says.
const defaultConnectTimeout: Duration.Duration = Duration.seconds(10)

/**
 * The client (see `HttpTransport.layer`): Node's own http/https on private agents, closed with the
 * scope; undici's ProxyAgent for a request through a proxy. `connectTimeout` (default 10 s) bounds
 * the requests made outside the pipeline.
 */
export const make = (
  connectTimeout: Duration.DurationInput = defaultConnectTimeout
): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.gen(function*() {
    const direct = yield* Effect.acquireRelease(
      Effect.sync(() => NodeTransport.make(Duration.decode(connectTimeout))),
      (transport) => Effect.sync(transport.destroy)
    )
    const proxied = yield* Effect.acquireRelease(
      Effect.sync(lazyProxyClients),
      (clients) => Effect.promise(clients.destroy)
    )
    return HttpClient.transform(direct.client, (viaDirect, request) =>
      Effect.flatMap(FiberRef.get(currentRequestOptions), (current) => {
        const proxy = current?.proxy
        return current === undefined || proxy === undefined
          ? viaDirect
          : Effect.flatMap(proxied.load(request), (clients) =>
            clients.for({ ...current, proxy }).execute(request))
      }))
  })
