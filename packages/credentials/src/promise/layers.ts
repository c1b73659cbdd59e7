// The Promise facade's network sources and default chain, built from the recipes of
// `./recipe.ts` (their options decoded by `./config.ts`): loaded with the network engine
// (`./engine.ts`) when a client or provider that needs them is first used, so that the static types
// start without them. Each source's own module is loaded when that source first runs: a
// ram_role_arn client does not evaluate the CLI profile's or the default chain's modules.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Credentials } from "../Credentials.js"
import { InvalidConfiguration } from "../CredentialsError.js"
import { loadedWhenReached } from "../internal/chain/loaded.js"
import { askedPrefetchWindow } from "../internal/refresh/timing.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import { sanitize } from "../internal/upstream/scrub.js"
import * as Refresh from "../Refresh.js"
import type { Source } from "../Source.js"
import type * as DefaultChain from "../sources/internal/defaultChain.js"
import type * as OidcRoleArn from "../sources/OidcRoleArn.js"
import type { Options } from "./config.js"
import type { HttpSource, Recipe, SystemSource } from "./recipe.js"

// A source whose module is loaded when it first runs, then made once and kept (a source may keep
// state between its fetches: the CLI profile's OAuth tokens, say).
const loaded = <M, R>(load: () => Promise<M>, make: (module: M) => Source<R>): Source<R> =>
  loadedWhenReached(() => load().then(make))

// The official options are milliseconds and seconds; 0 or less means the default.
const millis = (value: number | undefined) => (value === undefined || value <= 0 ? undefined : Duration.millis(value))

const seconds = (value: number | undefined) => (value === undefined || value <= 0 ? undefined : Duration.seconds(value))

// The official `timeout` (read) and `connectTimeout` bound the whole getCredential() call: the
// time budget is their sum, retries included.
const upstreamOptions = (
  options: { readonly timeout?: number; readonly connectTimeout?: number },
  defaults: Upstream.Defaults
): Upstream.Options => {
  const connectTimeout = millis(options.connectTimeout)
  const readTimeout = millis(options.timeout)
  return {
    connectTimeout,
    readTimeout,
    timeBudget: Duration.sum(connectTimeout ?? defaults.connect, readTimeout ?? defaults.read)
  }
}

// Ours: the proxy of the upstreams other than the metadata service (which is never proxied); a
// URL may hold credentials, so it is Redacted from here on.
const proxied = (options: { readonly proxy?: string | false }) => ({
  proxy: typeof options.proxy === "string" ? Redacted.make(options.proxy) : options.proxy
})

// Ours: the OIDC token from a function, called at every fetch; a rejection or a throw is an
// `InvalidConfiguration` of `oidcToken` (its message kept, as a custom provider's is, but escaped
// and bounded as any outside text: no ESC, BEL or newline reaches a message).
const oidcTokenOf = (produce: (() => Promise<string>) | undefined): OidcRoleArn.Options["oidcToken"] =>
  produce === undefined ? undefined : Effect.tryPromise({
    try: async () => produce(),
    catch: (cause) =>
      new InvalidConfiguration({
        source: "oidc_role_arn",
        field: "oidcToken",
        reason: `rejected: ${sanitize(cause instanceof Error ? cause.message : String(cause))}`,
        fix: "check the function given as oidcToken"
      })
  })

// The options that mean the same in the facade and in the source, as they are.
const same = <O, K extends keyof O>(options: O, ...keys: ReadonlyArray<K>): Pick<O, K> =>
  Object.fromEntries(keys.map((key) => [key, options[key]])) as Pick<O, K>

const stsOptions = (options: Options<"ram_role_arn"> | Options<"oidc_role_arn">) => ({
  ...upstreamOptions(options, Upstream.serviceDefaults),
  ...proxied(options),
  ...same(options, "roleArn", "roleSessionName", "policy", "stsEndpoint", "stsRegionId", "enableVpc"),
  roleSessionExpiration: seconds(options.roleSessionExpiration)
})

// `ram_role_arn`: the role assumed with `signer`'s credentials.
const ramRoleArn = <R>(options: Options<"ram_role_arn">, signer: Source<R>): Source<R | HttpClient.HttpClient> =>
  loaded(
    () => import("../sources/RamRoleArn.js"),
    (RamRoleArn) => RamRoleArn.make<R>({ ...stsOptions(options), externalId: options.externalId, source: signer })
  )

