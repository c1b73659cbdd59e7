// The aliyun CLI profile file, `~/.aliyun/config.json`, one module per concern:
//
// - cliConfig/file.ts      where it is, reading it (bounded), its JSON, its top-level shape
// - cliConfig/model.ts     the profile model, one member per mode
// - cliConfig/profiles.ts  a Schema per mode
// - cliConfig/select.ts    choosing a profile, walking `source_profile` chains
// - cliConfig/writeBack.ts writing refreshed tokens back, atomically
//
// and the modes whose credential is not another source's: cliConfig/cloudSsoMode.ts,
// cliConfig/oauthMode.ts (tokens kept in memory, renewed, written back), cliConfig/externalMode.ts.
export { firstIssue } from "../decode/parseIssue.js"
export {
  type CliConfig,
  CliConfigFile,
  defaultCliConfigPath,
  jsonErrorOffset,
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
} from "./cliConfig/model.js"
export { decodeProfile } from "./cliConfig/profiles.js"
export {
  type Choice,
  chooseProfile,
  selectProfile,
  type SourceProfileChain,
  sourceProfileChain
} from "./cliConfig/select.js"
export {
  type ProfilePatch,
  replaceFile,
  updateProfile,
  WriteFailed,
  writeFileAtomic,
  type WriteOptions
} from "./cliConfig/writeBack.js"
