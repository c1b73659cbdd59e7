// Shared pieces of the reliability suite: every network source built against the emulator (or a
// closed loopback port), with the library's default retry policy instrumented so a driver can move
// the TestClock exactly when the client sleeps or a request is parked at the emulator.
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
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

type Requirements = never

/** A network source of the library, as the matrix drives it. */
export interface NetworkSource {
  readonly name: string
  /** The emulator endpoint the faults go to, and whose requests are counted. */
  readonly endpoint: Emulator.Endpoint
  /** The endpoint that sees one request per try of the source's retry loop (ECS: the token). */
  readonly triesEndpoint: Emulator.Endpoint
  /** The per-request deadline (connect + read timeouts, the library's defaults). */
  readonly deadline: Duration.Duration
  /** One fetch through the source, with `retrySchedule`, everything but the emulator provided. */
  readonly fetch: (
    target: Target,
    retrySchedule: Schedule.Schedule<unknown, CredentialsError>
  ) => Effect.Effect<Credential.Credential, CredentialsError, Requirements>
}

// A FileSystem that holds one file at any path: the OIDC token, or the CLI config.
// A real file in a temporary directory, removed with the fetch's scope: file sources read through
// the bounded reader (stat, open, read).
const withFile = <A, E, R>(content: string, use: (path: string) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* Effect.orDie(fs.makeTempDirectoryScoped())
    yield* Effect.orDie(fs.writeFileString(`${dir}/file`, content))
    return yield* use(`${dir}/file`)
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))

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

const transport = Effect.provide(HttpTransport.layer())

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
        .pipe(transport)
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
            .pipe(transport)
      )
  },
  {
    name: "ecs_ram_role",
    endpoint: "metadata-credentials",
    triesEndpoint: "metadata-token",
    deadline: Duration.seconds(2),
    fetch: ({ baseUrl }, retrySchedule) => EcsRamRole.make({ metadataUrl: baseUrl, retrySchedule }).pipe(transport)
  },
  {
    name: "credentials_uri",
    endpoint: "credentials-uri",
    triesEndpoint: "credentials-uri",
    deadline: Duration.seconds(15),
    fetch: ({ baseUrl }, retrySchedule) =>
      CredentialsUri.make({ credentialsUri: `${baseUrl}/credentials`, retrySchedule }).pipe(transport)
  },
  {
    name: "cli_profile (CloudSSO)",
    endpoint: "cloud-sso",
    triesEndpoint: "cloud-sso",
    deadline: Duration.seconds(15),
    fetch: ({ baseUrl }, retrySchedule) =>
      withFile(cloudSsoConfig(baseUrl), (path) => CliProfile.make({ path, retrySchedule }).pipe(transport))
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
  /** Virtual time from the start of the fetch to its end. */
  readonly elapsed: Duration.Duration
}

/**
 * Runs `source.fetch` with the library's default retry policy (`internal/http.ts` `defaultRetry`:
 * 200 ms doubling, jittered, 3 retries, 10 s at most; the jitter seeded, so times are exact) and
 * moves the TestClock only when the client is known to wait on it: after the schedule picked a
 * delay (the client sleeps it), or once a request the fault parks (hang, delay) reached the
 * emulator (then the clock moves by `park`, the time after which the client or the emulator acts).
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
    const delays = yield* Queue.unbounded<Duration.Duration>()
    const schedule = Schedule.modifyDelayEffect(
      defaultRetry,
      (_, delay) => Effect.as(Queue.offer(delays, delay), delay)
    )
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* options.source.fetch(options.target, schedule).pipe(
      Effect.withRandom(Random.make(options.seed ?? 1)),
      Effect.either,
      Effect.zip(Clock.currentTimeMillis), // the end, read by the fetch itself
      Effect.fork
    )
    const parkLimit = options.park === undefined ? 0 : options.times ?? Number.POSITIVE_INFINITY
    let parked = 0
    // delays the schedule picked; the retry loop consults it after every failure, so this counts
    // retries only where every failure is transient (a refused port)
    let retries = 0
    for (let step = 0; step < 100; step++) {
      const events: Array<
        Effect.Effect<{ readonly _tag: "done" | "retry" | "parked"; readonly delay?: Duration.Duration }>
      > = [
        Effect.as(Fiber.await(fiber), { _tag: "done" as const }),
        Effect.map(Queue.take(delays), (delay) => ({ _tag: "retry" as const, delay }))
      ]
      if (parked < parkLimit) {
        events.push(Effect.as(emulator.awaitRequests(options.source.endpoint, parked + 1), { _tag: "parked" as const }))
      }
      const event = yield* Effect.raceAll(events)
      if (event._tag === "done") break
      if (event._tag === "retry") {
        retries++
        yield* TestClock.adjust(event.delay!)
      } else {
        parked++
        yield* TestClock.adjust(options.park!)
      }
    }
    const [result, end] = yield* Fiber.join(fiber)
    // A refused port: nothing reaches the emulator, and every try is retried (NetworkError is
    // transient), so the tries are the schedule's delays + 1.
    const refusedTries = retries + 1
    return {
      result,
      tries: options.countTries === true
        ? refusedTries
        : (yield* emulator.counters(options.source.triesEndpoint)).received,
      requests: options.countTries === true
        ? refusedTries
        : (yield* emulator.counters(options.source.endpoint)).received,
      elapsed: Duration.millis(end - start)
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
