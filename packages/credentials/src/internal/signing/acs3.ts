// The ACS3 signature ("signature v3", ACS3-HMAC-SHA256 / ACS3-HMAC-SM3), as the official
// `OpenApiUtil.getAuthorization` of `@alicloud/openapi-core`:
//   CanonicalRequest = METHOD \n URI \n Query \n Headers \n SignedHeaders \n hex(hash(body))
//   StringToSign     = Algorithm \n hex(hash(CanonicalRequest))
//   Authorization    = Algorithm Credential=<id>,SignedHeaders=<h1;h2>,Signature=hex(HMAC(secret, StringToSign))
import { createHash, createHmac, getHashes } from "node:crypto"
import { percentEncode, sortedKeys } from "./encode.js"

export type Algorithm = "ACS3-HMAC-SHA256" | "ACS3-HMAC-SM3"

const digestName = (algorithm: Algorithm): string => (algorithm === "ACS3-HMAC-SM3" ? "sm3" : "sha256")

/** Whether this Node's OpenSSL has SM3 (it is absent from some FIPS and BoringSSL builds). */
export const hasSm3: boolean = getHashes().includes("sm3")

export const hashHex = (algorithm: Algorithm, data: string | Uint8Array): string =>
  createHash(digestName(algorithm)).update(data).digest("hex")

/** `+` → `%20`, `*` → `%2A`, `%7E` → `~` on a path already encoded. */
const canonicalUri = (path: string): string => path.replace(/\+/g, "%20").replace(/\*/g, "%2A").replace(/%7E/g, "~")

/**
 * Sorted `key=percentEncode(value)`. The key is encoded too: the service decodes the query it
 * receives and encodes both (the official utility leaves the key raw, which differs only for a key
 * outside `A-Z a-z 0-9 - _ . ~`, and then the service refuses its signature).
 */
export const canonicalQuery = (query: Readonly<Record<string, string>>): string =>
  sortedKeys(query).map((key) => `${percentEncode(key)}=${percentEncode(query[key]!)}`).join("&")

const isSigned = (name: string): boolean => name === "host" || name === "content-type" || name.startsWith("x-acs-")

/**
 * The signed headers (`host`, `content-type`, every `x-acs-*`), lower-case and sorted, and their
 * canonical lines: `name:value\n`, values trimmed; names equal but for case are merged, their
 * values sorted and joined with `,` (as the official utility does).
 */
export const canonicalHeaders = (
  headers: Readonly<Record<string, string>>
): { readonly signedHeaders: ReadonlyArray<string>; readonly canonical: string } => {
  const byName: Record<string, Array<string>> = {}
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase()
    if (isSigned(lower)) (byName[lower] ??= []).push(headers[name]!.trim())
  }
  const signedHeaders = sortedKeys(byName)
  const canonical = signedHeaders.map((name) => `${name}:${byName[name]!.sort().join(",")}\n`).join("")
  return { signedHeaders, canonical }
}

export interface Canonical {
  readonly canonicalRequest: string
  readonly signedHeaders: ReadonlyArray<string>
}

export const canonicalRequest = (
  method: string,
  path: string,
  query: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>>,
  hashedPayload: string
): Canonical => {
  const { canonical, signedHeaders } = canonicalHeaders(headers)
  return {
    canonicalRequest: `${method}\n${canonicalUri(path)}\n${canonicalQuery(query)}\n${canonical}\n${
      signedHeaders.join(";")
    }\n${hashedPayload}`,
    signedHeaders
  }
}

export const stringToSign = (algorithm: Algorithm, canonical: string): string =>
  `${algorithm}\n${hashHex(algorithm, canonical)}`

export const sign = (algorithm: Algorithm, accessKeySecret: string, toSign: string): string =>
  createHmac(digestName(algorithm), accessKeySecret).update(toSign, "utf8").digest("hex")

export const authorization = (
  algorithm: Algorithm,
  accessKeyId: string,
  signedHeaders: ReadonlyArray<string>,
  signature: string
): string => `${algorithm} Credential=${accessKeyId},SignedHeaders=${signedHeaders.join(";")},Signature=${signature}`
