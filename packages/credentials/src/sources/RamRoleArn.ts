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
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidConfiguration } from "../CredentialsError.js"
import { assumeRole } from "../internal/sts.js"
import { envString } from "../internal/env.js"
import { resolve, ROLE_ARN, type StsOptions } from "../internal/stsOptions.js"
import * as Upstream from "../internal/upstream.js"
import { optionalString } from "../internal/validate.js"
import type { Source } from "../Source.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<R> extends StsOptions {
  /** The credential that assumes the role. */
  readonly source: Source<R>
  /** The role to assume, `acs:ram::<account>:role/<name>`; else `ALIBABA_CLOUD_ROLE_ARN`. */
  readonly roleArn?: string | undefined
  /** The external ID the role's trust policy asks for, if any. */
  readonly externalId?: string | undefined
}

const source = "ram_role_arn"

/**
 * A source that assumes a RAM role (provider name `ram_role_arn/<source's provider name>`).
 * Transient failures (network, timeouts, 5xx, throttling) are retried on `retrySchedule` within
 * the time budget (`timeBudget`, default 15 s), each try signed anew; a 4xx (bad key, no
 * permission, no such role) is not.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(options: Options<R>): Source<R | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const roleArn = (yield* optionalString(
      { source, field: "roleArn", fix: `pass roleArn or set ${ROLE_ARN}` },
      options.roleArn
    )) ?? Option.getOrUndefined(yield* envString(ROLE_ARN))
    if (roleArn === undefined) {
      return yield* new InvalidConfiguration({
        source,
        field: "roleArn",
        reason: `is missing and ${ROLE_ARN} is not set`,
        fix: `pass roleArn (acs:ram::<account id>:role/<role name>) or set ${ROLE_ARN}`
      })
    }
    const externalId = yield* optionalString(
      { source, field: "externalId", fix: "pass the external ID of the role's trust policy, or leave it out" },
      options.externalId
    )
    const resolved = yield* resolve(source, options)
    const signer = yield* options.source
    return yield* Upstream.run(
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
      )
    )
  })
