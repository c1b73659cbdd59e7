import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Http from "node:http"
import * as Https from "node:https"
import type { Fault } from "../Fault.js"
import * as Api from "./api.js"
import * as CloudSso from "./cloudSso.js"
import * as Control from "./control.js"
import * as Metadata from "./metadata.js"
import { EmulatorError, type EmulatorShape, type Endpoint, type Options, type RequestRecord } from "./model.js"
import * as OAuth from "./oauth.js"
import * as Reply from "./reply.js"
import { type RequestContext, signatureAlgorithmOf } from "./request.js"
import { makeState, type State, toAccessEntry, toKeyEntry, toRefreshEntry, toSsoEntry } from "./state.js"
import * as Sts from "./sts.js"
import { isValid as isValidRateLimit } from "./throttle.js"

const ipv4Loopback = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** Only loopback addresses: `127.0.0.0/8`, `::1` (and `localhost`, bound as `127.0.0.1`). @internal */
export const loopbackHost = (host: string): string | undefined => {
  if (host === "localhost") return "127.0.0.1"
  if (host === "::1" || host === "[::1]") return "::1"
  const m = ipv4Loopback.exec(host)
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255) ? host : undefined
}

const splitUrl = (url: string): readonly [string, string] => {
  const i = url.indexOf("?")
  return i === -1 ? [url, ""] : [url.slice(0, i), url.slice(i + 1)]
}

/** First value wins (the spec says query and body keys never collide). */
const paramsOf = (search: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of new URLSearchParams(search)) if (!(k in out)) out[k] = v
  return out
}

const JsonObject = Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/**
 * The body as the request history records it: the form fields, or the top-level fields of a JSON
 * object (strings as sent, other values as their JSON text); `{}` for anything else.
 */
const recordedBody = (ctx: RequestContext): Readonly<Record<string, string>> => {
  if (Object.keys(ctx.body).length > 0) return ctx.body
  const contentType = (ctx.headers["content-type"] ?? "").toLowerCase()
  if (!contentType.includes("json") || ctx.rawBody === "") return {}
  const parsed = Schema.decodeUnknownEither(JsonObject)(ctx.rawBody)
  if (Either.isLeft(parsed)) return {}
  return Object.fromEntries(
    Object.entries(parsed.right).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v) ?? "null"])
  )
}

const flattenHeaders = (headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>) => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = typeof v === "string" ? v : v.join(", ")
  }
  return out
}

type Route =
  | { readonly _tag: "Control" }
  | { readonly _tag: "Endpoint"; readonly endpoint: Endpoint; readonly handler: Effect.Effect<Reply.Reply> }
  | { readonly _tag: "NotFound" }

const route = (state: State, emulatorPath: string, ctx: RequestContext): Route => {
  const path = ctx.path
  if (path === Control.prefix || path.startsWith(Control.prefix + "/")) return { _tag: "Control" }
  if (path === Metadata.tokenPath) {
    return { _tag: "Endpoint", endpoint: "metadata-token", handler: Metadata.token(state, ctx) }
  }
  if (path === Metadata.rolesPath || path === Metadata.rolesPath.slice(0, -1)) {
    return { _tag: "Endpoint", endpoint: "metadata-role", handler: Metadata.roleName(state, ctx) }
  }
  if (path.startsWith(Metadata.rolesPath)) {
    const role = path.slice(Metadata.rolesPath.length)
    return { _tag: "Endpoint", endpoint: "metadata-credentials", handler: Metadata.credentials(state, ctx, role) }
  }
  if (path === emulatorPath) {
    return { _tag: "Endpoint", endpoint: "credentials-uri", handler: Metadata.credentialsUri(state, ctx) }
  }
  if (path === CloudSso.path) return { _tag: "Endpoint", endpoint: "cloud-sso", handler: CloudSso.handle(state, ctx) }
  if (path === OAuth.tokenPath) return { _tag: "Endpoint", endpoint: "oauth-token", handler: OAuth.token(state, ctx) }
  if (path === OAuth.exchangePath) {
    return { _tag: "Endpoint", endpoint: "oauth-exchange", handler: OAuth.exchange(state, ctx) }
  }
  if (path === "/") return { _tag: "Endpoint", endpoint: "sts", handler: Sts.handle(state, ctx) }
  if (Api.matches(path)) return { _tag: "Endpoint", endpoint: "api", handler: Api.handle(state, ctx) }
  return { _tag: "NotFound" }
}

const malformedText = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"

/** The object holding the credential fields, for `MissingField` (top level elsewhere). */
const nestedIn: Partial<Record<Endpoint, string>> = { sts: "Credentials", "cloud-sso": "CloudCredential" }

