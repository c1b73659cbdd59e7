// A Schema per mode of ~/.aliyun/config.json, decoding a profile's JSON object into the model
// (model.ts), each key by the rules every configuration input shares (../../config/rules.ts): a
// number or a boolean in its string form ("1800", "true") is taken as the official client takes
// it, blank is "not set", a region is case-folded.
//
// Only the selected profile (and its source profiles) is decoded, as in the official tool: a broken
// profile that nobody selects does not break the others. Messages name the file, the profile and
// the JSON key, never a value (see ../../decode/parseIssue.ts).
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidConfiguration } from "../../../CredentialsError.js"
import {
  type Fallbacks,
  optional,
  type RequiredField,
  requiredField,
  Secret,
  withFallbacks
} from "../../config/fields.js"
import { Flag, isBlank, Region, RoleName, Text, WholeNumber } from "../../config/rules.js"
import { didYouMean } from "../../config/suggest.js"
import { maxDepth } from "../../decode/json.js"
import { firstIssue, jsonPath } from "../../decode/parseIssue.js"
import { type CliConfig, type RawProfile, source, tooDeep } from "./file.js"
import { type CliProfile, supportedModes } from "./model.js"

// ---------------------------------------------------------------------------------------------
// Field schemas: each message says what is wrong with the key, never what the key holds
// ---------------------------------------------------------------------------------------------

/** A whole number of seconds (0 included), or its string form. */
const Seconds = WholeNumber.pipe(
  Schema.filter((n) => n >= 0, { message: () => "must be a whole number of seconds" })
)

/** A session duration: 0 is the default (3600); below 900 s the official builders refuse it. */
const DurationSeconds = Seconds.pipe(
  Schema.filter((n) => n === 0 || n >= 900, {
    message: () => "must be at least 900 seconds (or 0 for the default, 3600)"
  })
)

/** Unix seconds as a time. */
const UnixTime = Seconds.pipe(
  Schema.filter((n) => Option.isSome(DateTime.make(n * 1000)), { message: () => "is not a valid unix time" }),
  Schema.transform(Schema.DateTimeUtcFromSelf, {
    strict: true,
    decode: (n) => DateTime.unsafeMake(n * 1000),
    encode: (t) => Math.floor(DateTime.toEpochMillis(t) / 1000)
  })
)

// aliyun-cli writes every key, unused ones as "" (numbers as 0): blank, 0 and absent all mean unset.
const optionalDuration = (key: string) => optional(key, DurationSeconds, (n) => n !== 0)
const optionalUnixTime = (key: string) => optional(key, UnixTime, (t) => DateTime.toEpochMillis(t) !== 0)

/** The mode's own key, `mode`, as the model's `_tag`; the caller has checked it. */
const tag = <M extends string>(mode: M) => Schema.propertySignature(Schema.Literal(mode)).pipe(Schema.fromKey("mode"))

const Name = Schema.String

// ---------------------------------------------------------------------------------------------
// A Schema per mode
// ---------------------------------------------------------------------------------------------

const ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
const ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
const SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"
const ROLE_ARN = "ALIBABA_CLOUD_ROLE_ARN"

interface Ctx {
  readonly path: string
  readonly name: string
}

/** How one mode is decoded: its fallbacks, its schema, and checks across fields or against the clock. */
interface Mode<P> {
  readonly fallbacks: Fallbacks
  /** A fix other than "correct it in the file" for some keys. */
  readonly fixes?: { readonly [key: string]: (name: string) => string }
  readonly decode: (raw: RawProfile) => Effect.Effect<P, ParseResult.ParseIssue>
  readonly check: (profile: P, ctx: Ctx) => Effect.Effect<P, InvalidConfiguration>
}

const accept = <P>(profile: P): Effect.Effect<P, InvalidConfiguration> => Effect.succeed(profile)

const mode = <F extends Schema.Struct.Fields>(
  fallbacks: Fallbacks,
  fields: (required: RequiredField) => F
) => {
  const schema = Schema.Struct(fields(requiredField(fallbacks)))
  return {
    fallbacks,
    decode: (raw: RawProfile) => ParseResult.decodeUnknown(schema, { errors: "first", onExcessProperty: "ignore" })(raw)
  }
}

/** A mode whose decoded fields still need arranging into the model. */
const mapped = <A, B>(
  m: Pick<Mode<A>, "fallbacks" | "decode">,
  f: (a: A) => B
): Pick<Mode<B>, "fallbacks" | "decode"> => ({
  fallbacks: m.fallbacks,
  decode: (raw) => Effect.map(m.decode(raw), f)
})

const accessKeyFallbacks = { access_key_id: ACCESS_KEY_ID, access_key_secret: ACCESS_KEY_SECRET }

const assumeRole = (required: RequiredField) => ({
  roleArn: required("ram_role_arn", Text),
  roleSessionName: optional("ram_session_name", Text),
  durationSeconds: optionalDuration("expired_seconds"),
  stsRegion: optional("sts_region", Region),
  policy: optional("policy", Text),
  externalId: optional("external_id", Text)
})

