// The profiles of ~/.aliyun/config.json: the model (one member per mode) and a Schema per mode
// that decodes a profile's JSON object into it, each field with its own message.
//
// Only the selected profile (and its source profiles) is decoded, as in the official tool: a broken
// profile that nobody selects does not break the others. Messages name the file, the profile and
// the JSON key, never a value: the schemas below use only String, Number, Boolean, our own filters
// and transformations, and every message is ours (see ../parseIssue.ts).
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { InvalidConfiguration } from "../../../CredentialsError.js"
import { type Fallbacks, got, optional, type RequiredField, requiredField, withFallbacks } from "../../config/fields.js"
import { firstIssue, jsonPath } from "../../decode/parseIssue.js"
import { type CliConfig, MAX_JSON_DEPTH, type RawProfile, source, tooDeep } from "./file.js"

// ---------------------------------------------------------------------------------------------
// The model, one member per mode
// ---------------------------------------------------------------------------------------------

/** Static AccessKey (`static_ak`). */
export interface AkProfile {
  readonly _tag: "AK"
  readonly name: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
}

/** Static STS token (`static_sts`), never refreshed. */
export interface StsTokenProfile {
  readonly _tag: "StsToken"
  readonly name: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsToken: Redacted.Redacted<string>
}

/** The role options shared by the AssumeRole modes; absent means "the STS source's default". */
export interface AssumeRoleFields {
  readonly roleArn: string
  readonly roleSessionName?: string
  /** From `expired_seconds`; 0 or absent means the default (3600). */
  readonly durationSeconds?: number
  readonly stsRegion?: string
  /** Sent, as the Java tool does (the Node tool ignores it): see docs/config-files.md. */
  readonly policy?: string
  /** Sent, as the Java tool does (the Node tool ignores it). */
  readonly externalId?: string
}

/**
 * AssumeRole with the profile's own AccessKey pair (`ram_role_arn`). A leftover `sts_token` is not
 * read, as in the official Node tool: the request is signed with the pair alone.
 */
export interface RamRoleArnProfile extends AssumeRoleFields {
  readonly _tag: "RamRoleArn"
  readonly name: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsEndpoint?: string
  /** false and absent both leave it to ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED, as in the official tool. */
  readonly enableVpc?: boolean
}

/** The instance's RAM role from the metadata service; no name means "ask the metadata service". */
export interface EcsRamRoleProfile {
  readonly _tag: "EcsRamRole"
  readonly name: string
  readonly roleName?: string
}

/** AssumeRoleWithOIDC (`oidc_role_arn`); the token file is re-read on every refresh. */
export interface OidcProfile {
  readonly _tag: "OIDC"
  readonly name: string
  readonly roleArn: string
  readonly oidcProviderArn: string
  readonly oidcTokenFile: string
  readonly roleSessionName?: string
  /** `duration_seconds` (what Node reads), else `expired_seconds` (what Java reads). */
  readonly durationSeconds?: number
  readonly stsRegion?: string
  readonly enableVpc?: boolean
}

/**
 * AssumeRole with the credential of another profile (`sourceProfileChain` walks the links). As in
 * the official Node tool, `sts_endpoint` and `enable_vpc` are not read here: the endpoint follows
 * `sts_region` and ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED.
 */
export interface ChainableRamRoleArnProfile extends AssumeRoleFields {
  readonly _tag: "ChainableRamRoleArn"
  readonly name: string
  readonly sourceProfile: string
}

/** CloudSSO: the CLI's sign-in token buys STS credentials; the library never renews that token. */
export interface CloudSsoProfile {
  readonly _tag: "CloudSSO"
  readonly name: string
  readonly signInUrl: string
  readonly accountId: string
  readonly accessConfig: string
  readonly accessToken: Redacted.Redacted<string>
  readonly accessTokenExpire: DateTime.Utc
}

