import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Reply from "./reply.js"
import { bearerToken, type RequestContext } from "./request.js"
import { lifetimeMillis, type State } from "./state.js"

/** @internal */
export const path = "/cloud-credentials"

/** The CloudSSO error body: `{RequestId, Code, Message}`. @internal */
export const errorReply = (status: number, code: string, message: string): Reply.Reply =>
  Reply.json(status, { RequestId: Reply.requestId(), Code: code, Message: message })

const Body = Schema.parseJson(Schema.Struct({
  AccountId: Schema.optional(Schema.String),
  AccessConfigurationId: Schema.optional(Schema.String)
}))

/**
 * `POST /cloud-credentials` with `Authorization: Bearer <access token>` and the JSON body
 * `{"AccountId", "AccessConfigurationId"}` (the Java client's form; Node 2.4.7 sends no body).
 * Checks, in order: method (405), token present / known / unexpired (401), body fields (400), that
 * the token may use this account and access configuration (403).
 *
 * @internal
 */
export const handle = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    if (ctx.method !== "POST") return errorReply(405, "MethodNotAllowed", "Use POST.")
    const token = bearerToken(ctx)
    if (token === undefined) {
      return errorReply(401, "MissingAccessToken", "The Authorization header must carry a Bearer access token.")
    }
    const now = yield* Clock.currentTimeMillis
    const entry = (yield* Ref.get(state.ssoTokens)).get(token)
    if (entry === undefined) return errorReply(401, "InvalidAccessToken", "The access token is invalid.")
    if (entry.expiresAt !== undefined && now >= entry.expiresAt) {
      return errorReply(401, "AccessTokenExpired", "The access token has expired, please log in again.")
    }
    const body = Schema.decodeUnknownEither(Body)(ctx.rawBody)
    if (Either.isLeft(body)) return errorReply(400, "InvalidParameter", "The request body must be a JSON object.")
    const accountId = body.right.AccountId
    if (accountId === undefined || accountId === "") {
      return errorReply(400, "MissingParameter.AccountId", "AccountId is mandatory for this action.")
    }
    const accessConfigurationId = body.right.AccessConfigurationId
    if (accessConfigurationId === undefined || accessConfigurationId === "") {
      return errorReply(
        400,
        "MissingParameter.AccessConfigurationId",
        "AccessConfigurationId is mandatory for this action."
      )
    }
    if (accountId !== entry.accountId || accessConfigurationId !== entry.accessConfigurationId) {
      return errorReply(
        403,
        "NoPermission.AccessConfiguration",
        "The user has no permission on the specified account or access configuration."
      )
    }
    const issued = yield* state.issue(now, yield* lifetimeMillis(state, "cloud-sso"), {
      _tag: "AssumedRoleUser",
      accountId,
      roleName: `AliyunReservedSSO_${accessConfigurationId}`,
      sessionName: "emulator-sso-user"
    })
    return Reply.json(200, {
      RequestId: Reply.requestId(),
      CloudCredential: {
        AccessKeyId: issued.accessKeyId,
        AccessKeySecret: issued.accessKeySecret,
        SecurityToken: issued.securityToken,
        Expiration: issued.expiration
      }
    })
  })
