// Tests of network sources: a real emulator on 127.0.0.1 (built in the test, so it shares the
// test's TestClock) and the real undici transport.
import { Emulator } from "@effect-alicloud/emulator"
import { Fault } from "@effect-alicloud/emulator"
import { expect } from "@effect/vitest"
import { ConfigProvider, type Duration, Effect, Layer, Option, Schedule, type Scope, Stream, TestClock } from "effect"
import * as Changes from "../src/Changes.js"
import type { Credential } from "../src/Credential.js"
import { Credentials } from "../src/Credentials.js"
import type { CredentialsError } from "../src/CredentialsError.js"
import * as HttpTransport from "../src/HttpTransport.js"
import { defaults } from "../src/internal/refresh/timing.js"

export const accessKey = { accessKeyId: "LTAI5tTestAccessKey01", accessKeySecret: "test-secret-0001" } as const
export const roleArn = "acs:ram::1234567890123456:role/test-role"

/** Runs `body` with an emulator, the Node transport and an empty environment, on 2024-01-01. */
export const withEmulator = <A, E, R>(
  body: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E, R>,
  options: Emulator.Options = {}
): Effect.Effect<
  A,
  E | Emulator.EmulatorError,
  Scope.Scope | Exclude<R, import("@effect/platform/HttpClient").HttpClient>
> =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.UTC(2024, 0, 1))
    const emulator = yield* Emulator.make({ accessKeys: [accessKey], ...options })
    return yield* body(emulator).pipe(Effect.provide(HttpTransport.layer()))
  }).pipe(withEnv({}))

export const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

export const withEnvLayer = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

/** Retries with no delay, so a test needs no clock for them. */
export const retryNow = (times: number): Schedule.Schedule<unknown, CredentialsError> => Schedule.recurs(times)

/**
 * Waits for the credentials service to publish a credential other than `previous`: the emulator
 * has received the request (awaitRequests), this waits until its answer has been handled.
 */
export const nextCredential = (credentials: Credentials.Service, previous: Credential) =>
  Changes.of(credentials).pipe(
    Stream.filter((credential) => credential.accessKeyId !== previous.accessKeyId),
    Stream.runHead,
    Effect.map(Option.getOrThrow)
  )

/**
 * The refresh-under-failure scenario, for a `Credentials` layer in context: the endpoint fails when
 * the refresh falls due (`refreshDue` after the first fetch), callers keep the valid credential,
 * and once the endpoint is back the next background retry (at the refresh floor, 5 s) replaces it.
 * `failedBy` is the request count at which a failed refresh attempt has reached the emulator.
 */
export const ridesThroughAFailedRefresh = (
  emulator: Emulator.EmulatorShape,
  endpoint: Emulator.Endpoint,
  options: { readonly refreshDue: Duration.DurationInput; readonly failedBy: number }
) =>
  Effect.gen(function*() {
    const credentials = yield* Credentials
    const first = yield* credentials.get
    yield* emulator.setFault(endpoint, Fault.serviceUnavailable)
    yield* TestClock.adjust(options.refreshDue)
    yield* emulator.awaitRequests(endpoint, options.failedBy)
    expect((yield* credentials.get).accessKeyId).toBe(first.accessKeyId)
    yield* emulator.clearFaults
    // The next background retry falls due at the refresh floor (5 s; the schedule's first delay,
    // about 1 s, is shorter). Moving the clock exactly there, and no further, lets the retry's
    // request complete before its own virtual deadlines could pass.
    yield* TestClock.adjust(defaults.minRefreshInterval)
    const second = yield* nextCredential(credentials, first)
    expect((yield* credentials.get).accessKeyId).toBe(second.accessKeyId)
  })