/** OAuth: a refresh token renews the access token, which is exchanged for STS credentials. */
export interface OAuthProfile {
  readonly _tag: "OAuth"
  readonly name: string
  readonly siteType: "CN" | "INTL"
  readonly refreshToken?: Redacted.Redacted<string>
  readonly accessToken?: Redacted.Redacted<string>
  readonly accessTokenExpire?: DateTime.Utc
}

/** A command whose standard output is a credential (JSON, mode AK or StsToken). */
export interface ExternalProfile {
  readonly _tag: "External"
  readonly name: string
  readonly processCommand: string
}

export type CliProfile =
  | AkProfile
  | StsTokenProfile
  | RamRoleArnProfile
  | EcsRamRoleProfile
  | OidcProfile
  | ChainableRamRoleArnProfile
  | CloudSsoProfile
  | OAuthProfile
  | ExternalProfile

export const supportedModes: ReadonlyArray<CliProfile["_tag"]> = [
  "AK",
  "StsToken",
  "RamRoleArn",
  "EcsRamRole",
  "OIDC",
  "ChainableRamRoleArn",
  "CloudSSO",
  "OAuth",
  "External"
]

// ---------------------------------------------------------------------------------------------
// Field schemas: each message says what is wrong with the key, never what the key holds
// ---------------------------------------------------------------------------------------------

const Text = Schema.String.annotations({ message: got("a string") })

/** A whole number of seconds (0 included). */
const Seconds = Schema.Number.annotations({ message: got("a number") }).pipe(
  Schema.filter((n) => Number.isSafeInteger(n) && n >= 0, { message: () => "must be a whole number of seconds" })
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

const Flag = Schema.Boolean.annotations({ message: got("true or false") })

const Secret = Schema.Redacted(Schema.String)

// aliyun-cli writes every key, unused ones as "" (numbers as 0): empty and absent both mean unset.
const optionalText = (key: string) => optional(key, Text, Schema.String, (s) => s !== "")
const optionalSecret = (key: string) => optional(key, Text, Secret, (s) => s !== "")
const optionalDuration = (key: string) => optional(key, DurationSeconds, Schema.Number, (n) => n !== 0)
const optionalUnixTime = (key: string) =>
  optional(key, UnixTime, Schema.DateTimeUtcFromSelf, (t) => DateTime.toEpochMillis(t) !== 0)
const optionalFlag = (key: string) => optional(key, Flag, Schema.Boolean, () => true)

/** The required keys of a mode, with the variables the official tool falls back to. */
const required = (fallbacks: Fallbacks) => requiredField(Text, fallbacks)

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
  const schema = Schema.Struct(fields(required(fallbacks)))
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
  roleArn: required("ram_role_arn", Schema.String),
  roleSessionName: optionalText("ram_session_name"),
  durationSeconds: optionalDuration("expired_seconds"),
  stsRegion: optionalText("sts_region"),
  policy: optionalText("policy"),
  externalId: optionalText("external_id")
})

const configureFix = (name: string) => `correct it in the file, or run \`aliyun configure --profile ${name}\``
const cloudSsoFix = (name: string) => `sign in again with \`aliyun configure --profile ${name} --mode CloudSSO\``
const oauthFix = (name: string) => `sign in again with \`aliyun configure --profile ${name} --mode OAuth\``

const siteTypes = "it must be CN or INTL"

/** `oauth_site_type`, in any case, as CN or INTL. */
const SiteType = Text.pipe(
  Schema.filter((s) => s !== "", { message: () => `is missing; ${siteTypes}` }),
  Schema.filter((s) => s.toUpperCase() === "CN" || s.toUpperCase() === "INTL", {
    message: () => `is not supported; ${siteTypes}`
  }),
  Schema.compose(
    Schema.transform(Schema.String, Schema.Literal("CN", "INTL"), {
      strict: false,
      decode: (s) => s.toUpperCase(),
      encode: (s) => s
    })
  )
)

