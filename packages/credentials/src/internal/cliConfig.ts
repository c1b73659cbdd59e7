// The aliyun CLI profile file, `~/.aliyun/config.json`: read it, pick a profile, decode that
// profile for its mode, follow `ChainableRamRoleArn` links, and write refreshed tokens back.
//
// Only the selected profile (and its source profiles) is decoded, as in the official tool: a broken
// profile that nobody selects does not break the others. Error messages name the file, the profile
// and the JSON key, never a value: the file holds AccessKey secrets and tokens (the official Node
// tool prints the whole file when it is not JSON; we do not).
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { InvalidConfiguration, NotConfigured } from "../CredentialsError.js"
import { describePlatformError, errnoCode, readTextFile } from "./boundedFile.js"

const source = "cli_profile"

// ---------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------

/** `<home>/.aliyun/config.json`, the only place the official tools look (no variable moves it). */
export const defaultCliConfigPath = (home: string): string => `${home.replace(/[\\/]+$/, "")}/.aliyun/config.json`

/** One entry of `profiles`, undecoded: its fields are checked only when it is selected. */
export type RawProfile = { readonly [key: string]: unknown }

// Every leaf carries its own message: Schema's default ones quote the input ("actual ..."), and
// `exact` optionals keep "Expected undefined, actual <value>" out of the issues.
const RawProfileSchema = Schema.Record({ key: Schema.String, value: Schema.Unknown })
  .annotations({ message: () => "must be a JSON object" })

/** The file's shape: `current` and `profiles`; aliyun-cli's other keys are ignored. */
export const CliConfigFile = Schema.Struct({
  current: Schema.optionalWith(Schema.String.annotations({ message: () => "must be a string" }), { exact: true }),
  profiles: Schema.optionalWith(
    Schema.Array(RawProfileSchema).annotations({ message: () => "must be an array" }),
    { exact: true }
  )
}).annotations({ message: () => "must be a JSON object" })

export interface CliConfig {
  /** Where it was read from; every error names it. */
  readonly path: string
  /** The default profile's name; an empty string counts as unset. */
  readonly current: string | undefined
  readonly profiles: ReadonlyArray<RawProfile>
}

const notConfiguredFix = "run `aliyun configure` to create it (and choose a profile with ALIBABA_CLOUD_PROFILE), " +
  "or set ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true to skip this source"

const fileError = (path: string, reason: string, fix: string) =>
  new InvalidConfiguration({ source, field: path, reason, fix })

/**
 * Reads the file as text through the bounded reader (regular files only, 10 MiB at most): missing
 * is `onMissing()`, anything else that stops the read is `InvalidConfiguration` naming the file.
 */
export const readText = (
  path: string,
  onMissing: () => NotConfigured,
  errorSource: string
): Effect.Effect<string, NotConfigured | InvalidConfiguration, FileSystem.FileSystem> =>
  readTextFile(path, { source: errorSource }).pipe(Effect.catchTag("FileNotFound", () => Effect.fail(onMissing())))

const parseJsonText = (path: string, text: string): Effect.Effect<unknown, InvalidConfiguration> =>
  Schema.decodeUnknown(Schema.parseJson())(text).pipe(
    Effect.mapError(() => {
      const at = jsonErrorOffset(text)
      const where = at === undefined ? "" : at >= text.length ? ": it ends too early" : `: ${lineColumn(text, at)}`
      return fileError(path, `is not valid JSON${where}`, "correct the JSON (or move the file away and run `aliyun configure` again)")
    })
  )

