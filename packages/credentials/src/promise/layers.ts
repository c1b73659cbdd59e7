// The Promise facade's network sources and default chain: loaded with the network engine
// (`./engine.ts`) when a client or provider that needs them is first used, so that the
// static types start without them. Each source's own module is loaded when that source first
// runs: a ram_role_arn client does not evaluate the CLI profile's or the default chain's modules.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Credential from "../Credential.js"
import { Credentials } from "../Credentials.js"
import { InvalidConfiguration } from "../CredentialsError.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type { Source } from "../Source.js"
import type * as DefaultChain from "../sources/internal/defaultChain.js"
import type * as OidcRoleArn from "../sources/OidcRoleArn.js"
import type { ConfigOptions } from "./model.js"
import { signerOf } from "./static.js"

// A source whose module is loaded when it first runs, then made once and kept (a source may keep
// state between its fetches: the CLI profile's OAuth tokens, say).
const loaded = <M, R>(load: () => Promise<M>, make: (module: M) => Source<R>): Source<R> => {
  let made: Promise<Source<R>> | undefined
  return Effect.flatten(Effect.promise(() => made ??= load().then(make)))
}

// The official options are milliseconds; 0 or less means the default.
const millis = (value: number | undefined) => (value === undefined || value <= 0 ? undefined : Duration.millis(value))

const seconds = (value: number | undefined) => (value === undefined || value <= 0 ? undefined : Duration.seconds(value))

// The official `timeout` (read) and `connectTimeout` bound the whole getCredential() call: the
// time budget is their sum, retries included.
const upstreamOptions = (config: ConfigOptions, defaults: Upstream.Defaults): Upstream.Options => {
  const connectTimeout = millis(config.connectTimeout)
  const readTimeout = millis(config.timeout)
  return {
    connectTimeout,
    readTimeout,
    timeBudget: Duration.sum(connectTimeout ?? defaults.connect, readTimeout ?? defaults.read)
  }
}

// Ours: the proxy of the upstreams other than the metadata service (which is never proxied); a
// URL may hold credentials, so it is Redacted from here on.
const proxied = (config: ConfigOptions) => ({
  proxy: typeof config.proxy === "string" ? Redacted.make(config.proxy) : config.proxy
})

// Ours: the OIDC token from a function, called at every fetch; a rejection or a throw is an
// `InvalidConfiguration` of `oidcToken` (its message kept, as a custom provider's is).
const oidcTokenOf = (config: ConfigOptions): OidcRoleArn.Options["oidcToken"] => {
  const produce = config.oidcToken
  if (produce === undefined) return undefined
  return Effect.tryPromise({
    try: async () => produce(),
    catch: (cause) =>
      new InvalidConfiguration({
        source: "oidc_role_arn",
        field: "oidcToken",
        reason: `rejected: ${cause instanceof Error ? cause.message : String(cause)}`,
        fix: "check the function given as oidcToken"
      })
  })
}

const stsOptions = (config: ConfigOptions) => ({
  ...upstreamOptions(config, Upstream.serviceDefaults),
  ...proxied(config),
  roleArn: config.roleArn,
  roleSessionName: config.roleSessionName,
  roleSessionExpiration: seconds(config.roleSessionExpiration),
  policy: config.policy,
  stsEndpoint: config.stsEndpoint,
  stsRegionId: config.stsRegionId,
  enableVpc: config.enableVpc
})

// `ram_role_arn`: the role assumed with `signer`'s credentials.
const ramRoleArn = <R>(config: ConfigOptions, signer: Source<R>): Source<R | HttpClient.HttpClient> =>
  loaded(() => import("../sources/RamRoleArn.js"), (RamRoleArn) =>
    RamRoleArn.make({
      ...stsOptions(config),
      externalId: config.externalId,
      source: signer
    }))

/**
 * The network source of the official options that only speaks HTTP: `ram_role_arn` signed by a
 * `signer` that only speaks HTTP too (by default, the options' keys), `ecs_ram_role`,
 * `credentials_uri`.
 */
