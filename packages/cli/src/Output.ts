/**
 * What the commands print: views of a credential and of a chain's steps, as text and as JSON.
 * None holds a secret: the AccessKey ID is masked, secrets are left out. (`Export` is the one
 * module that prints secrets.)
 *
 * @since 0.1.0
 */
import { type Chain, Credential, type CredentialsError } from "@effect-alicloud/credentials"
import * as DateTime from "effect/DateTime"

/**
 * `2030-01-01T00:00:00Z`: ISO 8601 in UTC to the second, the form both official tools parse.
 *
 * @since 0.1.0
 * @category formatting
 */
export const isoSeconds = (dateTime: DateTime.Utc): string => DateTime.formatIso(dateTime).replace(/\.\d{3}Z$/, "Z")

/**
 * `1h 2m 3s`, `45s`; `expired` for zero or less.
 *
 * @since 0.1.0
 * @category formatting
 */
export const timeLeft = (millis: number): string => {
  if (millis <= 0) return "expired"
  const total = Math.floor(millis / 1000)
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60]
  const parts = [h > 0 ? `${h}h` : "", h > 0 || m > 0 ? `${m}m` : "", `${s}s`].filter((p) => p !== "")
  return parts.join(" ")
}

/**
 * A credential without its secrets.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialView {
  readonly providerName: string
  readonly type: Credential.CredentialType
  readonly accessKeyId: string
  readonly expiration: string | null
  readonly expiresInSeconds: number | null
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const credentialView = (credential: Credential.Credential, nowMillis: number): CredentialView => ({
  providerName: credential.providerName,
  type: credential.type,
  accessKeyId: credential.toJSON().accessKeyId,
  expiration: credential.expiration === undefined ? null : isoSeconds(credential.expiration),
  expiresInSeconds: credential.expiration === undefined
    ? null
    : Math.max(0, Math.floor(Credential.remainingMillis(credential, nowMillis) / 1000))
})

/**
 * @since 0.1.0
 * @category formatting
 */
export const expiryText = (credential: Credential.Credential, nowMillis: number): string =>
  credential.expiration === undefined
    ? "never (a long-lived AccessKey)"
    : `${isoSeconds(credential.expiration)} (${timeLeft(Credential.remainingMillis(credential, nowMillis))} left)`

/**
 * The text `resolve` prints.
 *
 * @since 0.1.0
 * @category formatting
 */
export const credentialText = (credential: Credential.Credential, nowMillis: number): string =>
  [
    `source:        ${credential.providerName}`,
    `type:          ${credential.type}`,
    `access key id: ${credential.toJSON().accessKeyId || "(none)"}`,
    `expires:       ${expiryText(credential, nowMillis)}`
  ].join("\n")

/**
 * A library error as JSON: its tag, source and message (errors hold no secret).
 *
 * @since 0.1.0
 * @category models
 */
export const errorView = (error: CredentialsError.CredentialsError) => ({
  _tag: error._tag,
  source: error.source,
  message: error.message
})

/**
 * One step of `explain`, as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export const stepView = (step: Chain.Step, nowMillis: number) => {
  switch (step._tag) {
    case "Picked":
      return { name: step.name, status: "picked", credential: credentialView(step.credential, nowMillis) } as const
    case "Skipped":
      return {
        name: step.name,
        status: "selection" in step.error && step.error.selection !== undefined ? "ended_chain" : "skipped",
        error: errorView(step.error)
      } as const
    case "NotTried":
      return { name: step.name, status: "not_tried" } as const
  }
}

/**
 * The text `explain` prints: one numbered line per source (an error's extra lines indented).
 *
 * @since 0.1.0
 * @category formatting
 */
export const stepsText = (steps: ReadonlyArray<Chain.Step>, nowMillis: number): string => {
  const width = Math.max(...steps.map((step) => step.name.length))
  const lines = steps.map((step, i) => {
    const head = `${String(i + 1).padStart(2)}. ${step.name.padEnd(width)}  `
    switch (step._tag) {
      case "Picked": {
        const c = step.credential
        return `${head}picked: ${c.providerName}, ${c.type}, ${c.toJSON().accessKeyId || "(no id)"}, ` +
          `expires ${expiryText(c, nowMillis)}`
      }
      case "Skipped": {
        // a configuration the user selected (a profile) that cannot be used ends the chain
        const verb = "selection" in step.error && step.error.selection !== undefined ? "ended the chain" : "skipped"
        return `${head}${verb}: ${step.error.message.replace(/\n/g, `\n${" ".repeat(head.length)}`)}`
      }
      case "NotTried":
        return `${head}not tried (the chain ended before it)`
    }
  })
  return ["The default chain, in order:", ...lines].join("\n")
}