/** "profiles[1]" from a Schema issue path. */
const jsonPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`),
    ""
  )

/**
 * The path and our own message of the first issue of a parse error. Schema's formatters are not
 * used: they print the offending value (a secret, or a value nested deep enough to overflow the
 * stack while it is printed). This walk follows the schema's shape, never the value's.
 */
export const firstIssue = (
  issue: ParseResult.ParseIssue
): { readonly path: ReadonlyArray<PropertyKey>; readonly message: string | undefined } => {
  const path: Array<PropertyKey> = []
  let message: string | undefined = undefined
  let current: ParseResult.ParseIssue | undefined = issue
  while (current !== undefined) {
    if (current._tag !== "Pointer") message = ownMessage(current) ?? message
    switch (current._tag) {
      case "Pointer":
        if (Array.isArray(current.path)) path.push(...(current.path as ReadonlyArray<PropertyKey>))
        else path.push(current.path as PropertyKey)
        current = current.issue
        break
      case "Composite":
        current = Array.isArray(current.issues)
          ? (current.issues as ReadonlyArray<ParseResult.ParseIssue>)[0]
          : current.issues as ParseResult.ParseIssue
        break
      case "Refinement":
      case "Transformation":
        current = current.issue
        break
      case "Missing":
        message = message ?? "is missing"
        current = undefined
        break
      default:
        current = undefined
    }
  }
  return { path, message }
}

// Only messages annotated with a plain function returning text (ours) are used.
const ownMessage = (issue: Exclude<ParseResult.ParseIssue, ParseResult.Pointer>): string | undefined =>
  issue._tag === "Unexpected" ? undefined : Option.match(AST.getMessageAnnotation(issue.ast), {
    onNone: () => undefined,
    onSome: (annotation) => {
      const out = annotation(issue)
      return typeof out === "string" ? out : Predicate.hasProperty(out, "message") && typeof out.message === "string" ? out.message : undefined
    }
  })

const shapeError = (path: string, error: ParseResult.ParseError): InvalidConfiguration => {
  const issue = firstIssue(error.issue)
  const at = issue.path.length === 0 ? "the top level" : jsonPath(issue.path)
  // Only our own annotated messages are used; a stray default one could quote the value.
  const what = issue.message !== undefined && issue.message.startsWith("must be") ? issue.message : "has the wrong type"
  return fileError(path, `is not an aliyun CLI config: ${at} ${what}`, "correct the file, or run `aliyun configure` again")
}

/** How deep JSON may nest before it is refused: aliyun-cli writes 3 levels. */
export const MAX_JSON_DEPTH = 64

/**
 * The key path (at most the first `keep` keys) to the first array or object nested deeper than
 * `limit` levels (the top value is level 1), or undefined. Iterative: any depth is safe.
 */
export const tooDeep = (value: unknown, limit = MAX_JSON_DEPTH): ReadonlyArray<PropertyKey> | undefined => {
  const stack: Array<{ readonly value: unknown; readonly depth: number; readonly path: ReadonlyArray<PropertyKey> }> = [
    { value, depth: 1, path: [] }
  ]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (typeof top.value !== "object" || top.value === null) continue
    if (top.depth > limit) return top.path
    const entries: ReadonlyArray<readonly [PropertyKey, unknown]> = Array.isArray(top.value)
      ? top.value.map((v, i) => [i, v] as const)
      : Object.entries(top.value)
    for (const [key, v] of entries) {
      if (typeof v === "object" && v !== null) {
        stack.push({ value: v, depth: top.depth + 1, path: top.path.length < 3 ? [...top.path, key] : top.path })
      }
    }
  }
  return undefined
}

const deepReason = (where: ReadonlyArray<PropertyKey>) =>
  `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels${where.length === 0 ? "" : ` (under ${jsonPath(where)})`}`

const decodeFile = (path: string, text: string) =>
  parseJsonText(path, text).pipe(
    Effect.flatMap((json) =>
      Schema.decodeUnknown(CliConfigFile)(json).pipe(Effect.mapError((error) => shapeError(path, error)))
    )
  )

/**
 * Reads and checks the shape of the file. Missing: `NotConfigured` (a chain moves on). Unreadable,
 * not JSON, or the wrong shape: `InvalidConfiguration` naming the file and where it breaks.
 */
export const readCliConfig = (
  path: string
): Effect.Effect<CliConfig, NotConfigured | InvalidConfiguration, FileSystem.FileSystem> =>
  readText(path, () => new NotConfigured({ source, reason: `${path} does not exist`, fix: notConfiguredFix }), source)
    .pipe(
      Effect.flatMap((text) => decodeFile(path, text)),
      Effect.map((file) => ({
        path,
        current: file.current === undefined || file.current === "" ? undefined : file.current,
        profiles: file.profiles ?? []
      }))
    )

// ---------------------------------------------------------------------------------------------
// The profile model, one member per mode
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
  /** false and absent both leave it to ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED, as in the official tool. */
  readonly enableVpc?: boolean
  readonly policy?: string
  readonly externalId?: string
}

/** AssumeRole with the profile's own AccessKey (`ram_role_arn`). */
export interface RamRoleArnProfile extends AssumeRoleFields {
  readonly _tag: "RamRoleArn"
  readonly name: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsToken?: Redacted.Redacted<string>
  readonly stsEndpoint?: string
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

/** AssumeRole with the credential of another profile (`sourceProfileChain` walks the links). */
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
// Field readers: each names `profiles["<name>"].<key>` and the file, never the value
// ---------------------------------------------------------------------------------------------

interface Ctx {
  readonly path: string
  readonly name: string
  readonly raw: RawProfile
}

const profileField = (name: string, key: string) => `profiles[${JSON.stringify(name)}].${key}`

const configureFix = (name: string) => `correct it in the file, or run \`aliyun configure --profile ${name}\``

