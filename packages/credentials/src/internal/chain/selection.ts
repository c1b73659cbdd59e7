// A configuration the user selected (a CLI profile by name, ALIBABA_CLOUD_PROFILE or `current`;
// an ini section) that cannot be used ends a chain: the next source would give the program another
// identity, in silence. A file source marks its errors with what was selected, the chain stops at
// an error so marked (see `CredentialsError.Selection`).
import * as Effect from "effect/Effect"
import {
  CommandFailed,
  type CredentialsError,
  InvalidConfiguration,
  MalformedResponse,
  NetworkError,
  NotConfigured,
  Timeout,
  UpstreamError
} from "../../CredentialsError.js"

type Selectable = Exclude<CredentialsError, { readonly _tag: "ChainExhausted" }>

/** `error`, naming what the user selected (see `CredentialsError.Selection`): a chain ends at it. */
const withSelection = (error: CredentialsError, selection: string): CredentialsError => {
  switch (error._tag) {
    case "NotConfigured":
      return new NotConfigured({ ...error, selection })
    case "InvalidConfiguration":
      return new InvalidConfiguration({ ...error, selection })
    case "UpstreamError":
      return new UpstreamError({ ...error, selection })
    case "MalformedResponse":
      return new MalformedResponse({ ...error, selection })
    case "Timeout":
      return new Timeout({ ...error, selection })
    case "NetworkError":
      return new NetworkError({ ...error, selection })
    case "CommandFailed":
      return new CommandFailed({ ...error, selection })
    case "ChainExhausted":
      // a chain inside the selected configuration: its own failures are what the user reads
      return error
  }
}

/** `error`, ending a chain: it is about `selection` (unless it names a selection already). */
export const selectedError = (selection: string) => (error: CredentialsError): CredentialsError =>
  endsChain(error) ? error : withSelection(error, selection)

/** Every failure of `source` ends a chain: the configuration it runs is the one the user selected. */
export const selected = (selection: string) => <A, R>(source: Effect.Effect<A, CredentialsError, R>) =>
  Effect.mapError(source, selectedError(selection))

/** Whether `error` ends a chain (see `CredentialsError.Selection`). */
export const endsChain = (error: CredentialsError): error is Selectable =>
  error._tag !== "ChainExhausted" && error.selection !== undefined
