import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

/** @internal */
export const Endpoint = Schema.Literal(
  "sts",
  "metadata-token",
  "metadata-role",
  "metadata-credentials",
  "credentials-uri",
  "cloud-sso",
  "oauth-token",
  "oauth-exchange"
)

/** @internal */
export const ExpiringEndpoint = Schema.Literal(
  "sts",
  "metadata-credentials",
  "credentials-uri",
  "cloud-sso",
  "oauth-token",
  "oauth-exchange"
)

/** @internal */
export const defaultIdentity = {
  _tag: "RAMUser",
  accountId: "1234567890123456",
  userId: "200000000000000001",
  userName: "emulator-user"
} as const

/** @internal */
export const oauthClientIds = { CN: "4038181954557748008", INTL: "4103531455503354461" } as const

/** @internal */
export const MetadataMode = Schema.Literal("v2-required", "v1-only", "both")

/** @internal */
export class EmulatorError extends Data.TaggedError("EmulatorError")<{
  readonly reason: "InvalidOptions" | "Listen"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `emulator: ${this.reason}: ${this.detail}`
  }
}
