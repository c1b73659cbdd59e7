/**
 * The Alibaba Cloud "signature v3" (`ACS3-HMAC-SHA256`, also `ACS3-HMAC-SM3`) as small pure
 * functions, written from the official Node clients (`@alicloud/openapi-core` 1.0.8
 * `Utils.getAuthorization`, `@alicloud/openapi-util` 0.3.3): the default algorithm of
 * `@alicloud/openapi-client` and of the generated product clients (`callApi` → `doRequest`). The
 * emulator uses it to verify signed requests; tests use it to sign their own.
 *
 * ```text
 * CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 * StringToSign     = Algorithm \n hex(hash(CanonicalRequest))
 * Signature        = hex(HMAC(accessKeySecret, StringToSign))
 * Authorization    = Algorithm Credential=<AccessKeyId>,SignedHeaders=<h1;h2;...>,Signature=<Signature>
 * ```
 *
 * - `CanonicalQueryString`: every query parameter, keys sorted by code unit, `key=percentEncode(value)`
 *   joined by `&` (empty when there is no query). The body is not part of it: it is hashed.
 * - `CanonicalHeaders`: for each signed header (lower-case, sorted), `name:trimmed value\n`. The
 *   client signs `host`, `content-type` and every `x-acs-*` header.
 * - `HashedPayload`: hex `SHA-256` (`SM3`) of the raw body, sent as `x-acs-content-sha256`.
 *
 * @since 0.1.0
 */
import * as Crypto from "node:crypto"
import { percentEncode } from "./RpcSignature.js"

/**
 * The HMAC algorithms of signature v3. (`ACS3-RSA-SHA256` exists too but needs a registered public
 * key; the emulator does not accept it.)
 *
 * @since 0.1.0
 * @category models
 */
export type Algorithm = "ACS3-HMAC-SHA256" | "ACS3-HMAC-SM3"

/**
 * @since 0.1.0
 * @category models
 */
export const algorithms: ReadonlyArray<Algorithm> = ["ACS3-HMAC-SHA256", "ACS3-HMAC-SM3"]

/**
 * @since 0.1.0
 * @category guards
 */
export const isAlgorithm = (value: string): value is Algorithm =>
  value === "ACS3-HMAC-SHA256" || value === "ACS3-HMAC-SM3"

const digestName = (algorithm: Algorithm): string => algorithm === "ACS3-HMAC-SHA256" ? "sha256" : "sm3"

/**
 * Hex digest of `data` with the algorithm's hash (`SHA-256` or `SM3`).
 *
 * @since 0.1.0
 * @category signing
 */
export const hash = (algorithm: Algorithm, data: string | Uint8Array): string =>
  Crypto.createHash(digestName(algorithm)).update(data).digest("hex")

/**
 * Header names and values as sent (names are compared lower-case).
 *
 * @since 0.1.0
 * @category models
 */
export type Headers = Readonly<Record<string, string>>

/**
 * @since 0.1.0
 * @category models
 */
export type Query = Readonly<Record<string, string>>

/**
 * The path as the client canonicalizes it: `+` → `%20`, `*` → `%2A`, `%7E` → `~`.
 *
 * @since 0.1.0
 * @category signing
 */
export const canonicalUri = (path: string): string =>
  (path === "" ? "/" : path).replace(/\+/g, "%20").replace(/\*/g, "%2A").replace(/%7E/g, "~")

/**
 * Keys sorted by code unit, each `percentEncode(key)=percentEncode(value)`, joined by `&`.
 *
 * @since 0.1.0
 * @category signing
 */
