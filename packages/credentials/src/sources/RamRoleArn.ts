/**
 * The `ram_role_arn` source: STS AssumeRole, signed with another source's credential (static,
 * environment, or another role: chained).
 *
 * It fetches one session per run; `Credentials.layer(RamRoleArn.make(...))` caches and refreshes
 * it. To chain roles without assuming the inner role on every outer refresh, cache the inner one:
 * `const inner = yield* Refresh.make(RamRoleArn.make(...))`, then `source: inner.get`.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Rules from "../internal/config/rules.js"
import { resolve, ROLE_ARN, type StsOptions } from "../internal/config/stsOptions.js"
import { cached } from "../internal/files/sessionCache.js"
import { assumeRole } from "../internal/protocols/sts.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type * as SessionCache from "../SessionCache.js"
import type { Source } from "../Source.js"

/**
 * @example
 * ```ts
 * import { Environment, RamRoleArn } from "@effect-alicloud/credentials"
 *
 * const options: RamRoleArn.Options<never> = {
 *   source: Environment.make(),
 *   roleArn: "acs:ram::1234567890123456:role/deployer",
 *   roleSessionName: "deploy-job",
 *   roleSessionExpiration: "30 minutes"
 * }
 * const source = RamRoleArn.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<R> extends StsOptions {
  /** The credential that assumes the role. */
  readonly source: Source<R>
  /** The role to assume, `acs:ram::<account>:role/<name>`; else (unset or blank) `ALIBABA_CLOUD_ROLE_ARN`. */
  readonly roleArn?: string | undefined
  /** The external ID the role's trust policy asks for, if any (blank: none, as in the official tool). */
  readonly externalId?: string | undefined
}

const source = "ram_role_arn"

/**
 * The options with the file cache turned on (see `SessionCache`).
 *
 * @example
 * ```ts
 * import { Environment, RamRoleArn } from "@effect-alicloud/credentials"
 *
 * // A short-lived process: 50 runs, one AssumeRole
 * const options: RamRoleArn.CachedOptions<never> = { source: Environment.make(), roleArn: "acs:ram::1234567890123456:role/deployer", cache: {} }
 * const source = RamRoleArn.make(options) // needs a FileSystem too
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CachedOptions<R> extends Options<R> {
  /**
   * Keep the session in a file, for short-lived processes: `{}` for `~/.alibabacloud/cache`. The
   * key: the role ARN, the signer's AccessKey ID, the policy, the external ID, the STS endpoint,
   * the session duration and a role session name given explicitly.
   */
  readonly cache: SessionCache.Options
}

/**
 * A source that assumes a RAM role (provider name `ram_role_arn/<source's provider name>`).
 * Transient failures (network, timeouts, 5xx, throttling) are retried on `retrySchedule` within
 * the time budget (`timeBudget`, default 15 s), each try signed anew; a 4xx (bad key, no
 * permission, no such role) is not. With `cache` (see `SessionCache`), a session another process
 * stored is used while it is valid, and the source needs a `FileSystem`.
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials, HttpTransport, RamRoleArn } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * const role = RamRoleArn.make({ source: AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" }), roleArn: "acs:ram::1234567890123456:role/deployer" })
 * // Chained: a role assumed with another role's session
 * const chained = RamRoleArn.make({ source: role, roleArn: "acs:ram::6543210987654321:role/auditor" })
 * const layer = Credentials.layer(chained).pipe(Layer.provide(HttpTransport.layer()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function make<R>(options: CachedOptions<R>): Source<R | HttpClient.HttpClient | FileSystem.FileSystem>
export function make<R>(options: Options<R>): Source<R | HttpClient.HttpClient>
export function make<R>(
  options: Options<R> & { readonly cache?: SessionCache.Options | undefined }
): Source<R | HttpClient.HttpClient | FileSystem.FileSystem> {
  return Effect.gen(function*() {
    const roleArn = yield* Rules.requiredOrEnv({
      source,
      field: "roleArn",
      variable: ROLE_ARN,
      schema: Rules.Text,
      fix: `pass roleArn (acs:ram::<account id>:role/<role name>) or set ${ROLE_ARN}`
    }, options.roleArn)
    const externalId = yield* Rules.decodeOptional({
      source,
      origin: Rules.option("externalId"),
      schema: Rules.Text,
      fix: "pass the external ID of the role's trust policy, or leave it out"
    }, options.externalId)
    const resolved = yield* resolve(source, options)
    const signer = yield* options.source
    const fetch = Upstream.run(
      source,
      Upstream.displayUrl(resolved.url),
      resolved.upstream,
      assumeRole(
        { source, url: resolved.url, upstream: resolved.upstream, providerName: `${source}/${signer.providerName}` },
        signer,
        {
          roleArn,
          roleSessionName: resolved.roleSessionName,
          durationSeconds: resolved.durationSeconds,
          policy: resolved.policy,
          externalId
        }
      ),
      { budget: signer.accessKeyId }
    )
    if (options.cache === undefined) return yield* fetch
    return yield* cached(options.cache, {
      source,
      fields: {
        api: "AssumeRole",
        roleArn,
        sourceAccessKeyId: signer.accessKeyId,
        policy: resolved.policy,
        externalId,
        endpoint: resolved.url,
        durationSeconds: resolved.durationSeconds,
        roleSessionName: resolved.roleSessionNameGiven ? resolved.roleSessionName : undefined
      }
    }, fetch)
  })
}
