// Runs the official tool's External provider (`@alicloud/credentials` 2.4.7,
// `dist/src/providers/external.js`) and ours on the same helper process, printing the same bytes,
// and reduces both outcomes to one comparable shape. Used by test/ExternalOfficial.test.ts in
// process, and by test/fixtures/external/zone.ts in a child process with another `TZ`.
// The official External provider needs no network: it runs the command and parses its output.
import { NodeContext } from "@effect/platform-node"
import { DateTime, Duration, Effect, Either, Redacted } from "effect"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { runExternal } from "../src/internal/process/external.js"

interface OfficialCredentials {
  readonly accessKeyId: unknown
  readonly accessKeySecret: unknown
  readonly securityToken: unknown
}
interface OfficialProvider {
  getCredentials(): Promise<OfficialCredentials>
  /** Unix seconds, 0 for none (`Math.floor(new Date(expiration).getTime() / 1000)`, NaN -> 0). */
  readonly expirationTimestamp: number
}
interface OfficialBuilder {
  withProcessCommand(command: string): OfficialBuilder
  build(): OfficialProvider
}
const require = createRequire(import.meta.url)
const OfficialExternal: { builder(): OfficialBuilder } =
  require("@alicloud/credentials/dist/src/providers/external.js").default

/**
 * What a tool made of one output: a credential (its type, values, and expiration in unix seconds,
 * 0 for none, as the official keeps it), or a rejection.
 */
export type Outcome =
  | {
    readonly ok: true
    readonly type: "access_key" | "sts"
    readonly accessKeyId: unknown
    readonly accessKeySecret: unknown
    readonly securityToken: unknown
    readonly expiresAt: number
  }
  | { readonly ok: false; readonly error: string }

const helper = fileURLToPath(new URL("./fixtures/external/print.mjs", import.meta.url))
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`

/** The process_command of a helper that prints `output` (a value is printed as its JSON). */
export const commandPrinting = (output: unknown): string => {
  const bytes = output instanceof Uint8Array
    ? Buffer.from(output)
    : Buffer.from(typeof output === "string" ? output : JSON.stringify(output))
  return [process.execPath, helper, bytes.toString("base64")].map(quote).join(" ")
}

export const official = async (command: string): Promise<Outcome> => {
  const provider = OfficialExternal.builder().withProcessCommand(command).build()
  try {
    const credentials = await provider.getCredentials()
    return {
      ok: true,
      // The official has no type: a credential with a (truthy) security token is an STS one.
      type: credentials.securityToken ? "sts" : "access_key",
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken ? credentials.securityToken : undefined,
      expiresAt: provider.expirationTimestamp
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}

export const ours = (command: string): Promise<Outcome> =>
  runExternal({
    source: "cli_profile",
    field: "process_command",
    processCommand: command,
    timeout: Duration.seconds(20)
  }).pipe(
    Effect.map((output): Outcome => ({
      ok: true,
      type: output.mode === "StsToken" ? "sts" : "access_key",
      accessKeyId: output.accessKeyId,
      accessKeySecret: Redacted.value(output.accessKeySecret),
      securityToken: output.stsToken === undefined ? undefined : Redacted.value(output.stsToken),
      expiresAt: output.expiration === undefined ? 0 : Math.floor(DateTime.toEpochMillis(output.expiration) / 1000)
    })),
    Effect.either,
    // A malformed output's detail names the field: "expiration is not a date".
    Effect.map(
      Either.getOrElse((error): Outcome => ({
        ok: false,
        error: error._tag === "MalformedResponse" ? error.detail : error.message
      }))
    ),
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )

/** Both tools on the same output. */
export const compare = async (output: unknown): Promise<{ readonly official: Outcome; readonly ours: Outcome }> => {
  const command = commandPrinting(output)
  const [a, b] = await Promise.all([official(command), ours(command)])
  return { official: a, ours: b }
}
