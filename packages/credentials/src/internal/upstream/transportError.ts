// A failed request as one of our typed errors. The transport says what happened (a
// TransportFailure as the HttpClientError's cause: transport.ts); this module says what it means
// for the user: a Timeout of the right phase, a NetworkError, or the proxy's refusal as an
// UpstreamError. Through a proxy every error names it, never its credentials. An HttpClient of
// the user's own gives no TransportFailure: its failures are NetworkErrors, bounded by the Clock
// deadlines of the exchange.
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Redacted from "effect/Redacted"
import { NetworkError, Timeout, UpstreamError } from "../../CredentialsError.js"
import type { Policy } from "./policy.js"
import { displayProxy } from "./proxy.js"
import { TransportFailure } from "./transport.js"

// What to do about a proxy's refusal to open a tunnel, by its status.
const proxyAnswers: Record<number, { readonly code: string; readonly fix: string }> = {
  407: {
    code: "ProxyAuthenticationRequired",
    fix:
      "the proxy wants credentials: put them in the proxy URL (http://user:password@host:port, percent-encoded) of the proxy option or HTTPS_PROXY"
  },
  403: {
    code: "ProxyForbidden",
    fix: "the proxy does not allow this destination: ask its administrator, or exclude the host with NO_PROXY"
  }
}

const proxyRefused = (source: string, target: string, proxyName: string, status: number) => {
  const known = proxyAnswers[status]
  return new UpstreamError({
    source,
    endpoint: `the proxy ${proxyName} (tunnel to ${target})`,
    status,
    code: known?.code ?? "ProxyTunnelFailed",
    serviceMessage: "the proxy refused to open a tunnel (CONNECT)",
    fix: known?.fix ??
      (status >= 500
        ? "the proxy could not reach the destination: check the proxy, or exclude the host with NO_PROXY"
        : "check the proxy option / HTTPS_PROXY, or exclude the host with NO_PROXY")
  })
}

// OpenSSL's codes when what came back to a ClientHello is not TLS: most often an HTTP answer (a
// plain-HTTP server behind an https:// URL), or another service on that port.
const notTls = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"])

/** The typed error of a request to `target` (a display URL) that failed in the transport. */
export const transportError = (
  source: string,
  target: string,
  policy: Policy,
  error: HttpClientError.HttpClientError,
  proxy: Redacted.Redacted<string> | undefined
): Timeout | NetworkError | UpstreamError => {
  const failure = error.cause instanceof TransportFailure ? error.cause : undefined
  const proxyName = proxy === undefined ? undefined : displayProxy(Redacted.value(proxy))
  const endpoint = proxyName === undefined ? target : `${target} through the proxy ${proxyName}`
  if (proxyName !== undefined && failure?.reason === "ProxyRefused" && failure.status !== undefined) {
    return proxyRefused(source, target, proxyName, failure.status)
  }
  if (proxyName !== undefined && failure?.reason === "Unreachable") {
    return new NetworkError({
      source,
      endpoint,
      detail:
        `the proxy ${proxyName} cannot be reached: ${failure.detail}; check the proxy option or HTTPS_PROXY / HTTP_PROXY, or exclude the host with NO_PROXY`
    })
  }
  switch (failure?.reason) {
    case "ConnectTimeout":
      return new Timeout({ source, endpoint, phase: "connect", after: policy.connect })
    case "ReadTimeout":
      return new Timeout({ source, endpoint, phase: "read", after: policy.read })
  }
  // Not TLS at all: the same answer every time, so not worth a retry.
  const plainHttp = error._tag !== "ResponseError" && failure?.code !== undefined && notTls.has(failure.code) &&
    target.startsWith("https:")
  const detail = error._tag === "ResponseError"
    ? `the connection closed before the whole body arrived (${failure?.code ?? error.reason})`
    : plainHttp
    ? `the TLS handshake failed (${failure?.code}): the server seems to speak plain HTTP, not TLS; ` +
      "use http:// if it does (a local emulator or sidecar), or check the port"
    : failure?.detail ?? "transport error"
  return new NetworkError({ source, endpoint, detail, ...(plainHttp ? { permanent: true } : {}) })
}
