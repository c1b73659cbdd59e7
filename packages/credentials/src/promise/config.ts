// The facade's configuration model: the official `Config` (and what a builder holds, read as the
// same keys) decoded once, when the client or provider is made, by the rules every input of the
// library follows (`internal/config/rules.ts`), into the option block of its type. So a field
// means here what it means in a profile file or in the Effect options:
//
// - empty or blank text is "not set" (then the variable, as the official tools): a `policy: ""`
//   sends no Policy, a `roleSessionName: ""` the generated name;
// - `enableVpc: "true"` is true and `"false"` false (the official package declares it a string,
//   and takes any non-empty string as true: see docs/migration.md); numbers may be given as their
//   decimal strings (`roleSessionExpiration: "1800"`, `timeout: "5000"`);
// - a region is case-folded (`CN-Hangzhou` is cn-hangzhou);
// - what is refused names the Config key (`Config.enableVpc`), or the builder's field.
//
// Only the keys the type reads are decoded: an official `Config` may carry others. What is unset
// and has a variable is left to the Effect source, which reads it (`ALIBABA_CLOUD_ROLE_ARN`...);
// only the AccessKey pair, which the official clients read themselves, is read here.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidConfiguration } from "../CredentialsError.js"
import * as Rules from "../internal/config/rules.js"
import type { ConfigOptions } from "./model.js"

/** One Config key: how its value is decoded, and the variable an unset value falls back to. */
interface Field<A> {
  readonly schema: Schema.Schema<A, unknown>
  readonly fix: string
  readonly variable?: string
}

const text = (fix: string, variable?: string): Field<string> =>
  variable === undefined ? { schema: Rules.Text, fix } : { schema: Rules.Text, fix, variable }
const flag: Field<boolean> = { schema: Rules.Flag, fix: "pass true or false" }
const millis: Field<number> = { schema: Rules.WholeNumber, fix: "pass milliseconds, e.g. 5000" }
const seconds: Field<number> = { schema: Rules.WholeNumber, fix: "pass seconds, e.g. 3600" }
const region: Field<string> = { schema: Rules.Region, fix: "use e.g. cn-hangzhou" }

// Ours: the proxy URL, or `false` for none whatever the variables say.
const proxy: Field<string | false> = {
  schema: Schema.Union(Schema.Literal(false), Rules.Text),
  fix: "pass http://host:port, or false for no proxy"
}

// Ours: a function answering a Promise of the OIDC token (called at every fetch, not here).
const isTokenFunction = (u: unknown): u is () => Promise<string> => typeof u === "function"
const tokenFunction: Field<() => Promise<string>> = {
  schema: Schema.transformOrFail(Schema.Unknown, Schema.declare(isTokenFunction), {
    strict: true,
    decode: (u, _, ast) =>
      isTokenFunction(u)
        ? ParseResult.succeed(u)
        : ParseResult.fail(new ParseResult.Type(ast, u, "must be a function answering a Promise of the token")),
    encode: ParseResult.succeed
  }),
  fix: "pass a function such as async () => token"
}

