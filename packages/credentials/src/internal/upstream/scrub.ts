// Text that comes back from an upstream, made safe before it reaches a message: the request's
// secrets cut out in every form an echo may give them (raw, percent-encoded, base64, and each of
// these JSON-escaped), control characters escaped (no terminal escapes, no forged log lines), the
// length bounded.
import { base64OfText } from "../decode/bytes.js"
import { percentEncode } from "../signing/encode.js"
import { escapeControlCharacters } from "../text/escape.js"

// The forms in which a request parameter comes back in an echo: raw, percent-encoded (as
// encodeURIComponent, RFC 3986 as the signer, or a form body with + for space), base64.
// The signer's encoder, which never throws (`encodeURIComponent` throws on a lone surrogate, and
// this runs on the error path); `encodeURIComponent`'s form is the same with `! ' ( ) *` left raw.
const echoForms = (secret: string): ReadonlyArray<string> => {
  const rfc3986 = percentEncode(secret)
  const uri = rfc3986.replace(/%(21|27|28|29|2A)/g, (_, code: string) => String.fromCharCode(parseInt(code, 16)))
  const form = new URLSearchParams({ s: secret }).toString().slice(2)
  const base64 = base64OfText(secret)
  const base64url = base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  return [...new Set([secret, uri, rfc3986, form, base64, base64.replace(/=+$/, ""), base64url])]
}

// Percent escapes in one case (%2b and %2B are the same byte); the length is kept.
const upperPercent = (text: string) => text.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase())

const shortEscapes: Record<string, string> = {
  "\"": "\"",
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t"
}

// The text with JSON string escapes undone (`\"`, `\\`, `\/`, `\n`..., `\uXXXX` in either case:
// JSON.stringify, Python's ensure_ascii, Go's \u003c), and where each of its units starts and
// ends in the text, so that a match in it cuts the escaped echo out of the text.
const jsonUnescaped = (text: string) => {
  const units: Array<string> = []
  const starts = new Uint32Array(text.length)
  const ends = new Uint32Array(text.length)
  let i = 0
  while (i < text.length) {
    const next = text[i + 1]
    const hex = next === "u" ? text.slice(i + 2, i + 6) : ""
    const [unit, width] = text[i] !== "\\" || next === undefined
      ? [text[i]!, 1]
      : /^[0-9a-f]{4}$/i.test(hex)
      ? [String.fromCharCode(parseInt(hex, 16)), 6]
      : shortEscapes[next] !== undefined
      ? [shortEscapes[next], 2]
      : [text[i]!, 1]
    starts[units.length] = i
    ends[units.length] = i + width
    units.push(unit)
    i += width
  }
  return { text: units.join(""), start: (at: number) => starts[at]!, end: (at: number) => ends[at - 1]! }
}

// Where `form` occurs in `text`, as [start, end) ranges of the text.
const occurrences = (text: string, form: string): Array<readonly [number, number]> => {
  const found: Array<readonly [number, number]> = []
  for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + form.length)) {
    found.push([at, at + form.length])
  }
  return found
}

/**
 * One scrubber for the request's secrets: every form of each, replaced by `<redacted>`. Plain
 * string search, no regular expression built from the secrets: a secret of any length (a 1 MiB
 * token) can neither overflow the regex engine nor make scrubbing fail. The forms are worked out
 * at the first use (an error answer), not for every request.
 */
export const scrubber = (secrets: ReadonlyArray<string>): (text: string) => string => {
  let forms: ReadonlyArray<string> | undefined
  return (text) => {
    forms ??= [
      ...new Set(
        secrets.filter((secret) => secret.length >= 4).flatMap(echoForms).filter((form) => form.length >= 4).map(
          upperPercent
        )
      )
    ]
    if (forms.length === 0) return text
    const upper = upperPercent(text)
    const ranges = forms.flatMap((form) => occurrences(upper, form))
    // Without a backslash, nothing is JSON-escaped.
    if (upper.includes("\\")) {
      const unescaped = jsonUnescaped(upper)
      for (const form of forms) {
        for (const [from, to] of occurrences(unescaped.text, form)) {
          ranges.push([unescaped.start(from), unescaped.end(to)])
        }
      }
    }
    if (ranges.length === 0) return text
    // Overlapping and touching ranges cut as one.
    ranges.sort((x, y) => x[0] - y[0])
    let out = ""
    let kept = 0
    let cutTo = -1
    for (const [from, to] of ranges) {
      if (from > cutTo) {
        if (cutTo >= 0) out += "<redacted>"
        out += text.slice(kept, from)
      }
      cutTo = Math.max(cutTo, to)
      kept = cutTo
    }
    return `${out}<redacted>${text.slice(kept)}`
  }
}

const maxEchoLength = 300

/**
 * Upstream text made safe for a message: control characters escaped (no terminal escapes, no
 * forged log lines), and cut to 300 characters.
 */
export const sanitize = (text: string): string => {
  const escaped = escapeControlCharacters(text)
  return escaped.length > maxEchoLength ? `${escaped.slice(0, maxEchoLength)}…` : escaped
}
