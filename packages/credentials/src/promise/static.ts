// The Promise facade's sources that need neither the network nor the file system: its static
// types (access_key, sts, bearer), the AccessKey pair that signs its ram_role_arn type, and a custom
// provider as a signer. Built without loading the other sources and the Node platform (most of the
// import cost).
import * as Effect from "effect/Effect"
import * as CredentialModule from "../Credential.js"
import { CommandFailed } from "../CredentialsError.js"
import type { Source } from "../Source.js"
import * as AccessKey from "../sources/AccessKey.js"
import * as Bearer from "../sources/Bearer.js"
import * as Sts from "../sources/Sts.js"
import type { Decoded, Options, StaticType } from "./config.js"
import type { CredentialsProvider } from "./model.js"

// A key left unset goes on to the source, whose own check names it ("securityToken is missing").
const orUnset = (value: string | undefined): string => value as string

/** A static STS credential when there is a security token, else a static AccessKey (the official rule). */
export const fromKeys = (keys: {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string | undefined
}): Source =>
  keys.securityToken === undefined || keys.securityToken === ""
    ? AccessKey.make(keys)
    : Sts.make({ ...keys, securityToken: keys.securityToken })

const keysOf = (options: Options<"access_key">) => ({
  accessKeyId: orUnset(options.accessKeyId),
  accessKeySecret: orUnset(options.accessKeySecret)
})

/** The credential that signs ram_role_arn's AssumeRole: the options' keys. */
export const signerOf = (options: Options<"ram_role_arn">): Source =>
  fromKeys({ ...keysOf(options), securityToken: options.securityToken })

/** The source of a static type. */
export const staticSource = (decoded: Extract<Decoded, { readonly type: StaticType }>): Source => {
  switch (decoded.type) {
    case "access_key":
      return AccessKey.make(keysOf(decoded.options))
    case "sts":
      return Sts.make({ ...keysOf(decoded.options), securityToken: orUnset(decoded.options.securityToken) })
    case "bearer":
      return Bearer.make({ bearerToken: orUnset(decoded.options.bearerToken) })
  }
}

/**
 * A custom provider as the signer of a role (the official `withCredentialsProvider`): asked on
 * every AssumeRole; its error's own message is kept.
 */
export const providerSource = (provider: CredentialsProvider): Source => {
  // The provider's own name, asked once per answer; one whose getter throws is the custom provider.
  const nameOf = (): string => {
    try {
      return String(provider.getProviderName())
    } catch {
      return "custom provider"
    }
  }
  const failed = (detail: string) => new CommandFailed({ source: nameOf(), command: "getCredentials()", detail })
  return Effect.tryPromise({
    // Awaited, as the official awaits it: an answer given without a Promise is taken too.
    try: async (): Promise<unknown> => await provider.getCredentials(),
    catch: (cause) => failed(`failed: ${cause instanceof Error ? cause.message : String(cause)}`)
  }).pipe(
    Effect.filterOrFail(
      (answer): answer is Parameters<typeof fromKeys>[0] => typeof answer === "object" && answer !== null,
      () => failed("answered no credentials")
    ),
    Effect.flatMap((answer) => fromKeys(answer)),
    Effect.map((c) => CredentialModule.withProviderName(c, nameOf()))
  )
}
