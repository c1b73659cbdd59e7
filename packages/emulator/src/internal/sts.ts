import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as AcsSignature from "../AcsSignature.js"
import * as RpcSignature from "../RpcSignature.js"
import * as Reply from "./reply.js"
import { type RequestContext, signatureAlgorithmOf } from "./request.js"
import { type AssumedRole, type Identity, type IssuedCredential, type KeyEntry, roleIdOf, type State } from "./state.js"
import { throttledAnswer } from "./throttle.js"

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
    Recommend: `https://api.aliyun.com/troubleshoot?q=${
      encodeURIComponent(error.code)
    }&product=Sts&requestId=${requestId}`
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
      AssumedRoleId: `${roleIdOf(assumed.accountId)}:${assumed.sessionName}`
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

const signatureMismatch = (stringToSign: string): StsError =>
  err(
    400,
    "SignatureDoesNotMatch",
    `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`
  )

const keyNotFound = err(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")

/** `Timestamp` (v1) or `x-acs-date` (v3): format, then distance from the Clock. */
const checkTimestamp = (state: State, raw: string, now: number): Option.Option<StsError> => {
  const timestamp = Reply.parseUtc(raw)
  if (timestamp === undefined) {
    return Option.some(
      err(400, "InvalidTimeStamp.Format", "Specified time stamp or date header is not in a valid format.")
    )
  }
  if (Math.abs(now - timestamp) > state.settings.timestampToleranceMillis) {
    return Option.some(err(400, "InvalidTimeStamp.Expired", "Specified time stamp or date header is expired."))
  }
  return Option.none()
}

/** The security token an STS key needs (`SecurityToken` / `x-acs-security-token`), then the nonce. */
const checkTokenAndNonce = (
  state: State,
  key: KeyEntry,
  token: string | undefined,
  nonce: string,
  now: number
): Effect.Effect<Option.Option<StsError>> =>
  Effect.gen(function*() {
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
    const fresh = yield* state.useNonce(nonce, now)
    if (!fresh) {
      return Option.some(err(400, "SignatureNonceUsed", "Specified signature nonce was used already."))
    }
    return Option.none<StsError>()
  })

type Authenticated = Either.Either<KeyEntry, StsError>

/** RPC signature v1: the signature parameters, the timestamp, the key, the signature, token, nonce. */
const authenticateV1 = (state: State, ctx: RequestContext, now: number): Effect.Effect<Authenticated> =>
  Effect.gen(function*() {
    const p = ctx.params
    for (const name of ["AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp"]) {
      const r = require(p, name)
      if (Either.isLeft(r)) return Either.left(r.left)
    }
    const signatureMethod = p["SignatureMethod"] ?? ""
    if (signatureMethod !== "HMAC-SHA1") {
      return Either.left(
        err(400, "InvalidParameter.SignatureMethod", `Specified signature method ${signatureMethod} is not supported.`)
      )
    }
    const signatureVersion = p["SignatureVersion"] ?? "1.0"
    if (signatureVersion !== "1.0") {
      return Either.left(
        err(
          400,
          "InvalidParameter.SignatureVersion",
          `Specified signature version ${signatureVersion} is not supported.`
        )
      )
    }
    const badTime = checkTimestamp(state, p["Timestamp"] ?? "", now)
    if (Option.isSome(badTime)) return Either.left(badTime.value)
    const key = (yield* Ref.get(state.keys)).get(p["AccessKeyId"] ?? "")
    if (key === undefined) return Either.left(keyNotFound)
    const verification = RpcSignature.verify({
      method: ctx.method,
      params: p,
      accessKeySecret: key.accessKeySecret,
      signature: p["Signature"] ?? ""
    })
    if (!verification.valid) return Either.left(signatureMismatch(verification.stringToSign))
    const denied = yield* checkTokenAndNonce(state, key, p["SecurityToken"], p["SignatureNonce"] ?? "", now)
    return Option.isSome(denied) ? Either.left(denied.value) : Either.right(key)
  })

const incomplete = (detail: string): StsError =>
  err(400, "IncompleteSignature", `The request signature does not conform to Aliyun standards. ${detail}`)

/**
 * Signature v3 (`Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`): the
 * header, the mandatory `x-acs-*` headers and that they are signed, the timestamp, the key, the
 * signature (over the body the server read), the security token, the nonce.
 */
const authenticateV3 = (state: State, ctx: RequestContext, now: number): Effect.Effect<Authenticated> =>
  Effect.gen(function*() {
    const auth = AcsSignature.parseAuthorization(ctx.headers["authorization"] ?? "")
    if (auth === undefined) return Either.left(incomplete("Authorization header is malformed."))
    const algorithm = auth.algorithm
    if (!AcsSignature.isAlgorithm(algorithm)) {
      return Either.left(
        err(400, "InvalidParameter.SignatureMethod", `Specified signature method ${algorithm} is not supported.`)
      )
    }
    for (const name of ["x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"]) {
      const value = ctx.headers[name]
      if (value === undefined || value === "") return Either.left(incomplete(`Header ${name} is missing.`))
    }
    const signed = new Set(auth.signedHeaders)
    const mustSign = AcsSignature.headersToSign(ctx.headers).filter((h) => !signed.has(h))
    if (mustSign.length > 0) return Either.left(incomplete(`Header ${mustSign.join(", ")} must be signed.`))
    const badTime = checkTimestamp(state, ctx.headers["x-acs-date"] ?? "", now)
    if (Option.isSome(badTime)) return Either.left(badTime.value)
    const key = (yield* Ref.get(state.keys)).get(auth.accessKeyId)
    if (key === undefined) return Either.left(keyNotFound)
    const verification = AcsSignature.verify({
      algorithm,
      method: ctx.method,
      path: ctx.path,
      query: ctx.query,
      headers: ctx.headers,
      body: ctx.rawBytes ?? ctx.rawBody,
      signedHeaders: auth.signedHeaders,
      signature: auth.signature,
      accessKeySecret: key.accessKeySecret
    })
    if (!verification.valid) return Either.left(signatureMismatch(verification.stringToSign))
    const denied = yield* checkTokenAndNonce(
      state,
      key,
      ctx.headers["x-acs-security-token"],
      ctx.headers["x-acs-signature-nonce"] ?? "",
      now
    )
    return Option.isSome(denied) ? Either.left(denied.value) : Either.right(key)
  })

/** Picks the scheme: v3 with an `ACS…` Authorization header, else the RPC v1 parameters. @internal */
export const authenticate = (state: State, ctx: RequestContext, now: number): Effect.Effect<Authenticated> => {
  const scheme = signatureAlgorithmOf(ctx)
  if (scheme.startsWith("ACS")) return authenticateV3(state, ctx, now)
  if (scheme === "BEARERTOKEN") {
    return Effect.succeed(
      Either.left(err(400, "InvalidParameter.SignatureType", "Specified signature type BEARERTOKEN is not supported."))
    )
  }
  return authenticateV1(state, ctx, now)
}

const sessionOf = (assumed: Assumed): AssumedRole => ({
  _tag: "AssumedRoleUser",
  accountId: assumed.accountId,
  roleName: assumed.roleName,
  sessionName: assumed.sessionName
})

const assumeRole = (state: State, ctx: RequestContext, now: number) =>
  Effect.gen(function*() {
    const authenticated = yield* authenticate(state, ctx, now)
    if (Either.isLeft(authenticated)) return errorReply(ctx, authenticated.left)
    if (!(yield* state.throttle.take(authenticated.right.accessKeyId, now))) return errorReply(ctx, throttledAnswer)
    const assumed = validateAssume(ctx.params, state.settings.maxSessionDurationSeconds, true)
    if (Either.isLeft(assumed)) return errorReply(ctx, assumed.left)
    const lifetime = yield* lifetimeMillis(state, assumed.right.durationSeconds)
    const credential = yield* state.issue(now, lifetime, sessionOf(assumed.right))
    return successReply(assumed.right, credential)
  })

/** The `GetCallerIdentity` answer for the key's identity. @internal */
export const callerIdentity = (identity: Identity): Readonly<Record<string, string>> => {
  const accountId = identity.accountId
  switch (identity._tag) {
    case "Account":
      return {
        AccountId: accountId,
        UserId: accountId,
        Arn: `acs:ram::${accountId}:root`,
        IdentityType: "Account",
        PrincipalId: accountId
      }
    case "RAMUser":
      return {
        AccountId: accountId,
        UserId: identity.userId,
        Arn: `acs:ram::${accountId}:user/${identity.userName}`,
        IdentityType: "RAMUser",
        PrincipalId: identity.userId
      }
    case "AssumedRoleUser": {
      const roleId = roleIdOf(accountId)
      return {
        AccountId: accountId,
        UserId: `${roleId}:${identity.sessionName}`,
        Arn: `acs:ram::${accountId}:assumed-role/${identity.roleName}/${identity.sessionName}`,
        IdentityType: "AssumedRoleUser",
        PrincipalId: `${roleId}:${identity.sessionName}`,
        RoleId: roleId
      }
    }
  }
}

const getCallerIdentity = (state: State, ctx: RequestContext, now: number) =>
  Effect.gen(function*() {
    const authenticated = yield* authenticate(state, ctx, now)
    if (Either.isLeft(authenticated)) return errorReply(ctx, authenticated.left)
    return Reply.json(200, { RequestId: Reply.requestId(), ...callerIdentity(authenticated.right.identity) })
  })

const assumeRoleWithOidc = (state: State, ctx: RequestContext, now: number) =>
  Effect.gen(function*() {
    const p = ctx.params
    const checked = Either.gen(function*() {
      const assumed = yield* validateAssume(p, state.settings.maxSessionDurationSeconds, false)
      const provider = yield* require(p, "OIDCProviderArn")
      if (!oidcProviderPattern.test(provider)) {
        return yield* Either.left(
          err(400, "InvalidParameter.OIDCProviderArn", "The parameter OIDCProviderArn is wrong.")
        )
      }
      const token = yield* require(p, "OIDCToken")
      return { assumed, provider, token }
    })
    if (Either.isLeft(checked)) return errorReply(ctx, checked.left)
    if (!(yield* state.throttle.take(checked.right.provider, now))) return errorReply(ctx, throttledAnswer)
    const accepted = yield* Ref.get(state.oidcTokens)
    if (accepted !== undefined && !accepted.has(checked.right.token)) {
      return errorReply(ctx, err(400, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid."))
    }
    const lifetime = yield* lifetimeMillis(state, checked.right.assumed.durationSeconds)
    const credential = yield* state.issue(now, lifetime, sessionOf(checked.right.assumed))
    return successReply(checked.right.assumed, credential, {
      OIDCTokenInfo: {
        Subject: "emulator-subject",
        Issuer: "https://oidc.emulator.invalid",
        ClientIds: "sts.aliyuncs.com"
      }
    })
  })

/**
 * `POST /` (or GET with everything in the query, as the Java client sends it). With signature v3 the
 * action and version come in the `x-acs-action` / `x-acs-version` headers.
 *
 * @internal
 */
export const handle = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const action = ctx.params["Action"] ?? ctx.headers["x-acs-action"]
    if (action === undefined || action === "") return errorReply(ctx, missing("Action"))
    const version = ctx.params["Version"] ?? ctx.headers["x-acs-version"]
    if (version === undefined || version === "") return errorReply(ctx, missing("Version"))
    if (version !== "2015-04-01") {
      return errorReply(ctx, err(400, "InvalidVersion", "Specified parameter Version is not valid."))
    }
    switch (action) {
      case "AssumeRole":
        return yield* assumeRole(state, ctx, now)
      case "AssumeRoleWithOIDC":
        return yield* assumeRoleWithOidc(state, ctx, now)
      case "GetCallerIdentity":
        return yield* getCallerIdentity(state, ctx, now)
      default:
        return errorReply(
          ctx,
          err(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        )
    }
  })
