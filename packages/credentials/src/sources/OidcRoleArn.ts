/**
 * The `oidc_role_arn` source: STS AssumeRoleWithOIDC with a token read from a file (as in
 * Kubernetes RRSA), or produced by an Effect (`oidcToken`: a variable, a CI's token endpoint). The
 * file is read again, the Effect run again, on every fetch, so a rotated token is picked up.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  type CredentialsError,
  InvalidConfiguration,
  MalformedResponse,
  NetworkError,
  Timeout,
  UpstreamError
} from "../CredentialsError.js"
import * as Rules from "../internal/config/rules.js"
import { resolve, ROLE_ARN, type StsOptions } from "../internal/config/stsOptions.js"
import { readRequiredTextFile } from "../internal/files/boundedFile.js"
import { cached } from "../internal/files/sessionCache.js"
import { assumeRoleWithOidc } from "../internal/protocols/sts.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import { sanitize } from "../internal/upstream/scrub.js"
import type * as SessionCache from "../SessionCache.js"
import type { Source } from "../Source.js"
import * as Settings from "./internal/oidcSettings.js"

/**
 * @example
 * ```ts
 * import { CredentialsError, OidcRoleArn } from "@effect-alicloud/credentials"
 * import { Config, Effect } from "effect"
 *
 * // In CI: the token from a variable instead of a file
 * const options: OidcRoleArn.Options = {
 *   roleArn: "acs:ram::1234567890123456:role/deployer",
 *   oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/github",
 *   oidcToken: Config.redacted("ACTIONS_ID_TOKEN").pipe(
 *     Effect.mapError(() =>
 *       new CredentialsError.NotConfigured({ source: "ci", reason: "ACTIONS_ID_TOKEN is not set", fix: "run in CI" })
 *     )
 *   )
 * }
 * const source = OidcRoleArn.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<R = never> extends StsOptions {
  /** Else `ALIBABA_CLOUD_ROLE_ARN`. */
  readonly roleArn?: string | undefined
  /** Else `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`. */
  readonly oidcProviderArn?: string | undefined
  /** Else `ALIBABA_CLOUD_OIDC_TOKEN_FILE`. Not with `oidcToken`. */
  readonly oidcTokenFilePath?: string | undefined
  /**
   * The token from code instead of a file: an Effect run at every fetch (as the file is read at
   * every fetch), e.g. `Config.redacted("ACTIONS_ID_TOKEN")` mapped to `CredentialsError`, or a
   * call to a CI's token endpoint. Its surrounding whitespace is trimmed; an empty token, one over
   * 1 MiB (as the token file) or one holding a control character (CR, LF...) is an
   * `InvalidConfiguration` naming `oidcToken`, and nothing is sent. It runs within the fetch's
   * `timeBudget` (default 15 s), the STS request getting what is left: past it, a `Timeout` whose
   * source reads `oidc_role_arn (oidcToken)`. When it fails, the error names `oidcToken`: a
   * network failure or a timeout keeps its tag (the source reads `oidc_role_arn (oidcToken)`), any
   * other failure, and a defect (a die, a throw in `Effect.sync`), becomes an
   * `InvalidConfiguration` of the field `oidcToken`. Given, it takes the
   * place of `ALIBABA_CLOUD_OIDC_TOKEN_FILE`; given with `oidcTokenFilePath`, it is an
   * `InvalidConfiguration`.
   */
  readonly oidcToken?: Effect.Effect<Redacted.Redacted<string> | string, CredentialsError, R> | undefined
  /**
   * Keep the session in a file, for short-lived processes (see `SessionCache`); off by default.
   * The key: the role ARN, the OIDC provider ARN, the policy, the STS endpoint, the session
   * duration and a role session name given explicitly. A cached session is used without reading
   * the token.
   */
  readonly cache?: SessionCache.Options | undefined
}

