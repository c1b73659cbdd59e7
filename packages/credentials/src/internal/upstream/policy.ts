// The option block of a network source (how it talks to its upstream), its defaults, and its
// decoding into a Policy; and the check of the URL a request goes to (an http(s) URL).
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { type CredentialsError, InvalidConfiguration } from "../../CredentialsError.js"
import { decodeDuration } from "../config/rules.js"
import * as Proxy from "./proxy.js"

/**
 * How a network source talks to its upstream. Declared once here; every network source's options
 * extend it, and composite sources pass it on with `pick`.
 */
export interface Options {
  /** How long to wait for a TCP (and TLS) connection. Default 10 s (the metadata service: 1 s). */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** How long to wait for the headers, then for each chunk of the body. Default 5 s (metadata: 1 s). */
  readonly readTimeout?: Duration.DurationInput | undefined
  /**
   * The time budget of one fetch of the source, retries included: past it the fetch fails with a
   * `Timeout`. A retry starts only if the budget left allows a whole attempt. Default connect +
   * read timeouts (15 s; the metadata service: 2 s).
   */
  readonly timeBudget?: Duration.DurationInput | undefined
  /**
   * How a transient failure (network, timeout, 5xx, throttling) is retried, within the budget.
   * Without it, a throttled answer (`Throttling*`, HTTP 429) has a longer backoff of its own (about
   * 1 s, 2 s, 4 s..., jittered); with it, this schedule. Never sooner than the answer's `Retry-After`.
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, CredentialsError> | undefined
  /** The largest answer read, in bytes. Default 1 MiB (an STS answer is about 2 KB). */
  readonly maxBodyBytes?: number | undefined
  /**
   * Whether requests carry the current span's trace headers (`traceparent`, `b3`: the platform's
   * trace propagation). Default false: the trace IDs of your system are not sent to Alibaba Cloud
   * (no official client sends them). Turn it on for an upstream of your own that joins your traces
   * (a credentials URI sidecar, a proxy).
   */
  readonly tracePropagation?: boolean | undefined
  /**
   * The HTTP proxy requests go through: a URL (`http://proxy.example.com:3128`, with credentials
   * `http://user:password@proxy.example.com:3128`, password percent-encoded), used for every
   * request of the source, https targets through a CONNECT tunnel; or `false` for no proxy, whatever
   * the environment. Default: the environment, read once per fetch: `HTTPS_PROXY` for https targets
   * (else `HTTP_PROXY`), `HTTP_PROXY` for http targets (lower-case forms first), and `NO_PROXY`
   * (`*`, `example.com`, `.example.com`, `host:port`; IP addresses and ranges, `10.1.2.3`, `[::1]`,
   * `10.0.0.0/8`, `fe80::/10`, which match an IP host as an address, never as text), which applies to
   * this option too. A malformed URL (e.g. `socks5://...`) is an `InvalidConfiguration` naming the
   * variable, which ends a chain. The ECS metadata service is never proxied and ignores this option, and so is a
   * loopback or link-local target (`localhost`, 127.0.0.0/8, ::1, 169.254.0.0/16, fe80::/10),
   * whatever this option and the environment say. The URL's
   * credentials never appear in an error or a log: messages name the proxy by scheme, host and port.
   * Applies to the transport of `HttpTransport.layer`; an `HttpClient` of your own is not affected.
   * A `Redacted` URL (e.g. from `Config.redacted`) is taken as it is.
   */
  readonly proxy?: string | Redacted.Redacted<string> | false | undefined
}

/** The option block of `options`, and nothing else: what composite sources pass on. */
export const pick = (options: Options | undefined): Options => ({
  connectTimeout: options?.connectTimeout,
  readTimeout: options?.readTimeout,
  timeBudget: options?.timeBudget,
  retrySchedule: options?.retrySchedule,
  maxBodyBytes: options?.maxBodyBytes,
  tracePropagation: options?.tracePropagation,
  proxy: options?.proxy
})

/** The options, decoded and with their defaults. */
export interface Policy {
  readonly connect: Duration.Duration
  readonly read: Duration.Duration
  readonly budget: Duration.Duration
  readonly retry: Schedule.Schedule<unknown, CredentialsError>
  /** Whether `retry` is the caller's (then throttled answers follow it too). */
  readonly retryGiven?: boolean | undefined
  readonly maxBodyBytes: number
  readonly tracePropagation: boolean
  /** The proxies of this fetch (undefined: none). */
  readonly proxies: Proxy.Proxies | undefined
}

/** The default retries: 3, 200 ms doubling with jitter (always within the time budget). */
export const defaultRetry: Schedule.Schedule<unknown, CredentialsError> = Schedule.exponential("200 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(3))
)

const defaultMaxBodyBytes = 1024 * 1024

export interface Defaults {
  readonly connect: Duration.Duration
  readonly read: Duration.Duration
  /** Whether a proxy may be used (the `proxy` option, HTTPS_PROXY...). Default true. */
  readonly proxied?: boolean | undefined
}

/** STS, OIDC, the credentials URI, CloudSSO, OAuth: connect 10 s, read 5 s (budget 15 s). */
export const serviceDefaults: Defaults = { connect: Duration.seconds(10), read: Duration.seconds(5) }

/**
 * The ECS metadata service: connect 1 s, read 1 s, the official tool's (budget 2 s); never through
 * a proxy.
 */
export const metadataDefaults: Defaults = { connect: Duration.seconds(1), read: Duration.seconds(1), proxied: false }

/**
 * Decodes the option block; a bad value is an InvalidConfiguration naming the option. Sources call
 * it once per fetch, so the proxy variables are read then (through Config).
 */
export const policy = (
  source: string,
  options: Options | undefined,
  defaults: Defaults = serviceDefaults
): Effect.Effect<Policy, InvalidConfiguration> =>
  Effect.gen(function*() {
    const connect = yield* decodeDuration(source, "connectTimeout", options?.connectTimeout ?? defaults.connect)
    const read = yield* decodeDuration(source, "readTimeout", options?.readTimeout ?? defaults.read)
    const budget = yield* decodeDuration(source, "timeBudget", options?.timeBudget ?? Duration.sum(connect, read))
    const maxBodyBytes = options?.maxBodyBytes ?? defaultMaxBodyBytes
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
      return yield* new InvalidConfiguration({
        source,
        field: "maxBodyBytes",
        reason: "must be a positive whole number of bytes",
        fix: "leave it out for 1 MiB, or pass e.g. 65536"
      })
    }
    const proxies = yield* Proxy.resolve(source, options?.proxy, defaults.proxied !== false)
    return {
      connect,
      read,
      budget,
      retry: options?.retrySchedule ?? defaultRetry,
      retryGiven: options?.retrySchedule !== undefined,
      maxBodyBytes,
      tracePropagation: options?.tracePropagation === true,
      proxies
    }
  })

// ---------------------------------------------------------------------------------------------
// Validation of what shapes a request
// ---------------------------------------------------------------------------------------------

/** An http(s) URL, or an InvalidConfiguration naming `field` (never retried as a network error). */
export const httpUrl = (source: string, field: string, value: string, example: string) => {
  const parsed = URL.canParse(value) ? new URL(value) : undefined
  return parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== ""
    ? Effect.succeed(parsed)
    : Effect.fail(
      new InvalidConfiguration({ source, field, reason: "is not an http(s) URL", fix: `use e.g. ${example}` })
    )
}
