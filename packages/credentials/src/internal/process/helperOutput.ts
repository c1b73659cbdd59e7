// What a credential helper (`process_command`) prints: one JSON object, read as the official Node
// tool reads it (`src/providers/external.ts`), but no error ever repeats the output: it holds
// secrets.
import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { decodeJson, isNestedDeeper } from "../decode/json.js"
import { expirationOf, localZone } from "./expiration.js"

/**
 * The credential a command printed. `mode` is normalized: `"StsToken"` exactly when `stsToken` is
 * there, whatever the output's own `mode` said (see `decodeOutput`).
 */
export interface ExternalOutput {
  readonly mode: "AK" | "StsToken"
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsToken?: Redacted.Redacted<string>
  readonly expiration?: DateTime.Utc
}

// What the official tool (`src/providers/external.ts` of `@alicloud/credentials` 2.4.7) does with
// the parsed output `data`:
//   if (!data || !data.access_key_id || !data.access_key_secret) throw ...
//   if (data.mode === 'StsToken' && !data.sts_token) throw ...
//   credential: access_key_id, access_key_secret, securityToken = data.sts_token
//   expiration: data.expiration ? Math.floor(new Date(data.expiration).getTime() / 1000) : 0, NaN -> 0
// So `mode` is looked at only to demand a token; the JSON falsy values (null, false, 0, "") of a
// field mean "none"; any truthy value is taken as it is.
//
// Ours, field by field:
// - mode: any value, or none. Only exactly "StsToken" demands a token (not "ststoken").
// - access_key_id, access_key_secret: non-empty strings. The official takes any truthy value (a
//   number, an object) and hands it on unconverted; a number may not even be the digits printed
//   (above 2^53). No real key is a number: ours names the field instead.
// - sts_token: a string; null, false, 0 or "" mean none (the official's falsy values). A present
//   token makes the credential an STS credential, whatever `mode` said (the official attaches
//   `sts_token` as the security token in every mode). Other types: an error, as for the keys.
// - expiration: see `expirationOf` (expiration.ts).
const Falsy = Schema.Literal(null, false, 0)

// The falsy values where a field is optional: helpers written in other languages print `null` for "none".
const OutputJson = Schema.Struct({
  mode: Schema.optional(Schema.Unknown),
  access_key_id: Schema.String,
  access_key_secret: Schema.Redacted(Schema.String),
  sts_token: Schema.optional(Schema.Union(Schema.Redacted(Schema.String), Falsy)),
  expiration: Schema.optional(Schema.Union(Schema.String, Schema.Number, Schema.Literal(null, false)))
})

// Compared as Redacted values, so the secret is never unwrapped here.
const emptySecret = Redacted.make("")
const isEmpty = (secret: Redacted.Redacted<string>): boolean => Equal.equals(secret, emptySecret)

/** Checks what the schema cannot say by itself; Left names the field, never its value. */
const toOutput =
  (zone: () => DateTime.TimeZone | undefined) =>
  (json: typeof OutputJson.Type): Either.Either<ExternalOutput, string> => {
    if (json.access_key_id === "") return Either.left("access_key_id is empty")
    if (isEmpty(json.access_key_secret)) return Either.left("access_key_secret is empty")
    const stsToken = Redacted.isRedacted(json.sts_token) && !isEmpty(json.sts_token) ? json.sts_token : undefined
    if (json.mode === "StsToken" && stsToken === undefined) {
      return Either.left("sts_token is missing or empty (mode is StsToken)")
    }
    return Either.map(expirationOf(json.expiration, zone), (expiration): ExternalOutput => ({
      mode: stsToken === undefined ? "AK" : "StsToken",
      accessKeyId: json.access_key_id,
      accessKeySecret: json.access_key_secret,
      ...(stsToken === undefined ? {} : { stsToken }),
      ...(expiration === undefined ? {} : { expiration })
    }))
  }

/** The text of the output; a helper that prints invalid UTF-8 is broken, not merely odd. */
const outputText = (stdout: string | Uint8Array): Either.Either<string, string> =>
  typeof stdout === "string"
    ? Either.right(stdout)
    : Either.try({
      // A byte-order mark is dropped, as Node's own decoding does.
      try: () => new TextDecoder("utf-8", { fatal: true }).decode(stdout),
      catch: () => "the output is not valid UTF-8"
    })

/**
 * Decodes a command's standard output, as bytes or text, accepting what the official tool accepts
 * (but for the few differences above); Left is a description naming the field, never a value.
 * Total on any input (json.ts). `zone` gives the zone of an expiration without an offset: this
 * process's local zone unless a test names one.
 */
export const decodeOutput = (
  stdout: string | Uint8Array,
  zone: () => DateTime.TimeZone | undefined = localZone
): Either.Either<ExternalOutput, string> =>
  Either.flatMap(outputText(stdout), (text) =>
    Either.flatMap(
      // A union names its field once per member that failed: once is enough.
      Either.mapLeft(
        decodeJson(OutputJson, text, "the output"),
        (detail) => [...new Set(detail.split("; "))].join("; ")
      ),
      toOutput(zone)
    ))

/**
 * Whether `bytes` are a whole document already, so that nothing a helper's leftover children might
 * still write can change the answer: it parses as JSON, or it is nested too deeply to be accepted
 * anyway. A split character at the end decodes as U+FFFD, which is not JSON: not complete yet.
 */
export const isComplete = (bytes: Uint8Array): boolean => {
  const text = new TextDecoder("utf-8").decode(bytes)
  return isNestedDeeper(text) || Either.isRight(Schema.decodeUnknownEither(Schema.parseJson())(text))
}
