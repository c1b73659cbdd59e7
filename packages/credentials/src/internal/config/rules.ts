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
// - what is refused names the field and where it came from (`Origin`), never the value (it may be
//   a secret).
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidConfiguration } from "../../CredentialsError.js"
import { describeValue } from "../decode/parseIssue.js"

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
      return `the variable ${origin.name}`
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

/** Empty or only whitespace: the official tools' "not set". */
export const isBlank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === "string" && value.trim().length === 0)

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

/** Text of well-formed Unicode (blank values never reach it: see `decodeOptional`). */
export const Text: Schema.Schema<string, unknown> = check(Schema.String, (u) =>
  typeof u !== "string"
    ? new Refused(typeError("a string")(u))
    : isWellFormed(u)
    ? u
    : new Refused("is not valid Unicode (it holds a lone UTF-16 surrogate)"))

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

/** A field that may be unset: blank is `undefined`, anything else is decoded by the schema. */
export const decodeOptional = <A>(
  spec: FieldSpec<A>,
  value: unknown
): Effect.Effect<A | undefined, InvalidConfiguration> =>
  isBlank(value)
    ? Effect.succeed(undefined)
    : Effect.mapError(
      Schema.decodeUnknown(spec.schema)(value),
      (error) => invalid(spec, messageOf(error))
    )

/** A field that must be set: blank is an error that says it is missing or empty. */
export const decodeRequired = <A>(
  spec: FieldSpec<A>,
  value: unknown,
  unsetReason = value === undefined || value === null ? "is missing" : "is empty"
): Effect.Effect<A, InvalidConfiguration> =>
  Effect.flatMap(
    decodeOptional(spec, value),
    (a) => a === undefined ? Effect.fail(invalid(spec, unsetReason)) : Effect.succeed(a)
  )

// ---------------------------------------------------------------------------------------------
// The environment: one reader, one rule for blanks
// ---------------------------------------------------------------------------------------------

/** A variable through `Config`: unset, empty or only whitespace is absent. */
export const env = (name: string): Effect.Effect<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((value) => !isBlank(value))),
    Effect.orElseSucceed(() => Option.none())
  )

/**
 * A field given in code (or a file), else its variable, decoded by the same schema; the error
 * names whichever was used.
 */
export const optionOrEnv = <A>(
  spec: Omit<FieldSpec<A>, "origin"> & { readonly field: string; readonly variable: string },
  value: unknown
): Effect.Effect<A | undefined, InvalidConfiguration> =>
  isBlank(value)
    ? Effect.flatMap(env(spec.variable), (fromEnv) =>
      Option.match(fromEnv, {
        onNone: () => Effect.succeed(undefined),
        onSome: (text) => decodeOptional({ ...spec, origin: variable(spec.variable) }, text)
      }))
    : decodeOptional({ ...spec, origin: option(spec.field) }, value)
