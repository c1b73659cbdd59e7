// The aliyun CLI profile file, `~/.aliyun/config.json`, one module per concern:
//
// - cliConfig/file.ts      where it is, reading it (bounded), its JSON, its top-level shape
// - cliConfig/profiles.ts  the profile model and a Schema per mode
// - cliConfig/select.ts    choosing a profile, walking `source_profile` chains
// - cliConfig/writeBack.ts writing refreshed tokens back, atomically
export { firstIssue } from "../decode/parseIssue.js"
export {
  type CliConfig,
  CliConfigFile,
  defaultCliConfigPath,
  jsonErrorOffset,
  MAX_JSON_DEPTH,
  type RawProfile,
  readCliConfig,
  readText,
  tooDeep
} from "./cliConfig/file.js"
export {
  type AkProfile,
  type AssumeRoleFields,
  type ChainableRamRoleArnProfile,
  type CliProfile,
  type CloudSsoProfile,
  type EcsRamRoleProfile,
  type ExternalProfile,
  type OAuthProfile,
  type OidcProfile,
  type RamRoleArnProfile,
  type StsTokenProfile,
  supportedModes
} from "./cliConfig/profiles.js"
export { selectProfile, sourceProfileChain } from "./cliConfig/select.js"
export {
  type ProfilePatch,
  replaceFile,
  updateProfile,
  WriteFailed,
  writeFileAtomic,
  type WriteOptions
} from "./cliConfig/writeBack.js"
