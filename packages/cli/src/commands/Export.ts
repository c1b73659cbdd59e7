/**
 * `alicloud-credentials export`: the credential itself, for another program. The only command
 * that prints secrets, and it will not print them to a terminal unless `--force` is given.
 *
 * - `--format shell` (default): `export` lines for `eval "$(alicloud-credentials export)"`,
 *   single-quoted; an AccessKey without a token also unsets `ALIBABA_CLOUD_SECURITY_TOKEN`, so a
 *   token left in the shell does not pair with the wrong key.
 * - `--format json`: the output an External profile's `process_command` must print
 *   (`{"mode":"AK"|"StsToken","access_key_id","access_key_secret","sts_token","expiration"}`).
 *
 * @since 0.1.0
 */
import { type Credential, Credentials } from "@effect-alicloud/credentials"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Terminal from "@effect/platform/Terminal"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as ChainOptions from "../ChainOptions.js"
import * as Failure from "../Failure.js"
import * as Output from "../Output.js"

/**
 * Quotes a value for a POSIX shell: `'...'`, each `'` written `'\''`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`

/**
 * The `export` lines of a credential.
 *
 * @since 0.1.0
 * @category formatting
 */
export const shellLines = (credential: Credential.Credential): string => {
  const lines = [
    `export ALIBABA_CLOUD_ACCESS_KEY_ID=${shellQuote(credential.accessKeyId)}`,
    `export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${shellQuote(Redacted.value(credential.accessKeySecret))}`,
    credential.securityToken === undefined
      ? "unset ALIBABA_CLOUD_SECURITY_TOKEN"
      : `export ALIBABA_CLOUD_SECURITY_TOKEN=${shellQuote(Redacted.value(credential.securityToken))}`
  ]
  return lines.join("\n")
}

/**
 * The External-mode JSON of a credential (`process_command` output).
 *
 * @since 0.1.0
 * @category formatting
 */
export const externalJson = (credential: Credential.Credential): string =>
  JSON.stringify(
    credential.securityToken === undefined
      ? {
        mode: "AK",
        access_key_id: credential.accessKeyId,
        access_key_secret: Redacted.value(credential.accessKeySecret)
      }
      : {
        mode: "StsToken",
        access_key_id: credential.accessKeyId,
        access_key_secret: Redacted.value(credential.accessKeySecret),
        sts_token: Redacted.value(credential.securityToken),
        ...(credential.expiration === undefined ? {} : { expiration: Output.isoSeconds(credential.expiration) })
      }
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "export",
  {
    chain: ChainOptions.options,
    format: Options.choice("format", ["shell", "json"]).pipe(
      Options.withDefault("shell" as const),
      Options.withDescription(
        "shell: export lines for eval; json: the output an External profile's process_command prints"
      )
    ),
    force: Options.boolean("force").pipe(
      Options.withDescription("Print the secrets even when the output is a terminal")
    )
  },
  ({ chain, force, format }) =>
    Effect.gen(function*() {
      const terminal = yield* Terminal.Terminal
      if (!force && (yield* terminal.isTTY)) {
        return yield* Failure.usage(
          "refusing to print secrets to a terminal: use eval \"$(alicloud-credentials export)\", a pipe or a file, or --force"
        )
      }
      const credential = yield* Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(
        Effect.mapError((error) => Failure.fromCredentialsError(error, ChainOptions.failureContext(chain)))
      )
      if (credential.type === "bearer") {
        return yield* new Failure.CliFailure({
          exitCode: 1,
          detail: `${credential.providerName} gave a bearer token, which has no AccessKey to export`
        })
      }
      yield* Console.log(format === "json" ? externalJson(credential) : shellLines(credential))
    }).pipe(Effect.provide(Credentials.layerDefault(ChainOptions.toChainOptions(chain))))
).pipe(Command.withDescription(
  "Print the credential's secrets as shell export lines or as External-mode JSON (refuses a terminal without --force)"
))
