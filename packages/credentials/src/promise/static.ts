// The Promise facade's static types (and the AccessKey pair of its ram_role_arn type), from the
// official options: they need neither the network nor the file system, so they are built without
// loading the other sources and the Node platform (most of the import cost).
import * as Effect from "effect/Effect"
import { orEnv } from "../internal/config/env.js"
import type { Source } from "../Source.js"
import * as AccessKey from "../sources/AccessKey.js"
import * as Bearer from "../sources/Bearer.js"
import * as Sts from "../sources/Sts.js"
import type { ConfigOptions } from "./model.js"

// The sources validate their options at run time (missing, empty, mistyped): the casts only carry
// an unset value through to that check.
const accessKeyPair = (config: ConfigOptions) =>
  Effect.gen(function*() {
    return {
      accessKeyId: (yield* orEnv(config.accessKeyId, "ALIBABA_CLOUD_ACCESS_KEY_ID")) as string,
      accessKeySecret: (yield* orEnv(config.accessKeySecret, "ALIBABA_CLOUD_ACCESS_KEY_SECRET")) as string
    }
  })

/** A static STS credential when there is a security token, else a static AccessKey (the official rule). */
export const fromKeys = (keys: {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string | undefined
}): Source =>
  keys.securityToken === undefined || keys.securityToken === ""
    ? AccessKey.make(keys)
    : Sts.make({ ...keys, securityToken: keys.securityToken })

/** The credential that signs ram_role_arn's AssumeRole. */
export const signerOf = (config: ConfigOptions): Source =>
  Effect.flatMap(accessKeyPair(config), (key) => fromKeys({ ...key, securityToken: config.securityToken }))

/** The source of a static type (access_key, sts, bearer); `undefined` for the other types. */
export const staticSource = (config: ConfigOptions): Source | undefined => {
  switch (config.type) {
    case "access_key":
      return Effect.flatMap(accessKeyPair(config), AccessKey.make)
    case "sts":
      return Effect.flatMap(
        accessKeyPair(config),
        (key) =>
          Effect.flatMap(
            orEnv(config.securityToken, "ALIBABA_CLOUD_SECURITY_TOKEN"),
            (securityToken) => Sts.make({ ...key, securityToken: securityToken as string })
          )
      )
    case "bearer":
      return Bearer.make({ bearerToken: config.bearerToken as string })
    default:
      return undefined
  }
}
