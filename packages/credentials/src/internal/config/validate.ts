// Validation of user-given options. Options come from TypeScript and from plain JavaScript (the
// Promise facade), so every field is checked at run time: missing, wrong type, empty. Messages name
// the field and never repeat its value, which may be a secret.
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { InvalidConfiguration } from "../../CredentialsError.js"

export interface Field {
  readonly source: string
  readonly field: string
  readonly fix: string
}

const invalid = (field: Field, reason: string) => new InvalidConfiguration({ ...field, reason })

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

// A UTF-16 surrogate without its pair: not text, and it cannot be percent-encoded for signing.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Whether `text` is well-formed Unicode (no lone surrogate). */
export const isWellFormed = (text: string): boolean => !loneSurrogate.test(text)

/** A string of well-formed Unicode, not empty nor only whitespace. */
export const requiredString = (field: Field, value: unknown): Effect.Effect<string, InvalidConfiguration> =>
  value === undefined
    ? Effect.fail(invalid(field, "is missing"))
    : typeof value !== "string"
    ? Effect.fail(invalid(field, `must be a string, got ${describe(value)}`))
    : value.length === 0
    ? Effect.fail(invalid(field, "is empty"))
    : value.trim().length === 0
    ? Effect.fail(invalid(field, "is empty (only whitespace)"))
    : !isWellFormed(value)
    ? Effect.fail(invalid(field, "is not valid Unicode (it holds a lone UTF-16 surrogate)"))
    : Effect.succeed(value)

/** A non-empty secret, given as a string or as a `Redacted` string; returned `Redacted`. */
export const requiredSecret = (
  field: Field,
  value: unknown
): Effect.Effect<Redacted.Redacted<string>, InvalidConfiguration> =>
  Redacted.isRedacted(value)
    ? Effect.map(requiredString(field, Redacted.value(value)), () => value as Redacted.Redacted<string>)
    : Effect.map(requiredString(field, value), Redacted.make)

/** A string that may be absent (undefined); present means non-empty. */
export const optionalString = (
  field: Field,
  value: unknown
): Effect.Effect<string | undefined, InvalidConfiguration> =>
  value === undefined ? Effect.succeed(undefined) : requiredString(field, value)

/** A Duration option; a bad value (a string Effect cannot read, a negative number) is InvalidConfiguration. */
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
