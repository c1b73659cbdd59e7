/**
 * The `oidc_role_arn` source: STS AssumeRoleWithOIDC with a token read from a file (as in
 * Kubernetes RRSA). The file is read again on every fetch, so a rotated token is picked up.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { InvalidConfiguration, NotConfigured } from "../CredentialsError.js"
import { assumeRoleWithOidc } from "../internal/sts.js"
import { readRequiredTextFile } from "../internal/boundedFile.js"
import { envString } from "../internal/env.js"
import { resolve, ROLE_ARN, type StsOptions } from "../internal/stsOptions.js"
import * as Upstream from "../internal/upstream.js"
import { optionalString } from "../internal/validate.js"
import type { Source } from "../Source.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends StsOptions {
  /** Else `ALIBABA_CLOUD_ROLE_ARN`. */
  readonly roleArn?: string | undefined
  /** Else `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`. */
  readonly oidcProviderArn?: string | undefined
  /** Else `ALIBABA_CLOUD_OIDC_TOKEN_FILE`. */
  readonly oidcTokenFilePath?: string | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const OIDC_PROVIDER_ARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
/**
 * @since 0.1.0
 * @category constants
 */
export const OIDC_TOKEN_FILE = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"

const source = "oidc_role_arn"

const setting = (option: string, variable: string, value: unknown) =>
  Effect.gen(function*() {
    const given = yield* optionalString({ source, field: option, fix: `pass ${option} or set ${variable}` }, value)
    return given ?? Option.getOrUndefined(yield* envString(variable))
  })

// The token file goes through the bounded reader: a regular file of at most 1 MiB (a JWT is a
// few KB), never a FIFO or a device.
const readToken = (path: string) =>
  Effect.gen(function*() {
    const fix = "check the path; on Kubernetes, that the service account token volume is mounted"
    const text = yield* readRequiredTextFile(path, {
      source,
      field: "oidcTokenFilePath",
      maxBytes: 1024 * 1024,
      fix,
      missingFix: fix
    })
    // JWTs hold no whitespace; a trailing newline (echo > file) is not part of the token.
    const token = text.trim()
    if (token.length === 0) {
      return yield* new InvalidConfiguration({
        source,
        field: "oidcTokenFilePath",
        reason: `names an empty file: ${path}`,
        fix: "write the OIDC token to it"
      })
    }
    return Redacted.make(token)
  })

/**
 * A source that assumes a RAM role with an OIDC token (provider name `oidc_role_arn`). With none of
 * the three settings given (in options or the environment) it is `NotConfigured`; with some but not
 * all, `InvalidConfiguration` naming the missing one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Source<FileSystem.FileSystem | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const roleArn = yield* setting("roleArn", ROLE_ARN, options.roleArn)
    const oidcProviderArn = yield* setting("oidcProviderArn", OIDC_PROVIDER_ARN, options.oidcProviderArn)
    const oidcTokenFilePath = yield* setting("oidcTokenFilePath", OIDC_TOKEN_FILE, options.oidcTokenFilePath)
    if (roleArn === undefined && oidcProviderArn === undefined && oidcTokenFilePath === undefined) {
      return yield* new NotConfigured({
        source,
        reason: `${ROLE_ARN}, ${OIDC_PROVIDER_ARN} and ${OIDC_TOKEN_FILE} are not set`,
        fix: "set all three (on ACK, enable RRSA for the pod's service account)"
      })
    }
    const missing = (field: string, variable: string) =>
      new InvalidConfiguration({ source, field, reason: `is missing and ${variable} is not set`, fix: `pass ${field} or set ${variable}` })
    if (roleArn === undefined) return yield* missing("roleArn", ROLE_ARN)
    if (oidcProviderArn === undefined) return yield* missing("oidcProviderArn", OIDC_PROVIDER_ARN)
    if (oidcTokenFilePath === undefined) return yield* missing("oidcTokenFilePath", OIDC_TOKEN_FILE)
    const resolved = yield* resolve(source, options)
    const oidcToken = yield* readToken(oidcTokenFilePath)
    return yield* Upstream.run(
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
    )
  })
