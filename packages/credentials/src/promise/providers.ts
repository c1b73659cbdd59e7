// The official 2.4.7 providers and their builders, on our sources: one description each (its
// official name, its builder's setters, the `Config` type its options make or its own recipe),
// from which `./provider.ts` makes the class, its `builder()` and the builder's class. The few
// official members that are not the common ones follow in the class bodies. Options are decoded
// when the provider is made (`./config.ts`), and a refused one rejects its calls; `build()` itself
// throws only where the official builder does.
import * as Duration from "effect/Duration"
import { didYouMean } from "../internal/config/suggest.js"
import { ECS_PREFETCH_WINDOW } from "../internal/refresh/timing.js"
import * as Environment from "../sources/Environment.js"
import type { Answer } from "./answer.js"
import { type Fields, option, own, secret, type Setters } from "./builders.js"
import type { CredentialsProvider, Session } from "./model.js"
import { type Description, Provider, providerClass, SessionProvider } from "./provider.js"
import * as Recipe from "./recipe.js"

const describe = <S extends Setters>(description: Description<S>): Description<S> => description

// The setters several builders share.
const timeouts = {
  withReadTimeout: option<number, true>()("readTimeout", "timeout"),
  withConnectTimeout: option<number, true>()("connectTimeout")
}

const proxied = {
  ...timeouts,
  /**
   * Ours: the HTTP proxy (`http://user:password@host:port`), or `false` for none (default: `HTTPS_PROXY` / `HTTP_PROXY`).
   * Held as a secret (its URL may carry a password): not enumerable, out of the builder's renderings.
   */
  withProxy: { ...option<string | false, true>()("proxy"), secret: true }
}

const role = {
  withRoleArn: option<string>()("roleArn"),
  withRoleSessionName: option<string>()("roleSessionName"),
  withDurationSeconds: option<number>()("durationSeconds", "roleSessionExpiration"),
  withStsEndpoint: option<string>()("stsEndpoint"),
  withStsRegionId: option<string>()("stsRegionId"),
  withPolicy: option<string>()("policy"),
  withEnableVpc: option<boolean, true>()("enableVpc"),
  ...proxied
}

const accessKey = {
  withAccessKeyId: option<string>()("accessKeyId"),
  withAccessKeySecret: secret("accessKeySecret")
}

const profileName = { withProfileName: own<string>()("profileName") }

// --- the descriptions ------------------------------------------------------------------------

/** `static_ak`: an AccessKey pair, else the environment's. */
const staticAk = describe({
  name: "static_ak",
  setters: accessKey,
  source: "access_key"
})

/** `static_sts`: an STS token and its keys, else the environment's. */
const staticSts = describe({
  name: "static_sts",
  setters: { ...accessKey, withSecurityToken: secret("securityToken") },
  source: "sts"
})

/** `env`: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `..._SECRET` and `ALIBABA_CLOUD_SECURITY_TOKEN`, read on every call. */
const environment = describe({
  name: "env",
  setters: {},
  source: () => ({ _tag: "Static", source: Environment.make(), cached: false })
})

/** `ram_role_arn/<signer's name>`: AssumeRole, signed by another provider (required, as in the official tool). */
const ramRoleArn = describe({
  name: (builder) => `ram_role_arn/${builder.credentialsProvider.getProviderName()}`,
  setters: {
    withCredentialsProvider: own<CredentialsProvider>()("credentialsProvider"),
    ...role,
    withExternalId: option<string>()("externalId")
  },
  source: "ram_role_arn",
  signer: (builder) => builder.credentialsProvider,
  check: (builder) => {
    if (builder.credentialsProvider === undefined || builder.credentialsProvider === null) {
      throw new Error("must specify a previous credentials provider to asssume role")
    }
  }
})

/**
 * `oidc_role_arn`: AssumeRoleWithOIDC; the ARNs and the token file fall back to
 * `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE`.
 */
const oidcRoleArn = describe({
  name: "oidc_role_arn",
  setters: {
    withOIDCProviderArn: option<string>()("oidcProviderArn"),
    withOIDCTokenFilePath: option<string>()("oidcTokenFilePath"),
    ...role,
    /**
     * Ours: the OIDC token from code instead of a file: a function answering a Promise of the token
     * (e.g. a call to a CI's token endpoint), called at every fetch. Not with `withOIDCTokenFilePath`.
     */
    withOIDCToken: option<() => Promise<string>, true>()("oidcToken")
  },
  source: "oidc_role_arn"
})

/** `ecs_ram_role`: IMDSv2 first (an IMDSv1 fallback unless disabled), refreshed 1 hour ahead of expiry. */
const ecsRamRole = describe({
  name: "ecs_ram_role",
  setters: {
    withRoleName: option<string>()("roleName"),
    withDisableIMDSv1: option<boolean>()("disableIMDSv1"),
    /** Accepted: the credential is always refreshed in the background. */
    withAsyncCredentialUpdateEnabled: option<boolean, true>()("asyncCredentialUpdateEnabled"),
    /** Ours: the metadata service's base URL (default http://100.100.100.200). */
    withMetadataUrl: option<string, true>()("metadataUrl"),
    ...timeouts
  },
  source: "ecs_ram_role"
})

/** `credential_uri`: a credentials URI, else `ALIBABA_CLOUD_CREDENTIALS_URI`. */
const uri = describe({
  name: "credential_uri",
  setters: { withCredentialsURI: option<string>()("credentialsURI"), ...proxied },
  source: "credentials_uri"
})

/**
 * `profile`: a section of the credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE`, else
 * `~/.alibabacloud/credentials`); the profile given, else `ALIBABA_CLOUD_PROFILE`, else `default`.
 */
