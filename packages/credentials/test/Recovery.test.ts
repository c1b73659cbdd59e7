// Forced refresh and recovery (issue 12, item 1): `refresh` and `invalidate` on the service, and
// `Credentials.retryOnAuthError` against the emulator, whose sessions are revoked through its
// control API, on the TestClock. The signed call is GetCallerIdentity, signed with our RPC signer
// (signature v1) with the credential the service hands out; the emulator verifies it.
import type { Emulator } from "@effect-alicloud/emulator"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Data, Effect, Fiber, Redacted, Schema, Stream, TestClock } from "effect"
import { UnknownException } from "effect/Cause"
import * as Changes from "../src/Changes.js"
import * as Credential from "../src/Credential.js"
import { Credentials } from "../src/Credentials.js"
import { UpstreamError } from "../src/CredentialsError.js"
import * as Forced from "../src/internal/refresh/forced.js"
import { formatTimestamp } from "../src/internal/signing/encode.js"
import * as rpc from "../src/internal/signing/rpc.js"
import * as Refresh from "../src/Refresh.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import { makeFakeUpstream } from "./fakeUpstream.js"
import { accessKey, nextCredential, retryNow, roleArn, withEmulator } from "./withEmulator.js"

/** A refused call, as a typed error of the program's own (the service's `Code` in `code`). */
class CallFailed extends Data.TaggedError("CallFailed")<{ readonly status: number; readonly code: string }> {}

const Identity = Schema.Struct({ Arn: Schema.String })
const ErrorBody = Schema.Struct({ Code: Schema.String })

let nonce = 0

/** GetCallerIdentity, RPC-signed with the credential `Credentials` hands out. */
const getCallerIdentity = (emulator: Emulator.EmulatorShape) =>
  Effect.gen(function*() {
    const credential = yield* Effect.flatMap(Credentials, (c) => c.get)
    const params: Record<string, string> = {
      Action: "GetCallerIdentity",
      Version: "2015-04-01",
      Format: "JSON",
      AccessKeyId: credential.accessKeyId,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: `recovery-${process.pid}-${++nonce}`,
      Timestamp: formatTimestamp(yield* Clock.currentTimeMillis),
      ...(credential.securityToken === undefined ? {} : { SecurityToken: Redacted.value(credential.securityToken) })
    }
    const signature = rpc.sign(Redacted.value(credential.accessKeySecret), rpc.stringToSign("POST", params))
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(emulator.stsUrl).pipe(HttpClientRequest.setUrlParams({ ...params, Signature: signature }))
    ).pipe(Effect.orDie)
    const body = yield* response.json.pipe(Effect.orDie)
    if (response.status !== 200) {
      return yield* new CallFailed({ status: response.status, code: Schema.decodeUnknownSync(ErrorBody)(body).Code })
    }
    return Schema.decodeUnknownSync(Identity)(body).Arn
  })

/** The current session and the role's signing key revoked: the session is refused, and so is its refresh. */
const revokeSessionAndKey = (emulator: Emulator.EmulatorShape) =>
  Effect.gen(function*() {
    const session = yield* Effect.flatMap(Credentials, (c) => c.get)
    yield* emulator.revoke(session.accessKeyId)
    yield* emulator.revoke(accessKey.accessKeyId)
    return session
  })

const stsActions = (emulator: Emulator.EmulatorShape, action: string) =>
  Effect.map(emulator.requests("sts"), (requests) => requests.filter((r) => r.params.Action === action).length)

const roleLayer = (emulator: Emulator.EmulatorShape, options: Refresh.Options = {}) =>
  Credentials.layer(
    RamRoleArn.make({
      source: AccessKey.make(accessKey),
      roleArn,
      stsEndpoint: emulator.stsUrl,
      roleSessionName: "recovery",
      retrySchedule: retryNow(0)
    }),
    { jitter: 0, ...options }
  )

