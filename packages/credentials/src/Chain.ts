/**
 * Composing sources: try them in order, take the first credential, and when none works report
 * every source with its own reason.
 *
 * The official tool moves on from a source on *any* error (a configured source that fails, say an
 * unreachable STS, does not stop the chain) and so does this module by default, so that migrating
 * does not change which credential a program gets. `{ onError: "stop" }` stops at the first source
 * that is configured but fails, for programs that prefer a loud error to another identity.
 *
 * Whatever `onError` says, a chain ends at an error that names a `selection`: the configuration
 * the user selected (a CLI profile by name, `ALIBABA_CLOUD_PROFILE` or `current`; an ini section)
 * cannot be used, and the next source would give the program another identity. The chain then
 * fails with that error itself, not a `ChainExhausted` (see `CredentialsError.Selection`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Ref from "effect/Ref"
import * as Credential from "./Credential.js"
import { ChainExhausted, type CredentialsError } from "./CredentialsError.js"
import { endsChain } from "./internal/chain/selection.js"
import type { Source } from "./Source.js"

/**
 * What a chain does when a configured source fails: `"continue"` (the official behaviour) or
 * `"stop"`. A source that is `NotConfigured` is always skipped.
 *
 * @example
 * ```ts
 * import { Chain, Environment, IniProfile } from "@effect-alicloud/credentials"
 *
 * // A broken ~/.alibabacloud/credentials fails the chain instead of falling through to the next source
 * const onError: Chain.OnError = "stop"
 * const chain = Chain.make([IniProfile.make(), Environment.make()], { name: "mine", onError })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type OnError = "continue" | "stop"

type Failure = ChainExhausted["failures"][number]

const failuresOf = (error: CredentialsError): ReadonlyArray<Failure> =>
  error._tag === "ChainExhausted" ? error.failures : [error]

const exhausted = (source: string, failures: ReadonlyArray<Failure>) => new ChainExhausted({ source, failures })

/**
 * Tries `self`, then `that` if `self` failed. When both fail, the error is a `ChainExhausted`
 * listing both sources' errors (flattened, so `a.pipe(orElse(b), orElse(c))` lists three).
 * With `onError: "stop"`, only a `NotConfigured` error moves on. An error with a `selection` (a
 * profile the user selected cannot be used) is never passed over: it is the result, as it is.
 *
 * @example
 * ```ts
 * import { AccessKey, Chain, Environment } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * // The environment, else a key from code (data-first: `Chain.orElse(Environment.make(), key)`)
 * const source = Environment.make().pipe(Chain.orElse(AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })))
 *
 * // No variable set: the environment is skipped
 * const credential = Effect.runSync(source.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
 * assert.strictEqual(credential.providerName, "static_ak")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const orElse: {
  <R2>(that: Source<R2>, options?: { readonly onError?: OnError | undefined }): <R>(self: Source<R>) => Source<R | R2>
  <R, R2>(self: Source<R>, that: Source<R2>, options?: { readonly onError?: OnError | undefined }): Source<R | R2>
} = dual(
  (args) => Effect.isEffect(args[0]) && Effect.isEffect(args[1]),
  <R, R2>(self: Source<R>, that: Source<R2>, options?: { readonly onError?: OnError | undefined }): Source<R | R2> =>
    Effect.catchAll(self, (first) => {
      if (endsChain(first)) return Effect.fail(first)
      const before = failuresOf(first)
      const movesOn = options?.onError === "stop" ? before.every((e) => e._tag === "NotConfigured") : true
      return movesOn
        ? Effect.catchAll(
          that,
          (second) => Effect.fail(endsChain(second) ? second : exhausted("chain", [...before, ...failuresOf(second)]))
        )
        : Effect.fail(exhausted("chain", before))
    })
)

/**
 * @example
 * ```ts
 * import { Chain, Environment, IniProfile } from "@effect-alicloud/credentials"
 *
 * const options: Chain.Options = { name: "mine", onError: "continue" }
 * const chain = Chain.make([Environment.make(), IniProfile.make()], options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Prefixed to the winner's provider name (`default` gives `default/env`); also the error's source. */
  readonly name?: string | undefined
  readonly onError?: OnError | undefined
}

