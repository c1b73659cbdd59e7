// Schemas for the keys of a credentials file's profile or section (config.json, the ini file): a
// key that must hold a value, a key that may be unset, and the official tools' quirk of reading an
// environment variable when a required key is empty. Messages say what is wrong with a key, never
// what it holds (see parseIssue.ts for how they are read).
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { describeValue } from "../decode/parseIssue.js"

/** A message for a value of the wrong type: "must be a string, got a number". */
export const got = (expected: string) => (issue: ParseResult.ParseIssue): string =>
  `must be ${expected}, got ${describeValue(issue.actual)}`

/**
 * An optional key: `from` checks the value, `isSet` says whether it counts as set (aliyun-cli writes
 * unused keys as "" or 0), `to` turns it into the model's value. Unset keys are left out.
 */
export const optional = <A, I, B>(
  key: string,
  from: Schema.Schema<A, I>,
  to: Schema.Schema<B, A>,
  isSet: (a: A) => boolean
) => Schema.optionalToOptional(from, to, { decode: Option.filter(isSet), encode: (o) => o }).pipe(Schema.fromKey(key))

/**
 * The variables the official builders read when a required key is empty or absent (a quirk kept
 * so that a file that works with the official tool works here), by key.
 */
export type Fallbacks = { readonly [key: string]: string }

/**
 * A key that must hold non-empty text (`text` checks that it is text and says so), then decoded
 * with `schema`. Its "missing" and "empty" messages name the key's fallback variable, if any.
 */
export const requiredField =
  (text: Schema.Schema<string, string>, fallbacks: Fallbacks) => <A>(key: string, schema: Schema.Schema<A, string>) => {
    const fallback = fallbacks[key]
    const unset = fallback === undefined ? "" : ` (and ${fallback}, which the official tool falls back to, is not set)`
    return Schema.propertySignature(
      text.pipe(Schema.filter((s) => s !== "", { message: () => `is empty${unset}` }), Schema.compose(schema))
    ).annotations({ missingMessage: () => `is missing${unset}` }).pipe(Schema.fromKey(key))
  }

export type RequiredField = ReturnType<typeof requiredField>

const fromEnv = (variable: string): Effect.Effect<Option.Option<string>> =>
  Config.option(Config.string(variable)).pipe(
    Effect.map(Option.filter((s) => s.length > 0)),
    Effect.orElseSucceed(() => Option.none())
  )

const widen = <V>(fields: { readonly [key: string]: V }): { readonly [key: string]: V | string } => fields

/** `fields` with each empty or absent fallback key taken from its variable, when that is set. */
export const withFallbacks = <V>(
  fields: { readonly [key: string]: V },
  fallbacks: Fallbacks
): Effect.Effect<{ readonly [key: string]: V | string }> =>
  Effect.reduce(Object.entries(fallbacks), widen<V>(fields), (out, [key, variable]) => {
    const value = Object.hasOwn(out, key) ? out[key] : undefined
    return value !== undefined && value !== ""
      ? Effect.succeed(out)
      : Effect.map(fromEnv(variable), Option.match({ onNone: () => out, onSome: (env) => ({ ...out, [key]: env }) }))
  })
