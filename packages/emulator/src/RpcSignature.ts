/**
 * The Alibaba Cloud RPC signature ("signature v1", HMAC-SHA1, `SignatureVersion=1.0`) as small
 * pure functions, written from `spec/sts.md` section 1.4. The emulator uses it to verify signed
 * STS requests; tests use it as an oracle for a client's independent signer.
 *
 * Nothing here throws: percent-encoding works on the UTF-8 bytes (a lone surrogate becomes
 * U+FFFD instead of raising `URIError` like `encodeURIComponent`).
 *
 * @since 0.1.0
 */
import * as Crypto from "node:crypto"

/**
 * Request parameters as a flat record: query parameters and form-body parameters merged.
 *
 * @since 0.1.0
 * @category models
 */
export type Params = Readonly<Record<string, string>>

const isUnreserved = (byte: number): boolean =>
  (byte >= 0x41 && byte <= 0x5a) || // A-Z
  (byte >= 0x61 && byte <= 0x7a) || // a-z
  (byte >= 0x30 && byte <= 0x39) || // 0-9
  byte === 0x2d || byte === 0x5f || byte === 0x2e || byte === 0x7e // - _ . ~

const hex = "0123456789ABCDEF"

/**
 * RFC 3986 percent-encoding of the UTF-8 bytes: only `A-Z a-z 0-9 - _ . ~` stay literal, hex is
 * uppercase, a space is `%20`. Equal to `encodeURIComponent` plus `! ' ( ) *` encoded.
 *
 * @since 0.1.0
 * @category encoding
 */
export const percentEncode = (value: string): string => {
  const bytes = Buffer.from(value, "utf8")
  let out = ""
  for (const byte of bytes) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : "%" + hex[byte >> 4] + hex[byte & 0x0f]
  }
  return out
}

/**
 * The canonicalized query string: every parameter except `Signature`, keys sorted by UTF-16 code
 * unit (`Array.prototype.sort`), each pair `percentEncode(key)=percentEncode(value)`, joined by `&`.
 *
 * @since 0.1.0
 * @category signing
 */
export const canonicalize = (params: Params): string =>
  Object.keys(params)
    .filter((key) => key !== "Signature")
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? "")}`)
    .join("&")

/**
 * `METHOD&%2F&percentEncode(canonicalize(params))`.
 *
 * @since 0.1.0
 * @category signing
 */
export const stringToSign = (method: string, params: Params): string =>
  `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonicalize(params))}`

/**
 * `base64(HMAC-SHA1(accessKeySecret + "&", stringToSign))`.
 *
 * @since 0.1.0
 * @category signing
 */
export const sign = (stringToSign: string, accessKeySecret: string): string =>
  Crypto.createHmac("sha1", `${accessKeySecret}&`).update(stringToSign, "utf8").digest("base64")

/**
 * Signs a parameter set: `sign(stringToSign(method, params), accessKeySecret)`.
 *
 * @since 0.1.0
 * @category signing
 */
export const signParams = (method: string, params: Params, accessKeySecret: string): string =>
  sign(stringToSign(method, params), accessKeySecret)

/**
 * The outcome of {@link verify}: whether the signature matched, and the server-side string to sign
 * (STS echoes it in its `SignatureDoesNotMatch` message).
 *
 * @since 0.1.0
 * @category models
 */
export interface Verification {
  readonly valid: boolean
  readonly stringToSign: string
}

/**
 * Recomputes the signature of `params` (which must not need to contain `Signature`; it is ignored)
 * and compares it with `signature` in constant time.
 *
 * @since 0.1.0
 * @category signing
 */
export const verify = (options: {
  readonly method: string
  readonly params: Params
  readonly accessKeySecret: string
  readonly signature: string
}): Verification => {
  const toSign = stringToSign(options.method, options.params)
  const expected = Buffer.from(sign(toSign, options.accessKeySecret), "utf8")
  const given = Buffer.from(options.signature, "utf8")
  const valid = expected.length === given.length && Crypto.timingSafeEqual(expected, given)
  return { valid, stringToSign: toSign }
}
