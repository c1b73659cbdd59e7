// JSON from outside (an upstream's answer, a helper's output), decoded so that it cannot die:
// any text gives a value or a description of what is wrong, never a throw. Nesting is bounded on
// the text itself, before JSON.parse builds anything, because Schema formats a value recursively
// and `[` × 200,000 would overflow the stack there.
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { describeParseError } from "./parseIssue.js"

/**
 * The deepest nesting of arrays and objects accepted in any JSON from outside (an upstream's
 * answer, a helper's output, config.json): the one depth rule. No credential needs more than
 * three levels.
 */
export const maxDepth = 64

/** Whether `text` opens more than `limit` arrays or objects at once (brackets in strings do not count). */
export const isNestedDeeper = (text: string, limit = maxDepth): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash: the next character is escaped
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/**
 * JSON text decoded with `schema`; Left describes what is wrong, naming the field, never a value
 * ("the body is not valid JSON", "Credentials.Expiration cannot be read").
 */
export const decodeJson = <A, I>(
  schema: Schema.Schema<A, I>,
  text: string,
  what = "the body"
): Either.Either<A, string> => {
  if (isNestedDeeper(text)) return Either.left(`${what} is nested more than ${maxDepth} levels deep`)
  try {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return Either.left(`${what} is not valid JSON`)
    }
    return Schema.decodeUnknownEither(schema, { errors: "all" })(value).pipe(
      Either.mapLeft((error) => describeParseError(error, what))
    )
  } catch {
    // A defect of a decoder (a transformation that throws on an absurd value) is a malformed answer.
    return Either.left(`${what} cannot be decoded`)
  }
}
