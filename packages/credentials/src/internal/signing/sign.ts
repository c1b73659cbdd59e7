// The signers (ACS3, RPC) over plain values; `Signing.ts` documents and exports them.
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { CredentialFields } from "../../Credential.js"
import * as Acs3 from "./acs3.js"
import { formatTimestamp } from "./encode.js"
import * as Roa from "./roa.js"
import * as Rpc from "./rpc.js"

export type Algorithm = Acs3.Algorithm

export const hasSm3: boolean = Acs3.hasSm3

/** What a signer reads of a credential (a `Credential` fits). */
export type SigningCredential = Pick<
  CredentialFields,
  "type" | "accessKeyId" | "accessKeySecret" | "securityToken" | "bearerToken"
>

export interface Attempt {
  readonly epochMillis: number
  readonly nonce: string
}

export class SigningError extends Data.TaggedError("SigningError")<{
  readonly reason: "Sm3Unavailable" | "UnsupportedBody" | "RepeatedParameter" | "MissingAction"
  readonly detail: string
}> {
  override get message(): string {
    return `cannot sign the request (${this.reason}): ${this.detail}`
  }
}

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

/** What a call names in every style. */
interface Call {
  readonly method: string
  readonly action: string
  readonly version: string
  readonly query?: Readonly<Record<string, string>> | undefined
}

export interface RpcRequest extends Call {
  readonly form?: Readonly<Record<string, string>> | undefined
}

export interface RpcSigned {
  readonly query: Readonly<Record<string, string>>
  readonly stringToSign: string
}

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

export const rpcSignature = (
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: Redacted.Redacted<string>
): string => Rpc.sign(Redacted.value(accessKeySecret), Rpc.stringToSign(method.toUpperCase(), params))

export interface RoaRequest extends Call {
  readonly host: string
  readonly path: string
  readonly headers?: Readonly<Record<string, string>> | undefined
}

export type RoaSigned = Pick<Acs3Signed, "headers" | "stringToSign">

export const signRoa = (request: RoaRequest, credential: SigningCredential, attempt: Attempt): RoaSigned => {
  const headers: Record<string, string> = {
    accept: "application/json",
    ...request.headers,
    date: new Date(attempt.epochMillis).toUTCString(),
    host: request.host,
    "x-acs-signature-nonce": attempt.nonce,
    "x-acs-signature-method": "HMAC-SHA1",
    "x-acs-signature-version": "1.0",
    "x-acs-version": request.version,
    "x-acs-action": request.action
  }
  if (credential.type === "bearer" && credential.bearerToken !== undefined) {
    headers["x-acs-bearer-token"] = Redacted.value(credential.bearerToken)
    headers["x-acs-signature-type"] = "BEARERTOKEN"
    return { headers, stringToSign: "" }
  }
  if (credential.securityToken !== undefined) {
    headers["x-acs-accesskey-id"] = credential.accessKeyId
    headers["x-acs-security-token"] = Redacted.value(credential.securityToken)
  }
  const toSign = Roa.stringToSign(request.method.toUpperCase(), request.path, request.query ?? {}, headers)
  headers.authorization = `acs ${credential.accessKeyId}:${
    Roa.sign(Redacted.value(credential.accessKeySecret), toSign)
  }`
  return { headers, stringToSign: toSign }
}