/**
 * A chain over `sources`, in order. After a source succeeds the chain is pinned to it, as in the
 * official tool: later calls (refreshes) go to that source only, and its errors are reported as
 * they are. A chain that failed is not pinned: the next call walks it again (the official Node tool
 * pins itself to its last source after a failure; we do not reproduce that bug).
 *
 * @example
 * ```ts
 * import { AccessKey, Chain, Environment } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const chain = yield* Chain.make([Environment.make(), AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })], { name: "mine" })
 *   return yield* chain // the winner is pinned: later runs ask it only
 * })
 *
 * const credential = Effect.runSync(program.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
 * assert.strictEqual(credential.providerName, "mine/static_ak")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(sources: ReadonlyArray<Source<R>>, options?: Options): Effect.Effect<Source<R>> =>
  Effect.map(Ref.make<number | undefined>(undefined), (pinned) => {
    const name = options?.name
    const chainName = name ?? "chain"
    const tried = sources.map((source, index) => Effect.tap(source, () => Ref.set(pinned, index)))
    const walk: Source<R> = tried.reduce<Source<R>>(
      (chain, next) => orElse(chain, next, { onError: options?.onError }),
      Effect.failSync(() => exhausted(chainName, []))
    ).pipe(Effect.mapError((error) => endsChain(error) ? error : exhausted(chainName, failuresOf(error))))
    const rename = (credential: Credential.Credential) =>
      name === undefined
        ? credential
        : Credential.withProviderName(credential, `${name}/${credential.providerName}`)
    return Ref.get(pinned).pipe(
      Effect.flatMap((index) => (index === undefined ? walk : sources[index]!)),
      Effect.map(rename)
    )
  })

/**
 * What happened to one source when a chain was explained.
 *
 * @example
 * ```ts
 * import type { Chain } from "@effect-alicloud/credentials"
 *
 * const line = (step: Chain.Step): string =>
 *   step._tag === "Picked"
 *     ? `${step.name}: picked (${step.credential.providerName})`
 *     : step._tag === "Skipped"
 *     ? `${step.name}: skipped: ${step.error.message}`
 *     : `${step.name}: not tried`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Step =
  | { readonly _tag: "Picked"; readonly name: string; readonly credential: Credential.Credential }
  | { readonly _tag: "Skipped"; readonly name: string; readonly error: CredentialsError }
  | { readonly _tag: "NotTried"; readonly name: string }

/**
 * Asks every source in order, as a chain does, and says for each why it was skipped or that it was
 * picked; the sources after the winner are not asked, nor those after an error that ends the chain
 * (its `selection` says what the user selected; the step is `Skipped` with that error). For
 * diagnostics (`alicloud-credentials explain`): nothing is cached or pinned. A Step holds no secret
 * in its printable form.
 *
 * @example
 * ```ts
 * import { AccessKey, Chain, Environment } from "@effect-alicloud/credentials"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const steps = Effect.runSync(
 *   Chain.explain([["env", Environment.make()], ["key", AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })]]).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
 * )
 * assert.deepStrictEqual(steps.map((step) => `${step.name} ${step._tag}`), ["env Skipped", "key Picked"])
 * ```
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const explain = <R>(
  sources: ReadonlyArray<readonly [name: string, source: Source<R>]>
): Effect.Effect<ReadonlyArray<Step>, never, R> =>
  Effect.gen(function*() {
    const steps: Array<Step> = []
    for (const [name, source] of sources) {
      const ended = steps.some((step) => step._tag === "Picked" || (step._tag === "Skipped" && endsChain(step.error)))
      if (ended) {
        steps.push({ _tag: "NotTried", name })
        continue
      }
      const result = yield* Effect.either(source)
      steps.push(
        result._tag === "Right"
          ? { _tag: "Picked", name, credential: result.right }
          : { _tag: "Skipped", name, error: result.left }
      )
    }
    return steps
  })
