import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Reply from "./reply.js"
import type { RequestContext } from "./request.js"
import { defaultAccountId, lifetimeMillis, type State } from "./state.js"

/** @internal */
export const tokenPath = "/latest/api/token"
/** @internal */
export const rolesPath = "/latest/meta-data/ram/security-credentials/"

const ttlHeader = "x-aliyun-ecs-metadata-token-ttl-seconds"
const tokenHeader = "x-aliyun-ecs-metadata-token"
const maxTtlSeconds = 21600

const notFound = Reply.text(404, "404 - Not Found\n", "text/html;charset=utf-8")
const unauthorized = Reply.text(401, "401 - Unauthorized\n", "text/html;charset=utf-8")

/** `PUT /latest/api/token` @internal */
export const token = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    if ((yield* Ref.get(state.metadataMode)) === "v1-only") return notFound
    if (ctx.method !== "PUT") return Reply.text(405, "405 - Method Not Allowed\n", "text/html;charset=utf-8")
    const rawTtl = ctx.headers[ttlHeader]
    const ttl = rawTtl === undefined ? Number.NaN : Number(rawTtl)
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > maxTtlSeconds) {
      return Reply.text(400, "400 - Bad Request\n", "text/html;charset=utf-8")
    }
    const now = yield* Clock.currentTimeMillis
    const value = Reply.randomToken(32)
    yield* Ref.update(state.imdsTokens, (m) => {
      const next = new Map<string, number>()
      for (const [k, expiresAt] of m) if (expiresAt > now) next.set(k, expiresAt)
      return next.set(value, now + ttl * 1000)
    })
    return Reply.text(200, value, "text/plain", { [ttlHeader]: String(ttl) })
  })

/** `undefined` when the request may proceed, else the 401 answer. */
const checkToken = (state: State, ctx: RequestContext) =>
  Effect.gen(function*() {
    const mode = yield* Ref.get(state.metadataMode)
    if (mode === "v1-only") return undefined
    const given = ctx.headers[tokenHeader]
    if (given === undefined) return mode === "v2-required" ? unauthorized : undefined
    const expiresAt = (yield* Ref.get(state.imdsTokens)).get(given)
    const now = yield* Clock.currentTimeMillis
    return expiresAt !== undefined && expiresAt > now ? undefined : unauthorized
  })

/** `GET /latest/meta-data/ram/security-credentials/` @internal */
export const roleName = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const denied = yield* checkToken(state, ctx)
    if (denied !== undefined) return denied
    if (ctx.method !== "GET") return Reply.text(405, "405 - Method Not Allowed\n", "text/html;charset=utf-8")
    const role = yield* Ref.get(state.roleName)
    return role === undefined ? notFound : Reply.text(200, role)
  })

/** `GET /latest/meta-data/ram/security-credentials/<role>` @internal */
export const credentials = (state: State, ctx: RequestContext, requestedRole: string): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const denied = yield* checkToken(state, ctx)
    if (denied !== undefined) return denied
    if (ctx.method !== "GET") return Reply.text(405, "405 - Method Not Allowed\n", "text/html;charset=utf-8")
    const role = yield* Ref.get(state.roleName)
    if (role === undefined || role !== requestedRole) return notFound
    const now = yield* Clock.currentTimeMillis
    const issued = yield* state.issue(now, yield* lifetimeMillis(state, "metadata-credentials"), {
      _tag: "AssumedRoleUser",
      accountId: defaultAccountId,
      roleName: role,
      sessionName: "i-emulator"
    })
    return Reply.json(200, {
      AccessKeyId: issued.accessKeyId,
      AccessKeySecret: issued.accessKeySecret,
      Expiration: issued.expiration,
      SecurityToken: issued.securityToken,
      LastUpdated: Reply.formatUtcSeconds(now),
      Code: "Success"
    })
  })

/** `GET <credentialsPath>` @internal */
export const credentialsUri = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    if (ctx.method !== "GET") return Reply.json(405, { Code: "MethodNotAllowed", Message: "Use GET." })
    const now = yield* Clock.currentTimeMillis
    const issued = yield* state.issue(now, yield* lifetimeMillis(state, "credentials-uri"), {
      _tag: "AssumedRoleUser",
      accountId: defaultAccountId,
      roleName: "CredentialsUriRole",
      sessionName: "emulator"
    })
    return Reply.json(200, {
      Code: "Success",
      AccessKeyId: issued.accessKeyId,
      AccessKeySecret: issued.accessKeySecret,
      SecurityToken: issued.securityToken,
      Expiration: issued.expiration
    })
  })