const accessKey = {
  accessKeyId: text("pass the AccessKey ID", "ALIBABA_CLOUD_ACCESS_KEY_ID"),
  accessKeySecret: text("pass the AccessKey secret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
}

const timeouts = { timeout: millis, connectTimeout: millis }

// What ram_role_arn and oidc_role_arn share: the role, the session, the STS endpoint.
const session = {
  roleArn: text("pass acs:ram::<account id>:role/<role name>"),
  roleSessionName: text("use 2-64 letters, digits and . @ - _"),
  roleSessionExpiration: seconds,
  policy: text("pass a JSON policy document, or leave it out"),
  stsEndpoint: text("use sts.cn-hangzhou.aliyuncs.com or http://127.0.0.1:8080"),
  stsRegionId: region,
  enableVpc: flag,
  proxy,
  ...timeouts
}

/** The keys each type reads, and how. */
const blocks = {
  access_key: accessKey,
  sts: { ...accessKey, securityToken: text("pass the security token", "ALIBABA_CLOUD_SECURITY_TOKEN") },
  bearer: { bearerToken: text("pass the bearer token") },
  ram_role_arn: {
    ...accessKey,
    securityToken: text("pass the security token of an STS signer, or leave it out"),
    ...session,
    externalId: text("pass the external ID of the role's trust policy, or leave it out")
  },
  oidc_role_arn: {
    ...session,
    oidcProviderArn: text("pass acs:ram::<account id>:oidc-provider/<name>"),
    oidcTokenFilePath: text("pass the path of the token file"),
    oidcToken: tokenFunction
  },
  ecs_ram_role: {
    roleName: text("pass the instance's RAM role name, or leave it out"),
    disableIMDSv1: flag,
    metadataTokenDuration: seconds,
    metadataUrl: text("use e.g. http://100.100.100.200"),
    ...timeouts
  },
  credentials_uri: { credentialsURI: text("use e.g. http://127.0.0.1:8080/credentials"), proxy, ...timeouts }
} satisfies { readonly [type: string]: { readonly [K in keyof ConfigOptions]?: { readonly fix: string } } }

/** The types a `Config` may name (the constructor refuses any other). */
export type Type = keyof typeof blocks

/** The types whose credential is in the options themselves. */
export type StaticType = "access_key" | "sts" | "bearer"

/** The option block of one type: each key it reads, decoded, absent when unset. */
export type Options<T extends Type> = {
  readonly [K in keyof typeof blocks[T]]?: (typeof blocks[T])[K] extends Field<infer A> ? A : never
}

/** A decoded configuration: its type and that type's options. */
export type Decoded = { readonly [T in Type]: { readonly type: T; readonly options: Options<T> } }[Type]

/** How an input names its keys in errors: the Config's (`Config.enableVpc`), or a builder's fields. */
export type Naming = (key: string) => Rules.Origin

/** A `Config`'s keys. */
export const configKeys: Naming = Rules.configKey

const decodeField = <A>(source: Type, key: string, field: Field<A>, value: unknown, naming: Naming) =>
  field.variable !== undefined && Rules.isBlank(value)
    ? Rules.optionOrEnv(
      { source, schema: field.schema, fix: field.fix, field: key, variable: field.variable },
      undefined
    )
    : Rules.decodeOptional({ source, origin: naming(key), schema: field.schema, fix: field.fix }, value)

const decodeType = <T extends Type>(type: T, config: ConfigOptions, naming: Naming) =>
  Effect.map(
    Effect.forEach(
      Object.entries(blocks[type] as unknown as { readonly [key: string]: Field<unknown> }),
      ([key, field]) => Effect.map(decodeField(type, key, field, Reflect.get(config, key), naming), (a) => [key, a])
    ),
    (entries) =>
      ({
        type,
        options: Object.fromEntries(entries.filter(([, a]) => a !== undefined)) as Options<T>
      }) as Decoded
  )

/**
 * The configuration of a type the constructor admitted, decoded now (the AccessKey pair's
 * variables read now, as the official builders read them): the options, or the error every call
 * of the client or provider rejects with.
 */
export const decode = (
  config: ConfigOptions & { readonly type: Type },
  naming: Naming = configKeys
): Either.Either<Decoded, InvalidConfiguration> =>
  Effect.runSync(Effect.either(decodeType(config.type, config, naming)))

/** The types the facade supports. */
export const types = Object.keys(blocks) as ReadonlyArray<Type>

/** Whether `type` is one the facade supports. */
export const isType = (type: unknown): type is Type => typeof type === "string" && Object.hasOwn(blocks, type)

/**
 * An error of a source built from a decoded configuration (a static type's missing secret, the
 * signer's keys of ram_role_arn), told in the facade's words: its fix names the Config key (or the
 * builder's field) and its variable, not the Effect API's `Config.redacted`.
 */
export const inFacadeWords = (type: Type, naming: Naming) => <E>(error: E): E => {
  if (!(error instanceof InvalidConfiguration)) return error
  const field: Field<unknown> | undefined = Reflect.get(blocks[type], error.field)
  if (field === undefined) return error
  const where = Rules.describeOrigin(naming(error.field))
  const fix = `${field.fix}: set ${where}${field.variable === undefined ? "" : ` or ${field.variable}`}`
  return new InvalidConfiguration({ ...error, fix }) as E
}
