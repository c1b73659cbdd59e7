import { Fault } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { Credentials } from "../src/Credentials.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import { nextCredential, retryNow, ridesThroughAFailedRefresh, withEmulator, withEnv } from "./withEmulator.js"

describe("CredentialsUri against the emulator", () => {
  it.scoped("fetches the credential from the URI (option or ALIBABA_CLOUD_CREDENTIALS_URI)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credential = yield* CredentialsUri.make({ credentialsUri: emulator.credentialsUri })
        expect(credential).toMatchObject({ type: "sts", providerName: "credentials_uri" })
        yield* CredentialsUri.make().pipe(withEnv({ ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri }))
        expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(2)
      })
    ))

  it.scoped("no URI: NotConfigured, and no request at all (the official tool looks up the host 'undefined')", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(CredentialsUri.make())
        expect(error._tag).toBe("NotConfigured")
      })
    ))

  it.scoped("a URI that is not http(s): InvalidConfiguration", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(CredentialsUri.make({ credentialsUri: "file:///etc/passwd" }))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "credentialsUri" })
        const bad = yield* Effect.flip(
          CredentialsUri.make().pipe(withEnv({ ALIBABA_CLOUD_CREDENTIALS_URI: "not a url" }))
        )
        expect(bad).toMatchObject({ field: "ALIBABA_CLOUD_CREDENTIALS_URI" })
      })
    ))

  it.scoped("Code other than Success: UpstreamError with the Code", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const body = JSON.stringify({
          Code: "Expired",
          AccessKeyId: "a",
          AccessKeySecret: "b",
          SecurityToken: "c",
          Expiration: "2030-01-01T00:00:00Z"
        })
        yield* emulator.setFault("credentials-uri", Fault.rawBody(200, body, "application/json"))
        const error = yield* Effect.flip(CredentialsUri.make({ credentialsUri: emulator.credentialsUri }))
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 200, code: "Expired" })
      })
    ))

  it.scoped("faults: 500 retried then success, 403 not retried, malformed, missing field, hang", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const options = { credentialsUri: emulator.credentialsUri, retrySchedule: retryNow(2) }
        yield* emulator.setFault("credentials-uri", Fault.internalError, { times: 1 })
        yield* CredentialsUri.make(options)
        yield* emulator.setFault("credentials-uri", Fault.httpError(403, "Forbidden", "no"), { times: 1 })
        expect(yield* Effect.flip(CredentialsUri.make(options))).toMatchObject({
          _tag: "UpstreamError",
          status: 403,
          code: "Forbidden"
        })
        yield* emulator.setFault("credentials-uri", Fault.malformedBody, { times: 1 })
        expect(yield* Effect.flip(CredentialsUri.make(options))).toMatchObject({ _tag: "MalformedResponse" })
        yield* emulator.setFault("credentials-uri", Fault.missingField("Expiration"), { times: 1 })
        expect((yield* Effect.flip(CredentialsUri.make(options))).message).toContain("Expiration is missing")
        expect((yield* emulator.counters("credentials-uri")).received).toBe(5)
        yield* emulator.setFault("credentials-uri", Fault.hang, { times: 1 })
        // With the defaults as shipped (retries on): the 15 s budget ends the fetch, one attempt.
        const hung = yield* Effect.fork(CredentialsUri.make({ credentialsUri: emulator.credentialsUri }))
        yield* emulator.awaitRequests("credentials-uri", 6)
        yield* TestClock.adjust("15 seconds")
        expect(yield* Effect.flip(Fiber.join(hung))).toMatchObject({ _tag: "Timeout", tried: { attempts: 1 } })
        expect((yield* emulator.counters("credentials-uri")).received).toBe(6)
      })
    ))

  it.scoped("a refresh that fails while the credential is valid is invisible; the next retry replaces it", () =>
    withEmulator((emulator) =>
      ridesThroughAFailedRefresh(emulator, "credentials-uri", { refreshDue: "45 minutes", failedBy: 2 }).pipe(
        Effect.provide(Credentials.layer(
          CredentialsUri.make({ credentialsUri: emulator.credentialsUri, retrySchedule: retryNow(0) }),
          { jitter: 0 }
        ))
      )
    ))

  it.scoped("refreshes ahead of expiry through the layer", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credentials = yield* Credentials
        const first = yield* credentials.get
        yield* TestClock.adjust("45 minutes")
        const second = yield* nextCredential(credentials, first)
        expect((yield* credentials.get).accessKeyId).toBe(second.accessKeyId)
        expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(2)
      }).pipe(
        Effect.provide(
          Credentials.layer(CredentialsUri.make({ credentialsUri: emulator.credentialsUri }), { jitter: 0 })
        )
      )
    ))
})
