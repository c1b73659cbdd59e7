// What the composite sources (the default chain, the CLI profile, the ini file) share: the ECS
// source built from their network options, with the metadata service's own option block.
import type { NetworkOptions } from "../../sources/CliProfile.js"
import * as EcsRamRole from "../../sources/EcsRamRole.js"
import * as Upstream from "../upstream/pipeline.js"

export const metadataSource = (options: NetworkOptions, roleName?: string) =>
  EcsRamRole.make({
    ...Upstream.pick(options.metadata),
    roleName,
    metadataUrl: options.metadataUrl,
    disableIMDSv1: options.disableIMDSv1
  })
