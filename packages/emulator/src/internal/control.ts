import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Fault from "../Fault.js"
import * as model from "./model.js"
import * as Reply from "./reply.js"
import type { RequestContext } from "./request.js"

/** @internal */
export const prefix = "/__emulator"

/** Where everything is: the command's start line and the control API's state. */
export const urls = (emulator: model.EmulatorShape) => ({
  baseUrl: emulator.baseUrl,
  stsEndpoint: emulator.stsEndpoint,
  stsUrl: emulator.stsUrl,
  metadataUrl: emulator.metadataUrl,
  credentialsUri: emulator.credentialsUri,
  controlUrl: emulator.controlUrl,
  cloudSsoSignInUrl: emulator.cloudSsoSignInUrl,
  oauthBaseUrl: emulator.oauthBaseUrl
})

const FaultRequest = Schema.Struct({
  fault: Fault.Fault,
  times: Schema.optional(Schema.Int.pipe(Schema.positive()))
})
const AccessKeyRequest = Schema.Struct({
  accessKeyId: Schema.NonEmptyString,
  accessKeySecret: Schema.NonEmptyString,
  securityToken: Schema.optional(Schema.NonEmptyString)
})
const RevokeRequest = Schema.Struct({ accessKeyId: Schema.NonEmptyString })
const ExpiryRequest = Schema.Struct({ seconds: Schema.NonNegative })
const ModeRequest = Schema.Struct({ mode: model.MetadataMode })
const RoleRequest = Schema.Struct({ roleName: Schema.NullOr(Schema.NonEmptyString) })
const OidcTokenRequest = Schema.Struct({ token: Schema.NonEmptyString })
const CloudSsoTokenRequest = Schema.Struct({
  accessToken: Schema.NonEmptyString,
  accountId: Schema.NonEmptyString,
  accessConfigurationId: Schema.NonEmptyString,
  expiresAt: Schema.optional(Schema.NonNegative)
})
const OAuthRefreshTokenRequest = Schema.Struct({
  refreshToken: Schema.NonEmptyString,
  clientId: Schema.optional(Schema.NonEmptyString)
})
const RateLimitRequest = Schema.Struct({
  perSecond: Schema.NullOr(Schema.Positive.pipe(Schema.finite())),
  burst: Schema.optional(Schema.Int.pipe(Schema.positive()))
})
const OAuthAccessTokenRequest = Schema.Struct({ accessToken: Schema.NonEmptyString, expiresAt: Schema.NonNegative })

const secretParams = new Set(["SecurityToken", "OIDCToken", "Signature", "BearerToken", "refresh_token"])
const secretHeaders = new Set([
  "x-aliyun-ecs-metadata-token",
  "authorization",
  "x-acs-security-token",
  "x-acs-bearer-token"
])

const redactRecord = (r: Readonly<Record<string, string>>, secret: ReadonlySet<string>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, secret.has(k) ? `<redacted ${v.length} chars>` : v]))

/** The request history as the control API shows it: token values replaced by their length. @internal */
export const redact = (r: model.RequestRecord): model.RequestRecord => ({
  ...r,
  query: redactRecord(r.query, secretParams),
  body: redactRecord(r.body, secretParams),
  params: redactRecord(r.params, secretParams),
  headers: redactRecord(r.headers, secretHeaders)
})

const ok = (body: Readonly<Record<string, unknown>> = { ok: true }) => Effect.succeed(Reply.json(200, body))
const bad = (message: string) => Reply.json(400, { error: message })
const notFound = Reply.json(404, { error: "unknown control path" })

const decodeBody = <A, I>(schema: Schema.Schema<A, I>, ctx: RequestContext): Either.Either<A, Reply.Reply> =>
  Schema.decodeUnknownEither(Schema.parseJson(schema))(ctx.rawBody === "" ? "{}" : ctx.rawBody).pipe(
    Either.mapLeft((e) => bad(ParseResult.TreeFormatter.formatErrorSync(e)))
  )

const withBody = <A, I>(
  schema: Schema.Schema<A, I>,
  ctx: RequestContext,
  f: (a: A) => Effect.Effect<Reply.Reply>
): Effect.Effect<Reply.Reply> => Either.match(decodeBody(schema, ctx), { onLeft: Effect.succeed, onRight: f })

const decodeEndpoint = Schema.decodeUnknownOption(model.Endpoint)
const decodeExpiring = Schema.decodeUnknownOption(model.ExpiringEndpoint)

