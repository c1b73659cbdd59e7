// ~/.aliyun/config.json as a file: where it is, reading it (bounded), parsing its JSON (and saying
// where it breaks without quoting it), and checking its top-level shape.
//
// Error messages name the file and the JSON key, never a value: the file holds AccessKey secrets
// and tokens (the official Node tool prints the whole file when it is not JSON; we do not).
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidConfiguration, NotConfigured } from "../../../CredentialsError.js"
import { firstIssue, jsonPath } from "../../decode/parseIssue.js"
import { readTextFile } from "../boundedFile.js"

export const source = "cli_profile"

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

export const notConfiguredFix =
  "run `aliyun configure` to create it (and choose a profile with ALIBABA_CLOUD_PROFILE), " +
  "or set ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true to skip this source"

export const fileError = (path: string, reason: string, fix: string) =>
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

export const parseJsonText = (path: string, text: string): Effect.Effect<unknown, InvalidConfiguration> =>
  Schema.decodeUnknown(Schema.parseJson())(text).pipe(
    Effect.mapError(() => {
      const at = jsonErrorOffset(text)
      const where = at === undefined ? "" : at >= text.length ? ": it ends too early" : `: ${lineColumn(text, at)}`
      return fileError(
        path,
        `is not valid JSON${where}`,
        "correct the JSON (or move the file away and run `aliyun configure` again)"
      )
    })
  )

export const shapeError = (path: string, error: ParseResult.ParseError): InvalidConfiguration => {
  const issue = firstIssue(error.issue)
  const at = issue.path.length === 0 ? "the top level" : jsonPath(issue.path)
  // Only our own annotated messages are used; a stray default one could quote the value.
  const what = issue.message !== undefined && issue.message.startsWith("must be") ? issue.message : "has the wrong type"
  return fileError(
    path,
    `is not an aliyun CLI config: ${at} ${what}`,
    "correct the file, or run `aliyun configure` again"
  )
}

/** How deep JSON may nest before it is refused: aliyun-cli writes 3 levels. */
export const MAX_JSON_DEPTH = 64

/**
 * The key path (at most the first `keep` keys) to the first array or object nested deeper than
 * `limit` levels (the top value is level 1), or undefined. Iterative: any depth is safe.
 */
export const tooDeep = (value: unknown, limit = MAX_JSON_DEPTH): ReadonlyArray<PropertyKey> | undefined => {
  const stack: Array<{ readonly value: object; readonly depth: number; readonly path: ReadonlyArray<PropertyKey> }> = []
  const visit = (v: unknown, depth: number, path: ReadonlyArray<PropertyKey>) => {
    if (typeof v === "object" && v !== null) stack.push({ value: v, depth, path })
  }
  visit(value, 1, [])
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > limit) return top.path
    const at = (key: PropertyKey) => (top.path.length < 3 ? [...top.path, key] : top.path)
    if (Array.isArray(top.value)) {
      top.value.forEach((v: unknown, i) => visit(v, top.depth + 1, at(i)))
    } else {
      for (const [key, v] of Object.entries(top.value)) visit(v, top.depth + 1, at(key))
    }
  }
  return undefined
}

export const deepReason = (where: ReadonlyArray<PropertyKey>) =>
  `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels${
    where.length === 0 ? "" : ` (under ${jsonPath(where)})`
  }`

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

// ---------------------------------------------------------------------------------------------
// Profile names, for messages
// ---------------------------------------------------------------------------------------------

export const profileNames = (config: Pick<CliConfig, "profiles">): ReadonlyArray<string> =>
  config.profiles.flatMap((p) => (typeof p.name === "string" && p.name !== "" ? [p.name] : []))

/** `"a", "b"` (names are not secrets), or "none has a name". */
export const listNames = (config: Pick<CliConfig, "profiles">): string => {
  const names = profileNames(config)
  return names.length === 0 ? "none has a name" : names.map((n) => JSON.stringify(n)).join(", ")
}

export const findRaw = (config: Pick<CliConfig, "profiles">, name: string): RawProfile | undefined =>
  config.profiles.find((p) => p.name === name)
