// The one set of rules for every configuration input: the Effect options, the facade's `Config`
// and builders, a config.json profile, an ini section, the environment. Each input is decoded by
// these schemas, so a field means the same wherever it is written:
//
// - text: empty or only whitespace is "not set" (as the official tools treat it); anything else
//   must be text of well-formed Unicode;
// - numbers and booleans accept their string forms ("1800", "true", "false"), which the aliyun CLI,
//   a hand edit or a string-typed facade field produce; "yes", "1" or "on" are refused, where the
//   official client takes any non-empty string as true (see docs/migration.md);
// - a region is case-folded ("CN-Hangzhou" is cn-hangzhou) and must then be `[a-z0-9-]+`;
// - the environment is read through one reader (`env`, `envSecret`), where unset, empty and only
//   whitespace are all "not set"; a flag variable is "true" or "false" in any case, and anything
//   else is refused naming the variable (the official client silently takes it as false);
// - what is refused names the field and where it came from (`Origin`), never the value (it may be
//   a secret).
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { InvalidConfiguration } from "../../CredentialsError.js"
import { describeValue } from "../decode/parseIssue.js"
import { env, isBlank } from "./variables.js"

// The environment reader and the blank rule live in ./variables.ts (no Schema: the environment
// source loads them alone); they are part of these rules.
export { env, envSecret, isBlank } from "./variables.js"

// ---------------------------------------------------------------------------------------------
// Where a value came from
// ---------------------------------------------------------------------------------------------

/** Where a field was written: what an error names, so the user knows what to edit. */
export type Origin =
  | { readonly _tag: "Option"; readonly field: string }
  | { readonly _tag: "Variable"; readonly name: string }
  | { readonly _tag: "Profile"; readonly path: string; readonly profile: string; readonly key: string }
  | { readonly _tag: "ConfigKey"; readonly key: string }

export const option = (field: string): Origin => ({ _tag: "Option", field })
export const variable = (name: string): Origin => ({ _tag: "Variable", name })
export const profileKey = (path: string, profile: string, key: string): Origin => ({
  _tag: "Profile",
  path,
  profile,
  key
})
export const configKey = (key: string): Origin => ({ _tag: "ConfigKey", key })

/** The origin as an error's `field`: `roleArn`, `ALIBABA_CLOUD_STS_REGION`, `sts_region (profile "p" of …)`. */
export const describeOrigin = (origin: Origin): string => {
  switch (origin._tag) {
    case "Option":
      return origin.field
    case "Variable":
      return origin.name
    case "Profile":
      return `${origin.key} (profile "${origin.profile}" of ${origin.path})`
    case "ConfigKey":
      return `Config.${origin.key}`
  }
}

// ---------------------------------------------------------------------------------------------
// The field schemas
// ---------------------------------------------------------------------------------------------

// A UTF-16 surrogate without its pair: not text, and it cannot be percent-encoded for signing.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Whether `text` is well-formed Unicode (no lone surrogate). */
export const isWellFormed = (text: string): boolean => !loneSurrogate.test(text)

const typeError = (expected: string) => (actual: unknown) => `must be ${expected}, got ${describeValue(actual)}`

class Refused {
  constructor(readonly message: string) {}
}

const check = <A>(to: Schema.Schema<A>, read: (u: unknown) => A | Refused): Schema.Schema<A, unknown> =>
  Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(to), {
    strict: true,
    decode: (u, _, ast) => {
      const result = read(u)
      return result instanceof Refused
        ? ParseResult.fail(new ParseResult.Type(ast, u, result.message))
        : ParseResult.succeed(result)
    },
    encode: ParseResult.succeed
  })

const readText = (u: unknown): string | Refused =>
  typeof u !== "string"
    ? new Refused(typeError("a string")(u))
    : isWellFormed(u)
    ? u
    : new Refused("is not valid Unicode (it holds a lone UTF-16 surrogate)")

/** Text of well-formed Unicode (blank values never reach it: see `decodeOptional`). */
export const Text: Schema.Schema<string, unknown> = check(Schema.String, readText)

/** The longest RAM role name: RAM's CreateRole takes 1 to 64 characters. */
const maxRoleNameLength = 64

/**
 * Why `text` cannot be a RAM role name, or `undefined`: more than 64 characters, or a control
 * character. One rule for a configured name and one the metadata service lists, since either goes
 * into a request path and an error line (the characters themselves are encoded into one path
 * segment, so any other may stay).
 */
