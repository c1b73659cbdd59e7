// Writing refreshed tokens back into ~/.aliyun/config.json, as the official tool does after an
// OAuth exchange or an External command run: atomically (a temporary file renamed over it) where
// the file allows it, in place where it does not (a bind-mounted file, a directory not writable),
// through a symbolic link to its target, keeping the file's mode (unless every user could read it:
// then 0600), and never printing a file it cannot print whole. Every failure is typed: the caller
// logs it and keeps the credential it already has.
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Credential from "../../../Credential.js"
import { type CredentialsError, InvalidConfiguration, NotConfigured } from "../../../CredentialsError.js"
import { describePlatformError, errnoCode, readTextFile } from "../boundedFile.js"
import {
  CliConfigFile,
  deepReason,
  fileError,
  listNames,
  notConfiguredFix,
  parseJsonText,
  type RawProfile,
  shapeError,
  source,
  tooDeep
} from "./file.js"

/** Keeps an optional key out of the object when it has no value (exactOptionalPropertyTypes). */
const opt = <K extends string, V>(key: K, v: V | undefined): { readonly [P in K]?: V } =>
  (v === undefined ? {} : { [key]: v }) as { readonly [P in K]?: V }

export interface WriteOptions {
  /** The permission bits of the new file. Default 0600: the file holds secrets. */
  readonly mode?: number | undefined
}

/** A rename that cannot work for this target (a bind-mounted file): write in place instead. */
const renameImpossible = (error: PlatformError.PlatformError) =>
  error._tag === "SystemError" &&
  (error.reason === "Busy" || errnoCode(error) === "EBUSY" || errnoCode(error) === "EXDEV")

/**
 * No temporary file can be made beside the target (its directory is not writable by this process,
 * the file itself may be): write in place instead, as the official tool always does.
 */
const temporaryImpossible = (error: PlatformError.PlatformError) =>
  error._tag === "SystemError" &&
  (error.reason === "PermissionDenied" || errnoCode(error) === "EACCES" || errnoCode(error) === "EPERM")

const writeAndSync = (
  fs: FileSystem.FileSystem,
  path: string,
  flag: "wx" | "w",
  bytes: Uint8Array,
  mode: number
) =>
  Effect.scoped(
    Effect.flatMap(fs.open(path, { flag, mode }), (file) => Effect.zipRight(file.writeAll(bytes), file.sync))
  )

/** Why a replacement failed: the step, its error, and the rename's error when writing in place failed too. */
export class WriteFailed extends Data.TaggedError("WriteFailed")<{
  readonly step: "temporary file" | "rename" | "in place"
  readonly error: PlatformError.PlatformError
  /** Why the content was written in place: the rename's error, or the temporary file's. */
  readonly renameError?: PlatformError.PlatformError | undefined
  /** The in-place write followed a temporary file that could not be made (not a failed rename). */
  readonly noTemporaryFile?: boolean | undefined
}> {
  /** What went wrong, for a message: never a path's content. */
  get detail(): string {
    switch (this.step) {
      case "temporary file":
        return `a temporary file beside it: ${describePlatformError(this.error)}`
      case "rename":
        return `the rename over it: ${describePlatformError(this.error)}`
      case "in place":
        return `${this.noTemporaryFile === true ? "a temporary file beside it" : "the rename over it"}: ` +
          `${describePlatformError(this.renameError ?? this.error)}; writing it in place: ${
            describePlatformError(this.error)
          }`
    }
  }
}

