// Calling Alibaba Cloud APIs from an Effect program, run for real on 127.0.0.1 only: the emulator
// verifies every signature (ACS3 and RPC), then revokes the session and skews its clock; the
// official STS client signs on the same engine through SdkCredential.
//
//   cd packages/credentials && npx tsx --conditions=@effect-alicloud/source examples/signing.ts
import { Emulator } from "@effect-alicloud/emulator"
import { HttpClientRequest } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Schema } from "effect"
import { createRequire } from "node:module"
import { AccessKey, Credentials, HttpTransport, RamRoleArn, SdkCredential, SignedHttpClient } from "../src/index.js"

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

const key = { accessKeyId: "LTAI5tDemoAccessKey0001", accessKeySecret: "demo-secret-never-printed" }
const roleArn = "acs:ram::1234567890123456:role/demo-role"

const Identity = Schema.Struct({ Arn: Schema.String })
const Answer = Schema.Struct({ Action: Schema.String, Caller: Identity })

const program = (emulator: Emulator.EmulatorShape) =>
  Effect.gen(function*() {
    // ACS3 (the official SDKs' default) and RPC (the query signature many products still take)
    const acs3 = yield* SignedHttpClient.make()
    const rpc = yield* SignedHttpClient.make({ algorithm: "RPC" })

    // 1. GetCallerIdentity, ACS3-signed, to the emulator's STS
    const identity = yield* acs3.execute(
      HttpClientRequest.post(emulator.stsUrl).pipe(SignedHttpClient.action("GetCallerIdentity", "2015-04-01"))
    ).pipe(Effect.flatMap((response) => response.json), Effect.flatMap(Schema.decodeUnknown(Identity)))
    yield* Console.log(`1. ACS3 GetCallerIdentity: ${identity.Arn}`)

    // 2. An RPC call with a form body, to the emulator's generic API endpoint
    const describeRegions = HttpClientRequest.post(emulator.apiUrl).pipe(
      SignedHttpClient.action("DescribeRegions", "2014-05-26"),
      HttpClientRequest.bodyUrlParams({ RegionId: "cn-hangzhou", AcceptLanguage: "zh-CN" })
    )
    const call = rpc.execute(describeRegions).pipe(
      Effect.flatMap((response) => response.json),
      Effect.flatMap(Schema.decodeUnknown(Answer))
    )
    yield* Console.log(`2. RPC ${(yield* call).Action}: verified`)

    // 3. An administrator revokes the session: the next call is refused once, the middleware
    //    refreshes (one AssumeRole) and retries
    const before = (yield* emulator.counters("sts")).succeeded
    yield* emulator.revoke((yield* (yield* Credentials).get).accessKeyId)
    yield* call
    const assumeRoles = (yield* emulator.counters("sts")).succeeded - before
    yield* Console.log(`3. after the revocation: the call succeeded, ${assumeRoles} AssumeRole`)

    // 4. The service's clock runs 20 minutes ahead: one call refused (InvalidTimeStamp.Expired), the
    //    clock corrected from its Date header, the call retried; later calls are right at once
    const refusedBefore = (yield* emulator.counters("api")).failed
    yield* emulator.setClockSkew("20 minutes")
    yield* call
    yield* call
    const refused = (yield* emulator.counters("api")).failed - refusedBefore
    yield* Console.log(`4. after a 20-minute skew: two calls succeeded, ${refused} refused on the way`)

    // 5. The official SDK on the same engine: no second AssumeRole
    const credential = yield* SdkCredential.make
    const official = new Sts20150401.default(
      new OpenApi.Config({ credential: credential as never, endpoint: emulator.stsEndpoint, protocol: "http" })
    )
    const sdkIdentity = yield* Effect.promise(() => official.getCallerIdentity())
    yield* Console.log(`5. official Sts20150401 on SdkCredential: ${sdkIdentity.body?.arn}`)
    const sts = yield* emulator.requests("sts")
    yield* Console.log(`   AssumeRole in all: ${sts.filter((r) => r.query["Action"] === "AssumeRole").length}`)
  })

const main = Effect.gen(function*() {
  const emulator = yield* Emulator.make({ accessKeys: [key] })
  const credentials = Credentials.layer(
    RamRoleArn.make({ source: AccessKey.make(key), roleArn, stsEndpoint: emulator.stsUrl })
  ).pipe(Layer.provideMerge(HttpTransport.layer()))
  yield* program(emulator).pipe(Effect.provide(credentials))
})

NodeRuntime.runMain(Effect.scoped(main))
