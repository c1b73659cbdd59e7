// Several identities in one program, at tenant scale, under the STS rate limit; run for real on
// 127.0.0.1 only: the emulator plays STS (it verifies every signature) and throttles beyond 100
// AssumeRole per second per signing key, as Alibaba Cloud does.
//
//   cd packages/credentials && npx tsx --conditions=@effect-alicloud/source examples/tenants.ts
//
// 300 tenants ask for their credential at once through one IdentityPool: the shared request budget
// queues them (50 at once, then 100 per second), so none is throttled; an Audit identity of the
// program's own sits beside them. The same 300 with the budget off meet `Throttling.User`.
import { Emulator } from "@effect-alicloud/emulator"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Either, Layer } from "effect"
import {
  AccessKey,
  Credentials,
  HttpTransport,
  Identity,
  IdentityPool,
  RamRoleArn,
  RequestBudget
} from "../src/index.js"

const key = { accessKeyId: "LTAI5tDemoAccessKey0001", accessKeySecret: "demo-secret-never-printed" }
const TENANTS = 300

// A named identity of the program, beside the default `Credentials`
class Audit extends Identity.Tag("Audit")<Audit>() {}

const warmUp = (emulator: Emulator.EmulatorShape) =>
  Effect.gen(function*() {
    const signer = AccessKey.make(key)
    const pool = yield* IdentityPool.make({
      // tenant → the role to assume, its session name (the external ID and a policy go here too)
      lookup: (tenant) =>
        RamRoleArn.make({
          source: signer,
          roleArn: `acs:ram::1234567890123456:role/${tenant}`,
          roleSessionName: tenant,
          stsEndpoint: emulator.stsUrl
        }),
      idleTimeToLive: "15 minutes"
    })
    const started = Date.now()
    const tenants = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`)
    const results = yield* Effect.forEach(tenants, (tenant) => Effect.either(pool.get(tenant)), {
      concurrency: "unbounded"
    })
    const failed = results.filter(Either.isLeft)
    return {
      ok: results.length - failed.length,
      failed: failed.length,
      firstError: failed[0]?.left.message,
      seconds: (Date.now() - started) / 1000,
      live: yield* pool.size
    }
  }).pipe(Effect.scoped)

const program = Effect.gen(function*() {
  const emulator = yield* Emulator.make({ accessKeys: [key], rateLimit: { perSecond: 100 } })

  const audit = yield* Effect.flatMap(Audit, (identity) => identity.get).pipe(
    Effect.provide(Audit.layer(RamRoleArn.make({
      source: AccessKey.make(key),
      roleArn: "acs:ram::1234567890123456:role/auditor",
      stsEndpoint: emulator.stsUrl
    })))
  )
  yield* Console.log(`Audit identity: ${audit.providerName}, ${audit.accessKeyId}`)
  const own = yield* Effect.flatMap(Credentials, (credentials) => credentials.get).pipe(
    Effect.provide(Credentials.layer(AccessKey.make(key)))
  )
  yield* Console.log(`own identity:   ${own.providerName}, ${own.accessKeyId}`)

  const shared = yield* warmUp(emulator)
  yield* Console.log(
    `${TENANTS} tenants, shared budget: ${shared.ok} credentials, ${shared.failed} failed, ` +
      `${shared.seconds.toFixed(1)} s, ${yield* emulator.throttled} throttled answers, ${shared.live} live identities`
  )

  yield* emulator.reset
  const off = yield* warmUp(emulator).pipe(Effect.provide(RequestBudget.layerDisabled))
  yield* Console.log(
    `${TENANTS} tenants, budget off:    ${off.ok} credentials, ${off.failed} failed, ` +
      `${off.seconds.toFixed(1)} s, ${yield* emulator.throttled} throttled answers`
  )
  if (off.firstError !== undefined) yield* Console.log(`  e.g. ${off.firstError}`)
}).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(HttpTransport.layer())))

NodeRuntime.runMain(program)
