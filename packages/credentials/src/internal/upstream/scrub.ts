// Text that comes back from an upstream, made safe before it reaches a message: the request's
// secrets cut out in every form an echo may give them (raw, percent-encoded, base64), control
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

/** One scrubber for the request's secrets: every form of each, replaced by `<redacted>`. */
export const scrubber = (secrets: ReadonlyArray<string>): (text: string) => string => {
  const forms = secrets.filter((secret) => secret.length >= 4).flatMap(echoForms).filter((form) => form.length >= 4)
  if (forms.length === 0) return (text) => text
  // Longest first, so that a form is not cut in half by a shorter one; percent escapes match in
  // either case (%2B, %2b).
  const pattern = new RegExp(
    [...forms].sort((a, b) => b.length - a.length).map((form) =>
      escapeRegExp(form).replace(
        /%([0-9A-F])([0-9A-F])/g,
        (_, a: string, b: string) => `%[${a}${a.toLowerCase()}][${b}${b.toLowerCase()}]`
      )
    ).join("|"),
    "g"
  )
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
