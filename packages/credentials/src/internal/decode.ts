// Decoding of wire bodies and files with Schema, with error descriptions that name the field but
// never repeat a value: Schema's own messages quote the input ("Expected string, actual ..."), and
// the input here holds secrets.
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const reasons: Record<ParseResult.ArrayFormatterIssue["_tag"], string> = {
  Missing: "is missing",
  Type: "has the wrong type",
  Unexpected: "is not expected",
  Forbidden: "cannot be decoded",
  Pointer: "is invalid",
  Refinement: "is invalid",
  Transformation: "cannot be read",
  Composite: "is invalid"
}

/** "Credentials.AccessKeyId is missing; Credentials.Expiration cannot be read". */
export const describeParseError = (error: ParseResult.ParseError, what = "the body"): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) =>
      issue.path.length === 0
        ? issue._tag === "Transformation" ? `${what} is not valid JSON` : `${what} ${reasons[issue._tag]}`
        : `${issue.path.map(String).join(".")} ${reasons[issue._tag]}`
    )
    .join("; ")

/** Decodes JSON text with `schema`; the error is whatever `onError` builds from the description. */
export const decodeJson = <A, I, E>(
  schema: Schema.Schema<A, I>,
  text: string,
  onError: (detail: string) => E
): Effect.Effect<A, E> =>
  Schema.decodeUnknown(Schema.parseJson(schema), { errors: "all" })(text).pipe(
    Effect.mapError((error) => onError(describeParseError(error)))
  )

/**
 * A service's own message with every secret of the request cut out: a service or a proxy that
 * echoes a request parameter must not carry a token into an error.
 */
export const scrub = (text: string | undefined, secrets: ReadonlyArray<string>): string | undefined =>
  text === undefined
    ? undefined
    : secrets.filter((secret) => secret.length >= 4).reduce((out, secret) => out.split(secret).join("<redacted>"), text)
