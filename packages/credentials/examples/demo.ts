// The demo: a real run of effect-alicloud against the embedded emulator, on 127.0.0.1 only.
//
// 1. the default chain explains which source it picks (a CLI profile in a temp HOME) and why;
// 2. the real official API client (@alicloud/sts20150401) signs a call with our Promise facade,
//    and the emulator verifies the signature;
// 3. an Effect program asks for credentials every second: they rotate ahead of expiry, and an STS
//    outage during a refresh goes unnoticed by the program.
//
// Short credential lifetimes (12 s) make it all happen in about 20 seconds.
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Clock, ConfigProvider, Console, Effect, Fiber, Layer, Ref, Schedule, Stream } from "effect"
import { createRequire } from "node:module"
import { Changes, Credential, Credentials, DefaultChain, HttpTransport } from "../src/index.js"
import FacadeCredential, { Config } from "../src/promise/promise.js"

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

const key = { accessKeyId: "LTAI5tDemoAccessKey0001", accessKeySecret: "demo-secret-never-printed" }
const roleArn = "acs:ram::1234567890123456:role/demo-role"

const title = (text: string) => Console.log(`\n== ${text}`)

const main = Effect.gen(function*() {
  const started = yield* Clock.currentTimeMillis
  const t = Effect.map(Clock.currentTimeMillis, (now) => `t=${String(Math.round((now - started) / 1000)).padStart(2)}s`)

  const emulator = yield* Emulator.make({ accessKeys: [key] })
  yield* emulator.setExpiry("sts", "12 seconds")
  yield* Console.log(`effect-alicloud demo: STS, ECS metadata and a credentials URI emulated at ${emulator.baseUrl}`)

  // A temp HOME whose ~/.aliyun/config.json has a RamRoleArn profile; no ALIBABA_CLOUD_* variables.
  const fs = yield* FileSystem.FileSystem
  const home = yield* fs.makeTempDirectoryScoped()
  yield* fs.makeDirectory(`${home}/.aliyun`)
  yield* fs.writeFileString(
    `${home}/.aliyun/config.json`,
    JSON.stringify({
      current: "demo",
      profiles: [{
        name: "demo",
        mode: "RamRoleArn",
        access_key_id: key.accessKeyId,
        access_key_secret: key.accessKeySecret,
        ram_role_arn: roleArn,
        ram_session_name: "demo"
      }]
    })
  )
  const environment = Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["HOME", home]])))
  const chain: DefaultChain.Options = {
    stsEndpoint: emulator.stsUrl,
    metadataUrl: emulator.metadataUrl,
    retrySchedule: Schedule.recurs(0),
    // refresh 5 s ahead of expiry, and retry a failed refresh every second
    refresh: { staleWindow: "5 seconds", jitter: 0, retrySchedule: Schedule.spaced("1 second") }
  }

  yield* title("1. Which source does the default chain pick, and why?")
  const steps = yield* DefaultChain.explain(chain).pipe(Effect.provide(environment))
  for (const step of steps) {
    yield* Console.log(
      step._tag === "Picked"
        ? `  ${
          step.name.padEnd(15)
        } PICKED: ${step.credential.providerName}, AccessKey ID ${step.credential.toJSON().accessKeyId}`
        : step._tag === "Skipped"
        ? `  ${step.name.padEnd(15)} skipped: ${step.error.message.split(". Fix:")[0]}`
        : `  ${step.name.padEnd(15)} not tried`
    )
  }

  yield* title("2. The official API client, signing with our Promise facade")
  yield* Effect.acquireUseRelease(
    Effect.sync(() =>
      new FacadeCredential(new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl }))
    ),
    (credential) =>
      Effect.promise(() =>
        new Sts20150401.default(
          new OpenApi.Config({
            credential: credential as unknown as InstanceType<typeof import("@alicloud/credentials").default>,
            endpoint: emulator.stsEndpoint,
            protocol: "http"
          })
        ).getCallerIdentity()
      ).pipe(
        Effect.flatMap((answer) =>
          Console.log(`  GetCallerIdentity -> ${answer.body?.arn} (HTTP ${answer.statusCode})`)
        ),
        Effect.zipRight(Effect.flatMap(emulator.lastRequest("sts"), (request) =>
          Console.log(
            `  the emulator verified its ${request._tag === "Some" ? request.value.signatureAlgorithm : "?"} signature`
          )))
      ),
    (credential) => Effect.promise(() => credential.close())
  )

  yield* title("3. Credentials every second: refreshed 5 s ahead of expiry, and an STS outage at t=12s..17s")
  const failures = yield* Ref.make(0)
  const calls = yield* Ref.make(0)
  yield* Effect.gen(function*() {
    const credentials = yield* Credentials
    yield* Changes.of(credentials).pipe(
      Stream.drop(1),
      Stream.runForEach((c) =>
        Effect.flatMap(t, (at) => Console.log(`  ${at}  rotated: new credential ${c.accessKeyId}`))
      ),
      Effect.forkScoped
    )
    const outage = yield* Effect.gen(function*() {
      yield* Effect.sleep("12 seconds")
      yield* emulator.setFault("sts", Fault.serviceUnavailable)
      yield* Effect.flatMap(t, (at) => Console.log(`  ${at}  STS is DOWN (503 on every request)`))
      yield* Effect.sleep("5 seconds")
      yield* emulator.clearFaults
      yield* Effect.flatMap(t, (at) => Console.log(`  ${at}  STS is back`))
    }).pipe(Effect.fork)
    yield* Effect.gen(function*() {
      const result = yield* Effect.either(credentials.get)
      yield* Ref.update(calls, (n) => n + 1)
      const at = yield* t
      const now = yield* Clock.currentTimeMillis
      if (result._tag === "Left") {
        yield* Ref.update(failures, (n) => n + 1)
        return yield* Console.log(`  ${at}  get FAILED: ${result.left.message}`)
      }
      const left = Math.round(Credential.remainingMillis(result.right, now) / 1000)
      yield* Console.log(`  ${at}  get -> ${result.right.accessKeyId} (${left}s left)`)
    }).pipe(Effect.repeat(Schedule.spaced("1 second")), Effect.timeout("21 seconds"), Effect.ignore)
    yield* Fiber.join(outage)
  }).pipe(
    Effect.provide(DefaultChain.layer(chain)),
    Effect.provide(environment),
    Effect.scoped
  )

  const counters = yield* emulator.counters("sts")
  yield* title("Summary")
  yield* Console.log(`  ${yield* Ref.get(calls)} calls to get, ${yield* Ref.get(failures)} failed`)
  yield* Console.log(
    `  STS saw ${counters.received} requests: ${counters.succeeded} issued a credential, ${counters.failed} failed during the outage`
  )
  yield* Console.log("  nothing left this machine: every endpoint was the emulator on 127.0.0.1")
}).pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(NodeContext.layer, HttpTransport.layer())),
  // The library's warnings (a refresh failed, the credential is still valid) show the outage.
  Effect.withLogSpan("demo")
)

NodeRuntime.runMain(main)
