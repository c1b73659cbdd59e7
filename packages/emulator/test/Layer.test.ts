import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import { send, start2024, UriCredentials } from "./helpers.js"

layer(Emulator.layer())("Emulator.layer shared by a group", (it) => {
  it.effect("the server reads the same TestClock as the test", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* TestClock.setTime(start2024)
      yield* emulator.setExpiry("credentials-uri", "10 minutes")
      const c = yield* HttpClientResponse.schemaBodyJson(UriCredentials)(
        yield* send(HttpClientRequest.get(emulator.credentialsUri))
      )
      expect(c.Expiration).toBe("2024-01-01T00:10:00Z")
    }))

  it.effect("state is shared between tests of the group: reset between them if needed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      expect((yield* emulator.counters("credentials-uri")).received).toBe(1)
      yield* emulator.reset
      expect((yield* emulator.counters("credentials-uri")).received).toBe(0)
    }))
})
