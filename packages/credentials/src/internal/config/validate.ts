// The names the modules not yet moved to rules.ts import (the session cache, the pipeline,
// CliProfile): thin uses of rules.ts, which holds the rules. New code imports rules.ts.
import * as Effect from "effect/Effect"
import type { InvalidConfiguration } from "../../CredentialsError.js"
import * as Rules from "./rules.js"

export { decodeDuration } from "./rules.js"

export interface Field {
  readonly source: string
  readonly field: string
  readonly fix: string
}

/**
 * Text that may be left out (undefined), but when given must not be blank: for options of ours with
 * no official counterpart where a blank value is a mistake (the session cache's `directory`).
 */
export const optionalString = (field: Field, value: unknown): Effect.Effect<string | undefined, InvalidConfiguration> =>
  value === undefined
    ? Effect.succeed(undefined)
    : Rules.decodeRequired({
      source: field.source,
      origin: Rules.option(field.field),
      schema: Rules.Text,
      fix: field.fix
    }, value)
