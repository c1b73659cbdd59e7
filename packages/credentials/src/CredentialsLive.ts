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
 * it (`@effect-alicloud/credentials/CredentialsLive`) loads nothing more than the service's module:
 * each source is loaded when the chain first reaches it, the file system and child processes when
 * it passes the environment, the HTTP transport at the first request.
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