describe("retryOnAuthError against the emulator (TestClock)", () => {
  it.scoped("a revoked session: the call fails with InvalidSecurityToken.Expired; retryOnAuthError refreshes once and the retry succeeds", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credentials = yield* Credentials
        const call = getCallerIdentity(emulator)
        expect(yield* call).toBe("acs:ram::1234567890123456:assumed-role/test-role/recovery")
        const refused = yield* credentials.get
        yield* TestClock.adjust("10 minutes")
        expect(yield* emulator.revoke(refused.accessKeyId)).toBe(true)

        // without recovery the call keeps failing: the cached session is still "valid" by its time
        expect(yield* Effect.flip(call)).toMatchObject({ _tag: "CallFailed", code: "InvalidSecurityToken.Expired" })
        expect(yield* Effect.flip(call)).toMatchObject({ code: "InvalidSecurityToken.Expired" })
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(1)

        const published = yield* Changes.of(credentials).pipe(
          Stream.filter((c) => c.accessKeyId !== refused.accessKeyId),
          Stream.runHead,
          Effect.fork
        )
        expect(yield* Credentials.retryOnAuthError(call)).toBe(
          "acs:ram::1234567890123456:assumed-role/test-role/recovery"
        )
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(2)
        // 1 success, 2 refused above, the refused try and the retry here
        expect(yield* stsActions(emulator, "GetCallerIdentity")).toBe(5)
        const renewed = yield* credentials.get
        expect(renewed.accessKeyId).not.toBe(refused.accessKeyId)
        expect((yield* Fiber.join(published))._tag).toBe("Some")
        // the new session is the cached one: later calls need no recovery
        expect(yield* call).toContain("assumed-role")
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(2)
      }).pipe(Effect.provide(roleLayer(emulator)))
    ))

  it.scoped("a second consecutive authentication failure is returned, not looped (a revoked AccessKey: InvalidAccessKeyId.NotFound)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const call = getCallerIdentity(emulator)
        expect(yield* call).toContain(":user/")
        yield* emulator.revoke(accessKey.accessKeyId)
        const error = yield* Effect.flip(Credentials.retryOnAuthError(call))
        expect(error).toMatchObject({ _tag: "CallFailed", status: 404, code: "InvalidAccessKeyId.NotFound" })
        // the first call, the refused one and exactly one retry
        expect(yield* stsActions(emulator, "GetCallerIdentity")).toBe(3)
      }).pipe(Effect.provide(Credentials.layer(AccessKey.make(accessKey))))
    ))

  it.scoped("the refresh itself refused (the role's signing key revoked): its typed error is returned, the call not retried", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const call = getCallerIdentity(emulator)
        const session = yield* revokeSessionAndKey(emulator)
        const error = yield* Effect.flip(Credentials.retryOnAuthError(call))
        expect(error).toBeInstanceOf(UpstreamError)
        expect(error).toMatchObject({ code: "InvalidAccessKeyId.NotFound" })
        expect(yield* stsActions(emulator, "GetCallerIdentity")).toBe(1)
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(2)
        // the refused session is still the current one: a failed refresh changes nothing
        expect((yield* Effect.flatMap(Credentials, (c) => c.get)).accessKeyId).toBe(session.accessKeyId)
      }).pipe(Effect.provide(roleLayer(emulator)))
    ))

  it.scoped("ten concurrent calls refused at once recover with one AssumeRole", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const call = getCallerIdentity(emulator)
        const first = yield* Effect.flatMap(Credentials, (c) => c.get)
        yield* emulator.revoke(first.accessKeyId)
        const arns = yield* Effect.all(Array.from({ length: 10 }, () => Credentials.retryOnAuthError(call)), {
          concurrency: "unbounded"
        })
        expect(new Set(arns).size).toBe(1)
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(2)
      }).pipe(Effect.provide(roleLayer(emulator)))
    ))

  it.scoped("errors the predicate does not accept pass through without a refresh; a custom predicate is used instead of the default (pipeable form)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const call = getCallerIdentity(emulator)
        yield* call
        const throttled = Effect.zipRight(call, Effect.fail(new CallFailed({ status: 400, code: "Throttling.User" })))
        expect(yield* Effect.flip(Credentials.retryOnAuthError(throttled))).toMatchObject({ code: "Throttling.User" })
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(1)
        expect(yield* stsActions(emulator, "GetCallerIdentity")).toBe(2)
        const custom = yield* Effect.flip(
          throttled.pipe(
            Credentials.retryOnAuthError({
              isAuthError: (e) => e._tag === "CallFailed" && e.code === "Throttling.User"
            })
          )
        )
        expect(custom).toMatchObject({ code: "Throttling.User" })
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(2)
        expect(yield* stsActions(emulator, "GetCallerIdentity")).toBe(4)
        // a predicate that throws is the caller's bug: the error passes on as it is, no defect, no refresh
        const throwing = yield* Effect.exit(
          throttled.pipe(Credentials.retryOnAuthError({
            isAuthError: () => {
              throw new Error("a careless predicate")
            }
          }))
        )
        expect(throwing).toMatchObject({ _tag: "Failure", cause: { _tag: "Fail", error: { code: "Throttling.User" } } })
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(2)
      }).pipe(Effect.provide(roleLayer(emulator)))
    ))
})