const invalid = (ctx: Ctx, key: string, reason: string, fix = configureFix(ctx.name)) =>
  new InvalidConfiguration({ source, field: profileField(ctx.name, key), reason: `${reason} in ${ctx.path}`, fix })

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

const value = (ctx: Ctx, key: string): unknown => (Object.hasOwn(ctx.raw, key) ? ctx.raw[key] : undefined)

/** aliyun-cli writes every key, unused ones as "": empty and absent both mean "not set". */
const optionalText = (ctx: Ctx, key: string): Effect.Effect<string | undefined, InvalidConfiguration> => {
  const v = value(ctx, key)
  return v === undefined || v === ""
    ? Effect.succeed(undefined)
    : typeof v === "string"
    ? Effect.succeed(v)
    : Effect.fail(invalid(ctx, key, `must be a string, got ${describe(v)}`))
}

// The official builders fall back to these variables when the file's field is empty (a quirk we
// keep, so a profile that works with the official tool works here).
const fromEnv = (variable: string): Effect.Effect<Option.Option<string>> =>
  Config.option(Config.string(variable)).pipe(
    Effect.map(Option.filter((s) => s.length > 0)),
    Effect.orElseSucceed(() => Option.none())
  )

const requiredText = (
  ctx: Ctx,
  key: string,
  fallback?: string
): Effect.Effect<string, InvalidConfiguration> =>
  Effect.flatMap(optionalText(ctx, key), (text) => {
    if (text !== undefined) return Effect.succeed(text)
    const missing = value(ctx, key) === undefined ? "is missing" : "is empty"
    if (fallback === undefined) return Effect.fail(invalid(ctx, key, missing))
    return Effect.flatMap(fromEnv(fallback), (env) =>
      Option.isSome(env)
        ? Effect.succeed(env.value)
        : Effect.fail(invalid(ctx, key, `${missing} (and ${fallback}, which the official tool falls back to, is not set)`)))
  })

const requiredSecret = (ctx: Ctx, key: string, fallback?: string) =>
  Effect.map(requiredText(ctx, key, fallback), Redacted.make)

const optionalSecret = (ctx: Ctx, key: string) =>
  Effect.map(optionalText(ctx, key), (text) => (text === undefined ? undefined : Redacted.make(text)))

const optionalNumber = (ctx: Ctx, key: string): Effect.Effect<number | undefined, InvalidConfiguration> => {
  const v = value(ctx, key)
  return v === undefined || v === 0
    ? Effect.succeed(undefined)
    : typeof v !== "number"
    ? Effect.fail(invalid(ctx, key, `must be a number, got ${describe(v)}`))
    : !Number.isSafeInteger(v) || v < 0
    ? Effect.fail(invalid(ctx, key, "must be a whole number of seconds"))
    : Effect.succeed(v)
}

/** A session duration: 0 or absent means the default; below 900 s the official builders refuse it. */
const durationSeconds = (ctx: Ctx, key: string) =>
  Effect.flatMap(optionalNumber(ctx, key), (n) =>
    n !== undefined && n < 900
      ? Effect.fail(invalid(ctx, key, "must be at least 900 seconds (or 0 for the default, 3600)"))
      : Effect.succeed(n))

const unixSeconds = (ctx: Ctx, key: string): Effect.Effect<DateTime.Utc | undefined, InvalidConfiguration> =>
  Effect.flatMap(optionalNumber(ctx, key), (n) =>
    n === undefined
      ? Effect.succeed(undefined)
      : Option.match(DateTime.make(n * 1000), {
        onNone: () => Effect.fail(invalid(ctx, key, "is not a valid unix time")),
        onSome: (utc) => Effect.succeed(DateTime.toUtc(utc))
      }))

const optionalFlag = (ctx: Ctx, key: string): Effect.Effect<boolean | undefined, InvalidConfiguration> => {
  const v = value(ctx, key)
  return v === undefined || typeof v === "boolean"
    ? Effect.succeed(v)
    : Effect.fail(invalid(ctx, key, `must be true or false, got ${describe(v)}`))
}

/** Keeps an optional model key out of the object when it has no value (exactOptionalPropertyTypes). */
const opt = <K extends string, V>(key: K, v: V | undefined): { readonly [P in K]?: V } =>
  (v === undefined ? {} : { [key]: v }) as { readonly [P in K]?: V }

const ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
const ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
const SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"
const ROLE_ARN = "ALIBABA_CLOUD_ROLE_ARN"

