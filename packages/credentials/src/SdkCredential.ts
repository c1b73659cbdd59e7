/**
 * The `Credentials` of an Effect program as the `credential` of the official SDK clients
 * (`@alicloud/sts20150401`, `@alicloud/ecs20140526`, any `@alicloud/openapi-client` /
 * `openapi-core` client): an object of the official `Credential` shape whose `getCredential()` runs
 * the service's `get` on the program's runtime. The SDK clients and `SignedHttpClient` then share
 * one cache, one refresh fiber and one AssumeRole per rotation, instead of a second engine.
 *
 * The object's model holds the secret as the official model does (the SDKs read it); its
 * renderings (`JSON.stringify`, `inspect`, `toString`) mask it.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { Credentials } from "./Credentials.js"
import * as bridge from "./promise/bridge.js"

/**
 * The official `Credential` shape: `getCredential()`, `getAccessKeyId()`, `getAccessKeySecret()`,
 * `getSecurityToken()`, `getBearerToken()`, `getType()`.
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials, SdkCredential } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const type = Effect.gen(function*() {
 *   const credential: SdkCredential.SdkCredential = yield* SdkCredential.make
 *   yield* Effect.promise(() => credential.getCredential())
 *   return credential.getType()
 * })
 * Effect.runPromise(type.pipe(
 *   Effect.provide(Credentials.layer(AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })))
 * )).then((t) => assert.strictEqual(t, "access_key"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SdkCredential = bridge.SdkCredential

/**
 * Builds the bridge over the `Credentials` of the context, on the current runtime (its clock,
 * tracer and services): use it while that runtime lives (inside the program, or a
 * `ManagedRuntime` kept open).
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials, SdkCredential } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const credential = yield* SdkCredential.make
 *   // new Sts20150401(new $OpenApi.Config({ credential, endpoint: "sts.aliyuncs.com" }))
 *   return yield* Effect.promise(() => credential.getCredential())
 * })
 * Effect.runPromise(program.pipe(
 *   Effect.provide(Credentials.layer(AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })))
 * )).then((model) => assert.strictEqual(model.accessKeyId, "LTAI5tExampleKeyId"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<SdkCredential, never, Credentials> = Effect.gen(function*() {
  const service = yield* Credentials
  const runtime = yield* Effect.runtime<never>()
  return new bridge.SdkCredential(service, runtime)
})
