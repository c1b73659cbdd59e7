// The credential of the identity tests' fake sources: the `n`-th of `name`, valid for an hour from
// the Clock's now.
import { Clock, DateTime, Effect, Redacted } from "effect"
import * as Credential from "../src/Credential.js"

export const hourCredential = (name: string, n: number, providerName = name) =>
  Effect.map(Clock.currentTimeMillis, (now) =>
    Credential.make({
      type: "sts",
      accessKeyId: `STS.${name}-${n}`,
      accessKeySecret: Redacted.make(`secret-${name}-${n}`),
      securityToken: Redacted.make(`token-${name}-${n}`),
      expiration: DateTime.unsafeMake(now + 3600_000),
      providerName
    }))