const accessKey = (ctx: Ctx) =>
  Effect.all({
    accessKeyId: requiredText(ctx, "access_key_id", ACCESS_KEY_ID),
    accessKeySecret: requiredSecret(ctx, "access_key_secret", ACCESS_KEY_SECRET)
  })

const assumeRole = (ctx: Ctx) =>
  Effect.gen(function*() {
    const roleArn = yield* requiredText(ctx, "ram_role_arn", ROLE_ARN)
    return {
      roleArn,
      ...opt("roleSessionName", yield* optionalText(ctx, "ram_session_name")),
      ...opt("durationSeconds", yield* durationSeconds(ctx, "expired_seconds")),
      ...opt("stsRegion", yield* optionalText(ctx, "sts_region")),
      ...opt("enableVpc", yield* optionalFlag(ctx, "enable_vpc")),
      ...opt("policy", yield* optionalText(ctx, "policy")),
      ...opt("externalId", yield* optionalText(ctx, "external_id"))
    }
  })

const cloudSsoFix = (name: string) => `sign in again with \`aliyun configure --profile ${name} --mode CloudSSO\``

const decoders: { readonly [M in CliProfile["_tag"]]: (ctx: Ctx) => Effect.Effect<CliProfile, InvalidConfiguration> } = {
  AK: (ctx) => Effect.map(accessKey(ctx), (ak) => ({ _tag: "AK", name: ctx.name, ...ak })),
  StsToken: (ctx) =>
    Effect.gen(function*() {
      const ak = yield* accessKey(ctx)
      const stsToken = yield* requiredSecret(ctx, "sts_token", SECURITY_TOKEN)
      return { _tag: "StsToken", name: ctx.name, ...ak, stsToken }
    }),
  RamRoleArn: (ctx) =>
    Effect.gen(function*() {
      const ak = yield* accessKey(ctx)
      const stsToken = yield* optionalSecret(ctx, "sts_token")
      const role = yield* assumeRole(ctx)
      const stsEndpoint = yield* optionalText(ctx, "sts_endpoint")
      return { _tag: "RamRoleArn", name: ctx.name, ...ak, ...opt("stsToken", stsToken), ...role, ...opt("stsEndpoint", stsEndpoint) }
    }),
  EcsRamRole: (ctx) =>
    Effect.map(optionalText(ctx, "ram_role_name"), (roleName) => ({ _tag: "EcsRamRole", name: ctx.name, ...opt("roleName", roleName) })),
  OIDC: (ctx) =>
    Effect.gen(function*() {
      const roleArn = yield* requiredText(ctx, "ram_role_arn", ROLE_ARN)
      const oidcProviderArn = yield* requiredText(ctx, "oidc_provider_arn", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN")
      const oidcTokenFile = yield* requiredText(ctx, "oidc_token_file", "ALIBABA_CLOUD_OIDC_TOKEN_FILE")
      const duration = (yield* durationSeconds(ctx, "duration_seconds")) ?? (yield* durationSeconds(ctx, "expired_seconds"))
      return {
        _tag: "OIDC",
        name: ctx.name,
        roleArn,
        oidcProviderArn,
        oidcTokenFile,
        ...opt("roleSessionName", yield* optionalText(ctx, "ram_session_name")),
        ...opt("durationSeconds", duration),
        ...opt("stsRegion", yield* optionalText(ctx, "sts_region")),
        ...opt("enableVpc", yield* optionalFlag(ctx, "enable_vpc"))
      }
    }),
  ChainableRamRoleArn: (ctx) =>
    Effect.gen(function*() {
      const sourceProfile = yield* requiredText(ctx, "source_profile")
      const role = yield* assumeRole(ctx)
      return { _tag: "ChainableRamRoleArn", name: ctx.name, sourceProfile, ...role }
    }),
  CloudSSO: (ctx) =>
    Effect.gen(function*() {
      // The token is checked first, as in the official tool: an expired login is the usual failure.
      const fix = cloudSsoFix(ctx.name)
      const accessToken = yield* requiredSecret(ctx, "access_token").pipe(
        Effect.mapError((e) => new InvalidConfiguration({ ...fieldsOf(e), fix }))
      )
      const expire = yield* unixSeconds(ctx, "cloud_sso_access_token_expire")
      if (expire === undefined) return yield* invalid(ctx, "cloud_sso_access_token_expire", "is missing", fix)
      const now = yield* Clock.currentTimeMillis
      if (DateTime.toEpochMillis(expire) <= now) {
        return yield* invalid(ctx, "cloud_sso_access_token_expire", "has passed: the CloudSSO sign-in has expired", fix)
      }
      const signInUrl = yield* requiredText(ctx, "cloud_sso_sign_in_url")
      if (!URL.canParse(signInUrl)) return yield* invalid(ctx, "cloud_sso_sign_in_url", "is not a URL")
      return {
        _tag: "CloudSSO",
        name: ctx.name,
        signInUrl,
        accountId: yield* requiredText(ctx, "cloud_sso_account_id"),
        accessConfig: yield* requiredText(ctx, "cloud_sso_access_config"),
        accessToken,
        accessTokenExpire: expire
      }
    }),
  OAuth: (ctx) =>
    Effect.gen(function*() {
      const site = yield* optionalText(ctx, "oauth_site_type")
      const siteType = site?.toUpperCase()
      if (siteType !== "CN" && siteType !== "INTL") {
        return yield* invalid(ctx, "oauth_site_type", `${site === undefined ? "is missing" : "is not supported"}; it must be CN or INTL`)
      }
      const refreshToken = yield* optionalSecret(ctx, "oauth_refresh_token")
      const accessToken = yield* optionalSecret(ctx, "oauth_access_token")
      // With neither token there is nothing to exchange; the official tool fails later, at the HTTP call.
      if (refreshToken === undefined && accessToken === undefined) {
        return yield* invalid(ctx, "oauth_refresh_token", "is missing (and so is oauth_access_token)", `sign in again with \`aliyun configure --profile ${ctx.name} --mode OAuth\``)
      }
      return {
        _tag: "OAuth",
        name: ctx.name,
        siteType,
        ...opt("refreshToken", refreshToken),
        ...opt("accessToken", accessToken),
        ...opt("accessTokenExpire", yield* unixSeconds(ctx, "oauth_access_token_expire"))
      }
    }),
  External: (ctx) =>
    Effect.map(requiredText(ctx, "process_command"), (processCommand) => ({ _tag: "External", name: ctx.name, processCommand }))
}

const fieldsOf = (e: InvalidConfiguration) => ({ source: e.source, field: e.field, reason: e.reason })

const isMode = (mode: string): mode is CliProfile["_tag"] => (supportedModes as ReadonlyArray<string>).includes(mode)

const decodeProfile = (config: CliConfig, raw: RawProfile, name: string): Effect.Effect<CliProfile, InvalidConfiguration> => {
  const ctx: Ctx = { path: config.path, name, raw }
  // The profile sits at level 3 of the file (top, profiles, the profile).
  const deep = tooDeep(raw, MAX_JSON_DEPTH - 2)
  if (deep !== undefined) {
    const [key, ...rest] = deep
    const under = rest.length === 0 ? "" : ` (under ${jsonPath(rest)})`
    return Effect.fail(invalid(ctx, String(key), `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels in the file${under}`))
  }
  const mode = value(ctx, "mode")
  const modes = supportedModes.join(", ")
  if (mode === undefined || mode === "") return Effect.fail(invalid(ctx, "mode", `${mode === undefined ? "is missing" : "is empty"}; supported modes: ${modes}`))
  if (typeof mode !== "string") return Effect.fail(invalid(ctx, "mode", `must be a string, got ${describe(mode)}`))
  if (!isMode(mode)) {
    return Effect.fail(invalid(ctx, "mode", `is ${JSON.stringify(mode)}, which is not supported; supported modes: ${modes}`))
  }
  return decoders[mode](ctx)
}

// ---------------------------------------------------------------------------------------------
// Selection and chains
// ---------------------------------------------------------------------------------------------

const profileNames = (config: CliConfig): ReadonlyArray<string> =>
  config.profiles.flatMap((p) => (typeof p.name === "string" && p.name !== "" ? [p.name] : []))

const findRaw = (config: CliConfig, name: string): RawProfile | undefined =>
  config.profiles.find((p) => p.name === name)

const listNames = (config: CliConfig) => {
  const names = profileNames(config)
  return names.length === 0 ? "none has a name" : names.map((n) => JSON.stringify(n)).join(", ")
}

/**
 * The profile named `name` (given in code or by ALIBABA_CLOUD_PROFILE; the caller decides), else
 * the file's `current`, decoded for its mode.
 *
 * No profiles at all, or a requested name that is not in the file: `NotConfigured` (the name is
 * shared with the ini file's section, which may be where that profile lives). A `current` that
 * names no profile, an unknown mode or a bad field: `InvalidConfiguration`.
 */
export const selectProfile = (
  config: CliConfig,
  name: string | undefined
): Effect.Effect<CliProfile, InvalidConfiguration | NotConfigured> => {
  if (config.profiles.length === 0) {
    return Effect.fail(new NotConfigured({ source, reason: `${config.path} has no profiles`, fix: notConfiguredFix }))
  }
  const requested = name === undefined || name === "" ? undefined : name
  const chosen = requested ?? config.current
  if (chosen === undefined) {
    return Effect.fail(
      new InvalidConfiguration({
        source,
        field: "current",
        reason: `is not set in ${config.path}, and no profile name was given`,
        fix: `set ALIBABA_CLOUD_PROFILE to one of ${listNames(config)}, or run \`aliyun configure\``
      })
    )
  }
  const raw = findRaw(config, chosen)
  if (raw === undefined) {
    const reason = `there is no profile ${JSON.stringify(chosen)} in ${config.path}; profiles: ${listNames(config)}`
    return requested !== undefined
      ? Effect.fail(new NotConfigured({ source, reason, fix: `choose one of those names (ALIBABA_CLOUD_PROFILE), or run \`aliyun configure --profile ${chosen}\`` }))
      : Effect.fail(new InvalidConfiguration({ source, field: "current", reason: `names ${JSON.stringify(chosen)}, but ${reason}`, fix: "run `aliyun configure` to set the current profile" }))
  }
  return decodeProfile(config, raw, chosen)
}

/**
 * The profiles behind `profile`, root first and `profile` last: for a `ChainableRamRoleArn`, its
 * `source_profile`, that one's source, and so on to a profile of another mode. A missing source
 * profile or a cycle (`a -> b -> a`) is an `InvalidConfiguration`; the walk never loops.
 */
export const sourceProfileChain = (
  config: CliConfig,
  profile: CliProfile
): Effect.Effect<readonly [CliProfile, ...Array<CliProfile>], InvalidConfiguration> =>
  Effect.gen(function*() {
    const walk: Array<CliProfile> = [profile]
    let current = profile
    while (current._tag === "ChainableRamRoleArn") {
      const ctx: Ctx = { path: config.path, name: current.name, raw: {} }
      const next = current.sourceProfile
      const seen = walk.findIndex((p) => p.name === next)
      if (seen !== -1) {
        const cycle = [...walk.slice(seen).map((p) => p.name), next].join(" -> ")
        return yield* invalid(ctx, "source_profile", `makes a cycle of source profiles: ${cycle}`, "make the last profile of the chain use another mode (AK, EcsRamRole, ...)")
      }
      const raw = findRaw(config, next)
      if (raw === undefined) {
        return yield* invalid(ctx, "source_profile", `names ${JSON.stringify(next)}, which is not a profile; profiles: ${listNames(config)}`)
      }
      current = yield* decodeProfile(config, raw, next)
      walk.push(current)
    }
    const [root, ...rest] = walk.reverse()
    return [root!, ...rest] as const
  })

// ---------------------------------------------------------------------------------------------
// Writing back
// ---------------------------------------------------------------------------------------------

export interface WriteOptions {
  /** The permission bits of the new file. Default 0600: the file holds secrets. */
  readonly mode?: number | undefined
}

/** A rename that cannot work for this target (a bind-mounted file): write in place instead. */
const renameImpossible = (error: PlatformError.PlatformError) =>
  error._tag === "SystemError" && (error.reason === "Busy" || errnoCode(error) === "EBUSY" || errnoCode(error) === "EXDEV")

const writeAndSync = (
  fs: FileSystem.FileSystem,
  path: string,
  flag: "wx" | "w",
  bytes: Uint8Array,
  mode: number
) =>
  Effect.scoped(
    Effect.flatMap(fs.open(path, { flag, mode }), (file) => Effect.zipRight(file.writeAll(bytes), file.sync))
  )

/** Why a replacement failed: the step, its error, and the rename's error when writing in place failed too. */
export class WriteFailed extends Data.TaggedError("WriteFailed")<{
  readonly step: "temporary file" | "rename" | "in place"
  readonly error: PlatformError.PlatformError
  readonly renameError?: PlatformError.PlatformError | undefined
}> {
  /** What went wrong, for a message: never a path's content. */
  get detail(): string {
    switch (this.step) {
      case "temporary file":
        return `a temporary file beside it: ${describePlatformError(this.error)}`
      case "rename":
        return `the rename over it: ${describePlatformError(this.error)}`
      case "in place":
        return `the rename over it: ${describePlatformError(this.renameError ?? this.error)}; ` +
          `writing it in place: ${describePlatformError(this.error)}`
    }
  }
}

/** `writeFileAtomic`, saying which step failed (see `WriteFailed`). */
export const replaceFile = (
  path: string,
  content: string,
  options: WriteOptions = {}
): Effect.Effect<void, WriteFailed, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const suffix = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36) + (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    const temp = `${path}.${suffix}.tmp`
    const bytes = new TextEncoder().encode(content)
    const mode = options.mode ?? 0o600
    // `open`'s mode goes through the umask; `chmod` sets exactly the bits asked for.
    const write = writeAndSync(fs, temp, "wx", bytes, 0o600).pipe(
      Effect.zipRight(mode === 0o600 ? Effect.void : fs.chmod(temp, mode)),
      Effect.mapError((error) => new WriteFailed({ step: "temporary file", error }))
    )
    const rename = fs.rename(temp, path).pipe(
      Effect.catchIf(renameImpossible, (renameError) =>
        Effect.zipRight(
          Effect.ignore(fs.remove(temp)),
          writeAndSync(fs, path, "w", bytes, mode).pipe(
            Effect.mapError((error) => new WriteFailed({ step: "in place", error, renameError }))
          )
        )),
      Effect.mapError((error) => error._tag === "WriteFailed" ? error : new WriteFailed({ step: "rename", error }))
    )
    yield* Effect.zipRight(write, rename).pipe(
      Effect.onError(() => Effect.ignore(fs.remove(temp)))
    )
  })

