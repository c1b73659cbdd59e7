// Choosing the profile of ~/.aliyun/config.json (the name given, else the file's `current`) and
// walking the `source_profile` links of ChainableRamRoleArn profiles.
import * as Effect from "effect/Effect"
import { InvalidConfiguration, NotConfigured } from "../../../CredentialsError.js"
import { isBlank } from "../../config/rules.js"
import { type CliConfig, findRaw, listNames, notConfiguredFix, type RawProfile, source } from "./file.js"
import type { ChainableRamRoleArnProfile, CliProfile } from "./model.js"
import { decodeProfile, invalidField } from "./profiles.js"

/** The profile chosen in the file, undecoded: its name and its JSON object. */
export interface Choice {
  readonly name: string
  readonly raw: RawProfile
}

/**
 * The profile named `name` (given in code or by ALIBABA_CLOUD_PROFILE; the caller decides), else
 * the file's `current`.
 *
 * No profiles at all, or a requested name that is not in the file: `NotConfigured` (the name is
 * shared with the ini file's section, which may be where that profile lives). No name and no
 * `current`: `InvalidConfiguration` (nothing is selected). A `current` that names no profile:
 * `InvalidConfiguration` with a `selection`, which ends a chain (the file selects a profile that
 * cannot be used).
 */
export const chooseProfile = (
  config: CliConfig,
  name: string | undefined
): Effect.Effect<Choice, InvalidConfiguration | NotConfigured> => {
  if (config.profiles.length === 0) {
    return Effect.fail(new NotConfigured({ source, reason: `${config.path} has no profiles`, fix: notConfiguredFix }))
  }
  const requested = isBlank(name) ? undefined : name
  const chosen = requested ?? config.current
  if (chosen === undefined) {
    return Effect.fail(
      new InvalidConfiguration({
        source,
        field: "current",
        reason: `is not set in ${config.path}, and no profile name was given`,
        fix: `set ALIBABA_CLOUD_PROFILE to one of ${listNames(config)}, or run \`aliyun configure\``
      })
    )
  }
  const raw = findRaw(config, chosen)
  if (raw === undefined) {
    const reason = `there is no profile ${JSON.stringify(chosen)} in ${config.path}; profiles: ${listNames(config)}`
    return requested !== undefined
      ? Effect.fail(
        new NotConfigured({
          source,
          reason,
          fix: `choose one of those names (ALIBABA_CLOUD_PROFILE), or run \`aliyun configure --profile ${chosen}\``
        })
      )
      : Effect.fail(
        new InvalidConfiguration({
          source,
          field: "current",
          reason: `names ${JSON.stringify(chosen)}, but ${reason}`,
          fix: "run `aliyun configure` to set the current profile",
          selection: `the profile ${JSON.stringify(chosen)} that current names in ${config.path}`
        })
      )
  }
  return Effect.succeed({ name: chosen, raw })
}

/** `chooseProfile`, then the profile decoded for its mode. */
export const selectProfile = (
  config: CliConfig,
  name: string | undefined
): Effect.Effect<CliProfile, InvalidConfiguration | NotConfigured> =>
  Effect.flatMap(chooseProfile(config, name), (choice) => decodeProfile(config, choice.raw, choice.name))

/**
 * A `source_profile` chain, from its root (a profile of another mode, which gives the first
 * credential) to the selected profile: each link assumes its role with the credential before it.
 */
export interface SourceProfileChain {
  readonly root: Exclude<CliProfile, ChainableRamRoleArnProfile>
  readonly links: ReadonlyArray<ChainableRamRoleArnProfile>
}

/**
 * The profiles behind a `ChainableRamRoleArn` `profile`: its `source_profile`, that one's source,
 * and so on to a profile of another mode (the root); the links root side first, `profile` last. A missing source
 * profile or a cycle (`a -> b -> a`) is an `InvalidConfiguration`; the walk never loops.
 */
export const sourceProfileChain = (
  config: CliConfig,
  profile: CliProfile
): Effect.Effect<SourceProfileChain, InvalidConfiguration> =>
  Effect.gen(function*() {
    const links: Array<ChainableRamRoleArnProfile> = []
    let current = profile
    while (current._tag === "ChainableRamRoleArn") {
      links.push(current)
      const next = current.sourceProfile
      const seen = links.findIndex((p) => p.name === next)
      if (seen !== -1) {
        const cycle = [...links.slice(seen).map((p) => p.name), next].join(" -> ")
        return yield* invalidField(
          config.path,
          current.name,
          "source_profile",
          `makes a cycle of source profiles: ${cycle}`,
          "make the last profile of the chain use another mode (AK, EcsRamRole, ...)"
        )
      }
      const raw = findRaw(config, next)
      if (raw === undefined) {
        return yield* invalidField(
          config.path,
          current.name,
          "source_profile",
          `names ${JSON.stringify(next)}, which is not a profile; profiles: ${listNames(config)}`
        )
      }
      current = yield* decodeProfile(config, raw, next)
    }
    return { root: current, links: links.reverse() }
  })
