// Which proxy, if any, a request of the upstream pipeline goes through.
//
// - The `proxy` option of a network source (`Upstream.Options.proxy`): a URL used for every
//   request of the source, `false` for none; `NO_PROXY` still applies to it.
// - Otherwise the environment, read through Effect `Config` (rules.ts's `envSecret`: blank is
//   unset) once per fetch of a source (when the source decodes its options, `Upstream.policy`): `https_proxy` / `HTTPS_PROXY` for https targets
//   (falling back to the http variables, as undici and most tools do), `http_proxy` / `HTTP_PROXY`
//   for http targets, lower case first; `no_proxy` / `NO_PROXY` for the exceptions.
// - The metadata service is never proxied (`Upstream.metadataDefaults`): a proxy cannot reach the
//   instance's link-local address, and sending the role's credential through one would leak it.
// - Nor is any loopback or link-local target, whatever the option and the variables say
//   (`isLocalTarget`): a sidecar on 127.0.0.1 answers secrets in clear text, which must not cross a
//   proxy, and a proxy cannot reach the caller's loopback anyway (Go's http.ProxyFromEnvironment
//   does the same for loopback).
//
// A proxy URL may carry credentials (`http://user:pass@host:port`): it is held as `Redacted` from
// decode on (the option, Config.redacted), in the policy and the per-request FiberRef, opened only
// by the Node transport; messages show `displayProxy`, never the user info.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { InvalidConfiguration } from "../../CredentialsError.js"
import { envSecret } from "../config/rules.js"

/** The proxies of one fetch, decoded. */
export interface Proxies {
  /** For https targets. */
  readonly https: Redacted.Redacted<string> | undefined
  /** For http targets. */
  readonly http: Redacted.Redacted<string> | undefined
  /** The NO_PROXY rules. */
  readonly noProxy: ReadonlyArray<NoProxyRule>
}

export type NoProxyRule =
  | { readonly _tag: "All" }
  | { readonly _tag: "Host"; readonly host: string; readonly port: string | undefined }
  | { readonly _tag: "Cidr"; readonly base: number; readonly bits: number }

/** The proxy as messages name it: scheme, host and port; never user info, path or query. */
export const displayProxy = (proxy: string): string => {
  try {
    const url = new URL(proxy)
    return `${url.protocol}//${url.host}`
  } catch {
    return "(an invalid proxy URL)"
  }
}

const envNames = {
  https: ["https_proxy", "HTTPS_PROXY"],
  http: ["http_proxy", "HTTP_PROXY"],
  noProxy: ["no_proxy", "NO_PROXY"]
} as const

// The first of the variables set (not blank), with its name.
const firstEnv = (names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    for (const name of names) {
      const value = yield* envSecret(name)
      if (Option.isSome(value)) return { name, value: Redacted.value(value.value).trim() }
    }
    return undefined
  })

/**
 * A proxy URL as undici takes it: http(s), a host, nothing after the authority. A bare
 * `host:port` (as some tools accept) is read as `http://host:port`. The reason never repeats the
 * value (it may hold a password).
 */
export const decodeProxyUrl = (
  source: string,
  field: string,
  value: string
): Effect.Effect<Redacted.Redacted<string>, InvalidConfiguration> => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  const parsed = URL.canParse(withScheme) ? new URL(withScheme) : undefined
  return parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:") &&
      parsed.hostname !== "" && (parsed.pathname === "/" || parsed.pathname === "") && parsed.search === "" &&
      parsed.hash === ""
    ? Effect.succeed(Redacted.make(parsed.href))
    : Effect.fail(
      new InvalidConfiguration({
        source,
        field,
        reason: "is not an http(s) proxy URL",
        fix:
          "use e.g. http://proxy.example.com:3128 or http://user:password@proxy.example.com:3128 (percent-encode : @ / in the password)"
      })
    )
}

const ipv4 = (text: string): number | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

const stripBrackets = (host: string) => host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host

/**
 * NO_PROXY as common tools read it (curl, Go, undici): entries separated by commas or spaces;
 * `*` matches everything; `example.com`, `.example.com` and `*.example.com` match the host and its
 * subdomains; `host:port` only that port; an IP matches itself, `10.0.0.0/8` a v4 range; IPv6 in
 * brackets or bare. Case-insensitive.
 */
