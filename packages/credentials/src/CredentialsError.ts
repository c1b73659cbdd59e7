/**
 * The typed errors of every source, the chain and the refresh engine.
 *
 * Every error names the source it comes from and has a `message` that says what is wrong and how
 * to fix it. No error holds a secret: fields are plain descriptions, never raw requests, bodies or
 * option objects.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"

/**
 * Marks every error of this module: `isCredentialsError` checks it, so no list of tags is kept beside
 * the `CredentialsError` union (a registered symbol: two copies of the library, ESM and CommonJS, agree).
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 *
 * const error = new CredentialsError.NotConfigured({ source: "env", reason: "nothing set", fix: "set something" })
 * assert.strictEqual(error[CredentialsError.TypeId], CredentialsError.TypeId)
 * ```
 *
 * @since 0.1.0
 * @category type id
 */
export const TypeId: unique symbol = Symbol.for("@effect-alicloud/credentials/CredentialsError")

/**
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 * import { Predicate } from "effect"
 *
 * // What `isCredentialsError` checks
 * const isOurs = (u: unknown): u is { readonly [CredentialsError.TypeId]: CredentialsError.TypeId } =>
 *   Predicate.hasProperty(u, CredentialsError.TypeId)
 * ```
 *
 * @since 0.1.0
 * @category type id
 */
export type TypeId = typeof TypeId

// `Data.TaggedError` with the `TypeId` on the prototype, as `@effect/platform`'s `TypeIdError`
// (not imported: its module loads `Schema`, which a program answered by the environment never runs).
const TaggedError = <const Tag extends string>(tag: Tag): new<A extends Record<string, unknown>>(
  args: { readonly [K in keyof A]: A[K] }
) => Cause.YieldableError & Record<TypeId, TypeId> & { readonly _tag: Tag } & Readonly<A> => {
  class Base extends Data.Error<Record<string, unknown>> {
    readonly _tag = tag
  }
  Object.assign(Base.prototype, { [TypeId]: TypeId, name: tag })
  return Base as never
}

const withFix = (text: string, fix: string | undefined): string => (fix === undefined ? text : `${text}. Fix: ${fix}`)

/**
 * What one fetch of a network source tried before it failed: its attempts (retries included) and
 * the time they took.
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 * import { Duration } from "effect"
 *
 * const tried: CredentialsError.Tried = { attempts: 3, elapsed: Duration.seconds(2) }
 * const error = new CredentialsError.NetworkError({
 *   source: "ram_role_arn",
 *   endpoint: "https://sts.aliyuncs.com",
 *   detail: "connection refused",
 *   tried
 * })
 * assert.strictEqual(error.message, "ram_role_arn: cannot reach https://sts.aliyuncs.com: connection refused (3 attempts in 2.0 s)")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Tried {
  readonly attempts: number
  readonly elapsed: Duration.Duration
  /** How many of the attempts the upstream throttled (`Throttling*`, HTTP 429), when any was. */
  readonly throttled?: number | undefined
}

const withTried = (text: string, tried: Tried | undefined): string =>
  tried === undefined
    ? text
    : `${text} (${tried.attempts} ${tried.attempts === 1 ? "attempt" : "attempts"} in ${formatSeconds(tried.elapsed)}${
      tried.throttled === undefined || tried.throttled === 0 ? "" : `, ${tried.throttled} throttled`
    })`

const formatSeconds = (duration: Duration.Duration) => `${(Duration.toMillis(duration) / 1000).toFixed(1)} s`

