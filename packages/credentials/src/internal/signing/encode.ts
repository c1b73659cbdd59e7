// The encodings every Alibaba Cloud signature shares, as pure functions that never throw.

const isUnreserved = (byte: number): boolean =>
  (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) ||
  byte === 0x2d || byte === 0x5f || byte === 0x2e || byte === 0x7e

const hex = "0123456789ABCDEF"
const plain = /^[A-Za-z0-9\-_.~]*$/

const bytewise = (value: string): string => {
  let out = ""
  for (const byte of Buffer.from(value, "utf8")) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : "%" + hex[byte >> 4] + hex[byte & 0x0f]
  }
  return out
}

const subDelims = /[!'()*]/g
const escapeSubDelim = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/**
 * RFC 3986 percent-encoding of the UTF-8 bytes: only `A-Z a-z 0-9 - _ . ~` stay literal. Equal to
 * `encodeURIComponent` plus `! ' ( ) *` (the official utilities' `encode`), which it uses, except
 * that a lone surrogate becomes U+FFFD (as on the wire) instead of throwing `URIError`.
 */
export const percentEncode = (value: string): string => {
  if (plain.test(value)) return value
  try {
    return encodeURIComponent(value).replace(subDelims, escapeSubDelim)
  } catch {
    return bytewise(value)
  }
}

/** A path encoded segment by segment (`/` kept), as the official clients encode a ROA path. */
export const encodePath = (path: string): string => path.split("/").map(percentEncode).join("/")

const pad = (n: number) => (n < 10 ? `0${n}` : String(n))

/** `YYYY-MM-DDTHH:mm:ssZ`: the `Timestamp` of RPC and the `x-acs-date` of ACS3 (no milliseconds). */
export const formatTimestamp = (epochMillis: number): string => {
  const d = new Date(epochMillis)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }:${pad(d.getUTCSeconds())}Z`
}

/** The keys of `record` sorted by UTF-16 code unit, as `Array.prototype.sort` does. */
export const sortedKeys = (record: Readonly<Record<string, unknown>>): Array<string> => Object.keys(record).sort()
