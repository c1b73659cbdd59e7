// A scripted upstream for refresh-engine tests: every fetch issues a fresh, distinct STS credential
// valid for `ttl` from the (test) clock's now, after `latency`; `failWith` makes the next fetches fail.
import { Clock, DateTime, Duration, Effect, Option, Redacted, Ref } from "effect"
import * as Credential from "../src/Credential.js"
import { type CredentialsError, UpstreamError } from "../src/CredentialsError.js"
import type { Source } from "../src/Source.js"

export const upstreamDown = new UpstreamError({
  source: "fake",
  endpoint: "http://127.0.0.1/sts",
  status: 503,
  code: "ServiceUnavailable",
  requestId: "req-1"
})

export const makeFakeUpstream = (options: { ttl: Duration.DurationInput; latency?: Duration.DurationInput }) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make(0)
    const failure = yield* Ref.make(Option.none<CredentialsError>())
    const source: Source = Effect.gen(function*() {
      const n = yield* Ref.updateAndGet(calls, (i) => i + 1)
      if (options.latency !== undefined) yield* Effect.sleep(options.latency)
      const failing = yield* Ref.get(failure)
      // a fresh error each time, as a real upstream gives (Effect annotates the errors it fails with)
      if (Option.isSome(failing)) {
        return yield* Effect.fail(
          Object.assign(Object.create(Object.getPrototypeOf(failing.value)), failing.value) as CredentialsError
        )
      }
      const now = yield* Clock.currentTimeMillis
      return Credential.make({
        type: "sts",
        accessKeyId: `STS.fake-${n}`,
        accessKeySecret: Redacted.make(`secret-${n}`),
        securityToken: Redacted.make(`token-${n}`),
        expiration: DateTime.unsafeMake(now + Duration.toMillis(options.ttl)),
        providerName: "fake"
      })
    })
    return {
      source,
      calls: Ref.get(calls),
      failWith: (error: CredentialsError) => Ref.set(failure, Option.some(error)),
      recover: Ref.set(failure, Option.none())
    }
  })
