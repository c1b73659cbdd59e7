/**
 * @since 0.1.0
 */
export * as AccessKey from "./sources/AccessKey.js"
/**
 * @since 0.1.0
 */
export * as Bearer from "./sources/Bearer.js"
/**
 * @since 0.1.0
 */
export * as Chain from "./Chain.js"
/**
 * The credentials a service hands out, as a `Stream` (`Changes.changes`, `Changes.of`).
 *
 * @since 0.1.0
 */
export * as Changes from "./Changes.js"
/**
 * @since 0.1.0
 */
export * as CliProfile from "./sources/CliProfile.js"
/**
 * @since 0.1.0
 */
export * as Credential from "./Credential.js"
/**
 * The service tag, with its layers (`Credentials.layer*`) as static members.
 *
 * @since 0.1.0
 */
export { Credentials } from "./Credentials.js"
/**
 * @since 0.1.0
 */
export * as CredentialsError from "./CredentialsError.js"
/**
 * The default chain on Node: what an application provides.
 *
 * @since 0.1.0
 */
export { CredentialsLive } from "./CredentialsLive.js"
/**
 * @since 0.1.0
 */
export * as CredentialsUri from "./sources/CredentialsUri.js"
/**
 * @since 0.1.0
 */
export * as DefaultChain from "./DefaultChain.js"
/**
 * @since 0.1.0
 */
export * as EcsRamRole from "./sources/EcsRamRole.js"
/**
 * @since 0.1.0
 */
export * as Environment from "./sources/Environment.js"
/**
 * @since 0.1.0
 */
export * as HttpTransport from "./HttpTransport.js"
/**
 * @since 0.1.0
 */
export * as IniProfile from "./sources/IniProfile.js"
/**
 * @since 0.1.0
 */
export * as OidcRoleArn from "./sources/OidcRoleArn.js"
/**
 * @since 0.1.0
 */
export * as RamRoleArn from "./sources/RamRoleArn.js"
/**
 * @since 0.1.0
 */
export * as Refresh from "./Refresh.js"
/**
 * @since 0.1.0
 */
export * as Identity from "./Identity.js"
/**
 * @since 0.1.0
 */
export * as IdentityPool from "./IdentityPool.js"
/**
 * @since 0.1.0
 */
export * as RequestBudget from "./RequestBudget.js"
/**
 * @since 0.1.0
 */
export * as SessionCache from "./SessionCache.js"
/**
 * @since 0.1.0
 */
export * as Source from "./Source.js"
/**
 * @since 0.1.0
 */
export * as Sts from "./sources/Sts.js"
/**
 * Request signing (ACS3, RPC) as pure functions, and an `HttpClient` that signs with `Credentials`.
 *
 * @since 0.1.0
 */
export * as Signing from "./Signing.js"
/**
 * @since 0.1.0
 */
export * as SignedHttpClient from "./SignedHttpClient.js"
/**
 * `Credentials` as the `credential` of the official SDK clients: one engine for both worlds.
 *
 * @since 0.1.0
 */
export * as SdkCredential from "./SdkCredential.js"
