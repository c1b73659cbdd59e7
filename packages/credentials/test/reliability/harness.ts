// Shared pieces of the reliability suite: every network source built against the emulator (or a
// closed loopback port), with the library's default retry policy instrumented so a driver can move
// the TestClock exactly when the client sleeps a retry's delay or a request is parked at the emulator.
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { FileSystem, type HttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Clock, Duration, Effect, Either, Fiber, Queue, Random, Schedule, type Scope, TestClock } from "effect"
import { type AddressInfo, createServer } from "node:net"
import type * as Credential from "../../src/Credential.js"
import type { CredentialsError } from "../../src/CredentialsError.js"
import * as HttpTransport from "../../src/HttpTransport.js"
import { defaultRetry } from "../../src/internal/upstream/pipeline.js"
import * as AccessKey from "../../src/sources/AccessKey.js"
import * as CliProfile from "../../src/sources/CliProfile.js"
import * as CredentialsUri from "../../src/sources/CredentialsUri.js"
import * as EcsRamRole from "../../src/sources/EcsRamRole.js"
import * as OidcRoleArn from "../../src/sources/OidcRoleArn.js"
import * as RamRoleArn from "../../src/sources/RamRoleArn.js"
import { accessKey, roleArn, withEnv } from "../withEmulator.js"

export const T0 = Date.UTC(2024, 0, 1)
export const oidcProviderArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa"
export const oidcToken = "oidc-token-for-the-matrix"
export const ssoToken = "sso-token-for-the-matrix"

/** A loopback port that was just bound and closed: connecting to it is refused. */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Where a source sends its requests: the emulator, or `baseUrl` (a closed port) for "refused". */
export interface Target {
  readonly emulator: Emulator.EmulatorShape
  /** `http://127.0.0.1:PORT`: the emulator's, or the closed port's. */
  readonly baseUrl: string
}

/** What `drive` provides around a fetch: the transport, and the scope of its temporary files. */
type Requirements = HttpClient.HttpClient | Scope.Scope

/** A network source of the library, as the matrix drives it. */
export interface NetworkSource {
  readonly name: string
  /** The emulator endpoint the faults go to, and whose requests are counted. */
  readonly endpoint: Emulator.Endpoint
  /** The endpoint that sees one request per try of the source's retry loop (ECS: the token). */
  readonly triesEndpoint: Emulator.Endpoint
  /** The per-request deadline (connect + read timeouts, the library's defaults). */
  readonly deadline: Duration.Duration
  /** One fetch through the source, with `retrySchedule`; `drive` provides the transport and a scope. */
  readonly fetch: (
    target: Target,
    retrySchedule: Schedule.Schedule<unknown, CredentialsError>
  ) => Effect.Effect<Credential.Credential, CredentialsError, Requirements>
}

// One file at a path for the fetch: the OIDC token, or the CLI config. A real file in a temporary
// directory, removed when the scope `drive` gives closes (after the outcome's time is read): file
// sources read through the bounded reader (stat, open, read).
const withFile = <A, E, R>(content: string, use: (path: string) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* Effect.orDie(fs.makeTempDirectoryScoped())
    yield* Effect.orDie(fs.writeFileString(`${dir}/file`, content))
    return yield* use(`${dir}/file`)
  }).pipe(Effect.provide(NodeContext.layer))

const cloudSsoConfig = (baseUrl: string) =>
  JSON.stringify({
    current: "sso",
    profiles: [{
      name: "sso",
      mode: "CloudSSO",
      cloud_sso_sign_in_url: `${baseUrl}/login`,
      cloud_sso_account_id: "123",
      cloud_sso_access_config: "ac-1",
      access_token: ssoToken,
      cloud_sso_access_token_expire: Math.floor(T0 / 1000) + 12 * 3600
    }]
  })

