import { Fault } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import { inspect } from "node:util"
import { Credentials } from "../src/Credentials.js"
import * as HttpTransport from "../src/HttpTransport.js"
import { stsUrl } from "../src/internal/protocols/sts.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as Bearer from "../src/sources/Bearer.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import * as Sts from "../src/sources/Sts.js"
import { accessKey, retryNow, ridesThroughAFailedRefresh, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const signer = AccessKey.make(accessKey)

const role = (stsEndpoint: string, extra: Partial<RamRoleArn.Options<never>> = {}) =>
  RamRoleArn.make({
    source: signer,
    roleArn,
    stsEndpoint,
    roleSessionName: "test-session",
    retrySchedule: retryNow(0),
    ...extra
  })

describe("RamRoleArn against the emulator", () => {
  it.scoped("assumes the role: an sts credential with an expiration, signed as the official tool signs", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credential = yield* role(emulator.stsUrl, { policy: "{\"Version\":\"1\"}", externalId: "ext-1" })
        expect(credential.type).toBe("sts")
        expect(credential.accessKeyId).toMatch(/^STS\./)
        expect(credential.providerName).toBe("ram_role_arn/static_ak")
        expect(credential.expiration).toBeDefined()
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.method).toBe("POST")
        expect(request.query).toMatchObject({
          Action: "AssumeRole",
          AccessKeyId: accessKey.accessKeyId,
          SignatureMethod: "HMAC-SHA1"
        })
        expect(request.body).toMatchObject({
          RoleArn: roleArn,
          RoleSessionName: "test-session",
          DurationSeconds: "3600",
          Policy: "{\"Version\":\"1\"}",
          ExternalId: "ext-1"
        })
        expect(request.headers["x-acs-credentials-provider"]).toBe("static_ak")
      })
    ))

  it.scoped("every fetch is a new session", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const first = yield* role(emulator.stsUrl)
        const second = yield* role(emulator.stsUrl)
        expect(first.accessKeyId).not.toBe(second.accessKeyId)
      })
    ))

  it.scoped("chains: a role assumed with the credential of another role, sent with its SecurityToken", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const inner = role(emulator.stsUrl)
        const outer = yield* RamRoleArn.make({
          source: inner,
          roleArn,
          stsEndpoint: emulator.stsUrl,
          retrySchedule: retryNow(0)
        })
        expect(outer.providerName).toBe("ram_role_arn/ram_role_arn/static_ak")
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.query.SecurityToken).toBeDefined()
        expect((yield* emulator.counters("sts")).succeeded).toBe(2)
      })
    ))

  it.scoped("a static STS token as the signer", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addAccessKey({
          accessKeyId: "STS.static",
          accessKeySecret: "sts-secret",
          securityToken: "sts-token"
        })
        const credential = yield* RamRoleArn.make({
          source: Sts.make({ accessKeyId: "STS.static", accessKeySecret: "sts-secret", securityToken: "sts-token" }),
          roleArn,
          stsEndpoint: emulator.stsUrl
        })
        expect(credential.providerName).toBe("ram_role_arn/static_sts")
      })
    ))

  it.scoped("a wrong secret: UpstreamError with the Code, RequestId and a fix, and no string to sign", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addAccessKey({
          accessKeyId: "STS.signer",
          accessKeySecret: "right",
          securityToken: "TOKEN-MUST-NOT-LEAK"
        })
        const error = yield* Effect.flip(RamRoleArn.make({
          source: Sts.make({
            accessKeyId: "STS.signer",
            accessKeySecret: "wrong",
            securityToken: "TOKEN-MUST-NOT-LEAK"
          }),
          roleArn,
          stsEndpoint: emulator.stsUrl
        }))
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 400, code: "SignatureDoesNotMatch" })
        if (error._tag !== "UpstreamError") return
        expect(error.requestId).toBeTruthy()
        expect(error.message).toContain("Fix: the AccessKey secret of the source credential does not match its ID")
        for (const text of [error.message, inspect(error), JSON.stringify(error)]) {
          expect(text).not.toContain("TOKEN-MUST-NOT-LEAK")
          expect(text).not.toContain("string to sign")
        }
        expect((yield* emulator.counters("sts")).received).toBe(1) // a 4xx is not retried
      })
    ))

  it.scoped("a bearer token as the source: InvalidConfiguration naming the fix, no request sent", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(role(emulator.stsUrl, { source: Bearer.make({ bearerToken: "sso-token" }) }))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "source" })
        expect(error.message).toContain("give the role an AccessKey or STS source credential")
        expect(error.message).not.toContain("sso-token")
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("an unknown AccessKey: UpstreamError InvalidAccessKeyId.NotFound, not retried", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(RamRoleArn.make({
          source: AccessKey.make({ accessKeyId: "LTAI-unknown", accessKeySecret: "x" }),
          roleArn,
          stsEndpoint: emulator.stsUrl
        }))
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 404, code: "InvalidAccessKeyId.NotFound" })
        expect((yield* emulator.counters("sts")).received).toBe(1)
      })
    ))

  it.scoped("the default schedule retries 503s with backoff, then succeeds", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.serviceUnavailable, { times: 2 })
        const fiber = yield* Effect.fork(RamRoleArn.make({ source: signer, roleArn, stsEndpoint: emulator.stsUrl }))
        for (const seen of [1, 2, 3]) {
          yield* emulator.awaitRequests("sts", seen)
          yield* TestClock.adjust("2 seconds")
        }
        const credential = yield* Fiber.join(fiber)
        expect(credential.type).toBe("sts")
        expect(yield* emulator.counters("sts")).toMatchObject({ received: 3, succeeded: 1 })
      })
    ))

  it.scoped("throttling is retried; a 400 InvalidParameter is not", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.throttling(400), { times: 2 })
        yield* role(emulator.stsUrl, { retrySchedule: retryNow(3) })
        expect((yield* emulator.counters("sts")).received).toBe(3)
        yield* emulator.setFault("sts", Fault.httpError(400, "InvalidParameter", "bad"), { times: 1 })
        const error = yield* Effect.flip(role(emulator.stsUrl, { retrySchedule: retryNow(3) }))
        expect(error).toMatchObject({
          _tag: "UpstreamError",
          status: 400,
          code: "InvalidParameter",
          serviceMessage: "bad"
        })
        expect((yield* emulator.counters("sts")).received).toBe(4)
      })
    ))

  it.scoped("retries stop at the schedule's bound: the last error is returned", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.serviceUnavailable)
        const error = yield* Effect.flip(role(emulator.stsUrl, { retrySchedule: retryNow(2) }))
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 503 })
        expect((yield* emulator.counters("sts")).received).toBe(3)
      })
    ))

  it.scoped("a malformed body: MalformedResponse, not retried", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.malformedBody)
        const error = yield* Effect.flip(role(emulator.stsUrl, { retrySchedule: retryNow(3) }))
        expect(error).toMatchObject({ _tag: "MalformedResponse", detail: "the body is not valid JSON" })
        expect((yield* emulator.counters("sts")).received).toBe(1)
      })
    ))

  it.scoped("a missing field: MalformedResponse naming it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.missingField("SecurityToken"))
        const error = yield* Effect.flip(role(emulator.stsUrl))
        expect(error._tag).toBe("MalformedResponse")
        expect(error.message).toContain("Credentials.SecurityToken is missing")
      })
    ))

  it.scoped("a truncated body: a NetworkError, retried", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.truncatedBody, { times: 1 })
        yield* role(emulator.stsUrl, { retrySchedule: retryNow(1) })
        yield* emulator.setFault("sts", Fault.truncatedBody, { times: 1 })
        const error = yield* Effect.flip(role(emulator.stsUrl))
        expect(error._tag === "NetworkError" || error._tag === "MalformedResponse").toBe(true)
      })
    ))

  for (const [name, fault] of [["closed", Fault.close], ["reset", Fault.reset]] as const) {
    it.scoped(`a ${name} connection: a NetworkError, retried`, () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          yield* emulator.setFault("sts", fault, { times: 1 })
          const error = yield* Effect.flip(role(emulator.stsUrl))
          expect(error._tag).toBe("NetworkError")
          yield* emulator.setFault("sts", fault, { times: 1 })
          yield* role(emulator.stsUrl, { retrySchedule: retryNow(1) })
        })
      ))
  }

  it.scoped("a hang: Timeout after connect + read (15 s by default), on the TestClock", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.hang)
        const fiber = yield* Effect.fork(role(emulator.stsUrl))
        yield* emulator.awaitRequests("sts", 1)
        yield* TestClock.adjust("14 seconds")
        expect(yield* Fiber.poll(fiber)).toEqual(Option.none())
        yield* TestClock.adjust("1 second")
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
        expect(error.message).toContain("within 15s (connect + read timeouts)")
      })
    ))

  it.scoped("a delay before the headers longer than the timeouts: Timeout; shorter: success", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.delay(Duration.seconds(3)), { times: 1 })
        const slow = yield* Effect.fork(
          role(emulator.stsUrl, { readTimeout: "2 seconds", connectTimeout: "500 millis" })
        )
        yield* emulator.awaitRequests("sts", 1)
        yield* TestClock.adjust("2500 millis")
        expect(yield* Effect.flip(Fiber.join(slow))).toMatchObject({ _tag: "Timeout" })
        yield* emulator.setFault("sts", Fault.delay(Duration.seconds(1)), { times: 1 })
        const fast = yield* Effect.fork(role(emulator.stsUrl, { readTimeout: "2 seconds" }))
        yield* emulator.awaitRequests("sts", 2)
        yield* TestClock.adjust("1 second")
        expect((yield* Fiber.join(fast)).type).toBe("sts")
      })
    ))

  it.scoped("connection refused: a NetworkError naming it", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(role("http://127.0.0.1:9"))
        expect(error).toMatchObject({ _tag: "NetworkError", detail: "connection refused (ECONNREFUSED)" })
      })
    ))

  it.scoped("N concurrent callers on a cold layer: exactly one AssumeRole at the emulator", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credentials = yield* Credentials
        const all = yield* Effect.all(Array.from({ length: 200 }, () => credentials.get), { concurrency: "unbounded" })
        expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1)
        expect((yield* emulator.counters("sts")).received).toBe(1)
      }).pipe(Effect.provide(Credentials.layer(role(emulator.stsUrl))))
    ))

  it.scoped("refreshes ahead of expiry, and a failing refresh is invisible while the credential is valid", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* ridesThroughAFailedRefresh(emulator, "sts", { refreshDue: "45 minutes", failedBy: 2 })
        expect((yield* emulator.counters("sts")).succeeded).toBe(2)
      }).pipe(Effect.provide(Credentials.layer(role(emulator.stsUrl), { jitter: 0 })))
    ))

  it.effect("validates its options: roleArn, roleSessionExpiration, roleSessionName", () =>
    Effect.gen(function*() {
      const noRole = yield* Effect.flip(RamRoleArn.make({ source: signer }))
      expect(noRole).toMatchObject({
        _tag: "InvalidConfiguration",
        field: "roleArn",
        reason: "is missing and ALIBABA_CLOUD_ROLE_ARN is not set"
      })
      const short = yield* Effect.flip(
        RamRoleArn.make({ source: signer, roleArn, roleSessionExpiration: "10 minutes" })
      )
      expect(short).toMatchObject({ _tag: "InvalidConfiguration", field: "roleSessionExpiration" })
      expect(short.message).toContain("must be between 15 minutes and 12 hours, got 10m")
      const millis = yield* Effect.flip(RamRoleArn.make({ source: signer, roleArn, roleSessionExpiration: 3600 }))
      expect(millis.message).toContain("a number is read as milliseconds")
      const long = yield* Effect.flip(RamRoleArn.make({ source: signer, roleArn, roleSessionExpiration: "13 hours" }))
      expect(long).toMatchObject({ field: "roleSessionExpiration" })
      // An empty roleSessionName is "not set" (test/ConfigModel.test.ts); a name of the wrong type is refused.
      const badName = yield* Effect.flip(
        RamRoleArn.make({ source: signer, roleArn, roleSessionName: 42 as unknown as string })
      )
      expect(badName).toMatchObject({ field: "roleSessionName", reason: "must be a string, got a number" })
      const badSource = yield* Effect.flip(
        RamRoleArn.make({ source: AccessKey.make({ accessKeyId: "id", accessKeySecret: "" }), roleArn })
      )
      expect(badSource).toMatchObject({ source: "access_key", field: "accessKeySecret" })
    }).pipe(withEnv({}), Effect.provide(HttpTransport.layer())))

  it.scoped("reads ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_ROLE_SESSION_NAME", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* RamRoleArn.make({ source: signer, stsEndpoint: emulator.stsUrl }).pipe(withEnv({
          ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1:role/from-env",
          ALIBABA_CLOUD_ROLE_SESSION_NAME: "env-session"
        }))
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.body).toMatchObject({ RoleArn: "acs:ram::1:role/from-env", RoleSessionName: "env-session" })
      })
    ))

  it("derives the STS endpoint as the official tool does", () => {
    expect(stsUrl({})).toBe("https://sts.aliyuncs.com/")
    expect(stsUrl({ stsRegionId: "cn-hangzhou" })).toBe("https://sts.cn-hangzhou.aliyuncs.com/")
    expect(stsUrl({ stsRegionId: "cn-hangzhou", enableVpc: true })).toBe("https://sts-vpc.cn-hangzhou.aliyuncs.com/")
    expect(stsUrl({ enableVpc: true })).toBe("https://sts.aliyuncs.com/")
    expect(stsUrl({ stsEndpoint: "sts.example.test" })).toBe("https://sts.example.test/")
    expect(stsUrl({ stsEndpoint: "http://127.0.0.1:8080" })).toBe("http://127.0.0.1:8080/")
  })
})