export const parseNoProxy = (text: string): ReadonlyArray<NoProxyRule> =>
  text.split(/[\s,]+/).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== "").map(
    (entry): NoProxyRule => {
      if (entry === "*") return { _tag: "All" }
      const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(entry)
      if (cidr !== null) {
        const base = ipv4(cidr[1]!)
        const bits = Number(cidr[2])
        if (base !== undefined && bits <= 32) return { _tag: "Cidr", base, bits }
      }
      // host:port, [v6]:port, or a bare host / IPv6 address
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
      if (bracketed !== null) return { _tag: "Host", host: bracketed[1]!, port: bracketed[2] }
      const withPort = /^([^:]+):(\d+)$/.exec(entry)
      const host = withPort !== null ? withPort[1]! : entry
      return { _tag: "Host", host: host.replace(/^\*?\./, ""), port: withPort?.[2] }
    }
  )

const defaultPort = (url: URL) => url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80"

/** Whether NO_PROXY exempts the URL. */
export const bypasses = (rules: ReadonlyArray<NoProxyRule>, url: URL): boolean => {
  const host = stripBrackets(url.hostname.toLowerCase()).replace(/\.$/, "")
  const port = defaultPort(url)
  const v4 = ipv4(host)
  return rules.some((rule) => {
    switch (rule._tag) {
      case "All":
        return true
      case "Cidr": {
        if (v4 === undefined) return false
        const mask = rule.bits === 0 ? 0 : (~0 << (32 - rule.bits)) >>> 0
        return ((v4 & mask) >>> 0) === ((rule.base & mask) >>> 0)
      }
      case "Host":
        return (rule.port === undefined || rule.port === port) &&
          (host === rule.host || host.endsWith(`.${rule.host}`))
    }
  })
}

/**
 * The proxies of one fetch: the `proxy` option (a URL, or false for none), else the environment.
 * `proxied: false` (the metadata service) means none, whatever the option and the environment.
 */
export const resolve = (
  source: string,
  option: string | Redacted.Redacted<string> | false | undefined,
  proxied: boolean
): Effect.Effect<Proxies | undefined, InvalidConfiguration> =>
  Effect.gen(function*() {
    if (!proxied || option === false) return undefined
    const noProxyEnv = yield* firstEnv(envNames.noProxy)
    const noProxy = noProxyEnv === undefined ? [] : parseNoProxy(noProxyEnv.value)
    if (option !== undefined) {
      const url = yield* decodeProxyUrl(source, "proxy", Redacted.isRedacted(option) ? Redacted.value(option) : option)
      return { https: url, http: url, noProxy }
    }
    const httpEnv = yield* firstEnv(envNames.http)
    const httpsEnv = (yield* firstEnv(envNames.https)) ?? httpEnv
    const http = httpEnv === undefined ? undefined : yield* decodeProxyUrl(source, httpEnv.name, httpEnv.value)
    const https = httpsEnv === undefined ? undefined : yield* decodeProxyUrl(source, httpsEnv.name, httpsEnv.value)
    return https === undefined && http === undefined ? undefined : { https, http, noProxy }
  })

// An IPv4-mapped IPv6 address as the URL parser writes it (::ffff:7f00:1 for ::ffff:127.0.0.1).
const mappedIpv4 = (host: string): number | undefined => {
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)
  return match === null ? undefined : (parseInt(match[1]!, 16) * 65536 + parseInt(match[2]!, 16))
}

const metadataAddress = ipv4("100.100.100.200")

// 127.0.0.0/8 (loopback), 169.254.0.0/16 (link-local), the ECS metadata address.
const isLocalIpv4 = (ip: number): boolean =>
  ip >>> 24 === 127 || ip >>> 16 === (169 << 8 | 254) || ip === metadataAddress

/**
 * Whether a URL's host is this machine or its link: `localhost`, 127.0.0.0/8, ::1, 169.254.0.0/16,
 * fe80::/10 (IPv4 forms in IPv6 included), and the ECS metadata address. Such a target is never
 * proxied.
 */
export const isLocalTarget = (url: URL): boolean => {
  // The URL parser has already normalised the forms of an address (127.1, 0x7f.0.0.1, [0:0::1]).
  const host = stripBrackets(url.hostname.toLowerCase()).replace(/\.$/, "")
  const v4 = ipv4(host) ?? mappedIpv4(host)
  if (v4 !== undefined) return isLocalIpv4(v4)
  return host === "localhost" || host === "::1" || /^fe[89ab][0-9a-f]:/.test(host)
}

/**
 * The proxy a request to `url` goes through, if any: its scheme's, unless NO_PROXY exempts the
 * host or the host is local (`isLocalTarget`).
 */
export const forUrl = (proxies: Proxies | undefined, url: string): Redacted.Redacted<string> | undefined => {
  if (proxies === undefined || !URL.canParse(url)) return undefined
  const parsed = new URL(url)
  if (isLocalTarget(parsed)) return undefined
  const proxy = parsed.protocol === "https:" ? proxies.https : parsed.protocol === "http:" ? proxies.http : undefined
  return proxy === undefined || bypasses(proxies.noProxy, parsed) ? undefined : proxy
}
