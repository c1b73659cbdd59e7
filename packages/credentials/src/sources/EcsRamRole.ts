/**
 * The `ecs_ram_role` source: the RAM role attached to an ECS instance, from the instance metadata
 * service (IMDS), IMDSv2 first.
 *
 * Per fetch: a session token (`PUT /latest/api/token`); the role name, if not configured
 * (`GET /latest/meta-data/ram/security-credentials/`); the credential
 * (`GET .../security-credentials/<role>`). When the token cannot be had, or a request with it
 * fails, the request is made once more without it (IMDSv1), unless IMDSv1 is disabled.
 *
 * The metadata address is configurable (`metadataUrl`), so tests point it at the emulator.
 * Use `refreshOptions` with `Credentials.layer` for the official refresh timing (1 hour ahead).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Credential from "../Credential.js"
import { type CredentialsError, NotConfigured } from "../CredentialsError.js"
import * as Rules from "../internal/config/rules.js"
import { decodeCodedCredentials } from "../internal/protocols/codedCredentials.js"
import { ECS_PREFETCH_WINDOW } from "../internal/refresh/timing.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type * as Refresh from "../Refresh.js"
import type { Source } from "../Source.js"

/**
 * The option block (`connectTimeout`, `readTimeout`, `timeBudget`, `retrySchedule`,
 * `maxBodyBytes`) has the official metadata defaults here: connect 1 s, read 1 s, and a budget
 * of 2 s for one fetch, retries included.
 *
 * The metadata service is never reached through a proxy: the `proxy` option, `HTTPS_PROXY` and
 * `HTTP_PROXY` are ignored here (a proxy cannot reach the instance's link-local address, and the
 * role's credential would pass through it).
 *
 * @example
 * ```ts
 * import { EcsRamRole } from "@effect-alicloud/credentials"
 *
 * const options: EcsRamRole.Options = { roleName: "app-role", disableIMDSv1: true, timeBudget: "3 seconds" }
 * const source = EcsRamRole.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Upstream.Options {
  /** The instance's RAM role; else (unset or blank) `ALIBABA_CLOUD_ECS_METADATA`; else asked of the metadata service. */
  readonly roleName?: string | undefined
  /**
   * Never fall back to IMDSv1 (forced on by `ALIBABA_CLOUD_IMDSV1_DISABLED=true`). Default false.
   * From JavaScript, the strings "true" and "false" (any case) are read as the booleans.
   */
  readonly disableIMDSv1?: boolean | undefined
  /** The metadata service. Default `http://100.100.100.200`. */
  readonly metadataUrl?: string | undefined
  /** The IMDSv2 session token's lifetime. Default 6 hours (the service's maximum). */
  readonly tokenTtl?: Duration.DurationInput | undefined
}