// `oidc_role_arn`: the role assumed with an OIDC token (a file, or ours: a function).
const oidcRoleArn = (options: Options<"oidc_role_arn">): Source<DefaultChain.Requirements> =>
  loaded(() => import("../sources/OidcRoleArn.js"), (OidcRoleArn) =>
    OidcRoleArn.make({
      ...stsOptions(options),
      ...same(options, "oidcProviderArn", "oidcTokenFilePath"),
      oidcToken: oidcTokenOf(options.oidcToken)
    }))

// `ecs_ram_role`: the instance's RAM role, from the metadata service.
const ecsRamRole = (options: Options<"ecs_ram_role">): Source<HttpClient.HttpClient> =>
  loaded(() => import("../sources/EcsRamRole.js"), (EcsRamRole) =>
    EcsRamRole.make({
      ...upstreamOptions(options, Upstream.metadataDefaults),
      ...same(options, "roleName", "disableIMDSv1", "metadataUrl"),
      tokenTtl: seconds(options.metadataTokenDuration)
    }))

// `credentials_uri`: a credentials URI.
const credentialsUri = (options: Options<"credentials_uri">): Source<HttpClient.HttpClient> =>
  loaded(() => import("../sources/CredentialsUri.js"), (CredentialsUri) =>
    CredentialsUri.make({
      ...upstreamOptions(options, Upstream.serviceDefaults),
      ...proxied(options),
      credentialsUri: options.credentialsURI
    }))

// The default chain as one source (the signer of a role): walked anew on each call.
const defaultChainSource = (options: DefaultChain.Options | undefined): Source<DefaultChain.Requirements> =>
  loaded(
    () => Promise.all([import("../Chain.js"), import("../sources/internal/defaultChain.js")]),
    ([Chain, DefaultChain]) => Effect.flatten(Chain.make(DefaultChain.inOrder(options), { name: "default" }))
  )

// The source of a network recipe that only speaks HTTP.
const httpSource = (network: HttpSource): Source<HttpClient.HttpClient> => {
  switch (network.type) {
    case "ram_role_arn":
      return ramRoleArn(
        network.options,
        network.signer._tag === "Static" ? network.signer.source : httpSource(network.signer.network)
      )
    case "ecs_ram_role":
      return ecsRamRole(network.options)
    case "credentials_uri":
      return credentialsUri(network.options)
  }
}

// The source of a recipe, to sign a role with it.
const sourceOfRecipe = (recipe: Recipe): Source<DefaultChain.Requirements> =>
  recipe._tag === "Static"
    ? recipe.source
    : recipe._tag === "Http"
    ? httpSource(recipe.network)
    : systemSource(recipe.network)

// The source of a network recipe that may also read files or run the CLI's helpers.
const systemSource = (network: SystemSource): Source<DefaultChain.Requirements> => {
  switch (network.type) {
    case "ram_role_arn":
      return ramRoleArn(network.options, sourceOfRecipe(network.signer))
    case "oidc_role_arn":
      return oidcRoleArn(network.options)
    case "ecs_ram_role":
    case "credentials_uri":
      return httpSource(network)
    case "profile":
      return loaded(
        () => import("../sources/IniProfile.js"),
        (IniProfile) => IniProfile.make({ profile: network.profile })
      )
    case "cli_profile":
      return loaded(
        () => import("../sources/CliProfile.js"),
        (CliProfile) => CliProfile.make({ profile: network.profile })
      )
    case "default":
      return defaultChainSource(network.chain)
  }
}

// The refresh options of a network source (the platform comes from the runtime): the official
// timing, each credential refreshed as far ahead as its source asked (ECS credentials, from the
// source or a profile: the official hour), the others at the stale window.
const refreshOptions: Refresh.Options = { prefetchWindow: askedPrefetchWindow }

// A network source as a cached, refreshing `Credentials` layer.
const layerOf = <R>(source: Source<R>): Layer.Layer<Credentials, never, R> => Credentials.layer(source, refreshOptions)

/**
 * The refresh engine of a network recipe that only speaks HTTP, in the current scope: what
 * `Credentials.layer` holds, without building a layer.
 */
export const httpEngine = (
  network: HttpSource
): Effect.Effect<Refresh.Refreshing, never, Scope.Scope | HttpClient.HttpClient> =>
  Refresh.make(httpSource(network), refreshOptions)

/** The `Credentials` layer of a network recipe that may also read files or run helpers (the default chain's own). */
export const systemLayer = (network: SystemSource): Layer.Layer<Credentials, never, DefaultChain.Requirements> =>
  network.type === "default"
    ? Layer.unwrapEffect(
      Effect.promise(() => import("../DefaultChain.js")).pipe(Effect.map((m) => m.layer(network.chain)))
    )
    : layerOf(systemSource(network))
