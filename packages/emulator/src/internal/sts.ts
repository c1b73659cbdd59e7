import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as RpcSignature from "../RpcSignature.js"
import * as Reply from "./reply.js"
import type { IssuedCredential, State } from "./state.js"

/** What a handler sees of a request. @internal */
export interface RequestContext {
  readonly method: string
  readonly path: string
  readonly host: string
  readonly query: Readonly<Record<string, string>>
  readonly body: Readonly<Record<string, string>>
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** The raw request body (the control API reads JSON from it). */
  readonly rawBody: string
}

/** An STS error answer: status, `Code`, `Message`. @internal */
export interface StsError {
  readonly status: number
  readonly code: string
  readonly message: string
}

const err = (status: number, code: string, message: string): StsError => ({ status, code, message })

/** The STS error body: `RequestId`, `HostId`, `Code`, `Message`, `Recommend`. @internal */
export const errorReply = (ctx: RequestContext, error: StsError): Reply.Reply => {
  const requestId = Reply.requestId()
  return Reply.json(error.status, {
    RequestId: requestId,
    HostId: ctx.host === "" ? "sts.aliyuncs.com" : ctx.host,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Sts&requestId=${requestId}`
  })
}

const missing = (name: string): StsError => err(400, `Missing${name}`, `${name} is mandatory for this action.`)

const require = (params: Readonly<Record<string, string>>, name: string): Either.Either<string, StsError> => {
  const value = params[name]
  return value === undefined || value === "" ? Either.left(missing(name)) : Either.right(value)
}

const roleArnPattern = /^acs:ram::(\d+):role\/([^/]+)$/
const oidcProviderPattern = /^acs:ram::(\d+):oidc-provider\/([^/]+)$/
const sessionNamePattern = /^[\w.@-]{1,64}$/

interface Assumed {
  readonly accountId: string
  readonly roleName: string
  readonly sessionName: string
  readonly durationSeconds: number
}

/** Validates RoleArn, RoleSessionName, DurationSeconds (shared by both actions). */
const validateAssume = (
  params: Readonly<Record<string, string>>,
  maxSeconds: number,
  sessionRequired: boolean
): Either.Either<Assumed, StsError> =>
  Either.gen(function*() {
    const roleArn = yield* require(params, "RoleArn")
    const arn = roleArnPattern.exec(roleArn)
    if (arn === null) return yield* Either.left(err(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrong."))
    const sessionName = sessionRequired ?
      yield* require(params, "RoleSessionName") :
      (params["RoleSessionName"] ?? "emulator-session")
    if (!sessionNamePattern.test(sessionName)) {
      return yield* Either.left(err(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrong."))
    }
    const rawDuration = params["DurationSeconds"]
    const durationSeconds = rawDuration === undefined || rawDuration === "" ? 3600 : Number(rawDuration)
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > maxSeconds) {
      return yield* Either.left(
        err(
          400,
          "InvalidParameter.DurationSeconds",
          `The Min/Max value of DurationSeconds is 15min/${maxSeconds / 3600}hr.`
        )
      )
    }
    return { accountId: arn[1] ?? "", roleName: arn[2] ?? "", sessionName, durationSeconds }
  })

const successReply = (
  assumed: Assumed,
  credential: IssuedCredential,
  extra: Readonly<Record<string, unknown>> = {}
): Reply.Reply =>
  Reply.json(200, {
    RequestId: Reply.requestId(),
    AssumedRoleUser: {
      Arn: `acs:ram::${assumed.accountId}:role/${assumed.roleName}/${assumed.sessionName}`,
      AssumedRoleId: `3${assumed.accountId.slice(0, 17).padEnd(17, "0")}:${assumed.sessionName}`
    },
    Credentials: {
      AccessKeyId: credential.accessKeyId,
      AccessKeySecret: credential.accessKeySecret,
      SecurityToken: credential.securityToken,
      Expiration: credential.expiration
    },
    ...extra
  })

const lifetimeMillis = (state: State, durationSeconds: number) =>
  state.lifetime("sts").pipe(
    Effect.map(Option.match({ onNone: () => durationSeconds * 1000, onSome: Duration.toMillis }))
  )

/** Checks the signature parameters, the key, the timestamp, the signature and the nonce. */
const authenticate = (state: State, ctx: RequestContext, now: number) =>
  Effect.gen(function*() {
    const p = ctx.params
    for (const name of ["AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp"]) {
      const r = require(p, name)
      if (Either.isLeft(r)) return Option.some(r.left)
    }
    const signatureMethod = p["SignatureMethod"] ?? ""
    if (signatureMethod !== "HMAC-SHA1") {
      return Option.some(
        err(400, "InvalidParameter.SignatureMethod", `Specified signature method ${signatureMethod} is not supported.`)
      )
    }
    const signatureVersion = p["SignatureVersion"] ?? "1.0"
    if (signatureVersion !== "1.0") {
      return Option.some(
        err(400, "InvalidParameter.SignatureVersion", `Specified signature version ${signatureVersion} is not supported.`)
      )
    }
    const timestamp = Reply.parseUtc(p["Timestamp"] ?? "")
    if (timestamp === undefined) {
      return Option.some(
        err(400, "InvalidTimeStamp.Format", "Specified time stamp or date header is not in a valid format.")
      )
    }
    if (Math.abs(now - timestamp) > state.settings.timestampToleranceMillis) {
      return Option.some(err(400, "InvalidTimeStamp.Expired", "Specified time stamp or date header is expired."))
    }
    const accessKeyId = p["AccessKeyId"] ?? ""
    const key = (yield* Ref.get(state.keys)).get(accessKeyId)
    if (key === undefined) {
      return Option.some(err(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."))
    }
    const verification = RpcSignature.verify({
      method: ctx.method,
      params: p,
      accessKeySecret: key.accessKeySecret,
      signature: p["Signature"] ?? ""
    })
    if (!verification.valid) {
      return Option.some(
        err(
          400,
          "SignatureDoesNotMatch",
          `Specified signature is not matched with our calculation. server string to sign is:${verification.stringToSign}`
        )
      )
    }
    const token = p["SecurityToken"]
    if (key.securityToken !== undefined || token !== undefined) {
      if (token === undefined || token === "") {
        return Option.some(err(400, "MissingSecurityToken", "SecurityToken is mandatory for this action."))
      }
      if (token !== key.securityToken) {
        return Option.some(
          err(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
        )
      }
      if (key.expiresAt !== undefined && now >= key.expiresAt) {
        return Option.some(err(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."))
      }
    }
    const fresh = yield* state.useNonce(p["SignatureNonce"] ?? "", now)
    if (!fresh) {
      return Option.some(err(400, "SignatureNonceUsed", "Specified signature nonce was used already."))
    }
    return Option.none<StsError>()
  })

const assumeRole = (state: State, ctx: RequestContext, now: number) =>
  Effect.gen(function*() {
    const denied = yield* authenticate(state, ctx, now)
    if (Option.isSome(denied)) return errorReply(ctx, denied.value)
    const assumed = validateAssume(ctx.params, state.settings.maxSessionDurationSeconds, true)
    if (Either.isLeft(assumed)) return errorReply(ctx, assumed.left)
    const credential = yield* state.issue(now, yield* lifetimeMillis(state, assumed.right.durationSeconds))
    return successReply(assumed.right, credential)
  })

const assumeRoleWithOidc = (state: State, ctx: RequestContext, now: number) =>
  Effect.gen(function*() {
    const p = ctx.params
    const checked = Either.gen(function*() {
      const assumed = yield* validateAssume(p, state.settings.maxSessionDurationSeconds, false)
      const provider = yield* require(p, "OIDCProviderArn")
      if (!oidcProviderPattern.test(provider)) {
        return yield* Either.left(err(400, "InvalidParameter.OIDCProviderArn", "The parameter OIDCProviderArn is wrong."))
      }
      const token = yield* require(p, "OIDCToken")
      return { assumed, provider, token }
    })
    if (Either.isLeft(checked)) return errorReply(ctx, checked.left)
    const accepted = yield* Ref.get(state.oidcTokens)
    if (accepted !== undefined && !accepted.has(checked.right.token)) {
      return errorReply(ctx, err(400, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid."))
    }
    const credential = yield* state.issue(now, yield* lifetimeMillis(state, checked.right.assumed.durationSeconds))
    return successReply(checked.right.assumed, credential, {
      OIDCTokenInfo: {
        Subject: "emulator-subject",
        Issuer: "https://oidc.emulator.invalid",
        ClientIds: "sts.aliyuncs.com"
      }
    })
  })

/** `POST /` (or GET with everything in the query, as the Java client sends it). @internal */
export const handle = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const action = ctx.params["Action"]
    if (action === undefined || action === "") return errorReply(ctx, missing("Action"))
    const version = ctx.params["Version"]
    if (version === undefined || version === "") return errorReply(ctx, missing("Version"))
    if (version !== "2015-04-01") {
      return errorReply(ctx, err(400, "InvalidVersion", "Specified parameter Version is not valid."))
    }
    switch (action) {
      case "AssumeRole":
        return yield* assumeRole(state, ctx, now)
      case "AssumeRoleWithOIDC":
        return yield* assumeRoleWithOidc(state, ctx, now)
      default:
        return errorReply(
          ctx,
          err(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        )
    }
  })
