// A transport's failure as the pipeline reads it (a TransportFailure, transport.ts), from the codes
// that Node's sockets and undici put on their errors: the direct transport (nodeTransport.ts) and
// the proxy's (undiciProxy.ts) share one reading, so that the same failure reads the same whichever
// way the request went.
import { TransportFailure } from "./transport.js"

// What each code of the system, of Node's HTTP client or of undici means for the pipeline.
const failures: Record<string, readonly [TransportFailure["reason"], string]> = {
  UND_ERR_CONNECT_TIMEOUT: ["ConnectTimeout", "connect timeout (UND_ERR_CONNECT_TIMEOUT)"],
  UND_ERR_HEADERS_TIMEOUT: ["ReadTimeout", "no headers within the read timeout (UND_ERR_HEADERS_TIMEOUT)"],
  UND_ERR_BODY_TIMEOUT: ["ReadTimeout", "the body stalled past the read timeout (UND_ERR_BODY_TIMEOUT)"],
  ECONNREFUSED: ["Unreachable", "connection refused (ECONNREFUSED)"],
  EHOSTUNREACH: ["Unreachable", "host unreachable (EHOSTUNREACH)"],
  ENETUNREACH: ["Unreachable", "network unreachable (ENETUNREACH)"],
  ENOTFOUND: ["Unreachable", "host not found (ENOTFOUND)"],
  ECONNRESET: ["ClosedEarly", "connection reset (ECONNRESET)"],
  UND_ERR_SOCKET: ["ClosedEarly", "the connection closed before the answer was complete (UND_ERR_SOCKET)"]
}

// undici's refused tunnel: "Proxy response (407) !== 200 when HTTP Tunneling"
const tunnelRefusal = /^Proxy response \((\d{3})\)/

// Node's HTTP client writes the request before the TLS handshake is over, so a handshake that fails
// comes back as `write EPROTO ...:SSL routines:<function>:<reason>:...`: the code the TLS socket
// itself gives (and undici reported) is ERR_SSL_<REASON> (ERR_SSL_WRONG_VERSION_NUMBER: an https
// URL that met a plain HTTP server).
const sslReason = /:SSL routines:[^:]*:([a-z0-9 ]+):/i
const tlsCode = (error: Error, code: string) => {
  const reason = code === "EPROTO" ? sslReason.exec(error.message)?.[1] : undefined
  return reason === undefined ? code : `ERR_SSL_${reason.toUpperCase().replace(/ /g, "_")}`
}

/** A failure of a transport (or of the socket under it), typed: the first code down its causes says what happened. */
export const transportFailure = (error: unknown): TransportFailure => {
  if (error instanceof TransportFailure) return error
  let code: string | undefined
  let current: unknown = error
  for (let depth = 0; depth < 4 && current instanceof Error && code === undefined; depth++) {
    const status = tunnelRefusal.exec(current.message)?.[1]
    if (status !== undefined) {
      return new TransportFailure({
        reason: "ProxyRefused",
        detail: `the proxy answered CONNECT with ${status}`,
        status: Number(status)
      })
    }
    const own = (current as { code?: unknown }).code
    if (typeof own === "string") code = tlsCode(current, own)
    current = (current as { cause?: unknown }).cause
  }
  const [reason, detail] = (code === undefined ? undefined : failures[code]) ?? ["Other", code ?? "transport error"]
  return new TransportFailure({ reason, detail, code })
}