/**
 * Replaces `path` with `content` so that a reader sees the old file or the new one, never half of
 * each: write a temporary file next to it (same directory, so same file system; mode 0600 as it
 * holds secrets, or `options.mode`), flush it, then `rename` it over the target. On failure the
 * temporary file is removed.
 *
 * `path` must be the file itself, not a symbolic link to it (the rename would replace the link):
 * resolve it first. When the rename cannot work for that file (EBUSY or EXDEV: a file bind-mounted
 * into a container), the content is written in place instead, which keeps the file's inode and
 * mode but is not atomic; if that fails too, its error is the result.
 */
export const writeFileAtomic = (
  path: string,
  content: string,
  options: WriteOptions = {}
): Effect.Effect<void, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.mapError(replaceFile(path, content, options), (failure) => failure.error)

/** The keys the official tool writes back after an OAuth exchange or an External command run. */
export interface ProfilePatch {
  readonly accessKeyId?: string
  readonly accessKeySecret?: Redacted.Redacted<string>
  readonly stsToken?: Redacted.Redacted<string>
  /** Written as unix seconds; `null` writes 0, the official tool's "does not expire". */
  readonly stsExpiration?: DateTime.Utc | null
  readonly oauthAccessToken?: Redacted.Redacted<string>
  readonly oauthRefreshToken?: Redacted.Redacted<string>
  readonly oauthAccessTokenExpire?: DateTime.Utc
}