/**
 * A call to an API that refuses every session (as after a misconfiguration, or a policy that
 * denies every session of the role): the session it gets is revoked in the emulator before the
 * signed GetCallerIdentity, which the emulator then refuses with InvalidSecurityToken.Expired.
 */
const refusedCall = (emulator: Emulator.EmulatorShape) =>
  Effect.gen(function*() {
    const session = yield* Effect.flatMap(Credentials, (c) => c.get)
    yield* emulator.revoke(session.accessKeyId)
    return yield* getCallerIdentity(emulator)
  })

/** `times` sequential recovering calls, each refused; the error of each. */
const recoverInARow = <A, E, R>(call: Effect.Effect<A, E, R>, times: number) =>
  Effect.forEach(Array.from({ length: times }), () => Effect.flip(Credentials.retryOnAuthError(call)))

/** The AssumeRole count after `times` more recoveries of `refusedCall`. */
const assumeRolesAfter = (emulator: Emulator.EmulatorShape, times: number) =>
  Effect.zipRight(recoverInARow(refusedCall(emulator), times), stsActions(emulator, "AssumeRole"))

describe("the floor between forced refreshes (minForcedRefreshInterval)", () => {
  it.scoped("100 sequential recoveries refused by the API make 2 AssumeRole within 5 s (the cold start's and one forced), then one more once 5 s have passed", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const call = refusedCall(emulator)
        const errors = yield* recoverInARow(call, 100)
        for (const error of errors) {
          expect(error).toMatchObject({ _tag: "CallFailed", code: "InvalidSecurityToken.Expired" })
        }
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(2)
        // each call and its one retry, with the session the floor handed back
        expect(yield* stsActions(emulator, "GetCallerIdentity")).toBe(200)

        yield* TestClock.adjust("4999 millis")
        expect(yield* assumeRolesAfter(emulator, 1)).toBe(2)
        yield* TestClock.adjust("1 millis")
        expect(yield* assumeRolesAfter(emulator, 10)).toBe(3)
        // the new session was handed out: the retry after the refresh used it
        const sessions = (yield* emulator.requests("sts")).filter((r) => r.params.Action === "GetCallerIdentity")
          .map((r) => r.params.AccessKeyId)
        expect(new Set(sessions).size).toBe(3)
      }).pipe(Effect.provide(roleLayer(emulator)))
    ))

  it.scoped("a refused refresh: its typed error is reused within the window, the upstream asked again after it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const session = yield* revokeSessionAndKey(emulator)
        const errors = yield* recoverInARow(getCallerIdentity(emulator), 100)
        // one refused AssumeRole; every call fails with its error, none is rerun
        expect(errors.every((e) => e instanceof UpstreamError && e.code === "InvalidAccessKeyId.NotFound")).toBe(true)
        expect([yield* stsActions(emulator, "AssumeRole"), yield* stsActions(emulator, "GetCallerIdentity")])
          .toEqual([2, 100])
        yield* TestClock.adjust("5 seconds")
        yield* recoverInARow(getCallerIdentity(emulator), 1)
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(3)
        const current = yield* Effect.flatMap(Credentials, (c) => c.get)
        expect(current.accessKeyId).toBe(session.accessKeyId)
      }).pipe(Effect.provide(roleLayer(emulator)))
    ))

  it.scoped("configurable: 30 s holds for 30 s; 0 turns the floor off", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* Effect.gen(function*() {
          expect(yield* assumeRolesAfter(emulator, 10)).toBe(2)
          yield* TestClock.adjust("29 seconds")
          expect(yield* assumeRolesAfter(emulator, 10)).toBe(2)
          yield* TestClock.adjust("1 second")
          expect(yield* assumeRolesAfter(emulator, 10)).toBe(3)
        }).pipe(Effect.provide(roleLayer(emulator, { minForcedRefreshInterval: "30 seconds" })))
        // a cold start, then one AssumeRole per recovery
        expect(
          yield* assumeRolesAfter(emulator, 10).pipe(
            Effect.provide(roleLayer(emulator, { minForcedRefreshInterval: 0 }))
          )
        ).toBe(3 + 11)
      })
    ))

  it.scoped("a plain refresh is not held back, but opens the window for the recoveries that follow", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credentials = yield* Credentials
        yield* credentials.get
        const refreshed = yield* credentials.refresh
        expect((yield* credentials.refresh).accessKeyId).not.toBe(refreshed.accessKeyId)
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(3)
        expect(yield* assumeRolesAfter(emulator, 10)).toBe(3)
        // and a plain refresh within the window still fetches
        yield* credentials.refresh
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(4)
      }).pipe(Effect.provide(roleLayer(emulator)))
    ))

  it.scoped("a background refresh inside the window does not reopen it: the recoveries after it stay held and retry with its credential", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credentials = yield* Credentials
        expect(yield* assumeRolesAfter(emulator, 10)).toBe(2)
        const forced = yield* credentials.get
        // the 1-hour session falls due 15 minutes before expiry: the background fiber fetches
        const background = yield* Effect.fork(nextCredential(credentials, forced))
        yield* TestClock.adjust("45 minutes")
        const renewed = yield* Fiber.join(background)
        expect(yield* stsActions(emulator, "AssumeRole")).toBe(3)
        expect(yield* assumeRolesAfter(emulator, 10)).toBe(3)
        const last = (yield* emulator.requests("sts")).filter((r) => r.params.Action === "GetCallerIdentity").at(-1)
        expect(last?.params.AccessKeyId).toBe(renewed.accessKeyId)
      }).pipe(Effect.provide(roleLayer(emulator, { minForcedRefreshInterval: "2 hours" })))
    ))

  it.scoped("a remembered credential that has expired is not handed back: the recovery's refresh fetches", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      const refreshing = yield* Refresh.make(upstream.source, { jitter: 0, minForcedRefreshInterval: "2 hours" })
      const recoveringRefresh = Effect.locally(refreshing.refresh, Forced.recovering, true)
      yield* refreshing.get
      expect((yield* refreshing.refresh).accessKeyId).toBe("STS.fake-2")
      expect((yield* recoveringRefresh).accessKeyId).toBe("STS.fake-2")
      // dropped, so no background refresh replaces it; an hour later it has expired
      yield* refreshing.invalidate
      yield* TestClock.adjust("61 minutes")
      expect(yield* upstream.calls).toBe(2)
      expect((yield* recoveringRefresh).accessKeyId).toBe("STS.fake-3")
    }))
})

