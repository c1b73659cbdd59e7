// What every engine of the Promise facade hands out and how its failures reject: the answer (a
// credential as plain strings), the engine interface, and the rejections. Shared by the engines
// that start with the facade (`./runtime.ts`) and the network engine loaded on first use
// (`./engine.ts`), below both.
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Credential as EffectCredential } from "../Credential.js"
import { type CredentialsError, isCredentialsError } from "../CredentialsError.js"

/** A credential as the facade hands it out: plain strings. */
export interface Answer {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string | undefined
  readonly bearerToken: string | undefined
  readonly providerName: string | undefined
  /** Epoch milliseconds. */
  readonly expiration: number | undefined
  readonly kind: "access_key" | "sts" | "bearer"
}

/** What every facade object asks for credentials through. */
export interface Engine {
  readonly get: () => Promise<Answer>
  /** Fetches now (joining a fetch in flight), whatever the state of the current credential. */
  readonly refresh: () => Promise<Answer>
  readonly close: () => Promise<void>
}

/** The rejection of a call on a closed client or provider. */
export const closedError = (what: string): Error => new Error(`${what} was closed: create a new one to get credentials`)

/** The rejection of a defect (a bug, a module that did not load): its cause kept. */
export const unexpectedFailure = (cause: unknown): Error =>
  new Error("unexpected failure in @effect-alicloud/credentials", { cause })

/** The rejection of a failed Effect: the typed error as `cause`, its message as the message. */
export const toError = (cause: Cause.Cause<CredentialsError>, what: string): Error => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && isCredentialsError(failure.value)) {
    return new Error(failure.value.message, { cause: failure.value })
  }
  return Cause.isInterruptedOnly(cause)
    ? closedError(what)
    : unexpectedFailure(Cause.squash(cause))
}

// The facade keeps the official spelling of the URI source's provider name (`credential_uri`, sic),
// which the Effect API writes as its type (`credentials_uri`).
const officialProviderName = (name: string) => name.replace(/(^|\/)credentials_uri(?=\/|$)/, "$1credential_uri")

const answerOf = (credential: EffectCredential): Answer => ({
  accessKeyId: credential.accessKeyId,
  accessKeySecret: Redacted.value(credential.accessKeySecret),
  securityToken: credential.securityToken === undefined ? undefined : Redacted.value(credential.securityToken),
  bearerToken: credential.bearerToken === undefined ? undefined : Redacted.value(credential.bearerToken),
  providerName: officialProviderName(credential.providerName),
  expiration: credential.expiration === undefined ? undefined : credential.expiration.epochMillis,
  kind: credential.type
})

/** The last credential handed out and its answer: the same object while the credential is the same. */
export interface Kept {
  readonly credential: EffectCredential
  readonly answer: Answer
}

/** The answer of `credential`, reusing `kept`'s when it is the same credential. */
export const keep = (kept: Kept | undefined, credential: EffectCredential): Kept =>
  kept?.credential === credential ? kept : { credential, answer: answerOf(credential) }

/** The credential of an Effect's exit, or the rejection a facade caller sees. */
export const settle = (exit: Exit.Exit<EffectCredential, CredentialsError>, what: string): EffectCredential => {
  if (Exit.isFailure(exit)) throw toError(exit.cause, what)
  return exit.value
}
