// The keys of a credentials file's profile or section (config.json, the ini file), decoded by the
// rules every configuration input shares (rules.ts: blank is "not set", numbers and booleans take
// their string forms, regions are case-folded): a key that may be unset, a key that must hold a
// value, and the official tools' quirk of reading a variable when a required key is blank.
// Messages say what is wrong with a key, never what it holds (see parseIssue.ts for how they are
// read).
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { describeValue } from "../decode/parseIssue.js"
import { env, isBlank, Text } from "./rules.js"

/** A message for a value of the wrong type: "must be a string, got a number". */
export const got = (expected: string) => (issue: ParseResult.ParseIssue): string =>
  `must be ${expected}, got ${describeValue(issue.actual)}`

/** A secret: text, held as `Redacted` from here on. */
export const Secret: Schema.Schema<Redacted.Redacted<string>, unknown> = Text.pipe(
  Schema.compose(Schema.Redacted(Schema.String))
)

/** `schema`, but a blank value (empty, only whitespace, null) is `undefined`: not set. */
const unlessBlank = <A>(schema: Schema.Schema<A, unknown>): Schema.Schema<A | undefined, unknown> =>
  Schema.transformOrFail(Schema.Unknown, Schema.UndefinedOr(Schema.typeSchema(schema)), {
    strict: true,
    decode: (value) => (isBlank(value) ? ParseResult.succeed(undefined) : ParseResult.decodeUnknown(schema)(value)),
    encode: ParseResult.succeed
  })

/**
 * An optional key: blank or absent is unset; else `schema` decodes it, and `isSet` says whether the
 * result counts as set (aliyun-cli writes unused numbers as 0). Unset keys are left out.
 */
export const optional = <A>(key: string, schema: Schema.Schema<A, unknown>, isSet: (a: A) => boolean = () => true) =>
  Schema.optionalToOptional(unlessBlank(schema), Schema.typeSchema(schema), {
    decode: Option.filter((a): a is A => a !== undefined && isSet(a)),
    encode: identity
  }).pipe(Schema.fromKey(key))

/**
 * The variables the official builders read when a required key is blank or absent (a quirk kept
 * so that a file that works with the official tool works here), by key.
 */
export type Fallbacks = { readonly [key: string]: string }

/**
 * A key that must hold a value, decoded with `schema`. Its "missing" and "empty" messages name the
 * key's fallback variable, if any.
 */
export const requiredField = (fallbacks: Fallbacks) => <A>(key: string, schema: Schema.Schema<A, unknown>) => {
  const fallback = fallbacks[key]
  const unset = fallback === undefined ? "" : ` (and ${fallback}, which the official tool falls back to, is not set)`
  const filled = Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(schema), {
    strict: true,
    decode: (value, _, ast) =>
      isBlank(value)
        ? ParseResult.fail(new ParseResult.Type(ast, value, `is empty${unset}`))
        : ParseResult.decodeUnknown(schema)(value),
    encode: ParseResult.succeed
  })
  return Schema.propertySignature(filled)
    .annotations({ missingMessage: () => `is missing${unset}` })
    .pipe(Schema.fromKey(key))
}

export type RequiredField = ReturnType<typeof requiredField>

const widen = <V>(fields: { readonly [key: string]: V }): { readonly [key: string]: V | string } => fields

/** `fields` with each blank or absent fallback key taken from its variable, when that is set. */
export const withFallbacks = <V>(
  fields: { readonly [key: string]: V },
  fallbacks: Fallbacks
): Effect.Effect<{ readonly [key: string]: V | string }> =>
  Effect.reduce(
    Object.entries(fallbacks),
    widen(fields),
    (out, [key, variable]) =>
      !isBlank(Object.hasOwn(out, key) ? out[key] : undefined)
        ? Effect.succeed(out)
        : Effect.map(env(variable), Option.match({ onNone: () => out, onSome: (value) => ({ ...out, [key]: value }) }))
  )