/**
 * @example
 * ```ts
 * import { EcsRamRole } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // The role's name, so that the metadata service is not asked for it
 * const env = ConfigProvider.fromMap(new Map([[EcsRamRole.ECS_METADATA, "app-role"]]))
 * const source = EcsRamRole.make().pipe(Effect.withConfigProvider(env))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const ECS_METADATA = "ALIBABA_CLOUD_ECS_METADATA"
/**
 * @example
 * ```ts
 * import { EcsRamRole } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // Off the cloud: the source is not configured, and a chain moves on at once
 * const env = ConfigProvider.fromMap(new Map([[EcsRamRole.ECS_METADATA_DISABLED, "true"]]))
 * const source = EcsRamRole.make().pipe(Effect.withConfigProvider(env))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const ECS_METADATA_DISABLED = "ALIBABA_CLOUD_ECS_METADATA_DISABLED"
/**
 * @example
 * ```ts
 * import { EcsRamRole } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // IMDSv2 only: no request without a session token
 * const env = ConfigProvider.fromMap(new Map([[EcsRamRole.IMDSV1_DISABLED, "true"]]))
 * const source = EcsRamRole.make().pipe(Effect.withConfigProvider(env))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const IMDSV1_DISABLED = "ALIBABA_CLOUD_IMDSV1_DISABLED"
// The metadata service of every ECS instance, unless `metadataUrl` says otherwise.
const defaultMetadataUrl = "http://100.100.100.200"

/**
 * The official refresh timing for ECS credentials: refresh when less than 1 hour is left.
 *
 * @example
 * ```ts
 * import { Credentials, EcsRamRole } from "@effect-alicloud/credentials"
 *
 * // Refresh when less than an hour is left, as the official tool does on ECS
 * const layer = Credentials.layer(EcsRamRole.make(), EcsRamRole.refreshOptions)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const refreshOptions: Refresh.Options = { prefetchWindow: ECS_PREFETCH_WINDOW }

const source = "ecs_ram_role"

interface Context {
  readonly base: string
  readonly policy: Upstream.Policy
  readonly disableIMDSv1: boolean
}

const rolesPath = "/latest/meta-data/ram/security-credentials/"

const fixFor = (path: string) => (status: number): string | undefined =>
  status === 404 && path === rolesPath
    ? "no RAM role is attached to this instance: attach one in the ECS console"
    : status === 404
    ? "the role name was not found on this instance: check roleName / ALIBABA_CLOUD_ECS_METADATA"
    : status === 401 || status === 403
    ? "the metadata service requires IMDSv2 and refused the session token"
    : undefined

const text = (body: string) => Either.right(body)

// The role the service lists is held to the rule of a configured one (it goes into the next
// request's path and into errors): a 400 KB answer is refused here, not sent back as a path.
const listedRoleName = (body: string): Either.Either<string, string> => {
  const name = body.trim()
  const problem = name.length === 0
    ? "it named no role: attach a RAM role to the instance, or set roleName"
    : Rules.roleNameProblem(name)
  return problem === undefined
    ? Either.right(name)
    : Either.left(
      name.length === 0 ? problem : `the role name it listed ${problem}: set roleName, or check the instance's role`
    )
}

const fetchToken = (ctx: Context, ttlSeconds: number) =>
  Upstream.exchange(source, ctx.policy, {
    request: HttpClientRequest.put(`${ctx.base}/latest/api/token`).pipe(
      HttpClientRequest.setHeader("X-aliyun-ecs-metadata-token-ttl-seconds", String(ttlSeconds))
    ),
    decode: text,
    fix: fixFor("/latest/api/token")
  }).pipe(Effect.map(Redacted.make))

// A GET with the token if there is one; when the service answers it with an error, once more
// without it (IMDSv1), unless IMDSv1 is off.
const get = <A>(
  ctx: Context,
  path: string,
  token: Option.Option<Redacted.Redacted<string>>,
  decode: (body: string) => Either.Either<A, string | Upstream.Refused>
) => {
  const request = (withToken: Option.Option<Redacted.Redacted<string>>) =>
    Upstream.exchange(source, ctx.policy, {
      request: Option.match(withToken, {
        onNone: () => HttpClientRequest.get(`${ctx.base}${path}`),
        onSome: (value) =>
          HttpClientRequest.get(`${ctx.base}${path}`).pipe(
            HttpClientRequest.setHeader("X-aliyun-ecs-metadata-token", Redacted.value(value))
          )
      }),
      secrets: Option.match(withToken, { onNone: () => [], onSome: (value) => [Redacted.value(value)] }),
      decode,
      fix: fixFor(path)
    })
  return Option.isSome(token) && !ctx.disableIMDSv1
    ? request(token).pipe(Effect.catchTag("UpstreamError", () => request(Option.none())))
    : request(token)
}

/**
 * A source of the instance's RAM role credential (provider name `ecs_ram_role`).
 * `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` makes it `NotConfigured`. The flag variables
 * (`ALIBABA_CLOUD_ECS_METADATA_DISABLED`, `ALIBABA_CLOUD_IMDSV1_DISABLED`) are `true` or `false` in
 * any case; another value ("1", "yes") is an `InvalidConfiguration` naming the variable.
 *
 * Off ECS (a laptop, CI, another cloud) the metadata address does not answer: a refused
 * connection, or a token request that times out, ends the source at once, without a retry or the
 * IMDSv1 fallback, which only an answer of the service (e.g. a 403 for the token) leads to.
 *
 * @example
 * ```ts
 * import { Credentials, EcsRamRole, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * const layer = Credentials.layer(EcsRamRole.make({ roleName: "app-role" }), EcsRamRole.refreshOptions).pipe(
 *   Layer.provide(HttpTransport.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Source<HttpClient.HttpClient> =>
  Effect.gen(function*() {
    if (yield* Rules.envFlag(source, ECS_METADATA_DISABLED)) {
      return yield* new NotConfigured({
        source,
        reason: `${ECS_METADATA_DISABLED} is true`,
        fix: `unset ${ECS_METADATA_DISABLED} to use the instance's RAM role`
      })
    }
    const configuredRole = yield* Rules.optionOrEnv({
      source,
      field: "roleName",
      variable: ECS_METADATA,
      schema: Rules.RoleName,
      fix: "pass the role name, or leave it out to ask the metadata service"
    }, options.roleName)
    const metadataUrl = yield* Rules.decodeOptional({
      source,
      origin: Rules.option("metadataUrl"),
      schema: Rules.Text,
      fix: `use e.g. ${defaultMetadataUrl}`
    }, options.metadataUrl)
    const base = (yield* Upstream.httpUrl(source, "metadataUrl", metadataUrl ?? defaultMetadataUrl, defaultMetadataUrl))
      .href.replace(/\/+$/, "")
    const ttl = yield* Rules.decodeDuration(source, "tokenTtl", options.tokenTtl ?? "6 hours")
    const ctx: Context = {
      base,
      policy: yield* Upstream.policy(source, options, Upstream.metadataDefaults),
      disableIMDSv1: yield* Rules.flagOrEnv(
        { source, field: "disableIMDSv1", variable: IMDSV1_DISABLED },
        options.disableIMDSv1
      )
    }
    // Whether the service has answered at all during this fetch: until it has, there is no
    // metadata service to retry.
    let answered = false
    const attempt = Effect.gen(function*() {
      const token = yield* fetchToken(ctx, Math.floor(Duration.toSeconds(ttl))).pipe(
        Effect.tap(() => {
          answered = true
        }),
        Effect.map(Option.some),
        Effect.catchAll((error): Effect.Effect<Option.Option<Redacted.Redacted<string>>, CredentialsError> => {
          if (error._tag !== "UpstreamError") return Effect.fail(error)
          answered = true
          return ctx.disableIMDSv1 ? Effect.fail(error) : Effect.succeed(Option.none())
        })
      )
      const roleName = configuredRole ?? (yield* get(ctx, rolesPath, token, listedRoleName))
      // The role name goes into the path: encoded, so that it cannot change the path.
      const path = `${rolesPath}${encodeURIComponent(roleName)}`
      return yield* get(ctx, path, token, (body) =>
        decodeCodedCredentials({
          providerName: source,
          body,
          fix: "the metadata service could not issue a credential for the role: check the role is attached"
        }))
    })
    const credential = yield* Upstream.run(source, base, ctx.policy, attempt, {
      retryWhile: (error) => answered && Upstream.isTransient(error)
    })
    // The official timing as data: a chain or a profile that passes this credential on refreshes it an hour ahead.
    return Credential.make({ ...credential, prefetchWindow: ECS_PREFETCH_WINDOW })
  })