/**
 * The field that makes an error end a chain. A file source sets it once the user has selected a
 * configuration in it (a CLI profile by name, `ALIBABA_CLOUD_PROFILE` or `current`; an ini section)
 * that then cannot be used: a chain stops at such an error instead of trying its next source,
 * which would give the program another identity (see `Chain.orElse`). Every error but
 * `ChainExhausted` has it.
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 *
 * const error = new CredentialsError.InvalidConfiguration({
 *   source: "cli_profile",
 *   field: "profiles[\"prod\"].ram_role_arn",
 *   reason: "is missing in /home/me/.aliyun/config.json",
 *   selection: "the profile \"prod\" of /home/me/.aliyun/config.json, selected by ALIBABA_CLOUD_PROFILE"
 * })
 * const endsTheChain = (e: CredentialsError.Selection): boolean => e.selection !== undefined
 * assert.strictEqual(endsTheChain(error), true)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Selection {
  /**
   * What the user selected that this error makes unusable, e.g. `the profile "prod" of
   * /home/me/.aliyun/config.json, selected by ALIBABA_CLOUD_PROFILE`. Never a value of it.
   */
  readonly selection?: string | undefined
}

/**
 * The source has nothing to work with (no variable set, no file, no endpoint): a chain moves on.
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 *
 * const error = new CredentialsError.NotConfigured({
 *   source: "env",
 *   reason: "ALIBABA_CLOUD_ACCESS_KEY_ID is not set",
 *   fix: "export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
 * })
 * assert.strictEqual(
 *   error.message,
 *   "env: not configured: ALIBABA_CLOUD_ACCESS_KEY_ID is not set. Fix: export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NotConfigured extends TaggedError("NotConfigured")<{
  readonly source: string
  /** What is missing, e.g. "ALIBABA_CLOUD_ACCESS_KEY_ID is not set". */
  readonly reason: string
  /** How to configure the source. */
  readonly fix: string
  /** What the user selected that this error makes unusable: a chain ends here (see `Selection`). */
  readonly selection?: string | undefined
}> {
  override get message(): string {
    return withFix(`${this.source}: not configured: ${this.reason}`, this.fix)
  }
}

/**
 * The source is configured, but a setting is missing, empty, of the wrong type or out of range.
 *
 * @example
 * ```ts
 * import { AccessKey } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const error = Effect.runSync(Effect.flip(AccessKey.make({ accessKeyId: "", accessKeySecret: "s3cr3t-value" })))
 * assert.strictEqual(error._tag, "InvalidConfiguration")
 * assert.strictEqual(error._tag === "InvalidConfiguration" && error.field, "accessKeyId")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidConfiguration extends TaggedError("InvalidConfiguration")<{
  readonly source: string
  /** The option, environment variable or file field at fault. */
  readonly field: string
  /** What is wrong with it, e.g. "is empty". Never its value. */
  readonly reason: string
  readonly fix?: string | undefined
  /** What the user selected that this error makes unusable: a chain ends here (see `Selection`). */
  readonly selection?: string | undefined
}> {
  override get message(): string {
    return withFix(`${this.source}: invalid configuration: ${this.field} ${this.reason}`, this.fix)
  }
}

/**
 * The upstream service answered with an error (HTTP status, and the service's `Code` and
 * `RequestId` when its body had them).
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * // Tell a refused role apart from the rest
 * const credential = Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(
 *   Effect.tapErrorTag("UpstreamError", (error) =>
 *     Effect.logError(`${error.endpoint}: HTTP ${error.status} ${error.code ?? ""} (RequestId ${error.requestId ?? "-"})`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UpstreamError extends TaggedError("UpstreamError")<{
  readonly source: string
  readonly endpoint: string
  readonly status: number
  readonly code?: string | undefined
  readonly requestId?: string | undefined
  /** The service's own message, with the request's secrets cut out and control characters escaped. */
  readonly serviceMessage?: string | undefined
  readonly fix?: string | undefined
  readonly tried?: Tried | undefined
  /** What the user selected that this error makes unusable: a chain ends here (see `Selection`). */
  readonly selection?: string | undefined
  /** The answer's `Retry-After`, when it had one: a throttled request is not retried sooner. */
  readonly retryAfter?: Duration.Duration | undefined
}> {
  override get message(): string {
    const parts = [`HTTP ${this.status}`]
    if (this.code !== undefined) parts.push(this.code)
    if (this.serviceMessage !== undefined) parts.push(this.serviceMessage)
    if (this.requestId !== undefined) parts.push(`RequestId ${this.requestId}`)
    return withFix(withTried(`${this.source}: ${this.endpoint} answered ${parts.join(": ")}`, this.tried), this.fix)
  }
}