/**
 * The JSON control API under `/__emulator`:
 * - `GET  /state`                      urls, mode, role, counters of every endpoint
 * - `GET  /counters/<endpoint>`        `Counters`
 * - `GET  /requests/<endpoint>`        request history (tokens redacted)
 * - `POST /faults/<endpoint>`          `{ fault: Fault, times?: n }`; `DELETE /faults[/<endpoint>]`
 * - `POST /access-keys`                `{ accessKeyId, accessKeySecret, securityToken? }`
 * - `POST /revoke`                     `{ accessKeyId }`: the session (or key) is refused from now on;
 *                                      answers `{ revoked: boolean }` (false: no such key)
 * - `POST /oidc-tokens`                `{ token }`
 * - `POST /cloud-sso-tokens`           `{ accessToken, accountId, accessConfigurationId, expiresAt? }`
 * - `POST /oauth-refresh-tokens`       `{ refreshToken, clientId? }`
 * - `POST /oauth-access-tokens`        `{ accessToken, expiresAt }` (epoch ms)
 * - `POST /expiry/<endpoint>`          `{ seconds }`; `DELETE /expiry/<endpoint>`
 * - `POST /metadata-mode`              `{ mode }`
 * - `POST /role-name`                  `{ roleName: string | null }`
 * - `GET  /rate-limit`                 `{ throttled }`: the STS answers that were `Throttling.User`
 * - `POST /rate-limit`                 `{ perSecond: number | null, burst? }`: STS's limit per key (null: off)
 * - `POST /reset`
 *
 * @internal
 */
export const handle = (emulator: model.EmulatorShape, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const segments = ctx.path.slice(prefix.length).split("/").filter((s) => s !== "")
    const [resource, arg] = segments
    const endpoint = Option.getOrUndefined(decodeEndpoint(arg))
    const m = ctx.method
    if (segments.length > 2) return notFound
    switch (resource) {
      case "state": {
        if (m !== "GET") return notFound
        const all = yield* Effect.forEach(
          model.Endpoint.literals,
          (e) => emulator.counters(e).pipe(Effect.map((c) => [e, c] as const))
        )
        return Reply.json(200, { ...urls(emulator), counters: Object.fromEntries(all) })
      }
      case "counters": {
        if (m !== "GET" || endpoint === undefined) return notFound
        return Reply.json(200, { ...(yield* emulator.counters(endpoint)) })
      }
      case "requests": {
        if (m !== "GET" || endpoint === undefined) return notFound
        const requests = yield* emulator.requests(endpoint)
        return Reply.json(200, { requests: requests.map(redact) })
      }
      case "faults": {
        if (m === "DELETE" && arg === undefined) return yield* Effect.zipRight(emulator.clearFaults, ok())
        if (endpoint === undefined) return notFound
        if (m === "DELETE") return yield* Effect.zipRight(emulator.clearFault(endpoint), ok())
        if (m !== "POST" && m !== "PUT") return notFound
        return yield* withBody(
          FaultRequest,
          ctx,
          (r) => Effect.zipRight(emulator.setFault(endpoint as model.Endpoint, r.fault, { times: r.times }), ok())
        )
      }
      case "access-keys": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(AccessKeyRequest, ctx, (r) => Effect.zipRight(emulator.addAccessKey(r), ok()))
      }
      case "revoke": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(
          RevokeRequest,
          ctx,
          (r) => Effect.flatMap(emulator.revoke(r.accessKeyId), (revoked) => ok({ revoked }))
        )
      }
      case "oidc-tokens": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(OidcTokenRequest, ctx, (r) => Effect.zipRight(emulator.addOidcToken(r.token), ok()))
      }
      case "cloud-sso-tokens": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(CloudSsoTokenRequest, ctx, (r) => Effect.zipRight(emulator.addCloudSsoToken(r), ok()))
      }
      case "oauth-refresh-tokens": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(
          OAuthRefreshTokenRequest,
          ctx,
          (r) => Effect.zipRight(emulator.addOAuthRefreshToken(r), ok())
        )
      }
      case "oauth-access-tokens": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(
          OAuthAccessTokenRequest,
          ctx,
          (r) => Effect.zipRight(emulator.addOAuthAccessToken(r), ok())
        )
      }
      case "expiry": {
        const expiring = Option.getOrUndefined(decodeExpiring(arg))
        if (expiring === undefined) return notFound
        if (m === "DELETE") return yield* Effect.zipRight(emulator.clearExpiry(expiring), ok())
        if (m !== "POST" && m !== "PUT") return notFound
        return yield* withBody(
          ExpiryRequest,
          ctx,
          (r) => Effect.zipRight(emulator.setExpiry(expiring, Duration.seconds(r.seconds)), ok())
        )
      }
      case "metadata-mode": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(ModeRequest, ctx, (r) => Effect.zipRight(emulator.setMetadataMode(r.mode), ok()))
      }
      case "role-name": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* withBody(
          RoleRequest,
          ctx,
          (r) => Effect.zipRight(emulator.setRoleName(r.roleName ?? undefined), ok())
        )
      }
      case "rate-limit": {
        if (arg !== undefined) return notFound
        if (m === "GET") return Reply.json(200, { throttled: yield* emulator.throttled })
        if (m !== "POST") return notFound
        return yield* withBody(RateLimitRequest, ctx, (r) =>
          Effect.zipRight(
            emulator.setRateLimit(r.perSecond === null ? undefined : { perSecond: r.perSecond, burst: r.burst }),
            ok()
          ))
      }
      case "reset": {
        if (m !== "POST" || arg !== undefined) return notFound
        return yield* Effect.zipRight(emulator.reset, ok())
      }
      default:
        return notFound
    }
  })
