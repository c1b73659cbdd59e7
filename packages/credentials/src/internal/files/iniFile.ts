// The legacy ini credentials file, `~/.alibabacloud/credentials` (ALIBABA_CLOUD_CREDENTIALS_FILE
// moves it; the caller reads that variable): parse it the way the `ini` npm package (1.3.x, used by
// the official Node tool) does, pick a section and decode it for its `type`.
//
// Errors name the file, the section and the key, never a value: the file holds AccessKey secrets.
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { InvalidConfiguration, NotConfigured } from "../../CredentialsError.js"
import { type Fallbacks, optional, type RequiredField, requiredField, Secret, withFallbacks } from "../config/fields.js"
import { isBlank, RoleName, Text } from "../config/rules.js"
import { didYouMean } from "../config/suggest.js"
import { firstIssue } from "../decode/parseIssue.js"
import { readTextFile } from "./boundedFile.js"

const source = "profile"

/** `<home>/.alibabacloud/credentials`, the Node tool's default (Java's is `credentials.ini`). */
export const defaultIniFilePath = (home: string): string => `${home.replace(/[\\/]+$/, "")}/.alibabacloud/credentials`

// ---------------------------------------------------------------------------------------------
// Parsing, as `ini` 1.3.x
// ---------------------------------------------------------------------------------------------

/** A value as `ini` gives it: `true`/`false`/`null` are converted, a key without `=` is `true`. */
export type IniValue = string | number | boolean | null

export interface IniDocument {
  /** Sections by name; a repeated section is merged, a repeated key keeps its last value. */
  readonly sections: ReadonlyMap<string, ReadonlyMap<string, IniValue>>
}

const QuotedJson = Schema.parseJson(Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null))
const decodeQuoted = Schema.decodeUnknownOption(QuotedJson)

