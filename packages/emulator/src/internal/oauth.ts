import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as model from "./model.js"
import * as Reply from "./reply.js"
import { bearerToken, type RequestContext } from "./request.js"
import { defaultAccountId, lifetimeMillis, type State } from "./state.js"

/** @internal */
export const tokenPath = "/v1/token"
/** @internal */
export const exchangePath = "/v1/exchange"

/** The OAuth 2.0 error body (RFC 6749 5.2): `{error, error_description}`. @internal */
export const errorReply = (status: number, error: string, description: string): Reply.Reply =>
  Reply.json(status, { error, error_description: description })

const knownClientIds: ReadonlySet<string> = new Set(Object.values(model.oauthClientIds))

/**
 * `POST /v1/token`, form `grant_type=refresh_token&refresh_token&client_id`, and `Timestamp`
 * optionally: the aliyun CLI sends only the first three and the service accepts that; the official
 * SDKs add `Timestamp` (`YYYY-MM-DDTHH:mm:ssZ`), which must then be well formed. A known
 * refresh token is spent: the answer carries a new one and a new access token
 * (`{access_token, refresh_token, expires_in, token_type}`); the old refresh token stops working.
 *
 * @internal
 */
export const token = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    if (ctx.method !== "POST") return errorReply(405, "invalid_request", "Use POST.")
    const form = ctx.body
    for (const name of ["grant_type", "refresh_token", "client_id"]) {
      const value = form[name]
      if (value === undefined || value === "") {
        return errorReply(400, "invalid_request", `Missing parameter ${name} (form-encoded body).`)
      }
    }
    if (form["grant_type"] !== "refresh_token") {
      return errorReply(400, "unsupported_grant_type", `Unsupported grant_type ${form["grant_type"]}.`)
    }
    const timestamp = form["Timestamp"]
    if (timestamp !== undefined && timestamp !== "" && Reply.parseUtc(timestamp) === undefined) {
      return errorReply(400, "invalid_request", "Timestamp must be YYYY-MM-DDTHH:mm:ssZ.")
    }
    const refreshToken = form["refresh_token"] ?? ""
    const clientId = form["client_id"] ?? ""
    const entry = (yield* Ref.get(state.oauthRefreshTokens)).get(refreshToken)
    if (entry === undefined) return errorReply(400, "invalid_grant", "The refresh token is invalid or was used.")
    if (entry.clientId === undefined ? !knownClientIds.has(clientId) : entry.clientId !== clientId) {
      return errorReply(400, "invalid_client", "The client_id is not the one the refresh token was issued to.")
    }
    const now = yield* Clock.currentTimeMillis
    const lifetime = yield* lifetimeMillis(state, "oauth-token")
    const expiresIn = Math.max(0, Math.floor(lifetime / 1000))
    const nextRefresh = `emu-oauth-refresh-${Reply.randomToken(24)}`
    const access = `emu-oauth-access-${Reply.randomToken(24)}`
    const spent = yield* Ref.modify(state.oauthRefreshTokens, (m) => {
      if (!m.has(refreshToken)) return [false, m] as const
      const next = new Map(m)
      next.delete(refreshToken)
      return [true, next.set(nextRefresh, { clientId: entry.clientId })] as const
    })
    // Two concurrent requests with the same refresh token: only one wins.
    if (!spent) return errorReply(400, "invalid_grant", "The refresh token is invalid or was used.")
    yield* Ref.update(state.oauthAccessTokens, (m) => {
      const next = new Map<string, number>()
      for (const [k, expiresAt] of m) if (expiresAt > now) next.set(k, expiresAt)
      return next.set(access, now + expiresIn * 1000)
    })
    return Reply.json(200, {
      access_token: access,
      refresh_token: nextRefresh,
      expires_in: expiresIn,
      token_type: "Bearer"
    })
  })

/**
 * `POST /v1/exchange` with `Authorization: Bearer <access token>`: for a known access token not yet
 * expired (by the Clock), a new STS credential as `{accessKeyId, accessKeySecret, securityToken,
 * expiration}`; 401 otherwise.
 *
 * @internal
 */
export const exchange = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    if (ctx.method !== "POST") return errorReply(405, "invalid_request", "Use POST.")
    const access = bearerToken(ctx)
    if (access === undefined) return errorReply(401, "invalid_token", "Missing Bearer access token.")
    const now = yield* Clock.currentTimeMillis
    const expiresAt = Option.fromNullable((yield* Ref.get(state.oauthAccessTokens)).get(access))
    if (Option.isNone(expiresAt)) return errorReply(401, "invalid_token", "The access token is invalid.")
    if (now >= expiresAt.value) return errorReply(401, "invalid_token", "The access token has expired.")
    const issued = yield* state.issue(now, yield* lifetimeMillis(state, "oauth-exchange"), {
      _tag: "AssumedRoleUser",
      accountId: defaultAccountId,
      roleName: "AliyunCLIOAuthRole",
      sessionName: "emulator-oauth-user"
    })
    return Reply.json(200, {
      accessKeyId: issued.accessKeyId,
      accessKeySecret: issued.accessKeySecret,
      securityToken: issued.securityToken,
      expiration: issued.expiration
    })
  })
