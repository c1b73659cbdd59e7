// The facade: each official-style Credential is one identity, and all of them share the process's
// request budget (the default RequestBudget: 100 AssumeRole per second per STS endpoint and signing
// key, a burst of 50), so many clients started at once queue instead of being throttled.
// The client's bucket and the emulator's are the same size but timed at two ends of a socket: a
// request delayed on a loaded machine can meet an emptied server bucket, be throttled and retried.
// So the test allows a stray one or two; without the budget, 30 of the 80 are throttled at once.
import { Emulator } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import Credential, { Config } from "./facade.js"

const key = { accessKeyId: "LTAI5tFacadeBudgetKey1", accessKeySecret: "facade-budget-secret" } as const
const roleArn = "acs:ram::1234567890123456:role/tenant"

describe("facade: one identity per Credential, one request budget", () => {
  it.scopedLive(
    "80 ram_role_arn clients at once against STS limited to 100/s (bucket of 50): all served, ~0 throttled",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ accessKeys: [key], rateLimit: { perSecond: 100, burst: 50 } })
        const clients = Array.from({ length: 80 }, (_, i) =>
          new Credential(
            new Config({
              type: "ram_role_arn",
              ...key,
              roleArn,
              roleSessionName: `tenant-${i}`,
              stsEndpoint: emulator.stsUrl
            })
          ))
        const answers = yield* Effect.promise(() => Promise.all(clients.map((client) => client.getCredential())))
        expect(new Set(answers.map((answer) => answer.accessKeyId)).size).toBe(80)
        const throttled = yield* emulator.throttled
        expect(throttled).toBeLessThanOrEqual(2)
        expect((yield* emulator.counters("sts")).received).toBe(80 + throttled)
      }),
    30_000
  )
})
