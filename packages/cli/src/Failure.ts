/**
 * How the command fails: one line on stderr and an exit code.
 *
 * | exit | meaning | from |
 * |---|---|---|
 * | 0 | ok | |
 * | 1 | no credential, or the upstream failed | `NotConfigured`, `UpstreamError`, `MalformedResponse`, `Timeout`, `NetworkError`, `CommandFailed`; a `ChainExhausted` without an `InvalidConfiguration` |
 * | 2 | usage or configuration error | a bad flag or value (@effect/cli's `ValidationError`), `InvalidConfiguration`, a `ChainExhausted` holding one, a `ChainExhausted` of `NotConfigured`s only when `--profile` was given (the profile exists nowhere), a non-loopback `--host`, a port in use, `export` to a terminal without `--force` |
 *
 * @since 0.1.0
 */
import type { CredentialsError } from "@effect-alicloud/credentials"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"

/**
 * @since 0.1.0
 * @category models
 */
export type ExitCode = 0 | 1 | 2

/**
 * A failure of a command: the one line printed on stderr, and the exit code.
 *
 * @since 0.1.0
 * @category errors
 */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly exitCode: 1 | 2
  readonly detail: string
  /** The library error's tag, when the failure comes from one. */
  readonly errorTag?: string | undefined
}> {
  override get message(): string {
    return this.detail
  }
}

type Error = CredentialsError.CredentialsError
type Single = Exclude<Error, CredentialsError.ChainExhausted>

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()

/**
 * What the command line asked for, which changes how a chain's failure reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context {
  /** `--profile` was given: a chain with no source configured means that profile exists nowhere. */
  readonly profileRequested?: boolean | undefined
}

const profileSources = new Set(["cli_profile", "profile"])

// A profile was asked for, and no source was even configured: the profile is the problem.
const missingProfile = (error: CredentialsError.ChainExhausted, context: Context): Single | undefined =>
  context.profileRequested === true && error.failures.every((failure) => failure._tag === "NotConfigured")
    ? error.failures.find((failure) => profileSources.has(failure.source))
    : undefined

/**
 * The exit code of a library error: configuration errors are 2, everything else 1.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const exitCodeOf = (error: Error, context: Context = {}): 1 | 2 => {
  switch (error._tag) {
    case "InvalidConfiguration":
      return 2
    case "ChainExhausted":
      return error.failures.some((failure) => failure._tag === "InvalidConfiguration") ||
          missingProfile(error, context) !== undefined
        ? 2
        : 1
    default:
      return 1
  }
}

// The transport's words for a network with no route to an address (HttpTransport's failures).
const noRoute = /\((ENETUNREACH|EHOSTUNREACH)\)/

/**
 * The ECS metadata service out of reach: no route to its address (ENETUNREACH, EHOSTUNREACH) or no
 * answer to a connection. Off ECS that is what the default chain's metadata source meets, though
 * nobody configured it: it is not the failure that matters.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const isMetadataOutOfReach = (failure: Single): boolean =>
  failure.source === "ecs_ram_role" &&
  ((failure._tag === "NetworkError" && noRoute.test(failure.detail)) ||
    (failure._tag === "Timeout" && failure.phase === "connect"))

/**
 * The failure that matters in a chain's list: the first configuration error, else the first
 * configured source that failed (the metadata service out of reach does not count: see
 * `isMetadataOutOfReach`); `undefined` when no source is configured at all.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const primaryFailure = (failures: ReadonlyArray<Single>): Single | undefined =>
  failures.find((failure) => failure._tag === "InvalidConfiguration") ??
    failures.find((failure) => failure._tag !== "NotConfigured" && !isMetadataOutOfReach(failure))

/**
 * One line for a library error. A chain's error (one line per source) is cut down to the source
 * that matters, with a pointer to `explain` for the others.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const summary = (error: Error, context: Context = {}): string => {
  if (error._tag !== "ChainExhausted") return oneLine(error.message)
  const primary = primaryFailure(error.failures) ?? missingProfile(error, context)
  if (primary === undefined) {
    const names = error.failures.map((failure) => failure.source).join(", ")
    const metadata = error.failures.find(isMetadataOutOfReach)
    const offEcs = metadata === undefined
      ? ""
      : ` and the ECS metadata service cannot be reached (${
        metadata._tag === "NetworkError" ? metadata.detail : "no answer to a connection"
      }: not an ECS instance?)`
    return `no credential: no source of the ${error.source} chain is configured (${names})${offEcs}; ` +
      "run `alicloud-credentials explain` to see how to configure each"
  }
  const others = error.failures.filter((failure) => failure !== primary)
  if (others.length === 0) return oneLine(primary.message)
  const notConfigured = others.filter((failure) => failure._tag === "NotConfigured").length
  const counts = [
    others.length > notConfigured ? `${others.length - notConfigured} failed` : "",
    notConfigured > 0 ? `${notConfigured} not configured` : ""
  ].filter((part) => part !== "").join(", ")
  return `${oneLine(primary.message)} (other sources: ${counts}; see \`alicloud-credentials explain\`)`
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const fromCredentialsError = (error: Error, context: Context = {}): CliFailure =>
  new CliFailure({ exitCode: exitCodeOf(error, context), detail: summary(error, context), errorTag: error._tag })

/**
 * @since 0.1.0
 * @category constructors
 */
export const usage = (detail: string): CliFailure => new CliFailure({ exitCode: 2, detail })

/**
 * The process exit code of a run: 0 on success or on an interrupt (SIGINT, SIGTERM), the
 * failure's code, 2 for @effect/cli's usage errors, 1 for anything else (a bug).
 *
 * @since 0.1.0
 * @category exit codes
 */
export const exitCodeOfExit = <A, E>(exit: Exit.Exit<A, E>): ExitCode => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return 1
  const error: unknown = failure.value
  if (error instanceof CliFailure) return error.exitCode
  if (ValidationError.isValidationError(error)) return 2
  return 1
}