const configureFix = (name: string) => `correct it in the file, or run \`aliyun configure --profile ${name}\``
const cloudSsoFix = (name: string) => `sign in again with \`aliyun configure --profile ${name} --mode CloudSSO\``
const oauthFix = (name: string) => `sign in again with \`aliyun configure --profile ${name} --mode OAuth\``

const siteTypes = "it must be CN or INTL"

/** `oauth_site_type`, in any case, as CN or INTL. */
const SiteType = Text.pipe(
  Schema.filter((s) => !isBlank(s), { message: () => `is missing; ${siteTypes}` }),
  Schema.compose(
    Schema.transform(Schema.String, Schema.String, {
      strict: true,
      decode: (s) => s.trim().toUpperCase(),
      encode: (s) => s
    })
  ),
  Schema.compose(Schema.Literal("CN", "INTL").annotations({ message: () => `is not supported; ${siteTypes}` }))
)

type Runner<P> = (raw: RawProfile, ctx: Ctx) => Effect.Effect<P, InvalidConfiguration>

/** `profiles["<name>"].<key>`: how an error names a key of a profile. */
export const profileField = (name: string, key: string) => `profiles[${JSON.stringify(name)}].${key}`

/** An error on one key of one profile: names the key, the profile and the file. */
export const invalidField = (path: string, name: string, key: string, reason: string, fix = configureFix(name)) =>
  new InvalidConfiguration({ source, field: profileField(name, key), reason: `${reason} in ${path}`, fix })

/** A mode's decoder: fallbacks filled in, the schema, the first issue as an error, then the checks. */
const define = <P>(def: Mode<P>): Runner<P> => (raw, ctx) =>
  withFallbacks(raw, def.fallbacks).pipe(
    Effect.flatMap(def.decode),
    Effect.mapError((issue) => {
      const { message, path } = firstIssue(issue)
      const key = path.length === 0 ? "mode" : String(path[0])
      return invalidField(ctx.path, ctx.name, key, message ?? "has the wrong type", def.fixes?.[key]?.(ctx.name))
    }),
    Effect.flatMap((profile) => def.check(profile, ctx))
  )

const modes: { readonly [M in CliProfile["_tag"]]: Runner<Extract<CliProfile, { readonly _tag: M }>> } = {
  AK: define({
    ...mode(accessKeyFallbacks, (required) => ({
      _tag: tag("AK"),
      name: Name,
      accessKeyId: required("access_key_id", Text),
      accessKeySecret: required("access_key_secret", Secret)
    })),
    check: accept
  }),
  StsToken: define({
    ...mode({ ...accessKeyFallbacks, sts_token: SECURITY_TOKEN }, (required) => ({
      _tag: tag("StsToken"),
      name: Name,
      accessKeyId: required("access_key_id", Text),
      accessKeySecret: required("access_key_secret", Secret),
      stsToken: required("sts_token", Secret)
    })),
    check: accept
  }),
  RamRoleArn: define({
    ...mode({ ...accessKeyFallbacks, ram_role_arn: ROLE_ARN }, (required) => ({
      _tag: tag("RamRoleArn"),
      name: Name,
      accessKeyId: required("access_key_id", Text),
      accessKeySecret: required("access_key_secret", Secret),
      ...assumeRole(required),
      stsEndpoint: optional("sts_endpoint", Text),
      enableVpc: optional("enable_vpc", Flag)
    })),
    check: accept
  }),
  EcsRamRole: define({
    ...mode({}, () => ({ _tag: tag("EcsRamRole"), name: Name, roleName: optional("ram_role_name", RoleName) })),
    check: accept
  }),
  OIDC: define({
    ...mapped(
      mode({
        ram_role_arn: ROLE_ARN,
        oidc_provider_arn: "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        oidc_token_file: "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
      }, (required) => ({
        _tag: tag("OIDC"),
        name: Name,
        roleArn: required("ram_role_arn", Text),
        oidcProviderArn: required("oidc_provider_arn", Text),
        oidcTokenFile: required("oidc_token_file", Text),
        roleSessionName: optional("ram_session_name", Text),
        // `duration_seconds` is what Node reads, `expired_seconds` what Java reads: the first wins.
        durationSeconds: optionalDuration("duration_seconds"),
        expiredSeconds: optionalDuration("expired_seconds"),
        stsRegion: optional("sts_region", Region),
        enableVpc: optional("enable_vpc", Flag)
      })),
      ({ expiredSeconds, ...profile }) =>
        profile.durationSeconds !== undefined || expiredSeconds === undefined
          ? profile
          : { ...profile, durationSeconds: expiredSeconds }
    ),
    check: accept
  }),
  ChainableRamRoleArn: define({
    ...mode({ ram_role_arn: ROLE_ARN }, (required) => ({
      _tag: tag("ChainableRamRoleArn"),
      name: Name,
      sourceProfile: required("source_profile", Text),
      ...assumeRole(required)
    })),
    check: accept
  }),
  CloudSSO: define({
    // The token comes first, as in the official tool: a lapsed sign-in is the usual failure. That
    // it has lapsed is seen against the clock, once every key is valid.
    ...mode({}, (required) => ({
      _tag: tag("CloudSSO"),
      name: Name,
      accessToken: required("access_token", Secret),
      accessTokenExpire: required(
        "cloud_sso_access_token_expire",
        UnixTime.pipe(Schema.filter((t) => DateTime.toEpochMillis(t) !== 0, { message: () => "is missing" }))
      ),
      signInUrl: required(
        "cloud_sso_sign_in_url",
        Text.pipe(Schema.filter((u) => URL.canParse(u), { message: () => "is not a URL" }))
      ),
      accountId: required("cloud_sso_account_id", Text),
      accessConfig: required("cloud_sso_access_config", Text)
    })),
    fixes: { access_token: cloudSsoFix, cloud_sso_access_token_expire: cloudSsoFix },
    check: (profile, ctx) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        DateTime.toEpochMillis(profile.accessTokenExpire) <= now
          ? Effect.fail(
            invalidField(
              ctx.path,
              ctx.name,
              "cloud_sso_access_token_expire",
              "has passed: the CloudSSO sign-in has expired",
              cloudSsoFix(ctx.name)
            )
          )
          : Effect.succeed(profile))
  }),
  OAuth: define({
    ...mode({}, () => ({
      _tag: tag("OAuth"),
      name: Name,
      siteType: Schema.propertySignature(SiteType).annotations({ missingMessage: () => `is missing; ${siteTypes}` })
        .pipe(Schema.fromKey("oauth_site_type")),
      refreshToken: optional("oauth_refresh_token", Secret),
      accessToken: optional("oauth_access_token", Secret),
      accessTokenExpire: optionalUnixTime("oauth_access_token_expire")
    })),
    fixes: { oauth_refresh_token: oauthFix },
    // With neither token there is nothing to exchange; the official tool fails later, at the HTTP call.
    check: (profile, ctx) =>
      profile.refreshToken === undefined && profile.accessToken === undefined
        ? Effect.fail(
          invalidField(
            ctx.path,
            ctx.name,
            "oauth_refresh_token",
            "is missing (and so is oauth_access_token)",
            oauthFix(ctx.name)
          )
        )
        : Effect.succeed(profile)
  }),
  External: define({
    ...mode(
      {},
      (required) => ({ _tag: tag("External"), name: Name, processCommand: required("process_command", Text) })
    ),
    check: accept
  })
}

