// The user's home directory, through Config (HOME, or USERPROFILE on Windows), so tests use a temp one.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { env } from "../config/rules.js"

/** The home directory, or none when neither variable is set (blank counts as unset). */
export const homeDirectory: Effect.Effect<Option.Option<string>> = Effect.flatMap(
  env("HOME"),
  (home) => Option.isSome(home) ? Effect.succeed(home) : env("USERPROFILE")
)