/**
 * The upstream answered, but its body could not be understood (not JSON, a missing or mistyped
 * field, an already-expired credential).
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 *
 * const error = new CredentialsError.MalformedResponse({
 *   source: "credentials_uri",
 *   endpoint: "http://127.0.0.1:8080/credentials",
 *   detail: "AccessKeyId is missing"
 * })
 * assert.strictEqual(
 *   error.message,
 *   "credentials_uri: the response of http://127.0.0.1:8080/credentials is malformed: AccessKeyId is missing"
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedResponse extends TaggedError("MalformedResponse")<{
  readonly source: string
  readonly endpoint: string
  /** What is wrong, naming the field; never the body itself, which may hold secrets. */
  readonly detail: string
  readonly tried?: Tried | undefined
  /** What the user selected that this error makes unusable: a chain ends here (see `Selection`). */
  readonly selection?: string | undefined
}> {
  override get message(): string {
    return withTried(`${this.source}: the response of ${this.endpoint} is malformed: ${this.detail}`, this.tried)
  }
}

/**
 * A request did not complete in time: `connect` (no connection within the connect timeout) or
 * `read` (connected, but the headers or a chunk of the body did not come within the read timeout),
 * both reported by the Node transport; `total` (no complete answer within connect + read timeouts,
 * the deadline that bounds every exchange whatever the transport); `budget` (the fetch, retries
 * included, did not succeed within its time budget) or `command` (a credential command ran too
 * long and was stopped).
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 * import { Duration } from "effect"
 *
 * const error = new CredentialsError.Timeout({
 *   source: "ecs_ram_role",
 *   endpoint: "http://100.100.100.200",
 *   phase: "connect",
 *   after: Duration.seconds(1)
 * })
 * assert.strictEqual(error.message, "ecs_ram_role: no connection to http://100.100.100.200 within 1s (connect timeout)")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends TaggedError("Timeout")<{
  readonly source: string
  readonly endpoint: string
  readonly phase: "connect" | "read" | "total" | "budget" | "command"
  readonly after: Duration.Duration
  readonly tried?: Tried | undefined
  /** What the user selected that this error makes unusable: a chain ends here (see `Selection`). */
  readonly selection?: string | undefined
}> {
  override get message(): string {
    return withTried(describeTimeout(this), this.tried)
  }
}

// What a timeout's message says, by phase.
const describeTimeout = (self: Timeout): string => {
  const after = Duration.format(self.after)
  switch (self.phase) {
    case "connect":
      return `${self.source}: no connection to ${self.endpoint} within ${after} (connect timeout)`
    case "read":
      return `${self.source}: connected to ${self.endpoint}, but no answer within ${after} (read timeout)`
    case "total":
      return `${self.source}: no complete answer from ${self.endpoint} within ${after} (connect + read timeouts)`
    case "budget":
      return `${self.source}: no credential from ${self.endpoint} within ${after}, the time budget of one fetch, retries included (timeBudget)`
    case "command":
      return `${self.source}: the command ${self.endpoint} did not finish within ${after}; it was stopped`
  }
}