const isQuoted = (s: string) => (s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'"))

/**
 * `ini`'s `unsafe`: trim; a quoted value is JSON-decoded (single quotes stripped first) and kept
 * as is when that fails; otherwise the text stops at the first `;` or `#` not escaped by `\`.
 */
const unquote = (raw: string): IniValue => {
  const s = raw.trim()
  if (isQuoted(s)) {
    const inner = s.startsWith("'") ? s.slice(1, -1) : s
    return Option.getOrElse(decodeQuoted(inner), () => inner)
  }
  let out = ""
  let escaped = false
  for (const c of s) {
    if (escaped) {
      out += "\\;#".includes(c) ? c : `\\${c}`
      escaped = false
    } else if (c === ";" || c === "#") {
      break
    } else if (c === "\\") {
      escaped = true
    } else {
      out += c
    }
  }
  return (escaped ? `${out}\\` : out).trim()
}

const asText = (v: IniValue): string => (typeof v === "string" ? v : String(v))

/**
 * Parses ini text. Lines split on CR/LF; lines starting with `;` or `#` (after blanks) are comments;
 * `[name]` opens a section; `key = value` sets a key (the value is everything after the first `=`).
 * Keys before any section belong to no section and are ignored.
 *
 * Where `ini` 1.3.x misreads a file silently we do not follow it: a `[name]` line with blanks around
 * it is still a section (ini 1.3 takes it for a key), and a dot in a section name is literal (ini
 * nests `[a.b]` under `a`, so the official tool cannot find that profile).
 */
export const parseIni = (text: string): IniDocument => {
  const sections = new Map<string, Map<string, IniValue>>()
  let current: Map<string, IniValue> | undefined = undefined
  for (const line of text.split(/[\r\n]+/)) {
    if (line === "" || /^\s*[;#]/.test(line)) continue
    const section = /^\s*\[([^\]]*)\]\s*$/.exec(line)
    if (section !== null) {
      const name = asText(unquote(section[1]!))
      current = sections.get(name) ?? new Map<string, IniValue>()
      sections.set(name, current)
      continue
    }
    const eq = line.indexOf("=")
    const key = asText(unquote(eq === -1 ? line : line.slice(0, eq)))
    if (key === "" || current === undefined) continue
    const parsed = eq === -1 ? true : unquote(line.slice(eq + 1))
    const value = parsed === "true" ? true : parsed === "false" ? false : parsed === "null" ? null : parsed
    current.set(key, value)
  }
  return { sections }
}

// ---------------------------------------------------------------------------------------------
// The profile model, one member per `type` the Node tool reads
// ---------------------------------------------------------------------------------------------

/** `type = access_key`: a static AccessKey (`static_ak`). */
export interface AccessKeyIniProfile {
  readonly _tag: "access_key"
  readonly section: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
}

/** `type = ecs_ram_role`: the instance's role; no `role_name` means "ask the metadata service". */
export interface EcsRamRoleIniProfile {
  readonly _tag: "ecs_ram_role"
  readonly section: string
  readonly roleName?: string
}

/** `type = ram_role_arn`: AssumeRole with the section's AccessKey. */
export interface RamRoleArnIniProfile {
  readonly _tag: "ram_role_arn"
  readonly section: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly roleArn: string
  readonly roleSessionName?: string
  readonly policy?: string
}

export type IniProfile = AccessKeyIniProfile | EcsRamRoleIniProfile | RamRoleArnIniProfile

export const supportedTypes: ReadonlyArray<IniProfile["_tag"]> = ["access_key", "ecs_ram_role", "ram_role_arn"]

// ---------------------------------------------------------------------------------------------
// Reading one section
// ---------------------------------------------------------------------------------------------

const fieldName = (section: string, key: string) => `[${section}].${key}`

const invalid = (path: string, section: string, key: string, reason: string) =>
  new InvalidConfiguration({
    source,
    field: fieldName(section, key),
    reason: `${reason} in ${path}`,
    fix: `correct the [${section}] section of the file`
  })

// A value is text unless `ini` made it `true`, `false`, `null` (or a number, from a quoted JSON
// one): those are refused, as the same values would be in the options.

/** The section's `type`, as the model's `_tag`; the caller has checked it. */
const tag = <T extends string>(type: T) => Schema.propertySignature(Schema.Literal(type)).pipe(Schema.fromKey("type"))

type Decoder<P> = (keys: ReadonlyMap<string, IniValue>, section: string) => Effect.Effect<P, ParseResult.ParseIssue>

/**
 * The decoder of one `type`: its keys as a Schema, the required ones with the variables the
 * official builders fall back to when a key is empty (as for config.json).
 */
const sectionType = <F extends Schema.Struct.Fields>(fallbacks: Fallbacks, fields: (required: RequiredField) => F) => {
  const schema = Schema.Struct(fields(requiredField(fallbacks)))
  const decode = ParseResult.decodeUnknown(schema, { errors: "first", onExcessProperty: "ignore" })
  return (keys: ReadonlyMap<string, IniValue>, section: string) =>
    withFallbacks(Object.fromEntries(keys), fallbacks).pipe(
      Effect.flatMap(decode),
      Effect.map((profile) => ({ ...profile, section }))
    )
}

const accessKeyFallbacks = {
  access_key_id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
  access_key_secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
}

/** A Schema per `type`. */
const decoders: { readonly [T in IniProfile["_tag"]]: Decoder<Extract<IniProfile, { readonly _tag: T }>> } = {
  access_key: sectionType(accessKeyFallbacks, (required) => ({
    _tag: tag("access_key"),
    accessKeyId: required("access_key_id", Text),
    accessKeySecret: required("access_key_secret", Secret)
  })),
  ecs_ram_role: sectionType({}, () => ({ _tag: tag("ecs_ram_role"), roleName: optional("role_name", RoleName) })),
  ram_role_arn: sectionType({ ...accessKeyFallbacks, role_arn: "ALIBABA_CLOUD_ROLE_ARN" }, (required) => ({
    _tag: tag("ram_role_arn"),
    accessKeyId: required("access_key_id", Text),
    accessKeySecret: required("access_key_secret", Secret),
    roleArn: required("role_arn", Text),
    roleSessionName: optional("role_session_name", Text),
    policy: optional("policy", Text)
  }))
}

const isType = (t: string): t is IniProfile["_tag"] => (supportedTypes as ReadonlyArray<string>).includes(t)

const typeHints: { readonly [type: string]: string } = {
  oidc_role_arn:
    " (only the Java tool reads it here; use a config.json profile of mode OIDC or the ALIBABA_CLOUD_OIDC_* variables)",
  rsa_key_pair: " (only the Java tool reads it; RSA key pairs are deprecated, use an AccessKey or a role)"
}

/** Decodes one section of an already parsed document (see `readIniProfile`). */
export const decodeSection = (
  path: string,
  document: IniDocument,
  sectionName: string
): Effect.Effect<IniProfile, NotConfigured | InvalidConfiguration> => {
  const keys = document.sections.get(sectionName)
  if (keys === undefined) {
    const names = [...document.sections.keys()].map((n) => `[${n}]`).join(", ")
    return Effect.fail(
      new NotConfigured({
        source,
        reason: `${path} has no [${sectionName}] section (it has ${names === "" ? "none" : names})`,
        fix: `add a [${sectionName}] section with a type (${
          supportedTypes.join(", ")
        }), or name another section with ALIBABA_CLOUD_PROFILE`
      })
    )
  }
  const type = keys.get("type")
  if (type === undefined || isBlank(type) || type === false) {
    // The official tool reports this and a missing section alike: "Can not find credential type".
    return Effect.fail(
      invalid(
        path,
        sectionName,
        "type",
        `${type === undefined ? "is missing" : "is empty"}; supported types: ${supportedTypes.join(", ")}`
      )
    )
  }
  const name = asText(type)
  if (!isType(name)) {
    return Effect.fail(
      invalid(
        path,
        sectionName,
        "type",
        `is ${JSON.stringify(name)}, which is not supported${
          typeHints[name] ?? didYouMean(name, supportedTypes)
        }; supported types: ${supportedTypes.join(", ")}`
      )
    )
  }
  const decoded: Effect.Effect<IniProfile, ParseResult.ParseIssue> = decoders[name](keys, sectionName)
  return Effect.mapError(decoded, (issue) => {
    const { message, path: at } = firstIssue(issue)
    return invalid(path, sectionName, at.length === 0 ? "type" : String(at[0]), message ?? "has the wrong type")
  })
}

/**
 * Reads `path` and decodes its `[sectionName]` section (the caller picks ALIBABA_CLOUD_PROFILE or
 * `default`). A missing file or section is `NotConfigured` (a chain moves on); an unreadable file,
 * a section without a supported `type` or a missing key is `InvalidConfiguration`.
 */
export const readIniProfile = (
  path: string,
  sectionName: string
): Effect.Effect<IniProfile, NotConfigured | InvalidConfiguration, FileSystem.FileSystem> =>
  readTextFile(path, { source }).pipe(
    Effect.catchTag("FileNotFound", () =>
      Effect.fail(
        new NotConfigured({
          source,
          reason: `${path} does not exist`,
          fix:
            "create it with a [default] section (type = access_key, ...), point ALIBABA_CLOUD_CREDENTIALS_FILE at yours, " +
            "or use ~/.aliyun/config.json instead"
        })
      )),
    Effect.flatMap((text) => decodeSection(path, parseIni(text), sectionName))
  )
