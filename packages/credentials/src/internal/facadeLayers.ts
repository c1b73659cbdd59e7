// The Promise facade's network types and default chain, with the Node platform: loaded by
// promise.ts when a client is first used, so that the static types start without them.
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import { Credentials } from "../Credentials.js"
import { layerNodePlatform } from "../CredentialsLive.js"
import * as DefaultChain from "../DefaultChain.js"
import type { ConfigOptions } from "../promise.js"
import type { Source } from "../Source.js"
import * as CredentialsUri from "../sources/CredentialsUri.js"
import * as EcsRamRole from "../sources/EcsRamRole.js"
import * as OidcRoleArn from "../sources/OidcRoleArn.js"
import * as RamRoleArn from "../sources/RamRoleArn.js"
import { signerOf } from "./facadeStatic.js"
import * as Upstream from "./upstream.js"

// The official options are milliseconds; 0 or less means the default.
const millis = (value: number | undefined) => (value === undefined || value <= 0 ? undefined : Duration.millis(value))

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

const sourceOf = (config: ConfigOptions): Source<DefaultChain.Requirements> => {
  const timeouts = upstreamOptions(config, Upstream.serviceDefaults)
  const sts = {
    ...timeouts,
    roleArn: config.roleArn,
    roleSessionName: config.roleSessionName,
    roleSessionExpiration: config.roleSessionExpiration === undefined || config.roleSessionExpiration === 0
      ? undefined
      : Duration.seconds(config.roleSessionExpiration),
    policy: config.policy,
    stsEndpoint: config.stsEndpoint,
    stsRegionId: config.stsRegionId,
    enableVpc: config.enableVpc
  }
  switch (config.type) {
    case "ram_role_arn":
      return RamRoleArn.make({
        ...sts,
        externalId: config.externalId,
        source: signerOf(config)
      })
    case "oidc_role_arn":
      return OidcRoleArn.make({ ...sts, oidcProviderArn: config.oidcProviderArn, oidcTokenFilePath: config.oidcTokenFilePath })
    case "ecs_ram_role":
      return EcsRamRole.make({ ...upstreamOptions(config, Upstream.metadataDefaults), roleName: config.roleName, disableIMDSv1: config.disableIMDSv1, metadataUrl: config.metadataUrl })
    default: // credentials_uri: the constructor admits only the supported types
      return CredentialsUri.make({ ...timeouts, credentialsUri: config.credentialsURI })
  }
}


/** One network source of the official options, with the Node platform. */
export const layerFor = (config: ConfigOptions): Layer.Layer<Credentials> =>
  Credentials.layer(sourceOf(config), config.type === "ecs_ram_role" ? EcsRamRole.refreshOptions : undefined).pipe(
    Layer.provide(layerNodePlatform())
  )

/** The default chain, with the Node platform. */
export const layerDefaultChain = (options: DefaultChain.Options | undefined): Layer.Layer<Credentials> =>
  DefaultChain.layer(options).pipe(Layer.provide(layerNodePlatform()))