export const sources: ReadonlyArray<NetworkSource> = [
  {
    name: "ram_role_arn",
    endpoint: "sts",
    triesEndpoint: "sts",
    deadline: Duration.seconds(15),
    fetch: ({ baseUrl }, retrySchedule) =>
      RamRoleArn.make({
        source: AccessKey.make(accessKey),
        roleArn,
        stsEndpoint: baseUrl,
        roleSessionName: "matrix",
        retrySchedule
      })
  },
  {
    name: "oidc_role_arn",
    endpoint: "sts",
    triesEndpoint: "sts",
    deadline: Duration.seconds(15),
    fetch: ({ baseUrl }, retrySchedule) =>
      withFile(
        oidcToken,
        (oidcTokenFilePath) =>
          OidcRoleArn.make({
            roleArn,
            oidcProviderArn,
            oidcTokenFilePath,
            stsEndpoint: baseUrl,
            roleSessionName: "matrix",
            retrySchedule
          })
      )
  },
  {
    name: "ecs_ram_role",
    endpoint: "metadata-credentials",
    triesEndpoint: "metadata-token",
    deadline: Duration.seconds(2),
    fetch: ({ baseUrl }, retrySchedule) => EcsRamRole.make({ metadataUrl: baseUrl, retrySchedule })
  },
  {
    name: "credentials_uri",
    endpoint: "credentials-uri",
    triesEndpoint: "credentials-uri",
    deadline: Duration.seconds(15),
    fetch: ({ baseUrl }, retrySchedule) =>
      CredentialsUri.make({ credentialsUri: `${baseUrl}/credentials`, retrySchedule })
  },
  {
    name: "cli_profile (CloudSSO)",
    endpoint: "cloud-sso",
    triesEndpoint: "cloud-sso",
    deadline: Duration.seconds(15),
    fetch: ({ baseUrl }, retrySchedule) =>
      withFile(cloudSsoConfig(baseUrl), (path) => CliProfile.make({ path, retrySchedule }))
  }
]

/** The emulator every case runs against, on the test's clock, at T0, in an empty environment. */
export const startEmulator: Effect.Effect<Emulator.EmulatorShape, Emulator.EmulatorError, Scope.Scope> = Effect.gen(
  function*() {
    yield* TestClock.setTime(T0)
    return yield* Emulator.make({
      accessKeys: [accessKey],
      oidcTokens: [oidcToken],
      cloudSsoTokens: [{ accessToken: ssoToken, accountId: "123", accessConfigurationId: "ac-1" }]
    })
  }
)

/** What one driven fetch came to. */
export interface Outcome {
  readonly result: Either.Either<Credential.Credential, CredentialsError>
  /** Tries of the source's retry loop. */
  readonly tries: number
  /** Requests the faulted endpoint received (for a refused port: connection attempts = tries). */
  readonly requests: number
  /** Virtual time from the start of the fetch to its outcome. */
  readonly elapsed: Duration.Duration
  /**
   * How far the driver moved the clock. It moves it only while the client waits on it, so this is
   * `elapsed`: more would be a wait the client never made.
   */
  readonly moved: Duration.Duration
}

/**
 * The client's clock, which tells the driver when the client starts waiting a retry's delay.
 *
 * The retry schedule picks a delay before the pipeline checks that a whole attempt still fits in
 * the time budget after it (internal/upstream/fetch.ts), so a picked delay is only a candidate: a
 * candidate the budget turns down is never slept (the fetch fails instead). Moving the clock by it
 * anyway would add a wait the client never made to the time the fetch reads at its outcome, if
 * that read comes after the move (it did under load: "15.2 s" for a 15 s budget). So the driver
 * moves the clock by a delay only once the client sleeps it: its next sleep of that length.
 */
const retryWatch = Effect.gen(function*() {
  const clock = yield* Effect.clock
  const sleeping = yield* Queue.unbounded<Duration.Duration>()
  let candidate: number | undefined
  const pick = (delay: Duration.Duration) =>
    Effect.sync(() => {
      candidate = Duration.toMillis(delay)
      return delay
    })
  const watched: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis(),
    unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos(),
    currentTimeMillis: clock.currentTimeMillis,
    currentTimeNanos: clock.currentTimeNanos,
    sleep: (duration) =>
      Effect.suspend(() => {
        // the schedule's driver sleeps `start of the interval - now`: the candidate, up to rounding
        const millis = Duration.toMillis(duration)
        if (candidate === undefined || Math.abs(millis - candidate) >= 1) return clock.sleep(duration)
        candidate = undefined
        // the driver wakes after this fiber has registered the sleep: offering resumes it later
        return Effect.zipRight(Queue.offer(sleeping, duration), clock.sleep(duration))
      })
  }
  return { pick, watched, sleeping }
})