export const roleNameProblem = (text: string): string | undefined => {
  const length = [...text].length
  if (length > maxRoleNameLength) {
    return `is ${length} characters long (a RAM role name has 1 to ${maxRoleNameLength})`
  }
  const control = /\p{Cc}/u.exec(text)
  return control === null ?
    undefined :
    `holds a control character (U+${
      control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")
    } at ${control.index})`
}

/** A RAM role name: `Text`, and `roleNameProblem` finds nothing. */
export const RoleName: Schema.Schema<string, unknown> = check(Schema.String, (u) => {
  const text = readText(u)
  const problem = text instanceof Refused ? undefined : roleNameProblem(text)
  return problem === undefined ? text : new Refused(problem)
})

/** `true`/`false`, or their string forms in any case. */
export const Flag: Schema.Schema<boolean, unknown> = check(Schema.Boolean, (u) => {
  if (typeof u === "boolean") return u
  const text = typeof u === "string" ? u.trim().toLowerCase() : undefined
  return text === "true"
    ? true
    : text === "false"
    ? false
    : new Refused(text === undefined ? typeError("true or false")(u) : "must be true or false")
})

/** A whole number, or its decimal string form ("1800"). */
export const WholeNumber: Schema.Schema<number, unknown> = check(Schema.Number, (u) => {
  const n = typeof u === "number" ? u : typeof u === "string" && /^\s*-?\d+\s*$/.test(u) ? Number(u) : undefined
  return n !== undefined && Number.isSafeInteger(n) ? n : new Refused(typeError("a whole number")(u))
})

const regionPattern = /^[a-z0-9-]+$/

/** A region ID as it goes into a host name: case-folded, then `[a-z0-9-]+` (e.g. cn-hangzhou). */
export const Region: Schema.Schema<string, unknown> = check(Schema.String, (u) => {
  if (typeof u !== "string") return new Refused(typeError("a string")(u))
  const folded = u.trim().toLowerCase()
  return regionPattern.test(folded)
    ? folded
    : new Refused("is not a region ID (letters, digits and -, e.g. cn-hangzhou)")
})

// ---------------------------------------------------------------------------------------------
// Decoding one field
// ---------------------------------------------------------------------------------------------

const messageOf = (error: ParseResult.ParseError): string => {
  const issue = error.issue
  // the first message a schema of this module gave; else a generic one (never the value)
  const find = (i: ParseResult.ParseIssue): string | undefined => {
    if ("message" in i && typeof i.message === "string" && i.message !== "") return i.message
    if ("issue" in i && i.issue !== undefined) return find(i.issue as ParseResult.ParseIssue)
    if ("issues" in i) {
      const issues = i.issues as ReadonlyArray<ParseResult.ParseIssue> | ParseResult.ParseIssue
      return find(Array.isArray(issues) ? issues[0] : issues as ParseResult.ParseIssue)
    }
    return undefined
  }
  return find(issue) ?? "is not valid"
}

export interface FieldSpec<A> {
  readonly source: string
  readonly origin: Origin
  readonly schema: Schema.Schema<A, unknown>
  /** What to write instead, e.g. `use e.g. cn-hangzhou`. */
  readonly fix: string
}

const invalid = (spec: Pick<FieldSpec<unknown>, "source" | "origin" | "fix">, reason: string) =>
  new InvalidConfiguration({ source: spec.source, field: describeOrigin(spec.origin), reason, fix: spec.fix })

const decodeGiven = <A>(spec: FieldSpec<A>, value: unknown): Effect.Effect<A, InvalidConfiguration> =>
  Effect.mapError(Schema.decodeUnknown(spec.schema)(value), (error) => invalid(spec, messageOf(error)))

/** A field that may be unset: blank is `undefined`, anything else is decoded by the schema. */
export const decodeOptional = <A>(
  spec: FieldSpec<A>,
  value: unknown
): Effect.Effect<A | undefined, InvalidConfiguration> =>
  isBlank(value) ? Effect.succeed(undefined) : decodeGiven(spec, value)

/**
 * A field that must be set: undefined "is missing", blank "is empty"; `null` is refused by the
 * schema ("must be a string, got null"), which says more than "missing" to who wrote it.
 */
export const decodeRequired = <A>(
  spec: FieldSpec<A>,
  value: unknown,
  unsetReason = value === undefined ? "is missing" : "is empty"
): Effect.Effect<A, InvalidConfiguration> =>
  value === null
    ? decodeGiven(spec, value)
    : Effect.flatMap(
      decodeOptional(spec, value),
      (a) => a === undefined ? Effect.fail(invalid(spec, unsetReason)) : Effect.succeed(a)
    )

/**
 * A secret that must be set, given as text or as a `Redacted` text: checked as `Text` (the error
 * never holds it) and returned `Redacted`.
 */