const dropField = (endpoint: Endpoint, json: Readonly<Record<string, unknown>>, field: string) => {
  const outer = nestedIn[endpoint]
  const inner = outer === undefined ? undefined : json[outer]
  if (outer !== undefined && field !== outer && typeof inner === "object" && inner !== null) {
    const { [field]: _, ...rest } = inner as Record<string, unknown>
    return { ...json, [outer]: rest }
  }
  const { [field]: _, ...rest } = json
  return rest
}

/** Counts and renders the answer; `genuine` is false when a fault altered it. */
const finish = (state: State, endpoint: Endpoint, reply: Reply.Reply, genuine: boolean) =>
  Effect.gen(function*() {
    if (reply.status >= 400) yield* state.count(endpoint, "failed")
    else if (genuine && reply.status < 300) yield* state.count(endpoint, "succeeded")
    return Reply.toResponse(reply)
  })

/** Runs on the raw Node response, then waits to be interrupted when the connection closes. */
const raw = (request: HttpServerRequest.HttpServerRequest, f: (res: Http.ServerResponse) => void) =>
  Effect.sync(() => f(NodeHttpServerRequest.toServerResponse(request))).pipe(
    Effect.zipRight(Effect.never)
  )

/** One shared buffer of JSON whitespace: `HugeBody` and `EndlessBody` write views of it, never copies. */
const fillChunkSize = 64 * 1024
let fillChunk: Buffer | undefined
const spaces = (): Buffer => (fillChunk ??= Buffer.alloc(fillChunkSize, 0x20))

/**
 * A body of `total` bytes of spaces (or without end when `undefined`), one 64 KiB view per stream
 * element: the server writes each with back-pressure and stops when the connection closes (the
 * handler's fiber is interrupted).
 */
const spacesStream = (total: number | undefined): Stream.Stream<Uint8Array> =>
  Stream.unfold(0, (sent) => {
    if (total === undefined) return Option.some([spaces(), sent] as const)
    const left = total - sent
    if (left <= 0) return Option.none()
    const n = Math.min(left, fillChunkSize)
    return Option.some([n === fillChunkSize ? spaces() : spaces().subarray(0, n), sent + n] as const)
  })

/** The body in slices of `chunk` bytes, `everyMillis` apart on the Effect `Clock`. */
const dripStream = (body: Uint8Array, chunk: number, everyMillis: number): Stream.Stream<Uint8Array> =>
  Stream.unfoldEffect(0, (offset) =>
    offset >= body.length ?
      Effect.succeed(Option.none()) :
      Effect.as(
        offset === 0 ? Effect.void : Effect.sleep(Duration.millis(everyMillis)),
        Option.some([body.subarray(offset, offset + chunk), offset + chunk] as const)
      ))

const echoMessage = (ctx: RequestContext, url: string) =>
  `The request ${ctx.method} ${url} was not accepted (body: ${ctx.rawBody === "" ? "<empty>" : ctx.rawBody})`

