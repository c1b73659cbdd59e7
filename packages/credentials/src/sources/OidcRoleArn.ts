/**
 * The `oidc_role_arn` source: STS AssumeRoleWithOIDC with a token read from a file (as in
 * Kubernetes RRSA), or produced by an Effect (`oidcToken`: a variable, a CI's token endpoint). The
 * file is read again, the Effect run again, on every fetch, so a rotated token is picked up.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  type CredentialsError,
  InvalidConfiguration,
  MalformedResponse,
  NetworkError,
  NotConfigured,
  Timeout,
  UpstreamError
} from "../CredentialsError.js"
import * as Rules from "../internal/config/rules.js"
import { resolve, ROLE_ARN, type StsOptions } from "../internal/config/stsOptions.js"
import { readRequiredTextFile } from "../internal/files/boundedFile.js"
import { cached } from "../internal/files/sessionCache.js"
import { assumeRoleWithOidc } from "../internal/protocols/sts.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type * as SessionCache from "../SessionCache.js"
import type { Source } from "../Source.js"

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
   * call to a CI's token endpoint. Its surrounding whitespace is trimmed; an empty token is an
   * `InvalidConfiguration` naming `oidcToken`. When it fails, the error names `oidcToken`: a
   * network failure or a timeout keeps its tag (the source reads `oidc_role_arn (oidcToken)`), any
   * other failure becomes an `InvalidConfiguration` of the field `oidcToken`. Given, it takes the
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
export const OIDC_PROVIDER_ARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
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
export const OIDC_TOKEN_FILE = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"

const source = "oidc_role_arn"

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

// The token file goes through the bounded reader: a regular file of at most 1 MiB (a JWT is a
// few KB), never a FIFO or a device. Errors name where the path was written (option or variable).
const readToken = ({ origin, value: path }: Rules.Setting<string>) =>
  Effect.gen(function*() {
    const fix = "check the path; on Kubernetes, that the service account token volume is mounted"
    const text = yield* readRequiredTextFile(path, {
      source,
      field: Rules.describeOrigin(origin),
      maxBytes: 1024 * 1024,
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
    return Redacted.make(token)
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
      return new InvalidConfiguration({
        source,
        field: "oidcToken",
        reason: `failed: ${error.message}`,
        fix: "check the Effect given as oidcToken (the variable or the token endpoint it reads)"
      })
  }
}

// The token from code: run at every fetch, its failure named after the option, a blank token refused.
const runToken = <R>(
  oidcToken: Effect.Effect<Redacted.Redacted<string> | string, CredentialsError, R>
): Effect.Effect<Redacted.Redacted<string>, CredentialsError, R> =>
  Effect.gen(function*() {
    const value = yield* Effect.mapError(oidcToken, tokenFailed)
    const text = typeof value === "string" ? value : Redacted.isRedacted(value) ? Redacted.value(value) : undefined
    if (typeof text !== "string") {
      return yield* new InvalidConfiguration({
        source,
        field: "oidcToken",
        reason: "produced neither a string nor a Redacted string",
        fix: "make the Effect succeed with the token (a string or Redacted)"
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
    return Redacted.make(token)
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
      return yield* new NotConfigured({
        source,
        reason: `${ROLE_ARN}, ${OIDC_PROVIDER_ARN} and ${OIDC_TOKEN_FILE} are not set`,
        fix: "set all three (on ACK, enable RRSA for the pod's service account)"
      })
    }
    if (roleArn === undefined) return yield* Rules.unsetWithVariable(spec("roleArn"), options.roleArn)
    if (oidcProviderArn === undefined) {
      return yield* Rules.unsetWithVariable(spec("oidcProviderArn"), options.oidcProviderArn)
    }
    const readTokenNow:
      | Effect.Effect<Redacted.Redacted<string>, CredentialsError, R | FileSystem.FileSystem>
      | undefined = fromCode !== undefined
        ? runToken(fromCode)
        : tokenFile !== undefined
        ? readToken(tokenFile)
        : undefined
    if (readTokenNow === undefined) {
      return yield* Rules.unsetWithVariable(spec("oidcTokenFilePath"), options.oidcTokenFilePath)
    }
    const resolved = yield* resolve(source, options)
    const fetch = Effect.flatMap(readTokenNow, (oidcToken) =>
      Upstream.run(
        source,
        Upstream.displayUrl(resolved.url),
        resolved.upstream,
        assumeRoleWithOidc(
          { source, url: resolved.url, upstream: resolved.upstream, providerName: source },
          {
            roleArn,
            oidcProviderArn,
            oidcToken,
            roleSessionName: resolved.roleSessionName,
            durationSeconds: resolved.durationSeconds,
            policy: resolved.policy
          }
        )
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
