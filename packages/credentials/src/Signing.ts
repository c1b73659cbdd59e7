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
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/signing/sign.js"

/**
 * The ACS3 algorithms with a shared secret (`ACS3-RSA-SHA256` needs a registered key pair and is
 * not offered).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const algorithm: Signing.Algorithm = Signing.hasSm3 ? "ACS3-HMAC-SM3" : "ACS3-HMAC-SHA256"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Algorithm = internal.Algorithm

/**
 * Whether this Node has SM3 (`crypto.getHashes()`): without it `ACS3-HMAC-SM3` fails with
 * `SigningError` (reason `"Sm3Unavailable"`).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { getHashes } from "node:crypto"
 *
 * assert.strictEqual(Signing.hasSm3, getHashes().includes("sm3"))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const hasSm3: boolean = internal.hasSm3

/**
 * What a signer reads of a credential (a `Credential` fits): the secret and the tokens stay
 * `Redacted` until the signer reads them.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential: Signing.SigningCredential = { type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Redacted.make("s3cr3t-value") }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SigningCredential = internal.SigningCredential

/**
 * The per-attempt inputs: the time (epoch milliseconds, written `YYYY-MM-DDTHH:mm:ssZ`) and a nonce
 * used once.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const attempt: Signing.Attempt = { epochMillis: Date.UTC(2024, 0, 1), nonce: "3156853299f313e23d1673dc12e1703d" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Attempt = internal.Attempt

/**
 * Why a request cannot be signed: SM3 missing, a body that cannot be hashed before it is sent (a
 * stream of unknown length, multipart), a parameter given twice, no action. No field holds a secret.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const error = new Signing.SigningError({ reason: "RepeatedParameter", detail: "Id is given twice" })
 * assert.strictEqual(error.message, "cannot sign the request (RepeatedParameter): Id is given twice")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const SigningError: typeof internal.SigningError = internal.SigningError

/**
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const describe = (error: Signing.SigningError) => `${error.reason}: ${error.detail}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type SigningError = internal.SigningError

/**
 * An ACS3 request as plain values. `path` is the path as sent, already percent-encoded (default
 * `/`, as for RPC-style APIs); `query` the decoded query; `body` the exact bytes sent (hashed into
 * `x-acs-content-sha256`).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const request: Signing.Acs3Request = {
 *   method: "POST",
 *   host: "ecs.cn-hangzhou.aliyuncs.com",
 *   action: "DescribeInstances",
 *   version: "2014-05-26",
 *   query: { RegionId: "cn-hangzhou" }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Acs3Request = internal.Acs3Request

/**
 * What to send: the headers (with `authorization`) and the query. The canonical request and the
 * string to sign are there for debugging (compare the latter with the service's
 * `SignatureDoesNotMatch` message); neither holds the secret, but the canonical request holds an
 * STS credential's token.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { Either, Redacted } from "effect"
 *
 * const credential: Signing.SigningCredential = { type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Redacted.make("s3cr3t-value") }
 * const signed = Signing.signAcs3({ method: "GET", host: "sts.aliyuncs.com", action: "GetCallerIdentity", version: "2015-04-01" }, credential, { epochMillis: 0, nonce: "n" })
 * assert.ok(Either.isRight(signed) && signed.right.stringToSign.startsWith("ACS3-HMAC-SHA256\n"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Acs3Signed = internal.Acs3Signed

/**
 * Signs an ACS3 request as the official client does: adds `host`, `x-acs-action`, `x-acs-version`,
 * `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256` (and `x-acs-accesskey-id` with
 * `x-acs-security-token` for an STS credential), then `authorization` over `host`, `content-type`
 * and every `x-acs-*` header. A bearer credential sends `x-acs-bearer-token` and
 * `x-acs-signature-type: BEARERTOKEN` instead of a signature. Fails only for `ACS3-HMAC-SM3` on a
 * Node without SM3.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
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
export const signAcs3: (
  request: Acs3Request,
  credential: SigningCredential,
  attempt: Attempt,
  algorithm?: Algorithm
) => Either.Either<Acs3Signed, SigningError> = internal.signAcs3

/**
 * An RPC request as plain values: its `Action`, `Version`, the other query parameters and the
 * form-body parameters (signed with the query, sent in the body).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const request: Signing.RpcRequest = {
 *   method: "POST",
 *   action: "DescribeInstances",
 *   version: "2014-05-26",
 *   form: { RegionId: "cn-hangzhou" }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RpcRequest = internal.RpcRequest

/**
 * What to send: the query with the signing parameters and `Signature`, and the string to sign
 * (which holds an STS credential's `SecurityToken`: it is sent anyway, but do not log it).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const credential: Signing.SigningCredential = { type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Redacted.make("s3cr3t-value") }
 * const signed = Signing.signRpc({ method: "GET", action: "DescribeRegions", version: "2014-05-26" }, credential, { epochMillis: 0, nonce: "n" })
 * assert.strictEqual(signed.query.SignatureMethod, "HMAC-SHA1")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RpcSigned = internal.RpcSigned

/**
 * Signs an RPC request as the official client does: `Action`, `Version`, `Format`, `Timestamp`,
 * `SignatureNonce`, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `AccessKeyId` (and
 * `SecurityToken`), then `Signature` over every query and form parameter. A bearer credential
 * sends `BearerToken` and `SignatureType=BEARERTOKEN` instead of a signature.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
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
export const signRpc: (request: RpcRequest, credential: SigningCredential, attempt: Attempt) => RpcSigned =
  internal.signRpc

/**
 * The RPC signature of a parameter set you built yourself: `base64(HMAC-SHA1(secret + "&",
 * stringToSign))` (the official `getRPCSignature`, with the method upper-cased).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * // The official utilities' published vector (their empty method)
 * assert.strictEqual(Signing.rpcSignature("", { test: "ok" }, Redacted.make("accessKeySecret")), "jHx/oHoHNrbVfhncHEvPdHXZwHU=")
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const rpcSignature: (
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: Redacted.Redacted<string>
) => string = internal.rpcSignature

/**
 * A ROA request as plain values: the path as sent (percent-encoded), the decoded query, the headers
 * (a body's `content-type`, and `content-md5` if the API wants one).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const request: Signing.RoaRequest = {
 *   method: "GET",
 *   host: "cs.cn-hangzhou.aliyuncs.com",
 *   path: "/clusters",
 *   action: "DescribeClustersV1",
 *   version: "2015-12-15",
 *   query: { page_size: "10" }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RoaRequest = internal.RoaRequest

/**
 * What to send: the headers with `authorization: acs <AccessKeyId>:<signature>`, and the string to
 * sign (which holds an STS credential's token: do not log it).
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 *
 * const authorization = (signed: Signing.RoaSigned) => signed.headers.authorization
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RoaSigned = internal.RoaSigned

/**
 * Signs a ROA request as the official client does (the older REST style of products such as
 * Container Service): `date`, `host`, `accept`, `x-acs-signature-nonce`,
 * `x-acs-signature-method=HMAC-SHA1`, `x-acs-signature-version=1.0`, `x-acs-version`,
 * `x-acs-action` (and the STS token headers), then `authorization: acs <id>:<signature>` over the
 * method, `accept`, `content-md5`, `content-type`, `date`, the `x-acs-*` headers and the resource
 * (the path and the sorted, raw query). `SignedHttpClient` does not offer ROA (the emulator does not
 * verify it); sign with this and send with any client.
 *
 * @example
 * ```ts
 * import { Signing } from "@effect-alicloud/credentials"
 * import { Redacted } from "effect"
 *
 * const signed = Signing.signRoa(
 *   { method: "GET", host: "cs.cn-hangzhou.aliyuncs.com", path: "/clusters", action: "DescribeClustersV1", version: "2015-12-15" },
 *   { type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Redacted.make("s3cr3t-value") },
 *   { epochMillis: 0, nonce: "n-1" }
 * )
 * assert.ok(signed.headers.authorization.startsWith("acs LTAI5tExampleKeyId:"))
 * assert.strictEqual(signed.headers.date, "Thu, 01 Jan 1970 00:00:00 GMT")
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const signRoa: (request: RoaRequest, credential: SigningCredential, attempt: Attempt) => RoaSigned =
  internal.signRoa