const toUnixSeconds = (t: DateTime.Utc | null) => (t === null ? 0 : Math.floor(DateTime.toEpochMillis(t) / 1000))

// Secrets leave their `Redacted` here only because the file is where the official tools keep them.
const patchEntries = (patch: ProfilePatch): RawProfile => ({
  ...opt("access_key_id", patch.accessKeyId),
  ...opt("access_key_secret", patch.accessKeySecret === undefined ? undefined : Redacted.value(patch.accessKeySecret)),
  ...opt("sts_token", patch.stsToken === undefined ? undefined : Redacted.value(patch.stsToken)),
  ...opt("sts_expiration", patch.stsExpiration === undefined ? undefined : toUnixSeconds(patch.stsExpiration)),
  ...opt("oauth_access_token", patch.oauthAccessToken === undefined ? undefined : Redacted.value(patch.oauthAccessToken)),
  ...opt("oauth_refresh_token", patch.oauthRefreshToken === undefined ? undefined : Redacted.value(patch.oauthRefreshToken)),
  ...opt("oauth_access_token_expire", patch.oauthAccessTokenExpire === undefined ? undefined : toUnixSeconds(patch.oauthAccessTokenExpire))
})

const AnyObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * Re-reads the file, sets the `patch` keys of the profile named `profileName` (the OAuth or
 * External profile itself: the caller resolves `source_profile` links), keeps every other key,
 * profile and their order, and writes it atomically, indented by 4 as the official tool does.
 * If the file is gone, no longer parses or lost that profile, nothing is written.
 */
