// The environment reader of the configuration rules (rules.ts re-exports it): one rule for blanks,
// and variables read through `Config`. Kept apart from rules.ts, whose field schemas need `Schema`:
// the environment source, the first of the default chain, loads this module alone.
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** Empty or only whitespace: the official tools' "not set". */
export const isBlank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === "string" && value.trim().length === 0)

const readVariable = <A>(config: Config.Config<A>, text: (a: A) => string): Effect.Effect<Option.Option<A>> =>
  Config.option(config).pipe(
    Effect.map(Option.filter((value) => !isBlank(text(value)))),
    Effect.orElseSucceed(() => Option.none())
  )

/** A variable through `Config`: unset, empty or only whitespace is absent. */
export const env = (name: string): Effect.Effect<Option.Option<string>> => readVariable(Config.string(name), String)

/** A secret variable (a key, a token) through `Config`, `Redacted` from the start; blank is absent. */
export const envSecret = (name: string): Effect.Effect<Option.Option<Redacted.Redacted<string>>> =>
  readVariable(Config.redacted(name), Redacted.value)

/** The role of the RamRoleArn and OIDC sources, when not given in code. */
export const ROLE_ARN = "ALIBABA_CLOUD_ROLE_ARN"
