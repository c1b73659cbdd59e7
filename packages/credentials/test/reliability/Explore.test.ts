import { it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { closedPort, describeResult, drive, Fault, sources, startEmulator } from "./harness.js"

const rows: Array<[string, Fault.Fault | "refused", Duration.Duration | undefined]> = [
  ["500", Fault.internalError, undefined],
  ["503", Fault.serviceUnavailable, undefined],
  ["thr400", Fault.throttling(400), undefined],
  ["thr429", Fault.throttling(429), undefined],
  ["403", Fault.httpError(403, "NoPermission"), undefined],
  ["malformed", Fault.malformedBody, undefined],
  ["truncated", Fault.truncatedBody, undefined],
  ["missing", Fault.missingField("SecurityToken"), undefined],
  ["delay20", Fault.delay("20 seconds"), Duration.seconds(20)],
  ["delay1", Fault.delay("1 second"), Duration.seconds(1)],
  ["hang", Fault.hang, Duration.infinity],
  ["refused", "refused", undefined],
  ["reset", Fault.reset, undefined],
  ["close", Fault.close, undefined]
]
for (const source of sources) {
  for (const [name, fault, park] of rows) {
    for (const times of [undefined, 1]) {
      it.scoped(`${source.name} ${name} ${times}`, () =>
        Effect.gen(function*() {
          const emulator = yield* startEmulator
          const baseUrl = fault === "refused" ? `http://127.0.0.1:${yield* closedPort}` : emulator.baseUrl
          if (fault !== "refused") yield* emulator.setFault(source.endpoint, fault, times === undefined ? {} : { times })
          const p = park === undefined ? undefined : Duration.min(park, source.deadline)
          const o = yield* drive({ source, target: { emulator, baseUrl }, park: p, times, countTries: fault === "refused" })
          console.log(`ROW|${source.name}|${name}|${times}|${describeResult(o.result)}|${o.attempts}|${o.requests}|${Duration.toMillis(o.elapsed)}`)
        }))
    }
  }
}
