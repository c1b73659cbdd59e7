import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { AccessKey, MetadataMode, Options } from "./model.js"

/** @internal */
export class CliError extends Data.TaggedError("CliError")<{ readonly detail: string }> {
  override get message(): string {
    return `alicloud-emulator: ${this.detail}\n${usage}`
  }
}

/** @internal */
export const usage = `usage: alicloud-emulator [--port N] [--host 127.0.0.1] [--metadata-mode v2-required|v1-only|both]
                         [--role-name NAME] [--credentials-path /credentials]
                         [--access-key ID:SECRET[:SECURITY_TOKEN]]... [--oidc-token TOKEN]...
                         [--tls-key KEY.pem --tls-cert CERT.pem]   (serve HTTPS)
Prints the URLs as one JSON line, then serves until SIGINT/SIGTERM. Binds loopback only.`

/** The parsed command line: emulator options, or a request for help. @internal */
export type Parsed =
  | {
    readonly _tag: "Run"
    readonly options: Options
    /** PEM files to read for HTTPS (both or neither). */
    readonly tlsFiles?: { readonly key: string; readonly cert: string } | undefined
  }
  | { readonly _tag: "Help" }

const modes: ReadonlyArray<MetadataMode> = ["v2-required", "v1-only", "both"]

/**
 * Parses `--name value` and `--name=value` flags. Never throws.
 *
 * @internal
 */
export const parseArgs = (argv: ReadonlyArray<string>): Either.Either<Parsed, CliError> => {
  let port: number | undefined
  let host: string | undefined
  let metadataMode: MetadataMode | undefined
  let roleName: string | undefined
  let credentialsPath: string | undefined
  let tlsKey: string | undefined
  let tlsCert: string | undefined
  const accessKeys: Array<AccessKey> = []
  const oidcTokens: Array<string> = []
  const fail = (detail: string) => Either.left(new CliError({ detail }))

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    if (arg === "--help" || arg === "-h") return Either.right({ _tag: "Help" })
    if (!arg.startsWith("--")) return fail(`unexpected argument ${JSON.stringify(arg)}`)
    const eq = arg.indexOf("=")
    const name = eq === -1 ? arg : arg.slice(0, eq)
    let value: string
    if (eq !== -1) value = arg.slice(eq + 1)
    else {
      const next = argv[i + 1]
      if (next === undefined) return fail(`${name} needs a value`)
      value = next
      i++
    }
    switch (name) {
      case "--port": {
        const n = Number(value)
        if (!/^\d+$/.test(value) || n > 65535) {
          return fail(`--port must be an integer 0..65535, got ${JSON.stringify(value)}`)
        }
        port = n
        break
      }
      case "--host":
        host = value
        break
      case "--metadata-mode": {
        const mode = modes.find((m) => m === value)
        if (mode === undefined) return fail(`--metadata-mode must be one of ${modes.join(", ")}`)
        metadataMode = mode
        break
      }
      case "--role-name":
        roleName = value
        break
      case "--credentials-path":
        credentialsPath = value
        break
      case "--access-key": {
        const [id, secret, ...token] = value.split(":")
        if (id === undefined || id === "" || secret === undefined || secret === "") {
          // never echo the value: it holds a secret
          return fail("--access-key must be ID:SECRET or ID:SECRET:SECURITY_TOKEN")
        }
        const securityToken = token.join(":")
        accessKeys.push(
          securityToken === "" ?
            { accessKeyId: id, accessKeySecret: secret } :
            { accessKeyId: id, accessKeySecret: secret, securityToken }
        )
        break
      }
      case "--tls-key":
        tlsKey = value
        break
      case "--tls-cert":
        tlsCert = value
        break
      case "--oidc-token":
        oidcTokens.push(value)
        break
      default:
        return fail(`unknown option ${name}`)
    }
  }
  if ((tlsKey === undefined) !== (tlsCert === undefined)) return fail("--tls-key and --tls-cert go together")
  const options: Options = {
    ...(port === undefined ? {} : { port }),
    ...(host === undefined ? {} : { host }),
    ...(metadataMode === undefined ? {} : { metadataMode }),
    ...(roleName === undefined ? {} : { roleName }),
    ...(credentialsPath === undefined ? {} : { credentialsPath }),
    ...(accessKeys.length === 0 ? {} : { accessKeys }),
    ...(oidcTokens.length === 0 ? {} : { oidcTokens })
  }
  return Either.right(
    tlsKey !== undefined && tlsCert !== undefined ?
      { _tag: "Run", options, tlsFiles: { key: tlsKey, cert: tlsCert } } :
      { _tag: "Run", options }
  )
}
