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
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import {
  type CredentialsError,
  InvalidConfiguration,
  MalformedResponse,
  NotConfigured,
  UpstreamError
} from "../CredentialsError.js"
import { decodeCodedCredentials } from "../internal/codedCredentials.js"
import { decodeTimeouts, displayUrl, execute, retryTransient, type Timeouts } from "../internal/http.js"
import { envFlag, envString } from "../internal/env.js"
import { decodeDuration, optionalString } from "../internal/validate.js"
import type * as Refresh from "../Refresh.js"
import type { Source } from "../Source.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The instance's RAM role; else `ALIBABA_CLOUD_ECS_METADATA`; else asked of the metadata service. */
  readonly roleName?: string | undefined
  /** Never fall back to IMDSv1 (forced on by `ALIBABA_CLOUD_IMDSV1_DISABLED=true`). Default false. */
  readonly disableIMDSv1?: boolean | undefined
  /** The metadata service. Default `http://100.100.100.200`. */
  readonly metadataUrl?: string | undefined
  /** Default 1 second (the official tool's). */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Default 1 second (the official tool's). */
  readonly readTimeout?: Duration.DurationInput | undefined
  /** The IMDSv2 session token's lifetime. Default 6 hours (the service's maximum). */
  readonly tokenTtl?: Duration.DurationInput | undefined
  readonly retrySchedule?: Schedule.Schedule<unknown, CredentialsError> | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const ECS_METADATA = "ALIBABA_CLOUD_ECS_METADATA"
/**
 * @since 0.1.0
 * @category constants
 */
export const ECS_METADATA_DISABLED = "ALIBABA_CLOUD_ECS_METADATA_DISABLED"
/**
 * @since 0.1.0
 * @category constants
 */
export const IMDSV1_DISABLED = "ALIBABA_CLOUD_IMDSV1_DISABLED"
/**
 * @since 0.1.0
 * @category constants
 */
export const defaultMetadataUrl = "http://100.100.100.200"

/**
 * The official refresh timing for ECS credentials: refresh when less than 1 hour is left.
 *
 * @since 0.1.0
 * @category constants
 */
export const refreshOptions: Refresh.Options = { prefetchWindow: Duration.hours(1) }

const source = "ecs_ram_role"

// The official tool's metadata timeouts: connect 1 s, read 1 s.
const metadataTimeouts = { connect: Duration.seconds(1), read: Duration.seconds(1) }

interface Context {
  readonly base: string
  readonly timeouts: Timeouts
  readonly disableIMDSv1: boolean
}

const call = (ctx: Context, request: HttpClientRequest.HttpClientRequest, path: string) =>
  execute({ source, endpoint: displayUrl(`${ctx.base}${path}`), timeouts: ctx.timeouts, request }).pipe(
    Effect.flatMap((answer) =>
      answer.status === 200
        ? Effect.succeed(answer.body)
        : Effect.fail(
          new UpstreamError({
            source,
            endpoint: displayUrl(`${ctx.base}${path}`),
            status: answer.status,
            fix: answer.status === 404 && path.endsWith("/security-credentials/")
              ? "no RAM role is attached to this instance: attach one in the ECS console"
              : answer.status === 404
              ? "the role name was not found on this instance: check roleName / ALIBABA_CLOUD_ECS_METADATA"
              : answer.status === 401 || answer.status === 403
              ? "the metadata service requires IMDSv2 and refused the session token"
              : undefined
          })
        )
    )
  )

const fetchToken = (ctx: Context, ttlSeconds: number) =>
  call(
    ctx,
    HttpClientRequest.put(`${ctx.base}/latest/api/token`).pipe(
      HttpClientRequest.setHeader("X-aliyun-ecs-metadata-token-ttl-seconds", String(ttlSeconds))
    ),
    "/latest/api/token"
  ).pipe(Effect.map(Redacted.make))

// A GET with the token if there is one; on failure, once more without it, unless IMDSv1 is off.
const get = (ctx: Context, path: string, token: Option.Option<Redacted.Redacted<string>>) => {
  const request = (withToken: Option.Option<Redacted.Redacted<string>>) =>
    call(
      ctx,
      Option.match(withToken, {
        onNone: () => HttpClientRequest.get(`${ctx.base}${path}`),
        onSome: (value) =>
          HttpClientRequest.get(`${ctx.base}${path}`).pipe(
            HttpClientRequest.setHeader("X-aliyun-ecs-metadata-token", Redacted.value(value))
          )
      }),
      path
    )
  return Option.isSome(token) && !ctx.disableIMDSv1
    ? request(token).pipe(Effect.orElse(() => request(Option.none())))
    : request(token)
}

/**
 * A source of the instance's RAM role credential (provider name `ecs_ram_role`).
 * `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` makes it `NotConfigured`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Source<HttpClient.HttpClient> =>
  Effect.gen(function*() {
    if (yield* envFlag(ECS_METADATA_DISABLED)) {
      return yield* new NotConfigured({
        source,
        reason: `${ECS_METADATA_DISABLED} is true`,
        fix: `unset ${ECS_METADATA_DISABLED} to use the instance's RAM role`
      })
    }
    const configuredRole = (yield* optionalString(
      { source, field: "roleName", fix: `pass the role name, or leave it out to ask the metadata service` },
      options.roleName
    )) ?? Option.getOrUndefined(yield* envString(ECS_METADATA))
    const base = (options.metadataUrl ?? defaultMetadataUrl).replace(/\/+$/, "")
    if (!URL.canParse(base)) {
      return yield* new InvalidConfiguration({ source, field: "metadataUrl", reason: "is not a URL", fix: "pass e.g. http://100.100.100.200" })
    }
    const ttl = yield* decodeDuration(source, "tokenTtl", options.tokenTtl ?? "6 hours")
    const ctx: Context = {
      base,
      timeouts: yield* decodeTimeouts(source, options, metadataTimeouts),
      disableIMDSv1: options.disableIMDSv1 === true || (yield* envFlag(IMDSV1_DISABLED))
    }
    const attempt = Effect.gen(function*() {
      const token = yield* fetchToken(ctx, Math.floor(Duration.toSeconds(ttl))).pipe(
        Effect.map(Option.some),
        Effect.catchAll((error) =>
          ctx.disableIMDSv1
            ? Effect.fail(error)
            : Effect.succeed(Option.none<Redacted.Redacted<string>>())
        )
      )
      const roleName = configuredRole ??
        (yield* get(ctx, "/latest/meta-data/ram/security-credentials/", token)).trim()
      if (roleName.length === 0) {
        return yield* new MalformedResponse({
          source,
          endpoint: displayUrl(`${base}/latest/meta-data/ram/security-credentials/`),
          detail: "it named no role: attach a RAM role to the instance, or set roleName"
        })
      }
      const path = `/latest/meta-data/ram/security-credentials/${roleName}`
      const endpoint = displayUrl(`${base}${path}`)
      return yield* decodeCodedCredentials({
        source,
        endpoint,
        providerName: source,
        body: yield* get(ctx, path, token),
        fix: "the metadata service could not issue a credential for the role: check the role is attached"
      })
    })
    return yield* retryTransient(attempt, options.retrySchedule)
  })
