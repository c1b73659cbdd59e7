import { Fault } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { Credentials } from "../src/Credentials.js"
import * as EcsRamRole from "../src/sources/EcsRamRole.js"
import { retryNow, ridesThroughAFailedRefresh, withEmulator, withEnv } from "./withEmulator.js"

// Every test points metadataUrl at the emulator: nothing here talks to a real metadata service.
const ecs = (metadataUrl: string, extra: EcsRamRole.Options = {}) =>
  EcsRamRole.make({ metadataUrl, retrySchedule: retryNow(0), ...extra })

describe("EcsRamRole against the emulator", () => {
  it.scoped("IMDSv2: a token, the role discovered, the credential", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credential = yield* ecs(emulator.metadataUrl)
        expect(credential).toMatchObject({ type: "sts", providerName: "ecs_ram_role" })
        expect((yield* emulator.counters("metadata-token")).succeeded).toBe(1)
        expect((yield* emulator.counters("metadata-role")).succeeded).toBe(1)
        const request = Option.getOrThrow(yield* emulator.lastRequest("metadata-credentials"))
        expect(request.path).toBe("/latest/meta-data/ram/security-credentials/EcsRamRole")
        expect(request.headers["x-aliyun-ecs-metadata-token"]).toBeDefined()
      }), { metadataMode: "v2-required" }))

  it.scoped("a configured role name (option or ALIBABA_CLOUD_ECS_METADATA) skips discovery", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setRoleName("my-role")
        yield* ecs(emulator.metadataUrl, { roleName: "my-role" })
        yield* ecs(emulator.metadataUrl).pipe(withEnv({ ALIBABA_CLOUD_ECS_METADATA: "my-role" }))
        expect((yield* emulator.counters("metadata-role")).received).toBe(0)
        expect((yield* emulator.counters("metadata-credentials")).succeeded).toBe(2)
      })
    ))

  it.scoped("v1 only: the token request fails, the requests go without it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* ecs(emulator.metadataUrl)
        const request = Option.getOrThrow(yield* emulator.lastRequest("metadata-credentials"))
        expect(request.headers["x-aliyun-ecs-metadata-token"]).toBeUndefined()
      }), { metadataMode: "v1-only" }))

  it.scoped("v1 only with disableIMDSv1 (option or ALIBABA_CLOUD_IMDSV1_DISABLED): the token error, no v1 request", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(ecs(emulator.metadataUrl, { disableIMDSv1: true }))
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 404 })
        const fromEnv = yield* Effect.flip(
          ecs(emulator.metadataUrl).pipe(withEnv({ ALIBABA_CLOUD_IMDSV1_DISABLED: "TRUE" }))
        )
        expect(fromEnv._tag).toBe("UpstreamError")
        expect((yield* emulator.counters("metadata-credentials")).received).toBe(0)
      }), { metadataMode: "v1-only" }))

  it.scoped("a request with the token that fails is tried once more without it (v1 fallback)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("metadata-credentials", Fault.httpError(500, "InternalError"), { times: 1 })
        yield* ecs(emulator.metadataUrl)
        const requests = yield* emulator.requests("metadata-credentials")
        expect(requests.map((r) => r.headers["x-aliyun-ecs-metadata-token"] !== undefined)).toEqual([true, false])
      }), { metadataMode: "both" }))

  it.scoped("ALIBABA_CLOUD_ECS_METADATA_DISABLED=true: NotConfigured, nothing sent", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          ecs(emulator.metadataUrl).pipe(withEnv({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }))
        )
        expect(error._tag).toBe("NotConfigured")
        expect((yield* emulator.counters("metadata-token")).received).toBe(0)
      })
    ))

  it.scoped("an unknown role: UpstreamError 404 with the fix", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(ecs(emulator.metadataUrl, { roleName: "no-such-role", disableIMDSv1: true }))
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 404 })
        expect(error.message).toContain("the role name was not found on this instance")
      })
    ))

  it.scoped("a Code other than Success, a malformed body and a missing field are typed errors", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const body = JSON.stringify({
          Code: "Failed",
          AccessKeyId: "a",
          AccessKeySecret: "b",
          SecurityToken: "c",
          Expiration: "2030-01-01T00:00:00Z"
        })
        yield* emulator.setFault("metadata-credentials", Fault.rawBody(200, body, "application/json"))
        expect(yield* Effect.flip(ecs(emulator.metadataUrl, { disableIMDSv1: true }))).toMatchObject({
          _tag: "UpstreamError",
          code: "Failed"
        })
        yield* emulator.setFault("metadata-credentials", Fault.malformedBody)
        expect(yield* Effect.flip(ecs(emulator.metadataUrl, { disableIMDSv1: true }))).toMatchObject({
          _tag: "MalformedResponse"
        })
        yield* emulator.setFault("metadata-credentials", Fault.missingField("AccessKeySecret"))
        const missing = yield* Effect.flip(ecs(emulator.metadataUrl, { disableIMDSv1: true }))
        expect(missing.message).toContain("AccessKeySecret is missing")
      })
    ))

  it.scoped("a metadata service that never answers: Timeout within 2 s (connect 1 s + read 1 s)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("metadata-token", Fault.hang)
        yield* emulator.setFault("metadata-credentials", Fault.hang)
        const fiber = yield* Effect.fork(ecs(emulator.metadataUrl, { roleName: "EcsRamRole", disableIMDSv1: true }))
        yield* emulator.awaitRequests("metadata-token", 1)
        yield* TestClock.adjust("2 seconds")
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
        expect(error.message).toContain("within 2s")
      })
    ))

  it.scoped("refreshes 1 hour ahead with the official ECS windows", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setExpiry("metadata-credentials", "6 hours")
        const credentials = yield* Credentials
        yield* credentials.get
        yield* TestClock.adjust("299 minutes")
        expect((yield* emulator.counters("metadata-credentials")).succeeded).toBe(1)
        yield* TestClock.adjust("1 minute")
        yield* emulator.awaitRequests("metadata-credentials", 2)
      }).pipe(Effect.provide(Credentials.layer(ecs(emulator.metadataUrl), { ...EcsRamRole.refreshOptions, jitter: 0 })))
    ))

  it.scoped("a refresh that fails while the credential is valid is invisible; the next retry replaces it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setExpiry("metadata-credentials", "6 hours")
        // the 1-hour prefetch is due at 5 hours; a failed try is two requests (with and without the token)
        yield* ridesThroughAFailedRefresh(emulator, "metadata-credentials", { refreshDue: "5 hours", failedBy: 3 })
      }).pipe(Effect.provide(Credentials.layer(ecs(emulator.metadataUrl), { ...EcsRamRole.refreshOptions, jitter: 0 })))
    ))

  it.scoped("a connection refused: NetworkError", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(ecs("http://127.0.0.1:9", { disableIMDSv1: true }))
        expect(error).toMatchObject({ _tag: "NetworkError" })
      })
    ))
})
