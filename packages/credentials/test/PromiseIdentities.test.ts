// The facade: each official-style Credential is one identity, and all of them share the process's
// request budget (the default RequestBudget: 100 AssumeRole per second per STS endpoint and signing
// key, a burst of 50), so many clients started at once queue instead of being throttled.
//
// Both ends count on the real clock: the client's budget paces the requests as they leave, the
// emulator's bucket (100/s, 60: ten more than the client's) as they arrive. On a busy event loop
// requests that left on time arrive together, and a few are throttled (and retried): 5 to 16 of
// 200 measured alone, up to 25 beside three busy processes. Without the budget: 96 and 102.
import { Emulator } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import Credential, { Config } from "./facade.js"

const key = { accessKeyId: "LTAI5tFacadeBudgetKey1", accessKeySecret: "facade-budget-secret" } as const
const roleArn = "acs:ram::1234567890123456:role/tenant"

describe("facade: one identity per Credential, one request budget", () => {
  it.scopedLive(
    "200 ram_role_arn clients at once against STS limited to 100/s: all served, a few throttled, not half",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ accessKeys: [key], rateLimit: { perSecond: 100, burst: 60 } })
        const client = (i: number) =>
          new Credential(
            new Config({
              type: "ram_role_arn",
              ...key,
              roleArn,
              roleSessionName: `tenant-${i}`,
              stsEndpoint: emulator.stsUrl
            })
          )
        // One client first, so that the 200 below start together rather than spread by the
        // facade's first load: without the budget they arrive within ~0.3 s and most are throttled.
        yield* Effect.promise(() => client(0).getCredential())
        const clients = Array.from({ length: 200 }, (_, i) => client(i + 1))
        const answers = yield* Effect.promise(() => Promise.all(clients.map((c) => c.getCredential())))
        expect(new Set(answers.map((answer) => answer.accessKeyId)).size).toBe(200)
        const throttled = yield* emulator.throttled
        expect(throttled).toBeLessThanOrEqual(40)
        expect((yield* emulator.counters("sts")).received).toBe(201 + throttled)
      }),
    60_000
  )
})