export const canonicalQueryString = (query: Query): string =>
  Object.keys(query)
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(query[key] ?? "")}`)
    .join("&")

const lowerCaseHeaders = (headers: Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v
  return out
}

/**
 * The headers a client signs: `host`, `content-type` and every `x-acs-*` header present, lower-case,
 * sorted.
 *
 * @since 0.1.0
 * @category signing
 */
export const headersToSign = (headers: Headers): ReadonlyArray<string> =>
  Object.keys(lowerCaseHeaders(headers))
    .filter((k) => k === "host" || k === "content-type" || k.startsWith("x-acs-"))
    .sort()

/**
 * `name:value\n` for each signed header (lower-case names, sorted; values trimmed, tabs and line
 * breaks as the client leaves them).
 *
 * @since 0.1.0
 * @category signing
 */
export const canonicalHeaders = (headers: Headers, signedHeaders: ReadonlyArray<string>): string => {
  const lower = lowerCaseHeaders(headers)
  return [...signedHeaders]
    .map((h) => h.toLowerCase())
    .sort()
    .map((h) => `${h}:${(lower[h] ?? "").trim()}\n`)
    .join("")
}

/**
 * What is signed: the request as plain values.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignedRequest {
  readonly method: string
  /** Path without the query, e.g. `/`. */
  readonly path: string
  /** Decoded query parameters. */
  readonly query: Query
  readonly headers: Headers
  /** Lower-case names of the signed headers. */
  readonly signedHeaders: ReadonlyArray<string>
  /** Hex hash of the body (the `x-acs-content-sha256` value). */
  readonly hashedPayload: string
}

/**
 * @since 0.1.0
 * @category signing
 */
export const canonicalRequest = (request: SignedRequest): string => {
  const signed = [...request.signedHeaders].map((h) => h.toLowerCase()).sort()
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQueryString(request.query),
    canonicalHeaders(request.headers, signed),
    signed.join(";"),
    request.hashedPayload
  ].join("\n")
}

/**
 * `Algorithm \n hex(hash(canonicalRequest))`.
 *
 * @since 0.1.0
 * @category signing
 */
export const stringToSign = (algorithm: Algorithm, canonical: string): string =>
  `${algorithm}\n${hash(algorithm, canonical)}`

/**
 * Hex `HMAC(accessKeySecret, stringToSign)` with the algorithm's hash.
 *
 * @since 0.1.0
 * @category signing
 */
export const sign = (algorithm: Algorithm, toSign: string, accessKeySecret: string): string =>
  Crypto.createHmac(digestName(algorithm), accessKeySecret).update(toSign, "utf8").digest("hex")

/**
 * The parts of an `Authorization: ACS3-... Credential=..,SignedHeaders=..,Signature=..` header.
 *
 * @since 0.1.0
 * @category models
 */
export interface Authorization {
  /** As sent: one of {@link Algorithm}, or another `ACS3-`/`ACS4-` name the emulator rejects. */
  readonly algorithm: string
  readonly accessKeyId: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

/**
 * Formats the `Authorization` header value.
 *
 * @since 0.1.0
 * @category signing
 */
export const formatAuthorization = (authorization: Authorization): string =>
  `${authorization.algorithm} Credential=${authorization.accessKeyId},SignedHeaders=${
    authorization.signedHeaders.join(";")
  },Signature=${authorization.signature}`

/**
 * Parses an `Authorization` header of the form {@link formatAuthorization} writes; `undefined` when
 * the algorithm does not start with `ACS`, or `Credential`, `SignedHeaders` or `Signature` is
 * missing or empty.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseAuthorization = (header: string): Authorization | undefined => {
  const trimmed = header.trim()
  const space = trimmed.indexOf(" ")
  if (space <= 0) return undefined
  const algorithm = trimmed.slice(0, space)
  if (!algorithm.startsWith("ACS")) return undefined
  const fields: Record<string, string> = {}
  for (const part of trimmed.slice(space + 1).split(",")) {
    const eq = part.indexOf("=")
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim()
  }
  const accessKeyId = fields["Credential"]
  const signedHeaders = fields["SignedHeaders"]
  const signature = fields["Signature"]
  if (accessKeyId === undefined || accessKeyId === "") return undefined
  if (signedHeaders === undefined || signedHeaders === "") return undefined
  if (signature === undefined || signature === "") return undefined
  return {
    algorithm,
    accessKeyId,
    signedHeaders: signedHeaders.split(";").map((h) => h.trim().toLowerCase()).filter((h) => h !== ""),
    signature
  }
}

/**
 * Signs a request as the official client does: adds `x-acs-content-sha256` (hash of `body`), signs
 * `host`, `content-type` and every `x-acs-*` header, and returns the headers to send, `Authorization`
 * included. `headers` must already hold `host`, `x-acs-action`, `x-acs-version`, `x-acs-date`,
 * `x-acs-signature-nonce` (and `x-acs-security-token` for an STS credential).
 *
 * @since 0.1.0
 * @category signing
 */
export const signRequest = (options: {
  readonly algorithm?: Algorithm | undefined
  readonly method: string
  readonly path: string
  readonly query: Query
  readonly headers: Headers
  readonly body?: string | Uint8Array | undefined
  readonly accessKeyId: string
  readonly accessKeySecret: string
}): Record<string, string> => {
  const algorithm = options.algorithm ?? "ACS3-HMAC-SHA256"
  const headers: Record<string, string> = {
    ...lowerCaseHeaders(options.headers),
    "x-acs-content-sha256": hash(algorithm, options.body ?? "")
  }
  const signedHeaders = headersToSign(headers)
  const canonical = canonicalRequest({
    method: options.method,
    path: options.path,
    query: options.query,
    headers,
    signedHeaders,
    hashedPayload: headers["x-acs-content-sha256"] ?? ""
  })
  const signature = sign(algorithm, stringToSign(algorithm, canonical), options.accessKeySecret)
  return {
    ...headers,
    authorization: formatAuthorization({ algorithm, accessKeyId: options.accessKeyId, signedHeaders, signature })
  }
}

/**
 * The outcome of {@link verify}: whether the signature matched, and the server-side canonical
 * request and string to sign (the emulator echoes the string to sign in `SignatureDoesNotMatch`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Verification {
  readonly valid: boolean
  readonly canonicalRequest: string
  readonly stringToSign: string
}

/**
 * Recomputes the signature over the request as received, with the signed headers the client named
 * and the hash of the body the server read (not the `x-acs-content-sha256` the client claims), and
 * compares it with `authorization.signature` in constant time.
 *
 * @since 0.1.0
 * @category signing
 */
export const verify = (options: {
  readonly algorithm: Algorithm
  readonly method: string
  readonly path: string
  readonly query: Query
  readonly headers: Headers
  readonly body: string | Uint8Array
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
  readonly accessKeySecret: string
}): Verification => {
  const canonical = canonicalRequest({
    method: options.method,
    path: options.path,
    query: options.query,
    headers: options.headers,
    signedHeaders: options.signedHeaders,
    hashedPayload: hash(options.algorithm, options.body)
  })
  const toSign = stringToSign(options.algorithm, canonical)
  const expected = Buffer.from(sign(options.algorithm, toSign, options.accessKeySecret), "utf8")
  const given = Buffer.from(options.signature.toLowerCase(), "utf8")
  const valid = expected.length === given.length && Crypto.timingSafeEqual(expected, given)
  return { valid, canonicalRequest: canonical, stringToSign: toSign }
}
