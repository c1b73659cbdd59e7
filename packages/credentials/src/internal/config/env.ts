// The names the modules not yet moved to rules.ts import (CliProfile, IniProfile, files/home,
// promise/static): each a thin use of rules.ts, the one environment reader. New code imports rules.ts.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { InvalidConfiguration } from "../../CredentialsError.js"
import * as Rules from "./rules.js"

/** A variable that is unset, empty or only whitespace is absent (`Rules.env`). */
export const envString = Rules.env

/**
 * A flag variable (`Rules.envFlag`): "true"/"false" in any case; anything else is an
 * InvalidConfiguration naming the variable (its source: the environment).
 */
export const envFlag = (name: string): Effect.Effect<boolean, InvalidConfiguration> =>
  Rules.envFlag("environment", name)

/** `value` if given and not blank, else the variable (the official options' fallback). */
export const orEnv = (value: string | undefined, variable: string): Effect.Effect<string | undefined> =>
  Rules.isBlank(value) ? Effect.map(Rules.env(variable), Option.getOrUndefined) : Effect.succeed(value)