const serveEndpoint = (
  state: State,
  endpoint: Endpoint,
  ctx: RequestContext,
  handler: Effect.Effect<Reply.Reply>,
  request: HttpServerRequest.HttpServerRequest,
  fullUrl: string
) =>
  Effect.gen(function*() {
    const record: RequestRecord = {
      method: ctx.method,
      path: ctx.path,
      query: ctx.query,
      body: recordedBody(ctx),
      params: ctx.params,
      headers: ctx.headers,
      receivedAt: yield* Clock.currentTimeMillis,
      signatureAlgorithm: signatureAlgorithmOf(ctx)
    }
    yield* state.record(endpoint, record)
    let fault: Option.Option<Fault> = yield* state.takeFault(endpoint)
    if (Option.isSome(fault)) yield* state.count(endpoint, "faulted")
    if (Option.isSome(fault) && fault.value._tag === "Delay") {
      yield* Effect.sleep(Duration.millis(fault.value.millis))
      fault = Option.none()
    }
    if (Option.isNone(fault)) return yield* finish(state, endpoint, yield* handler, true)
    const f = fault.value
    switch (f._tag) {
      case "HttpError": {
        const message = f.message ?? `Emulated ${f.code}.`
        const reply = endpoint === "sts" ?
          Sts.errorReply(ctx, { status: f.status, code: f.code, message }) :
          endpoint === "oauth-token" || endpoint === "oauth-exchange" ?
          OAuth.errorReply(f.status, f.code, message) :
          Reply.json(f.status, { Code: f.code, Message: message, RequestId: Reply.requestId() })
        return yield* finish(state, endpoint, reply, false)
      }
      case "RawBody":
        return yield* finish(
          state,
          endpoint,
          Reply.text(f.status, f.body, f.contentType ?? Reply.jsonContentType),
          false
        )
      case "MalformedBody": {
        const reply = yield* handler
        return yield* finish(state, endpoint, Reply.text(reply.status, malformedText, Reply.jsonContentType), false)
      }
      case "MissingField": {
        const reply = yield* handler
        const altered = reply._tag === "Json" ?
          Reply.json(reply.status, dropField(endpoint, reply.json, f.field), reply.headers) :
          reply
        return yield* finish(state, endpoint, altered, false)
      }
      case "TruncatedBody": {
        const reply = yield* handler
        if (reply.status >= 400) yield* state.count(endpoint, "failed")
        return yield* raw(request, (res) => {
          const body = Buffer.from(Reply.bodyText(reply), "utf8")
          res.writeHead(reply.status, {
            ...reply.headers,
            "content-type": Reply.contentTypeOf(reply),
            "content-length": String(body.length)
          })
          res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.socket?.end())
        })
      }
      case "Hang":
        return yield* Effect.never
      case "Close":
        return yield* raw(request, (res) => res.socket?.end())
      case "Reset":
        return yield* raw(request, (res) => res.socket?.resetAndDestroy())
      case "Delay":
        // handled above
        return yield* finish(state, endpoint, yield* handler, true)
      case "HugeBody":
        return HttpServerResponse.stream(spacesStream(f.bytes), {
          status: 200,
          contentType: Reply.jsonContentType,
          contentLength: f.bytes
        })
      case "EndlessBody":
        return HttpServerResponse.stream(spacesStream(undefined), { status: 200, contentType: Reply.jsonContentType })
      case "SlowDrip": {
        const reply = yield* handler
        if (reply.status >= 400) yield* state.count(endpoint, "failed")
        const body = Buffer.from(Reply.bodyText(reply), "utf8")
        return HttpServerResponse.stream(dripStream(body, f.chunk, f.everyMillis), {
          status: reply.status,
          contentType: Reply.contentTypeOf(reply),
          contentLength: body.length,
          ...(reply.headers === undefined ? {} : { headers: reply.headers })
        })
      }
      case "DeepJson": {
        const body = "[".repeat(f.depth) + "]".repeat(f.depth)
        return yield* finish(state, endpoint, Reply.text(f.status ?? 200, body, Reply.jsonContentType), false)
      }
      case "EchoRequest": {
        const code = f.code ?? "EchoedRequest"
        const message = echoMessage(ctx, fullUrl)
        const reply = endpoint === "sts" ?
          Sts.errorReply(ctx, { status: f.status, code, message }) :
          Reply.json(f.status, { Code: code, Message: message })
        return yield* finish(state, endpoint, reply, false)
      }
    }
  })

const app = (state: State, emulator: EmulatorShape, scheme: string) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const [path, search] = splitUrl(request.url)
    const headers = flattenHeaders(request.headers)
    const rawBytes = yield* Effect.orElseSucceed(
      Effect.map(request.arrayBuffer, (b) => new Uint8Array(b)),
      () => new Uint8Array(0)
    )
    const rawBody = Buffer.from(rawBytes).toString("utf8")
    const query = paramsOf(search)
    const isForm = (headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")
    const body = isForm ? paramsOf(rawBody) : {}
    const ctx: RequestContext = {
      method: request.method,
      path,
      host: headers["host"] ?? "",
      query,
      body,
      params: { ...body, ...query },
      headers,
      rawBody,
      rawBytes
    }
    const r = route(state, state.settings.credentialsPath, ctx)
    switch (r._tag) {
      case "Control":
        return Reply.toResponse(yield* Control.handle(emulator, ctx))
      case "Endpoint":
        return yield* serveEndpoint(
          state,
          r.endpoint,
          ctx,
          r.handler,
          request,
          `${scheme}://${ctx.host === "" ? emulator.stsEndpoint : ctx.host}${request.url}`
        )
      case "NotFound":
        return HttpServerResponse.unsafeJson({ Code: "NotFound", Message: `No emulated endpoint at ${path}` }, {
          status: 404
        })
    }
  }).pipe(Effect.interruptible)

