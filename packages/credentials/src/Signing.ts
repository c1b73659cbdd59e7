/**
 * Request signing for Alibaba Cloud APIs, as pure functions on plain values: ACS3 (`ACS3-HMAC-SHA256`,
 * the official SDKs' default, and `ACS3-HMAC-SM3`) and RPC (`HMAC-SHA1` in the query). The date and
 * the nonce are inputs, so the same inputs give the same signature (`SignedHttpClient` draws them
 * per attempt). The secret is read from its `Redacted` only here, and no output holds it (an STS
 * token is sent, as the protocol wants, in a header or parameter of the request).
 *
 * The canonicalization is byte for byte that of the official `@alicloud/openapi-core` /
 * `@alicloud/openapi-util` (a property test compares them), with one deliberate difference: an ACS3
 * query key outside `A-Z a-z 0-9 - _ . ~` is percent-encoded, as the service does, where the
 * official utility leaves it raw and the service refuses the signature.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { CredentialType } from "./Credential.js"
import * as Acs3 from "./internal/signing/acs3.js"
import { formatTimestamp } from "./internal/signing/encode.js"
import * as Rpc from "./internal/signing/rpc.js"

/**
 * The ACS3 algorithms with a shared secret (`ACS3-RSA-SHA256` needs a registered key pair and is
 * not offered).
 *
 * @since 0.1.0
 * @category models
 */
export type Algorithm = Acs3.Algorithm

/**
 * Whether this Node has SM3 (`crypto.getHashes()`): without it `ACS3-HMAC-SM3` fails with
 * `SigningError` (reason `"Sm3Unavailable"`).
 *
 * @since 0.1.0
 * @category constants
 */
export const hasSm3: boolean = Acs3.hasSm3

/**
 * What a signer reads of a credential (a `Credential` fits).
 *
 * @since 0.1.0
 * @category models
 */
export interface SigningCredential {
  readonly type: CredentialType
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly securityToken?: Redacted.Redacted<string> | undefined
  readonly bearerToken?: Redacted.Redacted<string> | undefined
}

/**
 * The per-attempt inputs: the time (epoch milliseconds, written `YYYY-MM-DDTHH:mm:ssZ`) and a nonce
 * used once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attempt {
  readonly epochMillis: number
  readonly nonce: string
}

/**
 * Why a request cannot be signed. No field holds a secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class SigningError extends Data.TaggedError("SigningError")<{
  readonly reason: "Sm3Unavailable" | "UnsupportedBody" | "RepeatedParameter" | "MissingAction"
  readonly detail: string
}> {
  override get message(): string {
    return `cannot sign the request (${this.reason}): ${this.detail}`
  }
}

/**
 * An ACS3 request as plain values. `path` is the path as sent, already percent-encoded (`/` for
 * RPC-style APIs); `query` the decoded query; `body` the exact bytes sent (hashed into
 * `x-acs-content-sha256`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Acs3Request {
  readonly method: string
  readonly host: string
  readonly path?: string | undefined
  readonly action: string
  readonly version: string
  readonly query?: Readonly<Record<string, string>> | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | Uint8Array | undefined
}

/**
 * What to send: the headers (with `authorization`) and the query, unchanged for ACS3. The
 * canonical request and string to sign are there for debugging (compare them with the service's
 * `SignatureDoesNotMatch` message); neither holds the secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface Acs3Signed {
  readonly headers: Readonly<Record<string, string>>
  readonly query: Readonly<Record<string, string>>
  readonly canonicalRequest: string
  readonly stringToSign: string
}

const sm3Unavailable = new SigningError({
  reason: "Sm3Unavailable",
  detail: "this Node's crypto has no SM3 hash (crypto.getHashes() lacks \"sm3\"): use ACS3-HMAC-SHA256"
})

/**
 * Signs an ACS3 request as the official client does: adds `host`, `x-acs-action`, `x-acs-version`,
 * `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256` (and `x-acs-accesskey-id` with
 * `x-acs-security-token` for an STS credential), then `authorization`. A bearer credential sends
 * `x-acs-bearer-token` and `x-acs-signature-type: BEARERTOKEN` instead of a signature.
 *
 * @example
 * ```ts
 * import { AccessKey, Signing } from "@effect-alicloud/credentials"
 * import { Either, Redacted } from "effect"
 *
 * const signed = Signing.signAcs3(
 *   { method: "POST", host: "sts.aliyuncs.com", action: "GetCallerIdentity", version: "2015-04-01" },
 *   { type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Redacted.make("s3cr3t-value") },
 *   { epochMillis: 0, nonce: "n-1" }
 * )
 * assert.ok(Either.isRight(signed) && signed.right.headers.authorization.startsWith("ACS3-HMAC-SHA256 "))
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const signAcs3 = (
  request: Acs3Request,
  credential: SigningCredential,
  attempt: Attempt,
  algorithm: Algorithm = "ACS3-HMAC-SHA256"
): Either.Either<Acs3Signed, SigningError> => {
  if (algorithm === "ACS3-HMAC-SM3" && !Acs3.hasSm3) return Either.left(sm3Unavailable)
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.host,
    "x-acs-action": request.action,
    "x-acs-version": request.version,
    "x-acs-date": formatTimestamp(attempt.epochMillis),
    "x-acs-signature-nonce": attempt.nonce,
    "x-acs-content-sha256": Acs3.hashHex(algorithm, request.body ?? "")
  }
  const query = request.query ?? {}
  if (credential.type === "bearer" && credential.bearerToken !== undefined) {
    headers["x-acs-bearer-token"] = Redacted.value(credential.bearerToken)
    headers["x-acs-signature-type"] = "BEARERTOKEN"
    return Either.right({ headers, query, canonicalRequest: "", stringToSign: "" })
  }
  if (credential.securityToken !== undefined) {
    headers["x-acs-accesskey-id"] = credential.accessKeyId
    headers["x-acs-security-token"] = Redacted.value(credential.securityToken)
  }
  const canonical = Acs3.canonicalRequest(
    request.method.toUpperCase(),
    request.path ?? "/",
    query,
    headers,
    headers["x-acs-content-sha256"]!
  )
  const toSign = Acs3.stringToSign(algorithm, canonical.canonicalRequest)
  const signature = Acs3.sign(algorithm, Redacted.value(credential.accessKeySecret), toSign)
  headers.authorization = Acs3.authorization(algorithm, credential.accessKeyId, canonical.signedHeaders, signature)
  return Either.right({ headers, query, canonicalRequest: canonical.canonicalRequest, stringToSign: toSign })
}

/**
 * An RPC request as plain values: its `Action`, `Version`, the other query parameters and the
 * form-body parameters (signed with the query, sent in the body).
 *
 * @since 0.1.0
 * @category models
 */
