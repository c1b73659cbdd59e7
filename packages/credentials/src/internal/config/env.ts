// Environment variables through Config, as the official tool reads them.
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** A variable that is unset, empty or only whitespace is absent. */
export const envString = (name: string): Effect.Effect<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((value) => value.trim().length > 0)),
    Effect.orElseSucceed(() => Option.none())
  )

/** `true` (any case) is true, as in the official tool; anything else is false. */
export const envFlag = (name: string): Effect.Effect<boolean> =>
  Effect.map(envString(name), Option.exists((value) => value.toLowerCase() === "true"))

/** `value` if given and non-empty, else the variable (the official options' fallback). */
export const orEnv = (value: string | undefined, variable: string): Effect.Effect<string | undefined> =>
  value !== undefined && value !== "" ? Effect.succeed(value) : Effect.map(envString(variable), Option.getOrUndefined)