describe("refresh and invalidate on the service", () => {
  it.scoped("refresh fetches now whatever the state, joins a fetch in flight and publishes on changes", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour", latency: "100 millis" })
      yield* Effect.gen(function*() {
        const credentials = yield* Credentials
        const first = yield* Effect.fork(credentials.get)
        yield* TestClock.adjust("100 millis")
        expect((yield* Fiber.join(first)).accessKeyId).toBe("STS.fake-1")
        const seen = yield* Changes.of(credentials).pipe(Stream.take(2), Stream.runCollect, Effect.fork)
        // five refreshes and a get at once: one fetch
        const all = yield* Effect.all([...Array.from({ length: 5 }, () => credentials.refresh)], {
          concurrency: "unbounded"
        }).pipe(Effect.fork)
        yield* TestClock.adjust("100 millis")
        expect((yield* Fiber.join(all)).map((c) => c.accessKeyId)).toEqual(Array(5).fill("STS.fake-2"))
        expect(yield* upstream.calls).toBe(2)
        expect((yield* credentials.get).accessKeyId).toBe("STS.fake-2")
        expect([...(yield* Fiber.join(seen))].map((c) => c.accessKeyId)).toEqual(["STS.fake-1", "STS.fake-2"])
      }).pipe(Effect.provide(Credentials.layer(upstream.source, { jitter: 0 })))
    }))

  it.scoped("a failed refresh leaves the current credential; its typed error goes to the caller", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      yield* Effect.gen(function*() {
        const credentials = yield* Credentials
        const first = yield* credentials.get
        yield* upstream.failWith(
          new UpstreamError({ source: "fake", endpoint: "sts", status: 403, code: "NoPermission" })
        )
        expect(yield* Effect.flip(credentials.refresh)).toMatchObject({ _tag: "UpstreamError", code: "NoPermission" })
        expect(yield* credentials.get).toBe(first)
      }).pipe(Effect.provide(Credentials.layer(upstream.source, { jitter: 0 })))
    }))

  it.scoped("invalidate: the next get fetches; nothing is fetched before it, not even when the dropped credential's refresh falls due", () =>
    Effect.gen(function*() {
      const upstream = yield* makeFakeUpstream({ ttl: "1 hour" })
      yield* Effect.gen(function*() {
        const credentials = yield* Credentials
        expect((yield* credentials.get).accessKeyId).toBe("STS.fake-1")
        yield* credentials.invalidate
        yield* TestClock.adjust("2 hours")
        expect(yield* upstream.calls).toBe(1)
        expect((yield* credentials.get).accessKeyId).toBe("STS.fake-2")
        expect((yield* credentials.get).accessKeyId).toBe("STS.fake-2")
        expect(yield* upstream.calls).toBe(2)
        // the background refresh is back for the new credential (due at 45 minutes)
        yield* TestClock.adjust("45 minutes")
        expect(yield* upstream.calls).toBe(3)
      }).pipe(Effect.provide(Credentials.layer(upstream.source, { jitter: 0 })))
    }))

  it.effect("layerCredential and layerTest implement refresh and invalidate", () =>
    Effect.gen(function*() {
      const make = (id: string) =>
        Credential.make({
          type: "access_key",
          accessKeyId: id,
          accessKeySecret: Redacted.make("s"),
          providerName: "test"
        })
      const fixed = make("fixed")
      yield* Effect.gen(function*() {
        const credentials = yield* Credentials
        expect(yield* credentials.refresh).toBe(fixed)
        yield* credentials.invalidate
        expect(yield* credentials.get).toBe(fixed)
      }).pipe(Effect.provide(Credentials.layerCredential(fixed)))
      yield* Effect.gen(function*() {
        const credentials = yield* Credentials
        expect((yield* credentials.get).accessKeyId).toBe("one")
        expect((yield* credentials.refresh).accessKeyId).toBe("two")
        yield* credentials.invalidate
        expect((yield* credentials.get).accessKeyId).toBe("two")
      }).pipe(Effect.provide(Credentials.layerTest([make("one"), make("two")])))
    }))
})