/** `writeFileAtomic`, saying which step failed (see `WriteFailed`). */
export const replaceFile = (
  path: string,
  content: string,
  options: WriteOptions = {}
): Effect.Effect<void, WriteFailed, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const suffix = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36) +
      (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    const temp = `${path}.${suffix}.tmp`
    const bytes = new TextEncoder().encode(content)
    const mode = options.mode ?? 0o600
    // In place: the same inode, so the file's owner and bind mount stay; not atomic. A mode asked
    // for is set before the content is written: a secret never lands in a file still open to others.
    const inPlace = (renameError: PlatformError.PlatformError, noTemporaryFile: boolean) =>
      Effect.zipRight(
        Effect.ignore(fs.remove(temp)),
        (options.mode === undefined ? Effect.void : fs.chmod(path, mode)).pipe(
          Effect.zipRight(writeAndSync(fs, path, "w", bytes, mode)),
          Effect.mapError((error) =>
            new WriteFailed({ step: "in place", error, renameError, ...(noTemporaryFile ? { noTemporaryFile } : {}) })
          )
        )
      )
    // `open`'s mode goes through the umask; `chmod` sets exactly the bits asked for.
    const write = writeAndSync(fs, temp, "wx", bytes, 0o600).pipe(
      Effect.zipRight(mode === 0o600 ? Effect.void : fs.chmod(temp, mode)),
      Effect.mapError((error) => new WriteFailed({ step: "temporary file", error }))
    )
    const rename = fs.rename(temp, path).pipe(
      Effect.catchIf(renameImpossible, (renameError) => inPlace(renameError, false)),
      Effect.mapError((error) => error._tag === "WriteFailed" ? error : new WriteFailed({ step: "rename", error }))
    )
    yield* Effect.zipRight(write, rename).pipe(
      Effect.catchIf(
        (failure) => failure.step === "temporary file" && temporaryImpossible(failure.error),
        (failure) => inPlace(failure.error, true)
      ),
      Effect.onError(() => Effect.ignore(fs.remove(temp)))
    )
  })

/**
 * Replaces `path` with `content` so that a reader sees the old file or the new one, never half of
 * each: write a temporary file next to it (same directory, so same file system; mode 0600 as it
 * holds secrets, or `options.mode`), flush it, then `rename` it over the target. On failure the
 * temporary file is removed.
 *
 * `path` must be the file itself, not a symbolic link to it (the rename would replace the link):
 * resolve it first. When the rename cannot work for that file (EBUSY or EXDEV: a file bind-mounted
 * into a container), or no temporary file can be made beside it (EACCES, EPERM: a directory this
 * process may not write to), the content is written in place instead, as the official tool always
 * writes it: that keeps the file's inode and mode but is not atomic; if it fails too, its error is
 * the result.
 */
export const writeFileAtomic = (
  path: string,
  content: string,
  options: WriteOptions = {}
): Effect.Effect<void, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.mapError(replaceFile(path, content, options), (failure) => failure.error)

/** The keys the official tool writes back after an OAuth exchange or an External command run. */
export interface ProfilePatch {
  readonly accessKeyId?: string
  readonly accessKeySecret?: Redacted.Redacted<string>
  readonly stsToken?: Redacted.Redacted<string>
  /** Written as unix seconds; `null` writes 0, the official tool's "does not expire". */
  readonly stsExpiration?: DateTime.Utc | null
  readonly oauthAccessToken?: Redacted.Redacted<string>
  readonly oauthRefreshToken?: Redacted.Redacted<string>
  readonly oauthAccessTokenExpire?: DateTime.Utc
}

/** The keys of a credential, as the official tool writes them after an OAuth exchange or an External run. */
export const credentialPatch = (credential: Credential.Credential): ProfilePatch => ({
  accessKeyId: credential.accessKeyId,
  accessKeySecret: credential.accessKeySecret,
  ...(credential.securityToken === undefined ? {} : { stsToken: credential.securityToken }),
  stsExpiration: credential.expiration ?? null
})

const toUnixSeconds = (t: DateTime.Utc | null) => (t === null ? 0 : Math.floor(DateTime.toEpochMillis(t) / 1000))

// Secrets leave their `Redacted` here only because the file is where the official tools keep them.
const patchEntries = (patch: ProfilePatch): RawProfile => ({
  ...opt("access_key_id", patch.accessKeyId),
  ...opt("access_key_secret", patch.accessKeySecret === undefined ? undefined : Redacted.value(patch.accessKeySecret)),
  ...opt("sts_token", patch.stsToken === undefined ? undefined : Redacted.value(patch.stsToken)),
  ...opt("sts_expiration", patch.stsExpiration === undefined ? undefined : toUnixSeconds(patch.stsExpiration)),
  ...opt(
    "oauth_access_token",
    patch.oauthAccessToken === undefined ? undefined : Redacted.value(patch.oauthAccessToken)
  ),
  ...opt(
    "oauth_refresh_token",
    patch.oauthRefreshToken === undefined ? undefined : Redacted.value(patch.oauthRefreshToken)
  ),
  ...opt(
    "oauth_access_token_expire",
    patch.oauthAccessTokenExpire === undefined ? undefined : toUnixSeconds(patch.oauthAccessTokenExpire)
  )
})

const AnyObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * Re-reads the file, sets the `patch` keys of the profile named `profileName` (the OAuth or
 * External profile itself: the caller resolves `source_profile` links), keeps every other key,
 * profile and their order, and writes it atomically, indented by 4 as the official tool does.
 * If the file is gone, no longer parses or lost that profile, nothing is written.
 */
export const updateProfile = (
  path: string,
  profileName: string,
  patch: ProfilePatch
): Effect.Effect<void, NotConfigured | InvalidConfiguration, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const missing = () => new NotConfigured({ source, reason: `${path} does not exist`, fix: notConfiguredFix })
    // A symbolic link (a dotfile manager's) stays a link: the file it points to is rewritten.
    const target = yield* fs.realPath(path).pipe(
      Effect.mapError((error) =>
        error._tag === "SystemError" && error.reason === "NotFound"
          ? missing()
          : fileError(
            path,
            `cannot be resolved (${describePlatformError(error)})`,
            "make it a readable file (check its permissions)"
          )
      )
    )
    const text = yield* readTextFile(target, { source, field: path }).pipe(
      Effect.catchTag("FileNotFound", () => Effect.fail(missing()))
    )
    // Check the shape with the same schema as readCliConfig, then rebuild from the untouched JSON
    // so that aliyun-cli's keys survive in their places. Writing it back prints all of it, so all
    // of it must be shallow enough to print.
    const json = yield* parseJsonText(path, text)
    const deep = tooDeep(json)
    if (deep !== undefined) {
      return yield* fileError(path, `${deepReason(deep)}, so it is not rewritten`, "remove that value from the file")
    }
    const file = yield* Schema.decodeUnknown(CliConfigFile)(json).pipe(Effect.mapError((e) => shapeError(path, e)))
    const top = yield* Schema.decodeUnknown(AnyObject)(json).pipe(Effect.mapError((e) => shapeError(path, e)))
    const profiles = file.profiles ?? []
    const index = profiles.findIndex((p) => p.name === profileName)
    if (index === -1) {
      return yield* new NotConfigured({
        source,
        reason: `there is no profile ${JSON.stringify(profileName)} in ${path} to update; profiles: ${
          listNames({ profiles })
        }`,
        fix: `run \`aliyun configure --profile ${profileName}\``
      })
    }
    const entries = patchEntries(patch)
    const updated = { ...top, profiles: profiles.map((p, i) => (i === index ? { ...p, ...entries } : p)) }
    const content = yield* Effect.try({
      try: () => JSON.stringify(updated, null, 4),
      catch: () =>
        fileError(path, "cannot be printed back as JSON", "correct the file, or run `aliyun configure` again")
    })
    const info = yield* fs.stat(target).pipe(
      Effect.mapError((error) =>
        fileError(
          path,
          `cannot be examined (${describePlatformError(error)})`,
          "make it a readable file (check its permissions)"
        )
      )
    )
    // The file now holds a secret (the helper's credential, OAuth tokens). Open to every user (644,
    // the default umask's): it becomes the owner's only, as aliyun creates it (0600). A mode that
    // shares it with the group only (640) is the owner's choice and is kept.
    const before = info.mode & 0o7777
    const mode = (before & 0o007) === 0 ? before : before & 0o700
    yield* replaceFile(target, content, { mode }).pipe(
      Effect.mapError((failure) =>
        new InvalidConfiguration({
          source,
          field: path,
          reason: `cannot be written (${failure.detail})`,
          fix: "make the file and its directory writable by this process"
        })
      )
    )
    if (mode !== before) {
      yield* Effect.logWarning(
        `${path} was open to every user of this host (mode ${octal(before)}) and now holds secrets: its mode is now ${
          octal(mode)
        }`
      ).pipe(Effect.annotateLogs({ source }))
    }
  })

const octal = (mode: number) => `0${mode.toString(8)}`

/**
 * A failed write-back is a warning: the process goes on with what it holds in memory. Losing
 * rotated OAuth tokens from the file means the next process must sign in again: it says so.
 */
export const warnIfNotWritten =
  (path: string, what: "tokens" | "credential") =>
  <A>(effect: Effect.Effect<A, CredentialsError, FileSystem.FileSystem>) =>
    effect.pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(
          what === "tokens"
            ? `could not write the renewed OAuth tokens back to ${path}: this process keeps using them from memory, ` +
              "but the file still holds a refresh token the service has spent (another process must sign in again)"
            : `could not write the refreshed credential back to ${path}`
        ).pipe(Effect.annotateLogs({ source, error: error.message }))
      )
    )
