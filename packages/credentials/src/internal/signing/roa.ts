// The ROA signature (HMAC-SHA1 over method, a few standard headers, the `x-acs-*` headers and the
// resource), as the official `OpenApiUtil.getStringToSign` / `getROASignature` of openapi-core.
import { createHmac } from "node:crypto"
import { sortedKeys } from "./encode.js"

// The official replaces these control characters in a header value before trimming it.
const controls = /[\t\n\r\f]/g

/** `x-acs-*` headers (names as given, prefix matched case-sensitively, as the official does), sorted. */
const canonicalHeaders = (headers: Readonly<Record<string, string>>): string =>
  sortedKeys(headers)
    .filter((name) => name.startsWith("x-acs-"))
    .map((name) => `${name}:${headers[name]!.replace(controls, " ").trim()}\n`)
    .join("")

/** The path, then `?` and the query sorted, raw (`key=value`, not encoded), when there is one. */
const canonicalResource = (path: string, query: Readonly<Record<string, string>>): string => {
  const keys = sortedKeys(query)
  return keys.length === 0 ? path : `${path}?${keys.map((key) => `${key}=${query[key]}`).join("&")}`
}

export const stringToSign = (
  method: string,
  path: string,
  query: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>>
): string =>
  `${method}\n${headers["accept"]}\n${headers["content-md5"] ?? ""}\n${headers["content-type"] ?? ""}\n${
    headers["date"] ?? ""
  }\n${canonicalHeaders(headers)}${canonicalResource(path, query)}`

/** base64(HMAC-SHA1(secret, stringToSign)). */
export const sign = (accessKeySecret: string, toSign: string): string =>
  createHmac("sha1", accessKeySecret).update(toSign, "utf8").digest("base64")
