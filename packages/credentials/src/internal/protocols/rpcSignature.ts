// Alibaba Cloud RPC request signing ("signature v1", HMAC-SHA1), as pure functions on plain values.
// The only secret input is the AccessKey secret, passed in by the caller that unwrapped it.
import { createHmac } from "node:crypto"

/** encodeURIComponent, then also `! ' ( ) *`: only `A-Z a-z 0-9 - _ . ~` stay literal. */
export const percentEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The parameters sorted by key (code-unit order), encoded and joined with `&`. */
export const canonicalize = (params: Readonly<Record<string, string>>): string =>
  Object.keys(params)
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key]!)}`)
    .join("&")

/** `METHOD&%2F&<canonicalized, encoded again>`. */
export const stringToSign = (method: string, params: Readonly<Record<string, string>>): string =>
  `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonicalize(params))}`

/** base64(HMAC-SHA1(secret + "&", stringToSign)). */
export const sign = (accessKeySecret: string, toSign: string): string =>
  createHmac("sha1", `${accessKeySecret}&`).update(toSign, "utf8").digest("base64")

/** `YYYY-MM-DDTHH:mm:ssZ`, the timestamp format of the RPC protocol (no milliseconds). */
export const formatTimestamp = (epochMillis: number): string =>
  new Date(epochMillis).toISOString().replace(/\.\d{3}Z$/, "Z")
