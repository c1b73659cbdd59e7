import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Crypto from "node:crypto"

/**
 * What an endpoint handler answers, before faults: JSON stays a value so that a `MissingField`
 * fault can drop a field from it.
 *
 * @internal
 */
export type Reply =
  | {
    readonly _tag: "Json"
    readonly status: number
    readonly json: Readonly<Record<string, unknown>>
    readonly headers?: Readonly<Record<string, string>> | undefined
  }
  | {
    readonly _tag: "Text"
    readonly status: number
    readonly text: string
    readonly contentType: string
    readonly headers?: Readonly<Record<string, string>> | undefined
  }

/** @internal */
export const jsonContentType = "application/json;charset=utf-8"

/** @internal */
export const json = (
  status: number,
  body: Readonly<Record<string, unknown>>,
  headers?: Readonly<Record<string, string>>
): Reply => ({ _tag: "Json", status, json: body, headers })

/** @internal */
export const text = (
  status: number,
  body: string,
  contentType = "text/plain;charset=utf-8",
  headers?: Readonly<Record<string, string>>
): Reply => ({ _tag: "Text", status, text: body, contentType, headers })

/** @internal */
export const bodyText = (reply: Reply): string => reply._tag === "Json" ? JSON.stringify(reply.json) : reply.text

/** @internal */
export const contentTypeOf = (reply: Reply): string => reply._tag === "Json" ? jsonContentType : reply.contentType

/** @internal */
export const toResponse = (reply: Reply): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(bodyText(reply), {
    status: reply.status,
    contentType: contentTypeOf(reply),
    ...(reply.headers === undefined ? {} : { headers: reply.headers })
  })

/** Request ids look like the service's: an uppercase UUID. @internal */
export const requestId = (): string => Crypto.randomUUID().toUpperCase()

/** @internal */
export const randomToken = (bytes: number): string => Crypto.randomBytes(bytes).toString("base64url")

/** @internal */
export const randomHex = (bytes: number): string => Crypto.randomBytes(bytes).toString("hex")

/**
 * `YYYY-MM-DDTHH:mm:ssZ` (no milliseconds), the form STS and the metadata service use.
 *
 * @internal
 */
export const formatUtcSeconds = (millis: number): string => {
  const d = new Date(millis)
  const pad = (n: number, width = 2) => String(n).padStart(width, "0")
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }:${pad(d.getUTCSeconds())}Z`
}

const utcPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/

/**
 * Parses `YYYY-MM-DDTHH:mm:ssZ` (optionally with `.SSS`) to epoch millis; `undefined` if malformed.
 *
 * @internal
 */
export const parseUtc = (value: string): number | undefined => {
  const m = utcPattern.exec(value)
  if (m === null) return undefined
  const [year, month, day, hours, minutes, seconds] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, "0"))
  return Date.UTC(year, month - 1, day, hours, minutes, seconds, ms)
}