type Runner<P> = (raw: RawProfile, ctx: Ctx) => Effect.Effect<P, InvalidConfiguration>

const profileField = (name: string, key: string) => `profiles[${JSON.stringify(name)}].${key}`

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
      accessKeyId: required("access_key_id", Schema.String),
      accessKeySecret: required("access_key_secret", Secret)
    })),
    check: accept
  }),
  StsToken: define({
    ...mode({ ...accessKeyFallbacks, sts_token: SECURITY_TOKEN }, (required) => ({
      _tag: tag("StsToken"),
      name: Name,
      accessKeyId: required("access_key_id", Schema.String),
      accessKeySecret: required("access_key_secret", Secret),
      stsToken: required("sts_token", Secret)
    })),
    check: accept
  }),
  RamRoleArn: define({
    ...mode({ ...accessKeyFallbacks, ram_role_arn: ROLE_ARN }, (required) => ({
      _tag: tag("RamRoleArn"),
      name: Name,
      accessKeyId: required("access_key_id", Schema.String),
      accessKeySecret: required("access_key_secret", Secret),
      ...assumeRole(required),
      stsEndpoint: optionalText("sts_endpoint"),
      enableVpc: optionalFlag("enable_vpc")
    })),
    check: accept
  }),
  EcsRamRole: define({
    ...mode({}, () => ({ _tag: tag("EcsRamRole"), name: Name, roleName: optionalText("ram_role_name") })),
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
        roleArn: required("ram_role_arn", Schema.String),
        oidcProviderArn: required("oidc_provider_arn", Schema.String),
        oidcTokenFile: required("oidc_token_file", Schema.String),
        roleSessionName: optionalText("ram_session_name"),
        // `duration_seconds` is what Node reads, `expired_seconds` what Java reads: the first wins.
        durationSeconds: optionalDuration("duration_seconds"),
        expiredSeconds: optionalDuration("expired_seconds"),
        stsRegion: optionalText("sts_region"),
        enableVpc: optionalFlag("enable_vpc")
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
      sourceProfile: required("source_profile", Schema.String),
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
      accessTokenExpire: Schema.propertySignature(
        UnixTime.pipe(Schema.filter((t) => DateTime.toEpochMillis(t) !== 0, { message: () => "is missing" }))
      ).annotations({ missingMessage: () => "is missing" }).pipe(Schema.fromKey("cloud_sso_access_token_expire")),
      signInUrl: required(
        "cloud_sso_sign_in_url",
        Schema.String.pipe(Schema.filter((u) => URL.canParse(u), { message: () => "is not a URL" }))
      ),
      accountId: required("cloud_sso_account_id", Schema.String),
      accessConfig: required("cloud_sso_access_config", Schema.String)
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
      refreshToken: optionalSecret("oauth_refresh_token"),
      accessToken: optionalSecret("oauth_access_token"),
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
      (required) => ({ _tag: tag("External"), name: Name, processCommand: required("process_command", Schema.String) })
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
      Schema.filter((s) => s !== "", { message: () => `is empty; ${supported}` }),
      Schema.filter(isMode, {
        message: (issue) => `is ${JSON.stringify(issue.actual)}, which is not supported; ${supported}`
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
  const deep = tooDeep(raw, MAX_JSON_DEPTH - 2)
  if (deep !== undefined) {
    const [key, ...rest] = deep
    const under = rest.length === 0 ? "" : ` (under ${jsonPath(rest)})`
    return Effect.fail(
      invalidField(
        ctx.path,
        name,
        String(key),
        `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels in the file${under}`
      )
    )
  }
  return ParseResult.decodeUnknown(ModeKey, { onExcessProperty: "ignore" })(raw).pipe(
    Effect.mapError((issue) => invalidField(ctx.path, name, "mode", firstIssue(issue).message ?? "has the wrong type")),
    Effect.flatMap(({ mode }): Effect.Effect<CliProfile, InvalidConfiguration> => modes[mode](raw, ctx))
  )
}
