/**
 * What a handler sees of a request, and what is read off it before any check. Every endpoint
 * module takes these from here rather than from one another.
 */

/** What a handler sees of a request. @internal */
export interface RequestContext {
  readonly method: string
  readonly path: string
  readonly host: string
  readonly query: Readonly<Record<string, string>>
  readonly body: Readonly<Record<string, string>>
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** The raw request body (the control API reads JSON from it). */
  readonly rawBody: string
  /** The body's bytes as received (a signature hashes these: a binary body is not valid UTF-8). */
  readonly rawBytes?: Uint8Array | undefined
}

/** The token of an `Authorization: Bearer <token>` header, if that is what the request carries. @internal */
export const bearerToken = (ctx: RequestContext): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(ctx.headers["authorization"] ?? "")
  return m === null ? undefined : m[1]
}

/**
 * How a request authenticates, read from it before any check (recorded in `RequestRecord`).
 *
 * @internal
 */
export const signatureAlgorithmOf = (ctx: RequestContext): string => {
  const authorization = ctx.headers["authorization"]
  if (authorization !== undefined) {
    const scheme = authorization.trim().split(/\s+/)[0] ?? ""
    if (scheme.startsWith("ACS")) return scheme
    if (scheme.toLowerCase() === "bearer") return "Bearer"
  }
  if (ctx.params["SignatureType"] === "BEARERTOKEN" || ctx.headers["x-acs-signature-type"] === "BEARERTOKEN") {
    return "BEARERTOKEN"
  }
  if (ctx.params["Signature"] !== undefined) return ctx.params["SignatureMethod"] ?? "HMAC-SHA1"
  return "none"
}