// ---------------------------------------------------------------------------------------------
// Decoding the selected profile
// ---------------------------------------------------------------------------------------------

const isMode = (mode: string): mode is CliProfile["_tag"] => (supportedModes as ReadonlyArray<string>).includes(mode)

const supported = `supported modes: ${supportedModes.join(", ")}`

/** `mode`, checked before anything else: it says which schema applies. */
const ModeKey = Schema.Struct({
  mode: Schema.propertySignature(
    Text.pipe(
      Schema.filter((s) => !isBlank(s), { message: () => `is empty; ${supported}` }),
      Schema.filter(isMode, {
        message: (issue) =>
          `is ${JSON.stringify(issue.actual)}, which is not supported${
            typeof issue.actual === "string" ? didYouMean(issue.actual, supportedModes) : ""
          }; ${supported}`
      })
    )
  ).annotations({ missingMessage: () => `is missing; ${supported}` })
})

/**
 * Decodes the profile `raw` (named `name`) of `config` for its mode. A missing or unknown mode, a
 * missing, empty or mistyped key, or a value nested absurdly deep: `InvalidConfiguration` naming
 * `profiles["<name>"].<key>` and the file, never the value.
 */
export const decodeProfile = (
  config: CliConfig,
  raw: RawProfile,
  name: string
): Effect.Effect<CliProfile, InvalidConfiguration> => {
  const ctx: Ctx = { path: config.path, name }
  // The profile sits at level 3 of the file (top, profiles, the profile).
  const deep = tooDeep(raw, maxDepth - 2)
  if (deep !== undefined) {
    const [key, ...rest] = deep
    const under = rest.length === 0 ? "" : ` (under ${jsonPath(rest)})`
    return Effect.fail(
      invalidField(
        ctx.path,
        name,
        String(key),
        `nests arrays or objects deeper than ${maxDepth} levels in the file${under}`
      )
    )
  }
  return ParseResult.decodeUnknown(ModeKey, { onExcessProperty: "ignore" })(raw).pipe(
    Effect.mapError((issue) => invalidField(ctx.path, name, "mode", firstIssue(issue).message ?? "has the wrong type")),
    Effect.flatMap(({ mode }): Effect.Effect<CliProfile, InvalidConfiguration> => modes[mode](raw, ctx))
  )
}
