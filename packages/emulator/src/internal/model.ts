import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

/** @internal */
export const Endpoint = Schema.Literal(
  "sts",
  "metadata-token",
  "metadata-role",
  "metadata-credentials",
  "credentials-uri"
)

/** @internal */
export const ExpiringEndpoint = Schema.Literal("sts", "metadata-credentials", "credentials-uri")

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