/**
 * Runs `source.fetch` with the library's default retry policy (`internal/upstream/policy.ts`
 * `defaultRetry`: 200 ms doubling, jittered, 3 retries, within the time budget; the jitter seeded,
 * so times are exact) and moves the TestClock only when the client is known to wait on it: once it
 * sleeps a retry's delay (by that delay), or once a request the fault parks (hang, delay) reached
 * the emulator (then by `park`, the time after which the client or the emulator acts). The
 * outcome's time is read by the fetch itself, before its files and its transport are released.
 */
export const drive = (options: {
  readonly source: NetworkSource
  readonly target: Target
  /** How long a request is parked at the emulator, for hang and delay faults. */
  readonly park?: Duration.Duration | undefined
  /** How many requests the fault touches (undefined: all). */
  readonly times?: number | undefined
  /** For a refused port, nothing reaches the emulator: count the tries instead. */
  readonly countTries?: boolean | undefined
  readonly seed?: number | undefined
}): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const { emulator } = options.target
    const retries = yield* retryWatch
    const schedule = Schedule.modifyDelayEffect(defaultRetry, (_, delay) => retries.pick(delay))
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* options.source.fetch(options.target, schedule).pipe(
      Effect.withRandom(Random.make(options.seed ?? 1)),
      Effect.either,
      Effect.zip(Clock.currentTimeMillis), // the outcome's time, before the scope and the transport close
      Effect.scoped,
      Effect.provide(HttpTransport.layer()),
      Effect.withClock(retries.watched),
      Effect.fork
    )
    const parkLimit = options.park === undefined ? 0 : options.times ?? Number.POSITIVE_INFINITY
    let parked = 0
    // retry delays the client slept
    let slept = 0
    for (let step = 0; step < 100; step++) {
      const events: Array<
        Effect.Effect<{ readonly _tag: "done" | "retry" | "parked"; readonly delay?: Duration.Duration }>
      > = [
        Effect.as(Fiber.await(fiber), { _tag: "done" as const }),
        Effect.map(Queue.take(retries.sleeping), (delay) => ({ _tag: "retry" as const, delay }))
      ]
      if (parked < parkLimit) {
        events.push(Effect.as(emulator.awaitRequests(options.source.endpoint, parked + 1), { _tag: "parked" as const }))
      }
      const event = yield* Effect.raceAll(events)
      if (event._tag === "done") break
      if (event._tag === "retry") {
        slept++
        yield* TestClock.adjust(event.delay!)
      } else {
        parked++
        yield* TestClock.adjust(options.park!)
      }
    }
    const [result, end] = yield* Fiber.join(fiber)
    // A refused port: nothing reaches the emulator, and every try but the last is retried
    // (NetworkError is transient), so the tries are the retry delays slept + 1.
    const refusedTries = slept + 1
    return {
      result,
      tries: options.countTries === true
        ? refusedTries
        : (yield* emulator.counters(options.source.triesEndpoint)).received,
      requests: options.countTries === true
        ? refusedTries
        : (yield* emulator.counters(options.source.endpoint)).received,
      elapsed: Duration.millis(end - start),
      moved: Duration.millis((yield* Clock.currentTimeMillis) - start)
    }
  }).pipe(withEnv({}))

/** `UpstreamError 503 ServiceUnavailable`, `NetworkError`, `success`. */
export const describeResult = (result: Either.Either<Credential.Credential, CredentialsError>): string =>
  Either.match(result, {
    onRight: () => "success",
    onLeft: (error) =>
      error._tag === "UpstreamError"
        ? [error._tag, String(error.status), error.code].filter((part) => part !== undefined).join(" ")
        : error._tag === "Timeout"
        ? `Timeout (${error.phase})`
        : error._tag
  })

/** Faults of the emulator by name, for the matrix rows. */
export { Fault }
