// The RPC signature ("signature v1", HMAC-SHA1), as the official `OpenApiUtil.getRPCSignature`:
// every parameter (query and form body merged) except `Signature`, sorted, encoded, signed.
import { createHmac } from "node:crypto"
import { percentEncode, sortedKeys } from "./encode.js"

/** The parameters sorted by key (code-unit order), encoded and joined with `&`. */
export const canonicalize = (params: Readonly<Record<string, string>>): string =>
  sortedKeys(params)
    .filter((key) => key !== "Signature")
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key]!)}`)
    .join("&")

/** `METHOD&%2F&<canonicalized, encoded again>`. */
export const stringToSign = (method: string, params: Readonly<Record<string, string>>): string =>
  `${method}&%2F&${percentEncode(canonicalize(params))}`

/** base64(HMAC-SHA1(secret + "&", stringToSign)). */
export const sign = (accessKeySecret: string, toSign: string): string =>
  createHmac("sha1", `${accessKeySecret}&`).update(toSign, "utf8").digest("base64")