export interface RpcRequest {
  readonly method: string
  readonly action: string
  readonly version: string
  readonly query?: Readonly<Record<string, string>> | undefined
  readonly form?: Readonly<Record<string, string>> | undefined
}

/**
 * What to send: the query with the signing parameters and `Signature`, and the string to sign
 * (which holds the `SecurityToken` of an STS credential: it is sent anyway, but do not log it).
 *
 * @since 0.1.0
 * @category models
 */
export interface RpcSigned {
  readonly query: Readonly<Record<string, string>>
  readonly stringToSign: string
}

/**
 * Signs an RPC request as the official client does: `Action`, `Version`, `Format`, `Timestamp`,
 * `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `SignatureNonce`, `AccessKeyId` (and
 * `SecurityToken`), then `Signature` over every query and form parameter. A bearer credential
 * sends `BearerToken` and `SignatureType=BEARERTOKEN` instead of a signature.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { Either, Redacted } from "effect"
 *
 * const signed = Signing.signRpc(
 *   { method: "GET", action: "DescribeRegions", version: "2014-05-26" },
 *   { type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Redacted.make("s3cr3t-value") },
 *   { epochMillis: 0, nonce: "n-1" }
 * )
 * assert.strictEqual(signed.query.Timestamp, "1970-01-01T00:00:00Z")
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const signRpc = (request: RpcRequest, credential: SigningCredential, attempt: Attempt): RpcSigned => {
  const query: Record<string, string> = {
    ...request.query,
    Action: request.action,
    Version: request.version,
    Format: request.query?.Format ?? "JSON",
    Timestamp: formatTimestamp(attempt.epochMillis),
    SignatureNonce: attempt.nonce
  }
  if (credential.type === "bearer" && credential.bearerToken !== undefined) {
    query.BearerToken = Redacted.value(credential.bearerToken)
    query.SignatureType = "BEARERTOKEN"
    return { query, stringToSign: "" }
  }
  if (credential.securityToken !== undefined) query.SecurityToken = Redacted.value(credential.securityToken)
  query.SignatureMethod = "HMAC-SHA1"
  query.SignatureVersion = "1.0"
  query.AccessKeyId = credential.accessKeyId
  const toSign = Rpc.stringToSign(request.method.toUpperCase(), { ...query, ...request.form })
  query.Signature = Rpc.sign(Redacted.value(credential.accessKeySecret), toSign)
  return { query, stringToSign: toSign }
}

/**
 * The RPC signature of a parameter set: `base64(HMAC-SHA1(secret + "&", stringToSign))`, for callers
 * that build the parameters themselves (the official `getRPCSignature`).
 *
 * @since 0.1.0
 * @category signing
 */
export const rpcSignature = (
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: Redacted.Redacted<string>
): string => Rpc.sign(Redacted.value(accessKeySecret), Rpc.stringToSign(method.toUpperCase(), params))
