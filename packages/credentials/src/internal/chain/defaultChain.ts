// The default chain: its sources in the official order, its layer (platform-free) and `explain`.
// `DefaultChain` is its public face; the Promise facade's network module uses `entries` too.
import * as Duration from "effect/Duration"
import * as Chain from "../../Chain.js"
import type * as Credential from "../../Credential.js"
import { Credentials } from "../../Credentials.js"
import type { Options } from "../../DefaultChain.js"
import * as CliProfile from "../../sources/CliProfile.js"
import * as CredentialsUri from "../../sources/CredentialsUri.js"
import * as Environment from "../../sources/Environment.js"
import * as IniProfile from "../../sources/IniProfile.js"
import * as OidcRoleArn from "../../sources/OidcRoleArn.js"
import * as Upstream from "../upstream/pipeline.js"
import { metadataSource } from "./composite.js"

export type { Options, Requirements } from "../../DefaultChain.js"

/** The default sources by their official provider names, in chain order. */
export const sources = (options: Options = {}) =>
  ({
    env: Environment.make(),
    oidc_role_arn: OidcRoleArn.make({ ...Upstream.pick(options), stsEndpoint: options.stsEndpoint }),
    cli_profile: CliProfile.make({ ...options, path: options.cliConfigPath }),
    profile: IniProfile.make({ ...options, path: options.credentialsFilePath }),
    ecs_ram_role: metadataSource(options),
    credential_uri: CredentialsUri.make({ ...Upstream.pick(options), credentialsUri: options.credentialsUri })
  }) as const

/** The default sources as `[name, source]` pairs, in chain order (for `Chain.explain`). */
export const entries = (options: Options = {}) => Object.entries(sources(options))

// ECS credentials are refreshed 1 hour ahead, the others at the stale window, as in the official tool.
const officialPrefetch = (credential: Credential.Credential): Duration.Duration =>
  credential.providerName.split("/").at(-1) === "ecs_ram_role" ? Duration.hours(1) : Duration.zero

/** The `Credentials` service over the default chain, named `default`; needs the platform. */
export const layer = (options: Options = {}) =>
  Credentials.layerChain(entries(options).map(([, source]) => source), {
    name: "default",
    onError: options.onError,
    prefetchWindow: officialPrefetch,
    ...options.refresh
  })

/** Each default source: picked, skipped (and why) or not tried. */
export const explain = (options: Options = {}) => Chain.explain(entries(options))
