/**
 * The options every command takes: where the default chain looks, mapped to
 * `DefaultChain.Options`. The environment variables the library reads (`ALIBABA_CLOUD_*`) apply
 * too; a flag wins over its variable.
 *
 * @since 0.1.0
 */
import type { DefaultChain } from "@effect-alicloud/credentials"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

// A number and a unit, short or long, as other command-line tools write them: 3s, 500ms, 1.5m,
// 2h, "3 sec", "5 seconds".
const withUnit = /^(\d+(?:\.\d+)?)\s*(ms|msecs?|millis|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)$/i

const unitMillis = (unit: string): number => {
  const u = unit.toLowerCase()
  return u === "ms" || u.startsWith("msec") || u.startsWith("milli")
    ? 1
    : u.startsWith("s")
    ? 1000
    : u.startsWith("m")
    ? 60_000
    : 3_600_000
}

/**
 * A duration flag: a number with a unit (`3s`, `500ms`, `1.5m`, `2h`, `5 seconds`, `500 millis`),
 * or a bare number of milliseconds (`5000`). More than zero.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const trimmed = text.trim()
  const millis = /^\d+$/.test(trimmed)
    ? Number(trimmed)
    : Option.match(Option.fromNullable(withUnit.exec(trimmed)), {
      onNone: () => Number.NaN,
      onSome: ([, amount, unit]) => Number(amount) * unitMillis(unit!)
    })
  return Number.isFinite(millis) && millis > 0 ? Option.some(Duration.millis(millis)) : Option.none()
}

const duration = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("DURATION"),
    Options.mapEffect((text) =>
      Option.match(parseDuration(text), {
        onNone: () =>
          Effect.fail(ValidationError.invalidValue(HelpDoc.p(
            `--${name}: ${JSON.stringify(text)} is not a duration: write e.g. 3s, 500ms, 2m or 5000 (milliseconds)`
          ))),
        onSome: Effect.succeed
      })
    ),
    Options.withDescription(description),
    Options.optional
  )

const url = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(description),
    Options.optional
  )

/**
 * The shared options, as parsed.
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  profile: Options.text("profile").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription(
      "The profile of ~/.aliyun/config.json (and section of ~/.alibabacloud/credentials); else ALIBABA_CLOUD_PROFILE, else the file's current one"
    ),
    Options.optional
  ),
  stsEndpoint: url("sts-endpoint", "STS endpoint of every role source: a host (https) or a whole URL"),
  metadataUrl: url(
    "metadata-url",
    "ECS metadata service (default http://100.100.100.200); ALIBABA_CLOUD_ECS_METADATA_DISABLED=true skips it"
  ),
  credentialsUri: url("credentials-uri", "The credentials URI; else ALIBABA_CLOUD_CREDENTIALS_URI"),
  oauthBaseUrl: url("oauth-base-url", "OAuth base URL of the OAuth profile mode (both sites)"),
  connectTimeout: duration("connect-timeout", "How long to wait for a connection (default 10 seconds)"),
  readTimeout: duration("read-timeout", "How long to wait for an answer once connected (default 5 seconds)")
} as const

/**
 * @since 0.1.0
 * @category options
 */
export type Parsed = {
  readonly [K in keyof typeof options]: (typeof options)[K] extends Options.Options<infer A> ? A : never
}

/**
 * The parsed options as `DefaultChain.Options`, without `undefined`-valued keys.
 *
 * @since 0.1.0
 * @category options
 */
export const toChainOptions = (parsed: Parsed): DefaultChain.Options => {
  const out: { -readonly [K in keyof DefaultChain.Options]: DefaultChain.Options[K] } = {}
  if (Option.isSome(parsed.profile)) out.profile = parsed.profile.value
  if (Option.isSome(parsed.stsEndpoint)) out.stsEndpoint = parsed.stsEndpoint.value
  if (Option.isSome(parsed.metadataUrl)) out.metadataUrl = parsed.metadataUrl.value
  if (Option.isSome(parsed.credentialsUri)) out.credentialsUri = parsed.credentialsUri.value
  if (Option.isSome(parsed.oauthBaseUrl)) out.oauthBaseUrl = parsed.oauthBaseUrl.value
  if (Option.isSome(parsed.connectTimeout)) out.connectTimeout = parsed.connectTimeout.value
  if (Option.isSome(parsed.readTimeout)) out.readTimeout = parsed.readTimeout.value
  return out
}

/**
 * What the failure messages need to know of the options.
 *
 * @since 0.1.0
 * @category options
 */
export const failureContext = (parsed: Parsed) => ({ profileRequested: Option.isSome(parsed.profile) })