/**
 * @example
 * ```ts
 * import { OidcRoleArn } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // What Kubernetes RRSA sets in a pod (with ALIBABA_CLOUD_ROLE_ARN)
 * const env = ConfigProvider.fromMap(
 *   new Map([
 *     ["ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1234567890123456:role/app"],
 *     [OidcRoleArn.OIDC_PROVIDER_ARN, "acs:ram::1234567890123456:oidc-provider/ack-rrsa"],
 *     [OidcRoleArn.OIDC_TOKEN_FILE, "/var/run/secrets/tokens/oidc-token"]
 *   ])
 * )
 * const source = OidcRoleArn.make().pipe(Effect.withConfigProvider(env))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const OIDC_PROVIDER_ARN: typeof Settings.OIDC_PROVIDER_ARN = Settings.OIDC_PROVIDER_ARN
/**
 * @example
 * ```ts
 * import { OidcRoleArn } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // What Kubernetes RRSA sets in a pod (with ALIBABA_CLOUD_ROLE_ARN)
 * const env = ConfigProvider.fromMap(
 *   new Map([
 *     ["ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1234567890123456:role/app"],
 *     [OidcRoleArn.OIDC_PROVIDER_ARN, "acs:ram::1234567890123456:oidc-provider/ack-rrsa"],
 *     [OidcRoleArn.OIDC_TOKEN_FILE, "/var/run/secrets/tokens/oidc-token"]
 *   ])
 * )
 * const source = OidcRoleArn.make().pipe(Effect.withConfigProvider(env))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const OIDC_TOKEN_FILE: typeof Settings.OIDC_TOKEN_FILE = Settings.OIDC_TOKEN_FILE

const source = Settings.source

// The three settings, each an option (blank: not set) else its variable, as in the official tool.
const settings = {
  roleArn: ROLE_ARN,
  oidcProviderArn: OIDC_PROVIDER_ARN,
  oidcTokenFilePath: OIDC_TOKEN_FILE
} as const

const spec = (field: keyof typeof settings) => ({
  source,
  field,
  variable: settings[field],
  schema: Rules.Text,
  fix: `pass ${field} or set ${settings[field]}`
})

// A JWT is a few KB: a token, from the file or from code, is at most 1 MiB.
const maxTokenBytes = 1024 * 1024

// A token goes into the request body as it is: a control character (CR, LF, ESC...) is refused,
// named by its code point and position, never by the token's text.
const controlCharacters = /[\p{Cc}\u2028\u2029]/u

const withoutControls = (token: string, field: string, fix: string) => {
  const at = token.search(controlCharacters)
  return at === -1
    ? Effect.succeed(Redacted.make(token))
    : Effect.fail(
      new InvalidConfiguration({
        source,
        field,
        reason: `holds a control character (U+${
          token.charCodeAt(at).toString(16).toUpperCase().padStart(4, "0")
        } at character ${at + 1}), which a token never does`,
        fix
      })
    )
}

// The token file goes through the bounded reader: a regular file of at most 1 MiB (a JWT is a
// few KB), never a FIFO or a device. Errors name where the path was written (option or variable).
const readToken = ({ origin, value: path }: Rules.Setting<string>) =>
  Effect.gen(function*() {
    const fix = "check the path; on Kubernetes, that the service account token volume is mounted"
    const text = yield* readRequiredTextFile(path, {
      source,
      field: Rules.describeOrigin(origin),
      maxBytes: maxTokenBytes,
      fix,
      missingFix: fix
    })
    // JWTs hold no whitespace; a trailing newline (echo > file) is not part of the token.
    const token = text.trim()
    if (token.length === 0) {
      return yield* new InvalidConfiguration({
        source,
        field: Rules.describeOrigin(origin),
        reason: `names an empty file: ${path}`,
        fix: "write the OIDC token to it"
      })
    }
    return yield* withoutControls(token, Rules.describeOrigin(origin), `write the OIDC token alone to ${path}`)
  })

const tokenSource = `${source} (oidcToken)`

const tokenFailed = (error: CredentialsError): CredentialsError => {
  switch (error._tag) {
    case "NetworkError":
      return new NetworkError({
        endpoint: error.endpoint,
        detail: error.detail,
        tried: error.tried,
        source: tokenSource
      })
    case "Timeout":
      return new Timeout({
        endpoint: error.endpoint,
        phase: error.phase,
        after: error.after,
        tried: error.tried,
        source: tokenSource
      })
    case "UpstreamError":
      return new UpstreamError({
        endpoint: error.endpoint,
        status: error.status,
        code: error.code,
        requestId: error.requestId,
        serviceMessage: error.serviceMessage,
        fix: error.fix,
        tried: error.tried,
        source: tokenSource
      })
    case "MalformedResponse":
      return new MalformedResponse({
        endpoint: error.endpoint,
        detail: error.detail,
        tried: error.tried,
        source: tokenSource
      })
    default:
      // Already about oidcToken (the Promise facade's rejected function): kept as it is, not
      // wrapped twice. Anything else: its message is outside text, escaped and bounded.
      return error._tag === "InvalidConfiguration" && error.source === source && error.field === "oidcToken"
        ? error
        : new InvalidConfiguration({
          source,
          field: "oidcToken",
          reason: `failed: ${sanitize(error.message)}`,
          fix: "check the Effect given as oidcToken (the variable or the token endpoint it reads)"
        })
  }
}

// A defect of the user's Effect (a die, a throw inside Effect.sync) is a typed error too: its
// message escaped and bounded, never its stack.
const tokenDied = (defect: unknown) =>
  new InvalidConfiguration({
    source,
    field: "oidcToken",
    reason: `died: ${
      defect instanceof Error ? sanitize(`${defect.name}: ${defect.message}`) : "with a value that is not an Error"
    }`,
    fix: "make the Effect given as oidcToken fail with a CredentialsError instead of dying (check what it throws)"
  })

// The token from code: run at every fetch, its failure named after the option, a blank token refused.
const runToken = <R>(
  oidcToken: Effect.Effect<Redacted.Redacted<string> | string, CredentialsError, R>
): Effect.Effect<Redacted.Redacted<string>, CredentialsError, R> =>
  Effect.gen(function*() {
    const value = yield* oidcToken.pipe(Effect.mapError(tokenFailed), Effect.catchAllDefect(tokenDied))
    const text = typeof value === "string" ? value : Redacted.isRedacted(value) ? Redacted.value(value) : undefined
    if (typeof text !== "string") {
      return yield* new InvalidConfiguration({
        source,
        field: "oidcToken",
        reason: "produced neither a string nor a Redacted string",
        fix: "make the Effect succeed with the token (a string or Redacted)"
      })
    }
    // As the file: at most 1 MiB of UTF-8 (a string longer in UTF-16 units is longer in bytes),
    // refused before anything is copied or sent.
    if (text.length > maxTokenBytes || new TextEncoder().encode(text).length > maxTokenBytes) {
      return yield* new InvalidConfiguration({
        source,
        field: "oidcToken",
        reason: `produced a token larger than ${maxTokenBytes} bytes (1 MiB); an OIDC token is a few KB`,
        fix: "check what the Effect given as oidcToken returns: the token alone, not a document holding it"
      })
    }
    const token = text.trim()
    if (token.length === 0) {
      return yield* new InvalidConfiguration({
        source,
        field: "oidcToken",
        reason: "produced an empty token",
        fix: "check that the CI gives this job an OIDC token (e.g. `permissions: id-token: write` on GitHub Actions)"
      })
    }
    return yield* withoutControls(token, "oidcToken", "make the Effect given as oidcToken return the token alone")
  })

// A Timeout of the budget, counted from the start of the fetch (the token's time included).
const ofWholeFetch = (error: CredentialsError, budget: Duration.Duration, spent: Duration.Duration) =>
  error._tag === "Timeout" && error.phase === "budget" && error.source === source
    ? new Timeout({
      ...error,
      after: budget,
      tried: error.tried && { ...error.tried, elapsed: Duration.sum(error.tried.elapsed, spent) }
    })
    : error

// The token is read within the fetch's time budget and the STS exchange (retries included) gets
// what is left of it: a token that never comes (`Effect.never`, a facade function whose Promise
// never settles) is a Timeout naming where the token comes from, at the budget.
const withinBudget = <A, R1, R2>(
  policy: Upstream.Policy,
  token: { readonly read: Effect.Effect<Redacted.Redacted<string>, CredentialsError, R1>; readonly from: string },
  exchange: (token: Redacted.Redacted<string>, policy: Upstream.Policy) => Effect.Effect<A, CredentialsError, R2>
): Effect.Effect<A, CredentialsError, R1 | R2> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const oidcToken = yield* Effect.timeoutFail(token.read, {
      duration: policy.budget,
      onTimeout: () =>
        new Timeout({
          source: token.from === "oidcToken" ? tokenSource : source,
          endpoint: `${token.from} (no token yet)`,
          phase: "budget",
          after: policy.budget
        })
    })
    const spent = Duration.millis((yield* Clock.currentTimeMillis) - started)
    const left = Duration.millis(Math.max(0, Duration.toMillis(policy.budget) - Duration.toMillis(spent)))
    return yield* Effect.mapError(
      exchange(oidcToken, { ...policy, budget: left }),
      (error) => ofWholeFetch(error, policy.budget, spent)
    )
  })

/**
 * A source that assumes a RAM role with an OIDC token (provider name `oidc_role_arn`). With none of
 * the three settings given (in options or the environment) it is `NotConfigured`; with some but not
 * all, `InvalidConfiguration` naming the missing one. The token comes from `oidcToken` (an Effect,
 * whose requirements the source takes on) or from the file.
 *
 * @example
 * ```ts
 * import { Credentials, HttpTransport, OidcRoleArn } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // RRSA: everything from the pod's variables
 * const layer = Credentials.layer(OidcRoleArn.make()).pipe(Layer.provide(HttpTransport.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R = never>(
  options: Options<R> = {}
): Source<R | FileSystem.FileSystem | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const roleArn = yield* Rules.optionOrEnv(spec("roleArn"), options.roleArn)
    const oidcProviderArn = yield* Rules.optionOrEnv(spec("oidcProviderArn"), options.oidcProviderArn)
    const fromCode = options.oidcToken
    if (fromCode !== undefined && !Rules.isBlank(options.oidcTokenFilePath)) {
      return yield* new InvalidConfiguration({
        source,
        field: "oidcToken",
        reason: "is given with oidcTokenFilePath",
        fix: "pass one of oidcToken and oidcTokenFilePath"
      })
    }
    const tokenFile = fromCode !== undefined
      ? undefined
      : yield* Rules.setting(spec("oidcTokenFilePath"), options.oidcTokenFilePath)
    if (roleArn === undefined && oidcProviderArn === undefined && tokenFile === undefined && fromCode === undefined) {
      return yield* Settings.notConfigured()
    }
    if (roleArn === undefined) return yield* Rules.unsetWithVariable(spec("roleArn"), options.roleArn)
    if (oidcProviderArn === undefined) {
      return yield* Rules.unsetWithVariable(spec("oidcProviderArn"), options.oidcProviderArn)
    }
    const readTokenNow:
      | {
        readonly read: Effect.Effect<Redacted.Redacted<string>, CredentialsError, R | FileSystem.FileSystem>
        readonly from: string
      }
      | undefined = fromCode !== undefined
        ? { read: runToken(fromCode), from: "oidcToken" }
        : tokenFile !== undefined
        ? { read: readToken(tokenFile), from: `the token file ${tokenFile.value}` }
        : undefined
    if (readTokenNow === undefined) {
      return yield* Rules.unsetWithVariable(spec("oidcTokenFilePath"), options.oidcTokenFilePath)
    }
    const resolved = yield* resolve(source, options)
    const fetch = withinBudget(resolved.upstream, readTokenNow, (oidcToken, upstream) =>
      Upstream.run(
        source,
        Upstream.displayUrl(resolved.url),
        upstream,
        assumeRoleWithOidc(
          { source, url: resolved.url, upstream, providerName: source },
          {
            roleArn,
            oidcProviderArn,
            oidcToken,
            roleSessionName: resolved.roleSessionName,
            durationSeconds: resolved.durationSeconds,
            policy: resolved.policy
          }
        ),
        { budget: oidcProviderArn }
      ))
    if (options.cache === undefined) return yield* fetch
    return yield* cached(options.cache, {
      source,
      fields: {
        api: "AssumeRoleWithOIDC",
        roleArn,
        oidcProviderArn,
        policy: resolved.policy,
        endpoint: resolved.url,
        durationSeconds: resolved.durationSeconds,
        roleSessionName: resolved.roleSessionNameGiven ? resolved.roleSessionName : undefined
      }
    }, fetch)
  })