const profile = describe({
  name: "profile",
  setters: profileName,
  source: (builder) => Recipe.profile("profile", builder.profileName)
})

/**
 * `cli_profile`: a profile of the CLI's `~/.aliyun/config.json`, the one given, else
 * `ALIBABA_CLOUD_PROFILE`, else the file's `current`.
 */
const cliProfile = describe({
  name: "cli_profile",
  setters: profileName,
  source: (builder) => Recipe.profile("cli_profile", builder.profileName)
})

/** `default`: environment, OIDC, CLI profile, ini profile, ECS metadata, credentials URI. */
const defaultChain = describe({
  name: "default",
  setters: {},
  source: () => Recipe.defaultChain(undefined)
})

// --- the classes -----------------------------------------------------------------------------

/** The official `StaticAKCredentialsProvider`. */
export class StaticAKCredentialsProvider extends providerClass(staticAk, Provider) {}

/** The official `StaticSTSCredentialsProvider`. */
export class StaticSTSCredentialsProvider extends providerClass(staticSts, Provider) {}

/** The official `EnvironmentVariableCredentialsProvider`. */
export class EnvironmentVariableCredentialsProvider extends providerClass(environment, Provider) {}

/**
 * The official `RAMRoleARNCredentialsProvider`: our AssumeRole, signed by the given provider's
 * credential (ours: its source; any other: asked on every AssumeRole).
 */
export class RAMRoleARNCredentialsProvider extends providerClass(ramRoleArn, SessionProvider) {}

/** The official `OIDCRoleArnCredentialsProvider`. */
export class OIDCRoleArnCredentialsProvider extends providerClass(oidcRoleArn, SessionProvider) {
  /** The official field (its HTTP options); not read. */
  runtime: { [key: string]: unknown } = {}

  /** The official field: when a new credential last came, epoch milliseconds (0 before). */
  lastUpdateTimestamp = 0

  protected override async answer(): Promise<Answer> {
    return this.#stamped(this.last, await super.answer())
  }

  protected override async refreshed(): Promise<Answer> {
    return this.#stamped(this.last, await super.refreshed())
  }

  #stamped(before: Answer | undefined, answer: Answer): Answer {
    if (before?.accessKeyId !== answer.accessKeyId || before.expiration !== answer.expiration) {
      this.lastUpdateTimestamp = Date.now()
    }
    return answer
  }

  getCredentialsInternal(): Promise<Session> {
    return this.getSession()
  }
}

/** The official `ECSRAMRoleCredentialsProvider`, plus `withMetadataUrl` on its builder (ours). */
export class ECSRAMRoleCredentialsProvider extends providerClass(ecsRamRole, SessionProvider) {
  constructor(builder: Fields<typeof ecsRamRole.setters>) {
    super(builder)
    if (builder.asyncCredentialUpdateEnabled === true) this.checkCredentialsUpdateAsynchronously()
  }

  /** The official method: fetches now, in the background; the refresh after that is ours. */
  checkCredentialsUpdateAsynchronously(): NodeJS.Timeout {
    return setTimeout(() => {
      this.getCredentials().catch(() => {})
    }, 0).unref()
  }

  override shouldPrefetchCredential(): boolean {
    const expiration = this.last?.expiration
    return expiration !== undefined && expiration - Date.now() <= Duration.toMillis(ECS_PREFETCH_WINDOW)
  }
}

/** The official `URICredentialsProvider`. */
export class URICredentialsProvider extends providerClass(uri, SessionProvider) {}

// The types the official ini reader builds a provider of.
const iniTypes = ["access_key", "ecs_ram_role", "ram_role_arn"]

const iniField = (section: { readonly [key: string]: unknown }, key: string): string | undefined => {
  const value = section[key]
  return typeof value === "string" ? value : undefined
}

/** The official `ProfileCredentialsProvider`. */
export class ProfileCredentialsProvider extends providerClass(profile, Provider) {
  readonly #profileName: string | undefined

  constructor(builder: Fields<typeof profile.setters>) {
    super(builder)
    this.#profileName = builder.profileName
  }

  /** The official method: the provider of one section of a parsed ini file. */
  getCredentialsProvider(ini: { readonly [section: string]: unknown }): CredentialsProvider {
    const name = this.#profileName ?? "default"
    const found = ini[name]
    const section: { readonly [key: string]: unknown } = typeof found === "object" && found !== null ? { ...found } : {}
    const key = () =>
      StaticAKCredentialsProvider.builder()
        .withAccessKeyId(iniField(section, "access_key_id") ?? "")
        .withAccessKeySecret(iniField(section, "access_key_secret") ?? "")
        .build()
    const type = iniField(section, "type")
    switch (type) {
      case undefined:
        throw new Error(`Can not find credential type for "${name}"`)
      case "access_key":
        return key()
      case "ecs_ram_role":
        return ECSRAMRoleCredentialsProvider.builder().withRoleName(iniField(section, "role_name") ?? "").build()
      case "ram_role_arn":
        return RAMRoleARNCredentialsProvider.builder()
          .withCredentialsProvider(key())
          .withRoleArn(iniField(section, "role_arn") ?? "")
          .withRoleSessionName(iniField(section, "role_session_name") ?? "")
          .withPolicy(iniField(section, "policy") ?? "")
          .build()
      default:
        throw new Error(
          `Invalid type option, support: ${iniTypes.join(", ")}${didYouMean(type ?? "", iniTypes)}`
        )
    }
  }
}

/** The official `CLIProfileCredentialsProvider`. */
export class CLIProfileCredentialsProvider extends providerClass(cliProfile, Provider) {}

/** The official `DefaultCredentialsProvider` (see `Credential.defaultChain` for one with options). */
export class DefaultCredentialsProvider extends providerClass(defaultChain, Provider) {}
