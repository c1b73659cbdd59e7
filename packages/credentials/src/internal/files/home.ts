// The user's home directory, through Config (HOME, or USERPROFILE on Windows), so tests use a temp one.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { envString } from "../config/env.js"

/** The home directory, or none when neither variable is set. */
export const homeDirectory: Effect.Effect<Option.Option<string>> = Effect.flatMap(
  envString("HOME"),
  (home) => Option.isSome(home) ? Effect.succeed(home) : envString("USERPROFILE")
)