export const updateProfile = (
  path: string,
  profileName: string,
  patch: ProfilePatch
): Effect.Effect<void, NotConfigured | InvalidConfiguration, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const missing = () => new NotConfigured({ source, reason: `${path} does not exist`, fix: notConfiguredFix })
    // A symbolic link (a dotfile manager's) stays a link: the file it points to is rewritten.
    const target = yield* fs.realPath(path).pipe(
      Effect.mapError((error) =>
        error._tag === "SystemError" && error.reason === "NotFound"
          ? missing()
          : fileError(path, `cannot be resolved (${describePlatformError(error)})`, "make it a readable file (check its permissions)")
      )
    )
    const text = yield* readTextFile(target, { source, field: path }).pipe(
      Effect.catchTag("FileNotFound", () => Effect.fail(missing()))
    )
    // Check the shape with the same schema as readCliConfig, then rebuild from the untouched JSON
    // so that aliyun-cli's keys survive in their places. Writing it back prints all of it, so all
    // of it must be shallow enough to print.
    const json = yield* parseJsonText(path, text)
    const deep = tooDeep(json)
    if (deep !== undefined) {
      return yield* fileError(path, `${deepReason(deep)}, so it is not rewritten`, "remove that value from the file")
    }
    const file = yield* Schema.decodeUnknown(CliConfigFile)(json).pipe(Effect.mapError((e) => shapeError(path, e)))
    const top = yield* Schema.decodeUnknown(AnyObject)(json).pipe(Effect.mapError((e) => shapeError(path, e)))
    const profiles = file.profiles ?? []
    const index = profiles.findIndex((p) => p.name === profileName)
    if (index === -1) {
      return yield* new NotConfigured({
        source,
        reason: `there is no profile ${JSON.stringify(profileName)} in ${path} to update; profiles: ${listNames({ path, current: undefined, profiles })}`,
        fix: `run \`aliyun configure --profile ${profileName}\``
      })
    }
    const entries = patchEntries(patch)
    const updated = { ...top, profiles: profiles.map((p, i) => (i === index ? { ...p, ...entries } : p)) }
    const content = yield* Effect.try({
      try: () => JSON.stringify(updated, null, 4),
      catch: () => fileError(path, "cannot be printed back as JSON", "correct the file, or run `aliyun configure` again")
    })
    const info = yield* fs.stat(target).pipe(
      Effect.mapError((error) =>
        fileError(path, `cannot be examined (${describePlatformError(error)})`, "make it a readable file (check its permissions)")
      )
    )
    yield* replaceFile(target, content, { mode: info.mode & 0o7777 }).pipe(
      Effect.mapError((failure) =>
        new InvalidConfiguration({
          source,
          field: path,
          reason: `cannot be written (${failure.detail})`,
          fix: "make the file and its directory writable by this process"
        })
      )
    )
  })

