// Text that comes back from an upstream, made safe before it reaches a message: the request's
// secrets cut out in every form an echo may give them (raw, percent-encoded, base64, and each of
// these JSON-escaped), control
// characters escaped (no terminal escapes, no forged log lines), the length bounded.
import { base64OfText } from "../decode/bytes.js"

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

// The forms in which a request parameter comes back in an echo: raw, percent-encoded (as
// encodeURIComponent, RFC 3986 as the signer, or a form body with + for space), base64.
const echoForms = (secret: string): ReadonlyArray<string> => {
  const uri = encodeURIComponent(secret)
  const rfc3986 = uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  const form = new URLSearchParams({ s: secret }).toString().slice(2)
  const base64 = base64OfText(secret)
  const base64url = base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  return [...new Set([secret, uri, rfc3986, form, base64, base64.replace(/=+$/, ""), base64url])]
}

// Characters no JSON encoder escapes: a run of them is matched as it is.
const plain = /[A-Za-z0-9._~%+=-]/

const hexOf = (unit: number) => unit.toString(16).padStart(4, "0")

// JSON's short escapes (RFC 8259), and `\/`, which some encoders write for `/`; as patterns.
const shortEscapes: Record<string, string> = {
  "\"": String.raw`\\"`,
  "\\": String.raw`\\\\`,
  "/": String.raw`\\/`,
  "\b": String.raw`\\b`,
  "\f": String.raw`\\f`,
  "\n": String.raw`\\n`,
  "\r": String.raw`\\r`,
  "\t": String.raw`\\t`
}

// One UTF-16 unit as an echo may give it inside a JSON string: as it is, as `\uXXXX` (either
// case: JSON.stringify for controls, Python for non-ASCII, Go for < > &), or its short escape.
const unitPattern = (unit: string): string => {
  if (plain.test(unit)) return escapeRegExp(unit)
  const hex = hexOf(unit.charCodeAt(0)).replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`)
  const short = shortEscapes[unit]
  return `(?:${escapeRegExp(unit)}|${String.raw`\\u`}${hex}${short === undefined ? "" : `|${short}`})`
}

// A form as a pattern: percent escapes in either case (%2B, %2b), every other character also in
// its JSON-escaped forms (an upstream that echoes the request inside a JSON string).
const formPattern = (form: string): string =>
  form.replace(
    /%([0-9A-F])([0-9A-F])|([\s\S])/g,
    (_, a: string | undefined, b: string | undefined, unit: string) =>
      a !== undefined && b !== undefined
        ? `%[${a}${a.toLowerCase()}][${b}${b.toLowerCase()}]`
        : unitPattern(unit)
  )

/** One scrubber for the request's secrets: every form of each, replaced by `<redacted>`. */
export const scrubber = (secrets: ReadonlyArray<string>): (text: string) => string => {
  const forms = secrets.filter((secret) => secret.length >= 4).flatMap(echoForms).filter((form) => form.length >= 4)
  if (forms.length === 0) return (text) => text
  // Longest first, so that a form is not cut in half by a shorter one.
  const pattern = new RegExp([...forms].sort((a, b) => b.length - a.length).map(formPattern).join("|"), "g")
  return (text) => text.replace(pattern, "<redacted>")
}

const maxEchoLength = 300

/**
 * Upstream text made safe for a message: control characters escaped (no terminal escapes, no
 * forged log lines), and cut to 300 characters.
 */
export const sanitize = (text: string): string => {
  const escaped = text.replace(
    /[\p{Cc}\u2028\u2029]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  )
  return escaped.length > maxEchoLength ? `${escaped.slice(0, maxEchoLength)}…` : escaped
}
