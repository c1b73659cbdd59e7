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

/**
 * One NO_PROXY entry. An IP host is matched by `Address` rules only, a name by `Name` rules only:
 * `1` or `.0.0.1` is a name, and never exempts 127.0.0.1 or 10.0.0.1 (curl's and Go's reading).
 */
export type NoProxyRule =
  | { readonly _tag: "All" }
  /** The name and every name under it, by whole labels (`example.com` matches `sts.example.com`). */
  | { readonly _tag: "Name"; readonly name: string; readonly port: string | undefined }
  /** An address (`bits`: its whole length) or a range, IPv4 (4 bytes) or IPv6 (16 bytes). */
  | {
    readonly _tag: "Address"
    readonly bytes: ReadonlyArray<number>
    readonly bits: number
    readonly port: string | undefined
  }

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

// What an invalid proxy URL is: its scheme may be named (`socks5`: letters only, no secret), never
// the rest of the value.
const proxyUrlReason = (value: string) => {
  const scheme = /^([a-z][a-z0-9+.-]{0,15}):\/\//i.exec(value)?.[1]?.toLowerCase()
  return scheme !== undefined && scheme !== "http" && scheme !== "https"
    ? `is a ${scheme}:// URL: only an http:// or https:// proxy is supported`
    : "is not an http:// or https:// proxy URL"
}

