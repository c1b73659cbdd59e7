// How a client or provider of the Promise facade gets its credentials: a recipe, made when the
// object is made, run by an engine (`./runtime.ts`, `./engine.ts`) on first use. The recipe of a
// `Config` (or of a builder, read as a `Config`) is made from its options decoded once
// (`./config.ts`): a static type is its source; a network type names the source the network module
// (`./layers.ts`, loaded on first use) builds; a configuration that cannot be decoded is its error.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import type { Credentials } from "../Credentials.js"
import type * as DefaultChain from "../DefaultChain.js"
import type { Source } from "../Source.js"
import { configKeys, decode, type Decoded, type Naming, type Type } from "./config.js"
import type * as FacadeLayers from "./layers.js"
import type { ConfigOptions } from "./model.js"
import { staticSource } from "./static.js"

/** The network module, loaded on first use. */
export type Layers = typeof FacadeLayers

/**
 * A static source (no network, no platform); a source that only speaks HTTP (a role signed by
 * keys, the metadata service, a credentials URI); or one that may also read files or run the CLI's
 * helpers (OIDC, profiles, the default chain, a role signed by such a source). The last two are
 * built from the network module once it is loaded. `cached: false` runs a static source on every
 * call (the official environment provider reads the variables on every call).
 */
export type Recipe =
  | { readonly _tag: "Static"; readonly source: Source; readonly cached: boolean }
  | { readonly _tag: "Http"; readonly source: (layers: Layers) => Source<HttpClient.HttpClient> }
  | {
    readonly _tag: "Network"
    readonly source: (layers: Layers) => Source<DefaultChain.Requirements>
    /** A layer of its own (the default chain); else `layers.layerOf(source)`. */
    readonly layer?: ((layers: Layers) => Layer.Layer<Credentials, never, DefaultChain.Requirements>) | undefined
  }

/** The source of a recipe, inside the network module (to be the signer of a role, say). */
export const sourceIn = (recipe: Recipe, layers: Layers): Source<DefaultChain.Requirements> =>
  recipe._tag === "Static" ? recipe.source : recipe.source(layers)

/** The source of a recipe that needs no more than HTTP, inside the network module. */
const httpSourceIn = (recipe: Exclude<Recipe, { _tag: "Network" }>, layers: Layers): Source<HttpClient.HttpClient> =>
  recipe._tag === "Static" ? recipe.source : recipe.source(layers)

const ofDecoded = (decoded: Decoded, signer: Recipe | undefined): Recipe => {
  switch (decoded.type) {
    case "access_key":
    case "sts":
    case "bearer":
      return { _tag: "Static", source: staticSource(decoded), cached: true }
    case "ram_role_arn": {
      const options = decoded.options
      // Signed by a source that may read files or run helpers: the role needs them too.
      return signer?._tag === "Network"
        ? { _tag: "Network", source: (layers) => layers.ramRoleArn(options, sourceIn(signer, layers)) }
        : {
          _tag: "Http",
          source: (layers) =>
            layers.ramRoleArn(options, signer === undefined ? undefined : httpSourceIn(signer, layers))
        }
    }
    case "oidc_role_arn":
      return { _tag: "Network", source: (layers) => layers.oidcRoleArn(decoded.options) }
    case "ecs_ram_role":
      return { _tag: "Http", source: (layers) => layers.ecsRamRole(decoded.options) }
    case "credentials_uri":
      return { _tag: "Http", source: (layers) => layers.credentialsUri(decoded.options) }
  }
}

/**
 * The recipe of a configuration whose type the caller checked. `signer` assumes the role of
 * `ram_role_arn` (by default, the configuration's keys); `naming` names the keys in errors.
 */
export const ofConfig = (
  config: ConfigOptions & { readonly type: Type },
  options: { readonly signer?: Recipe | undefined; readonly naming?: Naming | undefined } = {}
): Recipe =>
  Either.match(decode(config, options.naming ?? configKeys), {
    onLeft: (error) => ({ _tag: "Static", source: Effect.fail(error), cached: false }),
    onRight: (decoded) => ofDecoded(decoded, options.signer)
  })

/** The default chain (see `Credential.defaultChain` for one with options). */
export const defaultChain = (chain: DefaultChain.Options | undefined): Recipe => ({
  _tag: "Network",
  source: (layers) => layers.defaultChainSource(chain),
  layer: (layers) => layers.layerDefaultChain(chain)
})
