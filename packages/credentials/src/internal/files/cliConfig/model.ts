// The profiles of ~/.aliyun/config.json as the library uses them: one member per mode, each field
// decoded (profiles.ts turns a profile's JSON object into one of these).
import type * as DateTime from "effect/DateTime"
import type * as Redacted from "effect/Redacted"

/** Static AccessKey (`static_ak`). */
export interface AkProfile {
  readonly _tag: "AK"
  readonly name: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
}

/** Static STS token (`static_sts`), never refreshed. */
export interface StsTokenProfile {
  readonly _tag: "StsToken"
  readonly name: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsToken: Redacted.Redacted<string>
}

/** The role options shared by the AssumeRole modes; absent means "the STS source's default". */
export interface AssumeRoleFields {
  readonly roleArn: string
  readonly roleSessionName?: string
  /** From `expired_seconds` (a number or its string form); 0 or absent means the default (3600). */
  readonly durationSeconds?: number
  readonly stsRegion?: string
  /** Sent, as the Java tool does (the Node tool ignores it): see docs/config-files.md. */
  readonly policy?: string
  /** Sent, as the Java tool does (the Node tool ignores it). */
  readonly externalId?: string
}

/**
 * AssumeRole with the profile's own AccessKey pair (`ram_role_arn`). A leftover `sts_token` is not
 * read, as in the official Node tool: the request is signed with the pair alone.
 */
export interface RamRoleArnProfile extends AssumeRoleFields {
  readonly _tag: "RamRoleArn"
  readonly name: string
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly stsEndpoint?: string
  /** false and absent both leave it to ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED, as in the official tool. */
  readonly enableVpc?: boolean
}

/** The instance's RAM role from the metadata service; no name means "ask the metadata service". */
export interface EcsRamRoleProfile {
  readonly _tag: "EcsRamRole"
  readonly name: string
  readonly roleName?: string
}

/** AssumeRoleWithOIDC (`oidc_role_arn`); the token file is re-read on every refresh. */
export interface OidcProfile {
  readonly _tag: "OIDC"
  readonly name: string
  readonly roleArn: string
  readonly oidcProviderArn: string
  readonly oidcTokenFile: string
  readonly roleSessionName?: string
  /** `duration_seconds` (what Node reads), else `expired_seconds` (what Java reads). */
  readonly durationSeconds?: number
  readonly stsRegion?: string
  readonly enableVpc?: boolean
}

/**
 * AssumeRole with the credential of another profile (`sourceProfileChain` walks the links). As in
 * the official Node tool, `sts_endpoint` and `enable_vpc` are not read here: the endpoint follows
 * `sts_region` and ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED.
 */
export interface ChainableRamRoleArnProfile extends AssumeRoleFields {
  readonly _tag: "ChainableRamRoleArn"
  readonly name: string
  readonly sourceProfile: string
}

/** CloudSSO: the CLI's sign-in token buys STS credentials; the library never renews that token. */
export interface CloudSsoProfile {
  readonly _tag: "CloudSSO"
  readonly name: string
  readonly signInUrl: string
  readonly accountId: string
  readonly accessConfig: string
  readonly accessToken: Redacted.Redacted<string>
  readonly accessTokenExpire: DateTime.Utc
}

/** OAuth: a refresh token renews the access token, which is exchanged for STS credentials. */
export interface OAuthProfile {
  readonly _tag: "OAuth"
  readonly name: string
  readonly siteType: "CN" | "INTL"
  readonly refreshToken?: Redacted.Redacted<string>
  readonly accessToken?: Redacted.Redacted<string>
  readonly accessTokenExpire?: DateTime.Utc
}

/** A command whose standard output is a credential (JSON, mode AK or StsToken). */
export interface ExternalProfile {
  readonly _tag: "External"
  readonly name: string
  readonly processCommand: string
}

export type CliProfile =
  | AkProfile
  | StsTokenProfile
  | RamRoleArnProfile
  | EcsRamRoleProfile
  | OidcProfile
  | ChainableRamRoleArnProfile
  | CloudSsoProfile
  | OAuthProfile
  | ExternalProfile

export const supportedModes: ReadonlyArray<CliProfile["_tag"]> = [
  "AK",
  "StsToken",
  "RamRoleArn",
  "EcsRamRole",
  "OIDC",
  "ChainableRamRoleArn",
  "CloudSSO",
  "OAuth",
  "External"
]
