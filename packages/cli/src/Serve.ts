/**
 * The credentials-URI server of `alicloud-credentials serve`: one `Credentials` service (one
 * upstream request per rotation, whatever the number of clients) answered over HTTP on loopback,
 * behind a random token.
 *
 * - `GET /credentials` with the token, as `Authorization: Bearer <token>` or `?token=<token>`
 *   (so the official clients, which send the URI verbatim and no header, work unchanged):
 *   200 `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}`.
 * - No token or a wrong one: 401 (compared in constant time). No credential: 503 with the
 *   error's `Code` (its tag) and `Message`. A credential without a token (an AccessKey pair):
 *   503 `UnsupportedCredential`, since the credentials-URI protocol carries STS tokens only.
 * - Another path: 404; another method: 405.
 *
 * @since 0.1.0
 */
import type { Credentials } from "@effect-alicloud/credentials"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import * as Http from "node:http"
import * as Failure from "./Failure.js"
import * as Output from "./Output.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const path = "/credentials"

const ipv4Loopback = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/**
 * The address to bind for `host` if it is a loopback one (`127.0.0.0/8`, `::1`, `localhost` as
 * `127.0.0.1`); `undefined` otherwise.
 *
 * @since 0.1.0
 * @category utils
 */
export const loopbackHost = (host: string): string | undefined => {
  if (host === "localhost") return "127.0.0.1"
  if (host === "::1" || host === "[::1]") return "::1"
  const m = ipv4Loopback.exec(host)
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255) ? host : undefined
}

/**
 * A fresh random token (32 bytes, base64url).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeToken: Effect.Effect<Redacted.Redacted<string>> = Effect.sync(() =>
  Redacted.make(randomBytes(32).toString("base64url"))
)

const digest = (text: string) => createHash("sha256").update(text).digest()

/**
 * Whether `given` is the token, in time independent of where they differ (both are hashed first,
 * so their lengths do not leak either).
 *
 * @since 0.1.0
 * @category utils
 */
export const tokenMatches = (given: string | undefined, token: Redacted.Redacted<string>): boolean =>
  given !== undefined && timingSafeEqual(digest(given), digest(Redacted.value(token)))

const json = (status: number, body: Record<string, string>) =>
  HttpServerResponse.unsafeJson(body, { status, headers: { "cache-control": "no-store" } })

const bearer = (authorization: string | undefined): string | undefined => {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  return match === null ? undefined : match[1]
}

const authorized = (request: HttpServerRequest.HttpServerRequest, token: Redacted.Redacted<string>): boolean => {
  const query = new URL(request.url, "http://127.0.0.1").searchParams.get("token") ?? undefined
  return tokenMatches(bearer(request.headers["authorization"]), token) || tokenMatches(query, token)
}

/**
 * The HTTP app over one `Credentials` service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const app = (credentials: Credentials["Type"], token: Redacted.Redacted<string>) =>
  HttpRouter.empty.pipe(
    HttpRouter.all(
      path,
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (request.method !== "GET") {
          return json(405, { Code: "MethodNotAllowed", Message: `use GET ${path}` })
        }
        if (!authorized(request, token)) {
          return json(401, {
            Code: "Unauthorized",
            Message: "missing or wrong token: use the URI printed by `alicloud-credentials serve`, with its token"
          })
        }
        const result = yield* Effect.either(credentials.get)
        if (result._tag === "Left") {
          return json(503, { Code: result.left._tag, Message: Failure.summary(result.left) })
        }
        const credential = result.right
        if (credential.securityToken === undefined || credential.expiration === undefined) {
          return json(503, {
            Code: "UnsupportedCredential",
            Message: `${credential.providerName} gave a ${credential.type} credential, but the credentials URI ` +
              "serves only STS tokens with an expiry: use a role (e.g. a RamRoleArn profile)"
          })
        }
        return json(200, {
          Code: "Success",
          AccessKeyId: credential.accessKeyId,
          AccessKeySecret: Redacted.value(credential.accessKeySecret),
          SecurityToken: Redacted.value(credential.securityToken),
          Expiration: Output.isoSeconds(credential.expiration)
        })
      })
    )
  ).pipe(
    Effect.catchTag("RouteNotFound", () => Effect.succeed(json(404, { Code: "NotFound", Message: `use GET ${path}` })))
  )

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly host: string
  readonly port: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Started {
  /** The URI to give clients, token included. */
  readonly credentialsUri: Redacted.Redacted<string>
  readonly host: string
  readonly port: number
}

/**
 * Listens on loopback and serves `credentials` until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (
  credentials: Credentials["Type"],
  options: Options
): Effect.Effect<Started, Failure.CliFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const host = loopbackHost(options.host)
    if (host === undefined) {
      return yield* Failure.usage(
        `--host ${options.host} is not a loopback address: serve binds only 127.0.0.0/8 or ::1, as anyone who can reach it gets the credential`
      )
    }
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      return yield* Failure.usage(`--port ${options.port} is not a port (0 to 65535; 0 picks a free one)`)
    }
    const token = yield* makeToken
    const nodeServer = Http.createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { host, port: options.port }).pipe(
      Effect.mapError((error) =>
        Failure.usage(
          `cannot listen on ${host}:${options.port}: ${
            error.cause instanceof Error ? error.cause.message : String(error.cause)
          }`
        )
      )
    )
    // Runs before the server's own close: ends keep-alive connections so that close completes.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* HttpServer.serveEffect(app(credentials, token)).pipe(Effect.provideService(HttpServer.HttpServer, server))
    const port = server.address._tag === "TcpAddress" ? server.address.port : options.port
    const hostPart = host.includes(":") ? `[${host}]` : host
    return {
      credentialsUri: Redacted.make(`http://${hostPart}:${port}${path}?token=${Redacted.value(token)}`),
      host,
      port
    }
  })