/**
 * The request failed below HTTP: refused, reset, unreachable, DNS.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * // Below HTTP (refused, reset, DNS): a transient failure, worth another try later
 * const credential = Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(
 *   Effect.catchTag("NetworkError", (error) => Effect.logWarning(error.message).pipe(Effect.as(undefined)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkError extends TaggedError("NetworkError")<{
  readonly source: string
  readonly endpoint: string
  readonly detail: string
  /**
   * `true` when trying again cannot help (an https URL that meets a plain-HTTP server): the
   * upstream pipeline does not retry it. Absent for the network failures that may pass.
   */
  readonly permanent?: boolean | undefined
  readonly tried?: Tried | undefined
  /** What the user selected that this error makes unusable: a chain ends here (see `Selection`). */
  readonly selection?: string | undefined
}> {
  override get message(): string {
    return withTried(`${this.source}: cannot reach ${this.endpoint}: ${this.detail}`, this.tried)
  }
}

/**
 * A credential command (`process_command` of the CLI profile's External mode) could not be run or
 * exited with an error.
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 *
 * const error = new CredentialsError.CommandFailed({
 *   source: "cli_profile/external",
 *   command: "credential-helper",
 *   detail: "exited with code 3"
 * })
 * assert.strictEqual(error.message, "cli_profile/external: the command credential-helper exited with code 3")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CommandFailed extends TaggedError("CommandFailed")<{
  readonly source: string
  /** The program run (argv[0]), never its arguments, which may hold secrets. */
  readonly command: string
  /** What went wrong: "exited with code 3", "was not found"... Never its output. */
  readonly detail: string
  readonly fix?: string | undefined
  /** What the user selected that this error makes unusable: a chain ends here (see `Selection`). */
  readonly selection?: string | undefined
}> {
  override get message(): string {
    return withFix(`${this.source}: the command ${this.command} ${this.detail}`, this.fix)
  }
}

/**
 * Every source of a chain failed; `failures` holds each source's own error, in chain order.
 *
 * @example
 * ```ts
 * import { Chain, Environment, HttpTransport, IniProfile } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const chain = yield* Chain.make([Environment.make(), IniProfile.make({ path: "/nonexistent/credentials" })], {
 *     name: "mine"
 *   })
 *   return yield* Effect.flip(chain)
 * })
 * Effect.runPromise(
 *   program.pipe(Effect.provide(HttpTransport.layerNode()), Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
 * ).then((error) => {
 *   assert.strictEqual(error._tag, "ChainExhausted")
 *   // each source with its own reason, in chain order
 *   assert.deepStrictEqual(error._tag === "ChainExhausted" && error.failures.map((f) => f.source), ["env", "profile"])
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ChainExhausted extends TaggedError("ChainExhausted")<{
  readonly source: string
  readonly failures: ReadonlyArray<Exclude<CredentialsError, ChainExhausted>>
}> {
  override get message(): string {
    const lines = this.failures.map((failure) => `  - ${failure.message}`)
    return [`${this.source}: no source of the chain produced a credential; tried in order:`, ...lines].join("\n")
  }
}

/**
 * @example
 * ```ts
 * import { Credentials, type CredentialsError } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * // A closed union: handle by tag, or all at once
 * const explain = (error: CredentialsError.CredentialsError): string =>
 *   error._tag === "ChainExhausted" ? error.failures.map((f) => f.message).join("\n") : error.message
 * const credential = Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(
 *   Effect.tapError((error) => Effect.logError(explain(error)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type CredentialsError =
  | NotConfigured
  | InvalidConfiguration
  | UpstreamError
  | MalformedResponse
  | Timeout
  | NetworkError
  | CommandFailed
  | ChainExhausted

/**
 * Whether `u` is one of the errors above (of either copy of the library, ESM or CommonJS).
 *
 * @example
 * ```ts
 * import { CredentialsError } from "@effect-alicloud/credentials"
 *
 * assert.strictEqual(
 *   CredentialsError.isCredentialsError(new CredentialsError.NotConfigured({ source: "env", reason: "-", fix: "-" })),
 *   true
 * )
 * assert.strictEqual(CredentialsError.isCredentialsError(new Error("not ours")), false)
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isCredentialsError = (u: unknown): u is CredentialsError => Predicate.hasProperty(u, TypeId)