export const decodeSecret = (
  spec: Omit<FieldSpec<unknown>, "schema">,
  value: unknown
): Effect.Effect<Redacted.Redacted<string>, InvalidConfiguration> =>
  Redacted.isRedacted(value)
    ? Effect.as(decodeRequired({ ...spec, schema: Text }, Redacted.value(value)), value as Redacted.Redacted<string>)
    : Effect.map(decodeRequired({ ...spec, schema: Text }, value), Redacted.make)

/** A `Duration` option (a `DurationInput`); one Effect cannot read, or a negative one, is refused. */
export const decodeDuration = (
  source: string,
  field: string,
  input: Duration.DurationInput
): Effect.Effect<Duration.Duration, InvalidConfiguration> =>
  Option.match(Duration.decodeUnknown(input), {
    onNone: () =>
      Effect.fail(
        new InvalidConfiguration({
          source,
          field,
          reason: "is not a duration",
          fix: "pass a Duration, e.g. Duration.seconds(5) or \"5 seconds\""
        })
      ),
    onSome: Effect.succeed
  })

// ---------------------------------------------------------------------------------------------
// The environment: one reader, one rule for blanks
// ---------------------------------------------------------------------------------------------

/** A flag variable: unset or blank is false; "true"/"false" in any case; anything else is refused naming it. */
export const envFlag = (source: string, name: string): Effect.Effect<boolean, InvalidConfiguration> =>
  Effect.flatMap(env(name), (value) =>
    Option.match(value, {
      onNone: () => Effect.succeed(false),
      onSome: (text) =>
        decodeGiven(
          { source, origin: variable(name), schema: Flag, fix: `write true or false, or unset ${name}` },
          text
        )
    }))

/** What a field given in code (or a file), else its variable, holds, and where it was written. */
export interface Setting<A> {
  readonly value: A
  readonly origin: Origin
}

/** The fields of a setting that falls back to a variable. */
export type FallbackSpec<A> = Omit<FieldSpec<A>, "origin"> & { readonly field: string; readonly variable: string }

/**
 * A field given in code (or a file), else its variable, decoded by the same schema; the error
 * names whichever was used. Blank in code is "not set", as in the official tools.
 */
export const setting = <A>(
  spec: FallbackSpec<A>,
  value: unknown
): Effect.Effect<Setting<A> | undefined, InvalidConfiguration> => {
  const decodeAt = (origin: Origin, input: unknown) =>
    Effect.map(decodeGiven({ ...spec, origin }, input), (a): Setting<A> => ({ value: a, origin }))
  return isBlank(value)
    ? Effect.flatMap(env(spec.variable), (fromEnv) =>
      Option.match(fromEnv, {
        onNone: () => Effect.succeed(undefined),
        onSome: (text) => decodeAt(variable(spec.variable), text)
      }))
    : decodeAt(option(spec.field), value)
}

/** `setting`, the value only. */
export const optionOrEnv = <A>(
  spec: FallbackSpec<A>,
  value: unknown
): Effect.Effect<A | undefined, InvalidConfiguration> => Effect.map(setting(spec, value), (found) => found?.value)

/** A required field left unset in code and in its variable: the error names both. */
export const unsetWithVariable = (spec: Omit<FallbackSpec<unknown>, "schema">, value: unknown): InvalidConfiguration =>
  new InvalidConfiguration({
    source: spec.source,
    field: spec.field,
    reason: `${value === undefined || value === null ? "is missing" : "is empty"} and ${spec.variable} is not set`,
    fix: spec.fix
  })

/** `optionOrEnv` for a field that must be set somewhere. */
export const requiredOrEnv = <A>(spec: FallbackSpec<A>, value: unknown): Effect.Effect<A, InvalidConfiguration> =>
  Effect.flatMap(
    optionOrEnv(spec, value),
    (a) => a === undefined ? Effect.fail(unsetWithVariable(spec, value)) : Effect.succeed(a)
  )

/**
 * A flag given in code, or-ed with its variable, as the official tools do: `true` in code wins,
 * else the variable decides (so `false` in code does not turn off a variable set to true).
 */
export const flagOrEnv = (
  spec: { readonly source: string; readonly field: string; readonly variable: string },
  value: unknown
): Effect.Effect<boolean, InvalidConfiguration> =>
  Effect.flatMap(
    decodeOptional({ source: spec.source, origin: option(spec.field), schema: Flag, fix: "pass true or false" }, value),
    (given) => given === true ? Effect.succeed(true) : envFlag(spec.source, spec.variable)
  )
