// The options that ram_role_arn and oidc_role_arn share, with the official tool's environment
// fallbacks, decoded by the rules of rules.ts: blank is "not set" (then the variable is read), the
// region is case-folded, `enableVpc` takes "true"/"false" too.
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { InvalidConfiguration } from "../../CredentialsError.js"
import { stsUrl } from "../protocols/sts.js"
import * as Upstream from "../upstream/pipeline.js"
import * as Rules from "./rules.js"

export interface StsOptions extends Upstream.Options {
  /**
   * Else `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else `credentials-nodejs-<epoch ms>`: the official Node
   * tool's default, which audit filters (ActionTrail) match on.
   */
  readonly roleSessionName?: string | undefined
  /** How long the session lasts: 15 minutes to 12 hours, at most the role's maximum. Default 1 hour. */
  readonly roleSessionExpiration?: Duration.DurationInput | undefined
  /** A JSON policy that narrows the role's permissions for this session. */
  readonly policy?: string | undefined
  /** The STS host (`sts.cn-hangzhou.aliyuncs.com`, https) or a whole URL (`http://127.0.0.1:8080`). */
  readonly stsEndpoint?: string | undefined
  /**
   * Else `ALIBABA_CLOUD_STS_REGION`: the endpoint becomes `sts.<region>.aliyuncs.com` (the region in
   * lower case: `CN-Hangzhou` is cn-hangzhou).
   */
  readonly stsRegionId?: string | undefined
  /**
   * Else `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`: `sts-vpc.<region>.aliyuncs.com` (with a region
   * only). From JavaScript, the strings "true" and "false" (any case) are read as the booleans.
   */
  readonly enableVpc?: boolean | undefined
}

export { ROLE_ARN } from "./variables.js"
export const ROLE_SESSION_NAME = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
export const STS_REGION = "ALIBABA_CLOUD_STS_REGION"
export const VPC_ENDPOINT_ENABLED = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"

/** The default role session name is this prefix and the epoch milliseconds, as in the official Node tool. */
export const defaultSessionNamePrefix = "credentials-nodejs-"

const endpointExample = "sts.cn-hangzhou.aliyuncs.com or http://127.0.0.1:8080"

const minSession = Duration.minutes(15)
const maxSession = Duration.hours(12)

export interface Resolved {
  readonly url: string
  readonly upstream: Upstream.Policy
  readonly roleSessionName: string
  /** The role session name was given (option or variable), not the per-process default. */
  readonly roleSessionNameGiven: boolean
  readonly durationSeconds: number
  readonly policy: string | undefined
}

export const resolve = (source: string, options: StsOptions): Effect.Effect<Resolved, InvalidConfiguration> =>
  Effect.gen(function*() {
    const givenName = yield* Rules.optionOrEnv({
      source,
      field: "roleSessionName",
      variable: ROLE_SESSION_NAME,
      schema: Rules.Text,
      fix: "use 2-64 letters, digits and . @ - _"
    }, options.roleSessionName)
    const roleSessionName = givenName ?? `${defaultSessionNamePrefix}${yield* Clock.currentTimeMillis}`
    const policy = yield* Rules.decodeOptional(
      {
        source,
        origin: Rules.option("policy"),
        schema: Rules.Text,
        fix: "pass a JSON policy document, or leave it out"
      },
      options.policy
    )
    const expiration = yield* Rules.decodeDuration(
      source,
      "roleSessionExpiration",
      options.roleSessionExpiration ?? "1 hour"
    )
    if (Duration.lessThan(expiration, minSession) || Duration.greaterThan(expiration, maxSession)) {
      return yield* new InvalidConfiguration({
        source,
        field: "roleSessionExpiration",
        reason: `must be between 15 minutes and 12 hours, got ${Duration.format(expiration)}`,
        fix:
          "pass a Duration such as \"1 hour\" (a number is read as milliseconds), at most the role's maximum session duration"
      })
    }
    const stsRegionId = yield* Rules.optionOrEnv(
      { source, field: "stsRegionId", variable: STS_REGION, schema: Rules.Region, fix: "use e.g. cn-hangzhou" },
      options.stsRegionId
    )
    const enableVpc = yield* Rules.flagOrEnv(
      { source, field: "enableVpc", variable: VPC_ENDPOINT_ENABLED },
      options.enableVpc
    )
    const stsEndpoint = yield* Rules.decodeOptional(
      { source, origin: Rules.option("stsEndpoint"), schema: Rules.Text, fix: `use e.g. ${endpointExample}` },
      options.stsEndpoint
    )
    const url = yield* Upstream.httpUrl(
      source,
      "stsEndpoint",
      stsUrl({ stsEndpoint, stsRegionId, enableVpc }),
      endpointExample
    )
    return {
      url: url.href,
      upstream: yield* Upstream.policy(source, options),
      roleSessionName,
      roleSessionNameGiven: givenName !== undefined,
      durationSeconds: Math.floor(Duration.toSeconds(expiration)),
      policy
    }
  })
