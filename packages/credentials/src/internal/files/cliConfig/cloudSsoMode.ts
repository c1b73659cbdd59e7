// The CloudSSO mode of a CLI profile: the CLI's sign-in token buys an STS credential, optionally
// kept in the session cache for short-lived processes. The library never renews the sign-in (as
// the official tool): that it has lapsed is checked when the profile is decoded (profiles.ts).
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type * as Credential from "../../../Credential.js"
import type { CredentialsError } from "../../../CredentialsError.js"
import { cloudSsoCredentials } from "../../protocols/signIn.js"
import * as Upstream from "../../upstream/pipeline.js"
import { cached, type Options as CacheOptions } from "../sessionCache.js"
import { source } from "./file.js"
import type { CloudSsoProfile } from "./model.js"

export interface Context {
  /** The config file: part of the cache key. */
  readonly path: string
  readonly policy: Upstream.Policy
  /** The session cache's options; none: not cached. */
  readonly cache: CacheOptions | undefined
}

/** The CloudSSO profile's credential. */
export const cloudSsoCredential = (
  ctx: Context,
  profile: CloudSsoProfile
): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient | FileSystem.FileSystem> => {
  const fetch = Upstream.run(
    source,
    Upstream.displayUrl(profile.signInUrl),
    ctx.policy,
    cloudSsoCredentials({ source, ...profile, policy: ctx.policy })
  )
  return ctx.cache === undefined ? fetch : cached(ctx.cache, {
    source,
    fields: {
      api: "CloudSSO",
      signInUrl: profile.signInUrl,
      accountId: profile.accountId,
      accessConfigurationId: profile.accessConfig,
      configPath: ctx.path
    }
  }, fetch)
}