// ---------------------------------------------------------------------------------------------
// Where JSON breaks, without quoting it
// ---------------------------------------------------------------------------------------------

const lineColumn = (text: string, offset: number): string => {
  const before = text.slice(0, offset)
  const line = before.split("\n").length
  const column = offset - (before.lastIndexOf("\n") + 1) + 1
  return `line ${line}, column ${column}`
}

/**
 * The offset of the first JSON syntax error in `text`, or undefined when there is none. A small
 * scanner of our own: the engine's messages differ between Node versions and some quote the text.
 * Iterative (an explicit stack), so deep nesting cannot overflow.
 */
const jsonNumber = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

export const jsonErrorOffset = (text: string): number | undefined => {
  let i = 0
  const n = text.length
  const skip = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++
  }
  const scalar = (): boolean => {
    const c = text[i]
    if (c === "\"") {
      i++
      while (i < n) {
        const ch = text.charCodeAt(i)
        if (ch === 34) {
          i++
          return true
        }
        if (ch < 0x20) return false
        if (ch === 92) {
          const e = text[i + 1]
          if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6
          else if (e !== undefined && "\"\\/bfnrt".includes(e)) i += 2
          else return false
        } else i++
      }
      return false
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length
        return true
      }
    }
    jsonNumber.lastIndex = i
    if (!jsonNumber.test(text)) return false
    i = jsonNumber.lastIndex
    return true
  }
  // The stack holds the open containers; "}" or "]" closes the top one.
  const stack: Array<"}" | "]"> = []
  for (;;) {
    // Expect a value.
    skip()
    if (text[i] === "{" || text[i] === "[") {
      const close = text[i] === "{" ? "}" : "]"
      i++
      skip()
      if (text[i] === close) {
        i++
      } else {
        stack.push(close)
        if (close === "}") {
          if (text[i] !== "\"" || !scalar()) return i
          skip()
          if (text[i] !== ":") return i
          i++
        }
        continue
      }
    } else if (!scalar()) {
      return i
    }
    // After a value: a comma, a closing bracket, or the end.
    for (;;) {
      skip()
      const top = stack[stack.length - 1]
      if (top === undefined) return i === n ? undefined : i
      if (text[i] === top) {
        stack.pop()
        i++
        continue
      }
      if (text[i] !== ",") return i
      i++
      if (top === "}") {
        skip()
        if (text[i] !== "\"" || !scalar()) return i
        skip()
        if (text[i] !== ":") return i
        i++
      }
      break
    }
  }
}
