// What the composite sources (the default chain, the CLI profile, the ini file) share: their
// network options, and the ECS source's options drawn from them (each builds that source itself:
// this module stays below the sources).
import * as Upstream from "../upstream/pipeline.js"

/**
 * Where the network modes of a profile go, and how long they wait (documented where the public
 * `CliProfile.NetworkOptions` names it). The option block applies to STS, CloudSSO, OAuth and the
 * credentials URI; the metadata service has its own (`metadata`).
 */
export interface NetworkOptions extends Upstream.Options {
  /** Overrides the STS endpoint of every role mode (a host, or a whole URL). */
  readonly stsEndpoint?: string | undefined
  /** The ECS metadata service of the EcsRamRole mode. Default `http://100.100.100.200`. */
  readonly metadataUrl?: string | undefined
  readonly disableIMDSv1?: boolean | undefined
  /** How the metadata service is asked: its own timeouts, budget and retries. */
  readonly metadata?: Upstream.Options | undefined
  /** Overrides the OAuth base URL of both sites (default per site: oauth.aliyun.com, oauth.alibabacloud.com). */
  readonly oauthBaseUrl?: string | undefined
}

/** The ECS source's options (`EcsRamRole.make`) from a composite source's: the metadata service's own block. */
export const metadataOptions = (options: NetworkOptions, roleName?: string) => ({
  ...Upstream.pick(options.metadata),
  roleName,
  metadataUrl: options.metadataUrl,
  disableIMDSv1: options.disableIMDSv1
})
