/**
 * The layer an application provides: the default chain on Node (HTTP through undici, the file
 * system, child processes). With options: `Credentials.layerDefault(options)`, or
 * `Credentials.layerConfig(config)` to read them through `Config`.
 *
 * ```ts
 * program.pipe(Effect.provide(CredentialsLive))
 * ```
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import { Credentials } from "./Credentials.js"

/**
 * The default chain on Node, with the official defaults: `Credentials.layerDefault()`. Importing
 * it loads nothing more than the service's module: the sources and the Node transport are loaded
 * when the layer is first built.
 *
 * @example
 * ```ts
 * import { Credentials, CredentialsLive } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const credentials = yield* Credentials
 *   const credential = yield* credentials.get
 *   return credential.providerName // e.g. "default/env"
 * })
 * const runnable = program.pipe(Effect.provide(CredentialsLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const CredentialsLive: Layer.Layer<Credentials> = Credentials.layerDefault()
