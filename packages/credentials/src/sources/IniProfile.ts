/**
 * The `profile` source: a section of the legacy ini file `~/.alibabacloud/credentials`
 * (`ALIBABA_CLOUD_CREDENTIALS_FILE` to move it), of type `access_key`, `ecs_ram_role` or
 * `ram_role_arn`, as the official Node tool reads it.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Credential from "../Credential.js"
import { NotConfigured } from "../CredentialsError.js"
import { metadataOptions, type NetworkOptions } from "../internal/chain/composite.js"
import { selected, selectedError } from "../internal/chain/selection.js"
import { env, isBlank } from "../internal/config/rules.js"
import { homeDirectory } from "../internal/files/home.js"
import { defaultIniFilePath, type IniProfile, readIniProfile } from "../internal/files/iniFile.js"
import * as Upstream from "../internal/upstream/pipeline.js"
import type { Source } from "../Source.js"
import * as AccessKey from "./AccessKey.js"
import { PROFILE } from "./CliProfile.js"
import * as EcsRamRole from "./EcsRamRole.js"
import * as RamRoleArn from "./RamRoleArn.js"

/**
 * @example
 * ```ts
 * import { IniProfile } from "@effect-alicloud/credentials"
 *
 * const options: IniProfile.Options = { profile: "prod", path: "/etc/my-app/credentials" }
 * const source = IniProfile.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends NetworkOptions {
  /** The section; else `ALIBABA_CLOUD_PROFILE`; else `default`. */
  readonly profile?: string | undefined
  /** The file; else `ALIBABA_CLOUD_CREDENTIALS_FILE`; else `<home>/.alibabacloud/credentials`. */
  readonly path?: string | undefined
}

/**
 * @example
 * ```ts
 * import { IniProfile } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([[IniProfile.CREDENTIALS_FILE, "/etc/my-app/credentials"]]))
 * const source = IniProfile.make().pipe(Effect.withConfigProvider(env))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const CREDENTIALS_FILE = "ALIBABA_CLOUD_CREDENTIALS_FILE"

const source = "profile"

// The source of one section.
const sourceOf = (options: Options, profile: IniProfile): Source<HttpClient.HttpClient | FileSystem.FileSystem> => {
  switch (profile._tag) {
    case "access_key":
      return AccessKey.make(profile)
    case "ecs_ram_role":
      return EcsRamRole.make(metadataOptions(options, profile.roleName))
    case "ram_role_arn":
      return RamRoleArn.make({
        ...Upstream.pick(options),
        source: AccessKey.make(profile),
        roleArn: profile.roleArn,
        roleSessionName: profile.roleSessionName,
        policy: profile.policy,
        stsEndpoint: options.stsEndpoint
      })
  }
}

/**
 * The ini-file source (provider name `profile/<type's provider>`). No file, or no such section:
 * `NotConfigured`, and a chain moves on. A file that cannot be read, a section without a supported
 * `type`, a missing key, an upstream that refuses: an error naming the file, the section and the
 * key, with a `selection` that ends a chain (the section the user selected, by the `profile`
 * option, `ALIBABA_CLOUD_PROFILE` or as `default`, cannot be used).
 *
 * @example
 * ```ts
 * import { Credentials, HttpTransport, IniProfile } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // The section [prod] of ~/.alibabacloud/credentials
 * const layer = Credentials.layer(IniProfile.make({ profile: "prod" })).pipe(Layer.provide(HttpTransport.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Source<HttpClient.HttpClient | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const path = options.path ??
      Option.getOrUndefined(yield* env(CREDENTIALS_FILE)) ??
      Option.getOrUndefined(Option.map(yield* homeDirectory, defaultIniFilePath))
    if (path === undefined) {
      return yield* new NotConfigured({
        source,
        reason: "HOME is not set, so there is no ~/.alibabacloud/credentials",
        fix: `set HOME or ${CREDENTIALS_FILE}`
      })
    }
    const requested = !isBlank(options.profile)
      ? { section: options.profile, by: "the profile option" }
      : Option.getOrUndefined(Option.map(yield* env(PROFILE), (section) => ({ section, by: PROFILE })))
    const section = requested?.section ?? "default"
    const selection = `the section [${section}] of ${path}, selected ${
      requested === undefined ? "as the default" : `by ${requested.by}`
    }`
    // No file, no section: nothing is selected. A file that cannot be read or a section that
    // cannot be used: the selection ends a chain.
    const profile = yield* readIniProfile(path, section).pipe(
      Effect.catchTag("InvalidConfiguration", (error) => Effect.fail(selectedError(selection)(error)))
    )
    const credential = yield* sourceOf(options, profile).pipe(selected(selection))
    return Credential.withProviderName(credential, `${source}/${credential.providerName}`)
  })