/** @internal */
export const make = (options: Options = {}): Effect.Effect<EmulatorShape, EmulatorError, Scope.Scope> =>
  Effect.gen(function*() {
    const host = loopbackHost(options.host ?? "127.0.0.1")
    if (host === undefined) {
      return yield* new EmulatorError({
        reason: "InvalidOptions",
        detail: `host ${JSON.stringify(options.host)} is not a loopback address (use 127.0.0.1 or ::1)`
      })
    }
    const requestedPort = options.port ?? 0
    if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
      return yield* new EmulatorError({ reason: "InvalidOptions", detail: `invalid port ${requestedPort}` })
    }
    const credentialsPath = options.credentialsPath ?? "/credentials"
    if (!credentialsPath.startsWith("/") || credentialsPath === "/" || credentialsPath.includes("?")) {
      return yield* new EmulatorError({
        reason: "InvalidOptions",
        detail: `credentialsPath must be an absolute path other than "/"`
      })
    }
    if (options.rateLimit !== undefined && !isValidRateLimit(options.rateLimit)) {
      return yield* new EmulatorError({
        reason: "InvalidOptions",
        detail: "rateLimit.perSecond must be a positive number and rateLimit.burst a positive whole number"
      })
    }
    const state = yield* makeState(options)
    const nodeServer: Http.Server = options.tls === undefined ?
      Http.createServer() :
      Https.createServer({ key: options.tls.key, cert: options.tls.cert })
    const server = yield* NodeHttpServer.make(() => nodeServer, { port: requestedPort, host }).pipe(
      Effect.mapError((e) =>
        new EmulatorError({ reason: "Listen", detail: `cannot listen on ${host}:${requestedPort}`, cause: e.cause })
      )
    )
    // Runs before the server's own close: ends keep-alive and hung connections so close completes.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const scheme = options.tls === undefined ? "http" : "https"
    const baseUrl = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`
    const hostPort = `${host.includes(":") ? `[${host}]` : host}:${port}`

    const emulator: EmulatorShape = {
      baseUrl,
      host,
      port,
      stsEndpoint: hostPort,
      stsUrl: `${baseUrl}/`,
      metadataUrl: baseUrl,
      credentialsUri: `${baseUrl}${credentialsPath}`,
      controlUrl: `${baseUrl}${Control.prefix}`,
      cloudSsoSignInUrl: `${baseUrl}/login`,
      oauthBaseUrl: baseUrl,
      addAccessKey: (key) => Ref.update(state.keys, (m) => new Map(m).set(key.accessKeyId, toKeyEntry(key))),
      revoke: (accessKeyId) => Effect.flatMap(Clock.currentTimeMillis, (now) => state.revoke(accessKeyId, now)),
      addOidcToken: (token) => Ref.update(state.oidcTokens, (s) => new Set(s ?? []).add(token)),
      addCloudSsoToken: (token) => Ref.update(state.ssoTokens, (m) => new Map(m).set(...toSsoEntry(token))),
      addOAuthRefreshToken: (token) =>
        Ref.update(state.oauthRefreshTokens, (m) => new Map(m).set(...toRefreshEntry(token))),
      addOAuthAccessToken: (token) =>
        Ref.update(state.oauthAccessTokens, (m) => new Map(m).set(...toAccessEntry(token))),
      setFault: (endpoint, fault, opts) =>
        Ref.update(state.faults, (m) => {
          const times = opts?.times
          if (times !== undefined && times <= 0) {
            const next = new Map(m)
            next.delete(endpoint)
            return next
          }
          return new Map(m).set(endpoint, { fault, remaining: times })
        }),
      clearFault: (endpoint) =>
        Ref.update(state.faults, (m) => {
          const next = new Map(m)
          next.delete(endpoint)
          return next
        }),
      clearFaults: Ref.set(state.faults, new Map()),
      setExpiry: (endpoint, duration) =>
        Ref.update(state.expiry, (m) => new Map(m).set(endpoint, Duration.decode(duration))),
      clearExpiry: (endpoint) =>
        Ref.update(state.expiry, (m) => {
          const next = new Map(m)
          next.delete(endpoint)
          return next
        }),
      setMetadataMode: (mode) => Ref.set(state.metadataMode, mode),
      setRoleName: (roleName) => Ref.set(state.roleName, roleName),
      apiUrl: `${baseUrl}${Api.prefix}`,
      setClockSkew: (skew, direction) => Api.setClockSkew(state, skew, direction),
      counters: (endpoint) => Effect.map(SubscriptionRef.get(state.counters), (all) => all[endpoint]),
      requests: (endpoint) => Effect.map(Ref.get(state.history), (h) => h.get(endpoint) ?? []),
      lastRequest: (endpoint) =>
        Effect.map(Ref.get(state.history), (h) => Option.fromNullable((h.get(endpoint) ?? []).at(-1))),
      awaitRequests: state.awaitRequests,
      setRateLimit: state.throttle.set,
      throttled: state.throttle.throttled,
      reset: Effect.zipRight(state.reset, Api.setClockSkew(state, 0))
    }

    yield* server.serve(app(state, emulator, scheme))
    return emulator
  })