export const httpSourceOf = (
  config: ConfigOptions,
  signer?: Source<HttpClient.HttpClient>
): Source<HttpClient.HttpClient> => {
  switch (config.type) {
    case "ram_role_arn":
      return ramRoleArn(config, signer ?? signerOf(config))
    case "ecs_ram_role":
      return loaded(() => import("../sources/EcsRamRole.js"), (EcsRamRole) =>
        EcsRamRole.make({
          ...upstreamOptions(config, Upstream.metadataDefaults),
          roleName: config.roleName,
          disableIMDSv1: config.disableIMDSv1,
          metadataUrl: config.metadataUrl,
          tokenTtl: seconds(config.metadataTokenDuration)
        }))
    default: // credentials_uri: the constructor admits only the supported types
      return loaded(() => import("../sources/CredentialsUri.js"), (CredentialsUri) =>
        CredentialsUri.make({
          ...upstreamOptions(config, Upstream.serviceDefaults),
          ...proxied(config),
          credentialsUri: config.credentialsURI
        }))
  }
}

/**
 * The network source of the official options (`ram_role_arn`, `oidc_role_arn`, `ecs_ram_role`,
 * `credentials_uri`). `signer` assumes the role of `ram_role_arn`; by default, the options' keys.
 */
export const sourceOf = (
  config: ConfigOptions,
  signer?: Source<DefaultChain.Requirements>
): Source<DefaultChain.Requirements> => {
  if (config.type === "oidc_role_arn") {
    return loaded(() => import("../sources/OidcRoleArn.js"), (OidcRoleArn) =>
      OidcRoleArn.make({
        ...stsOptions(config),
        oidcProviderArn: config.oidcProviderArn,
        oidcTokenFilePath: config.oidcTokenFilePath,
        oidcToken: oidcTokenOf(config)
      }))
  }
  return config.type === "ram_role_arn" && signer !== undefined ? ramRoleArn(config, signer) : httpSourceOf(config)
}

/** The official `CLIProfileCredentialsProvider`: a profile of the CLI's `config.json`. */
export const cliProfile = (profile: string | undefined): Source<DefaultChain.Requirements> =>
  loaded(() => import("../sources/CliProfile.js"), (CliProfile) => CliProfile.make({ profile }))

/** The official `ProfileCredentialsProvider`: a section of the ini credentials file. */
export const iniProfile = (profile: string | undefined): Source<DefaultChain.Requirements> =>
  loaded(() => import("../sources/IniProfile.js"), (IniProfile) => IniProfile.make({ profile }))

// ECS credentials are refreshed 1 hour ahead, the others at the stale window, as in the official
// tool (a profile or a chain may end in ECS: read by provider name).
const officialPrefetch = (credential: Credential.Credential): Duration.Duration =>
  credential.providerName.split("/").at(-1) === "ecs_ram_role" ? Duration.hours(1) : Duration.zero

/** A network source as a cached, refreshing `Credentials` layer (the platform comes from the runtime). */
export const layerOf = <R>(source: Source<R>): Layer.Layer<Credentials, never, R> =>
  Credentials.layer(source, { prefetchWindow: officialPrefetch })

/** The default chain (the platform comes from the runtime). */
export const layerDefaultChain = (
  options: DefaultChain.Options | undefined
): Layer.Layer<Credentials, never, DefaultChain.Requirements> =>
  Layer.unwrapEffect(Effect.promise(() => import("../DefaultChain.js")).pipe(Effect.map((m) => m.layer(options))))

/** The default chain as one source (the signer of a role): walked anew on each call. */
export const defaultChainSource = (options: DefaultChain.Options | undefined): Source<DefaultChain.Requirements> =>
  loaded(
    () => Promise.all([import("../Chain.js"), import("../sources/internal/defaultChain.js")]),
    ([Chain, DefaultChain]) => {
      const sources = DefaultChain.entries(options).map(([, source]) => source)
      return Effect.flatten(Chain.make(sources, { name: "default" }))
    }
  )
