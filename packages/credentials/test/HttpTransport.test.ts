// The Node transport's own timeouts: they run on Node's timers, not on Effect's Clock, so these
// tests run on the live clock with short timeouts (a hanging emulator answers nothing; the test
// waits only for the read timeout it sets, 300 ms, bounded by the test's own timeout).
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as HttpTransport from "../src/HttpTransport.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import { accessKey, retryNow, roleArn, withEnv } from "./withEmulator.js"

const role = (stsEndpoint: string) =>
  RamRoleArn.make({
    source: AccessKey.make(accessKey),
    roleArn,
    stsEndpoint,
    readTimeout: "300 millis",
    retrySchedule: retryNow(0)
  })

describe("HttpTransport", () => {
  it.scopedLive("connected but no answer: a read Timeout after the read timeout, not the whole deadline", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      yield* emulator.setFault("sts", Fault.hang)
      const error = yield* Effect.flip(role(emulator.stsUrl))
      expect(error).toMatchObject({ _tag: "Timeout", phase: "read" })
      expect(error.message).toContain("but no answer within 300ms (read timeout)")
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))

  it.scopedLive("an answer within the read timeout is not cut", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      yield* emulator.setFault("sts", Fault.delay("100 millis"), { times: 1 })
      const credential = yield* role(emulator.stsUrl)
      expect(credential.type).toBe("sts")
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))
})
