// The External mode of a CLI profile: `process_command` prints the credential (see
// ../../process/external.ts), which is written back to the profile, as the official tool does.
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Credential from "../../../Credential.js"
import type { CredentialsError } from "../../../CredentialsError.js"
import { decodeDuration } from "../../config/rules.js"
import { runExternal } from "../../process/external.js"
import { source } from "./file.js"
import type { ExternalProfile } from "./model.js"
import { profileField } from "./profiles.js"
import { credentialPatch, updateProfile, warnIfNotWritten } from "./writeBack.js"

export interface Context {
  /** The config file, where the credential is written back. */
  readonly path: string
  /** How long the command may run (the `commandTimeout` option). Default 60 seconds (the official tool's). */
  readonly timeout: Duration.DurationInput | undefined
}

/**
 * The External profile's credential. As the official tool: an answer without an expiration (an
 * `AK` helper's) is asked for again at every call (`cache: "none"`), so a rotated key is seen at
 * once; one with an expiration is kept until its refresh window.
 */
export const externalCredential = (
  ctx: Context,
  profile: ExternalProfile
): Effect.Effect<Credential.Credential, CredentialsError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const output = yield* runExternal({
      source,
      field: profileField(profile.name, "process_command"),
      processCommand: profile.processCommand,
      timeout: yield* decodeDuration(source, "commandTimeout", ctx.timeout ?? "60 seconds")
    })
    const credential = Credential.make({
      type: output.mode === "AK" ? "access_key" : "sts",
      accessKeyId: output.accessKeyId,
      accessKeySecret: output.accessKeySecret,
      securityToken: output.stsToken,
      expiration: output.expiration,
      providerName: "external"
    })
    yield* updateProfile(ctx.path, profile.name, credentialPatch(credential)).pipe(
      warnIfNotWritten(ctx.path, "credential")
    )
    return credential.expiration === undefined ? Credential.uncached(credential) : credential
  })
