/**
 * The shared request budget: how many AssumeRole-style requests (`AssumeRole`,
 * `AssumeRoleWithOIDC`) a program sends per STS endpoint and signing account (the AccessKey ID that
 * signs; for OIDC, the provider). Alibaba Cloud allows 100 AssumeRole requests per second per
 * account: every identity of the program (each `Credentials` layer, the named identities, an
 * `IdentityPool`, the default chain, the Promise facade's clients) takes its slots from one budget,
 * so a warm-up of thousands of identities queues instead of being throttled. The wait for the first
 * slot of a fetch is not counted in its time budget.
 *
 * Without a layer, the default applies: 100 per second per key, shared by the whole process. Provide
 * `RequestBudget.layer({ perSecond })` for another rate (e.g. when other programs use the same
 * account), or `RequestBudget.layerDisabled` to turn it off.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { InvalidConfiguration } from "./CredentialsError.js"
import * as internal from "./internal/upstream/budget.js"

/**
 * @example
 * ```ts
 * import { RequestBudget } from "@effect-alicloud/credentials"
 *
 * const options: RequestBudget.Options = { perSecond: 50, burst: 10 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Options = internal.BudgetOptions

/**
 * What a budget does: `acquire` waits for a key's next slot; `holdOff` is called when the upstream
 * throttled a request.
 *
 * @example
 * ```ts
 * import { RequestBudget } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const perSecond = Effect.map(RequestBudget.RequestBudget, (budget: RequestBudget.Budget) => budget.perSecond)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Budget = internal.Budget

/**
 * The service: a reference with a default (100 per second per key, one budget per process), so
 * nothing has to provide it.
 *
 * @example
 * ```ts
 * import { RequestBudget } from "@effect-alicloud/credentials"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const budget = yield* RequestBudget.RequestBudget
 *   return budget.perSecond // 100 unless a layer says otherwise
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const RequestBudget: typeof internal.RequestBudget = internal.RequestBudget

/**
 * The default rate: 100 requests per second per STS endpoint and signing account.
 *
 * @example
 * ```ts
 * import { RequestBudget } from "@effect-alicloud/credentials"
 *
 * assert.strictEqual(RequestBudget.DEFAULT_PER_SECOND, 100)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PER_SECOND: number = internal.DEFAULT_PER_SECOND

/**
 * A budget of its own (not shared with the process's default one). `perSecond` must be positive;
 * `burst` (default 50, at most `perSecond`) a positive whole number; else an `InvalidConfiguration`
 * naming the option.
 *
 * @example
 * ```ts
 * import { RequestBudget } from "@effect-alicloud/credentials"
 *
 * const budget = RequestBudget.make({ perSecond: 20 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Budget, InvalidConfiguration> =>
  Effect.map(internal.validate(options), ({ burst, perSecond }) => internal.unsafeMake(perSecond, burst))

/**
 * Provides a budget of its own to what it is provided to: every identity built under it shares it.
 *
 * @example
 * ```ts
 * import { AccessKey, Credentials, HttpTransport, RamRoleArn, RequestBudget } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // Another program uses the same account: leave it half of the limit
 * const layer = Credentials.layer(RamRoleArn.make({
 *   source: AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" }),
 *   roleArn: "acs:ram::1234567890123456:role/deployer"
 * })).pipe(Layer.provide(HttpTransport.layer()), Layer.provide(RequestBudget.layer({ perSecond: 50 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<internal.RequestBudget, InvalidConfiguration> =>
  Layer.effect(RequestBudget, make(options))

/**
 * The off-switch: requests go as soon as they are made (throttled answers are still retried on
 * their backoff). For a program whose STS traffic is bounded elsewhere.
 *
 * @example
 * ```ts
 * import { RequestBudget } from "@effect-alicloud/credentials"
 *
 * const off = RequestBudget.layerDisabled
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDisabled: Layer.Layer<internal.RequestBudget> = Layer.succeed(RequestBudget, internal.disabled)
