// How a client or provider of the Promise facade gets its credentials: a recipe, made when the
// object is made, run by an engine (`./runtime.ts`, `./engine.ts`) on first use. A recipe is data:
// a static source, or the description of a network source that the network module
// (`./layers.ts`, loaded on first use) builds. The recipe of a `Config` (or of a builder, read as a
// `Config`) is made from its options decoded once (`./config.ts`); a configuration that cannot be
// decoded is its error.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as DefaultChain from "../DefaultChain.js"
import type { Source } from "../Source.js"
import { configKeys, decode, inFacadeWords, type Naming, type Options, type Type } from "./config.js"
import type { ConfigOptions } from "./model.js"
import { signerOf, staticSource } from "./static.js"

/** A source that needs no network: run on Effect's default runtime (`cached: false`, on every call). */
export interface Static {
  readonly _tag: "Static"
  readonly source: Source
  readonly cached: boolean
}

/** A network source that only speaks HTTP: a role signed by such a source, the metadata service, a URI. */
export type HttpSource =
  | {
    readonly type: "ram_role_arn"
    readonly options: Options<"ram_role_arn">
    readonly signer: Static | { readonly _tag: "Http"; readonly network: HttpSource }
  }
  | { readonly type: "ecs_ram_role"; readonly options: Options<"ecs_ram_role"> }
  | { readonly type: "credentials_uri"; readonly options: Options<"credentials_uri"> }

/** A network source that may also read files or run the CLI's helpers. */
export type SystemSource =
  | HttpSource
  | { readonly type: "ram_role_arn"; readonly options: Options<"ram_role_arn">; readonly signer: Recipe }
  | { readonly type: "oidc_role_arn"; readonly options: Options<"oidc_role_arn"> }
  | { readonly type: "profile" | "cli_profile"; readonly profile: string | undefined }
  | { readonly type: "default"; readonly chain: DefaultChain.Options | undefined }

/**
 * A static source; a network source that only speaks HTTP; or one that may also read files or run
 * the CLI's helpers (OIDC, profiles, the default chain, a role signed by such a source), for which
 * the network engine adds Node's file system and child processes.
 */
export type Recipe =
  | Static
  | { readonly _tag: "Http"; readonly network: HttpSource }
  | { readonly _tag: "Network"; readonly network: SystemSource }

const signedRole = (options: Options<"ram_role_arn">, signer: Recipe): Recipe =>
  signer._tag === "Network"
    ? { _tag: "Network", network: { type: "ram_role_arn", options, signer } }
    : { _tag: "Http", network: { type: "ram_role_arn", options, signer } }

/**
 * The recipe of a configuration whose type the caller checked. `signer` assumes the role of
 * `ram_role_arn` (by default, the configuration's keys); `naming` names the keys in errors.
 */
export const ofConfig = (
  config: ConfigOptions & { readonly type: Type },
  options: { readonly signer?: Recipe | undefined; readonly naming?: Naming | undefined } = {}
): Recipe => {
  const naming = options.naming ?? configKeys
  const decoded = decode(config, naming)
  if (Either.isLeft(decoded)) return { _tag: "Static", source: Effect.fail(decoded.left), cached: false }
  const network = decoded.right
  const facadeWords = inFacadeWords(network.type, naming)
  switch (network.type) {
    case "access_key":
    case "sts":
    case "bearer":
      return { _tag: "Static", source: Effect.mapError(staticSource(network), facadeWords), cached: true }
    case "ram_role_arn":
      return signedRole(
        network.options,
        options.signer ??
          { _tag: "Static", source: Effect.mapError(signerOf(network.options), facadeWords), cached: false }
      )
    case "oidc_role_arn":
      return { _tag: "Network", network }
    case "ecs_ram_role":
    case "credentials_uri":
      return { _tag: "Http", network }
  }
}

/** A profile of the ini credentials file (`profile`) or of the CLI's `config.json` (`cli_profile`). */
export const profile = (type: "profile" | "cli_profile", name: string | undefined): Recipe => ({
  _tag: "Network",
  network: { type, profile: name }
})

/** The default chain (see `Credential.defaultChain` for one with options). */
export const defaultChain = (chain: DefaultChain.Options | undefined): Recipe => ({
  _tag: "Network",
  network: { type: "default", chain }
})
