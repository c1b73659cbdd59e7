// The Promise facade as it ships: the bundle `dist/promise.mjs` (built by `pnpm build`, which the
// root test script runs first), typed by its sources. The facade's tests import it from here, so
// they test what users load.
import type * as Shipped from "../src/promise/entry.js"

// A path TypeScript does not resolve: the types are the sources', the code is the bundle's.
const bundle = "../dist/promise.mjs"
const Facade: typeof Shipped = await import(bundle)

export default Facade.default
export const {
  CLIProfileCredentialsProvider,
  Config,
  Credential,
  CredentialModel,
  DefaultCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  EnvironmentVariableCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  ProfileCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  StaticAKCredentialsProvider,
  StaticSTSCredentialsProvider,
  URICredentialsProvider
} = Facade
// The classes' instance types, beside their values.
export type CLIProfileCredentialsProvider = Shipped.CLIProfileCredentialsProvider
export type Config = Shipped.Config
export type Credential = Shipped.Credential
export type CredentialModel = Shipped.CredentialModel
export type DefaultCredentialsProvider = Shipped.DefaultCredentialsProvider
export type ECSRAMRoleCredentialsProvider = Shipped.ECSRAMRoleCredentialsProvider
export type EnvironmentVariableCredentialsProvider = Shipped.EnvironmentVariableCredentialsProvider
export type OIDCRoleArnCredentialsProvider = Shipped.OIDCRoleArnCredentialsProvider
export type ProfileCredentialsProvider = Shipped.ProfileCredentialsProvider
export type RAMRoleARNCredentialsProvider = Shipped.RAMRoleARNCredentialsProvider
export type StaticAKCredentialsProvider = Shipped.StaticAKCredentialsProvider
export type StaticSTSCredentialsProvider = Shipped.StaticSTSCredentialsProvider
export type URICredentialsProvider = Shipped.URICredentialsProvider
export type * from "../src/promise/entry.js"