describe("isAuthError: Alibaba Cloud's authentication codes", () => {
  it("reads code, Code, _tag, and what an error wraps", () => {
    const upstream = new UpstreamError({
      source: "s",
      endpoint: "e",
      status: 400,
      code: "InvalidSecurityToken.Expired"
    })
    expect(Credentials.isAuthError(upstream)).toBe(true)
    expect(Credentials.authErrorCode(upstream)).toBe("InvalidSecurityToken.Expired")
    for (
      const code of [
        "InvalidSecurityToken.MismatchWithAccessKey",
        "InvalidSecurityToken",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "SignatureDoesNotMatch",
        "InvalidAccessKeySecret"
      ]
    ) {
      expect(Credentials.isAuthError({ code })).toBe(true)
      expect(Credentials.isAuthError({ Code: code })).toBe(true)
    }
    // an official SDK's error: `code` on it and `Code` in its `data`; wrapped by Effect.tryPromise
    const official = Object.assign(new Error("code: 400, Specified SecurityToken is expired."), {
      data: { Code: "InvalidSecurityToken.Expired" }
    })
    expect(Credentials.authErrorCode(new UnknownException(official))).toBe("InvalidSecurityToken.Expired")
    expect(Credentials.isAuthError(new Error("x", { cause: { code: "SignatureDoesNotMatch" } }))).toBe(true)
    expect(Credentials.isAuthError({ _tag: "InvalidAccessKeyId.NotFound" })).toBe(true)
    for (
      const other of [
        { code: "MissingSecurityToken" },
        { code: "Throttling" },
        // a value whose every property read throws: no code, not an exception
        new Proxy({}, {
          get() {
            throw new Error("a hostile getter")
          }
        }),
        { code: "InvalidSecurityTokenX" },
        { code: 404 },
        null,
        "SignatureDoesNotMatch",
        new Error("SignatureDoesNotMatch")
      ]
    ) {
      expect(Credentials.isAuthError(other)).toBe(false)
    }
  })
})