const decodes = (text: string): boolean => {
  try {
    decodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

const proxyUrlExample =
  "http://proxy.example.com:3128 (with credentials http://user:password@proxy.example.com:3128, : @ / of the password percent-encoded)"

/**
 * A proxy URL as undici takes it: http(s), a host, nothing after the authority. A bare
 * `host:port` (as some tools accept) is read as `http://host:port`. The reason never repeats the
 * value (it may hold a password). `field` is `proxy` (the option) or the variable's name.
 *
 * The error ends a chain (`selection`): the proxy is the same for every network source of the
 * chain, so the next one would fail alike (reported once, not once per source), and the metadata
 * source after it would hand out another identity in silence.
 */
export const decodeProxyUrl = (
  source: string,
  field: string,
  value: string
): Effect.Effect<Redacted.Redacted<string>, InvalidConfiguration> => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  const parsed = URL.canParse(withScheme) ? new URL(withScheme) : undefined
  const fromOption = field === "proxy"
  const shaped = parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:") &&
    parsed.hostname !== "" && (parsed.pathname === "/" || parsed.pathname === "") && parsed.search === "" &&
    parsed.hash === ""
  // The URL parser keeps a malformed escape (`%zz`) in the user info; undici decodes it and throws.
  const userInfoDecodes = parsed !== undefined && decodes(parsed.username) && decodes(parsed.password)
  return shaped && userInfoDecodes
    ? Effect.succeed(Redacted.make(parsed.href))
    : Effect.fail(
      new InvalidConfiguration({
        source,
        field,
        reason: shaped
          ? "has a user name or password with a malformed percent-escape (a % not followed by two hex digits)"
          : proxyUrlReason(value),
        fix: fromOption
          ? `pass an http:// or https:// URL, e.g. ${proxyUrlExample}, or false for no proxy`
          : `set ${field} to an http:// or https:// URL, e.g. ${proxyUrlExample}, or unset it`,
        selection: fromOption
          ? "the proxy option, used by every network source"
          : `the proxy of ${field}, used by every network source`
      })
    )
}

const ipv4 = (text: string): number | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

// An IPv6 address (no zone) as 8 groups: `::` stands for the missing zero groups; the last group
// pair may be written as IPv4 (`::ffff:10.0.0.1`).
const ipv6Groups = (text: string): ReadonlyArray<number> | undefined => {
  const halves = text.split("::")
  if (halves.length > 2 || !/^[0-9a-f:.]+$/.test(text)) return undefined
  const groupsOf = (part: string, last: boolean): Array<number> | undefined => {
    if (part === "") return []
    const pieces = part.split(":")
    const groups: Array<number> = []
    for (const [index, piece] of pieces.entries()) {
      const v4 = last && index === pieces.length - 1 ? ipv4(piece) : undefined
      if (v4 !== undefined) groups.push(v4 >>> 16, v4 & 0xffff)
      else if (/^[0-9a-f]{1,4}$/.test(piece)) groups.push(parseInt(piece, 16))
      else return undefined
    }
    return groups
  }
  const head = groupsOf(halves[0]!, halves.length === 1)
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : []
  if (head === undefined || tail === undefined) return undefined
  const zeros = 8 - head.length - tail.length
  if (halves.length === 2 ? zeros < 1 : zeros !== 0) return undefined
  return [...head, ...Array<number>(halves.length === 2 ? zeros : 0).fill(0), ...tail]
}

/** An IP address as its bytes (4 for IPv4, 16 for IPv6), or undefined for a name. */
const ipBytes = (text: string): ReadonlyArray<number> | undefined => {
  const v4 = ipv4(text)
  if (v4 !== undefined) return [v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff]
  return ipv6Groups(text)?.flatMap((group) => [group >>> 8, group & 0xff])
}

// Whether the first `bits` bits of two addresses of the same family are the same.
const samePrefix = (address: ReadonlyArray<number>, base: ReadonlyArray<number>, bits: number) =>
  address.length === base.length &&
  address.every((byte, index) => {
    const kept = Math.max(0, Math.min(8, bits - 8 * index))
    const mask = (0xff << (8 - kept)) & 0xff
    return (byte & mask) === (base[index]! & mask)
  })

const stripBrackets = (host: string) => host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host

const address = (text: string, port: string | undefined): NoProxyRule | undefined => {
  const bytes = ipBytes(text)
  return bytes === undefined ? undefined : { _tag: "Address", bytes, bits: bytes.length * 8, port }
}

// One entry, lower-cased; undefined for one that can match nothing (`.`, `10.0.0.0/33`, `[name]`).
const parseEntry = (entry: string): NoProxyRule | undefined => {
  if (entry === "*") return { _tag: "All" }
  const range = /^\[?([0-9a-f:.]+?)\]?\/(\d{1,3})$/.exec(entry)
  if (range !== null) {
    const bytes = ipBytes(range[1]!)
    const bits = Number(range[2])
    return bytes !== undefined && bits <= bytes.length * 8
      ? { _tag: "Address", bytes, bits, port: undefined }
      : undefined
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (bracketed !== null) return address(bracketed[1]!, bracketed[2])
  const bare = address(entry, undefined) // an IPv4 address, or IPv6 unbracketed (`::1`, `fe80::1`)
  if (bare !== undefined) return bare
  const withPort = /^([^:]+):(\d+)$/.exec(entry)
  const host = withPort?.[1] ?? entry
  const port = withPort?.[2]
  const name = host.replace(/^\*?\./, "").replace(/\.$/, "")
  return address(host, port) ?? (name === "" || name.includes(":") ? undefined : { _tag: "Name", name, port })
}

/**
 * NO_PROXY as curl and Go read it: entries separated by commas or spaces, case-insensitive; `*`
 * matches everything; a name (`example.com`, `.example.com`, `*.example.com`) matches itself and
 * every name under it, by whole labels; an IP address (`10.1.2.3`, `::1`, `[::1]`) matches that
 * address only, a range (`10.0.0.0/8`, `fe80::/10`) the addresses in it; `:port` (`[v6]:port`)
 * restricts an entry to that port. Names match names only and addresses addresses only: `1`,
 * `0.1` or `.0.0.1` is a name and exempts no IP.
 */
export const parseNoProxy = (text: string): ReadonlyArray<NoProxyRule> =>
  text.split(/[\s,]+/).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== "").flatMap(
    (entry) => parseEntry(entry) ?? []
  )

const defaultPort = (url: URL) => url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80"

/** Whether NO_PROXY exempts the URL. */
export const bypasses = (rules: ReadonlyArray<NoProxyRule>, url: URL): boolean => {
  // The URL parser has normalised an address (127.1 is 127.0.0.1, [0:0::1] is [::1]).
  const host = stripBrackets(url.hostname.toLowerCase()).replace(/\.$/, "")
  const port = defaultPort(url)
  const bytes = ipBytes(host)
  return rules.some((rule) => {
    switch (rule._tag) {
      case "All":
        return true
      case "Address":
        return bytes !== undefined && (rule.port === undefined || rule.port === port) &&
          samePrefix(bytes, rule.bytes, rule.bits)
      case "Name":
        return bytes === undefined && (rule.port === undefined || rule.port === port) &&
          (host === rule.name || host.endsWith(`.${rule.name}`))
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
