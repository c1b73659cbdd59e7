// Forced refresh and recovery from a revoked session, run for real on 127.0.0.1 only: the emulator
// plays STS (it verifies every signature) and revokes the session through its control API.
//
//   cd packages/credentials && npx tsx --conditions=@effect-alicloud/source examples/recovery.ts
import { Emulator, RpcSignature } from "@effect-alicloud/emulator"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Clock, Console, Data, Effect, Redacted, Schema } from "effect"
import { createRequire } from "node:module"
import { AccessKey, Credentials, HttpTransport, RamRoleArn } from "../src/index.js"
import FacadeCredential, { Config } from "../src/promise/promise.js"

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

const key = { accessKeyId: "LTAI5tDemoAccessKey0001", accessKeySecret: "demo-secret-never-printed" }
const roleArn = "acs:ram::1234567890123456:role/demo-role"

// Your program's own typed error for a refused call, carrying the service's code.
class CallFailed extends Data.TaggedError("CallFailed")<{ readonly status: number; readonly code: string }> {}

// A signed call, as your SDK would make it: GetCallerIdentity, RPC-signed with the credential the
// `Credentials` service hands out.
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
      SignatureNonce: crypto.randomUUID(),
      Timestamp: new Date(yield* Clock.currentTimeMillis).toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(credential.securityToken === undefined ? {} : { SecurityToken: Redacted.value(credential.securityToken) })
    }
    const Signature = RpcSignature.signParams("POST", params, Redacted.value(credential.accessKeySecret))
    const response = yield* HttpClient.execute(
      HttpClientRequest.post(emulator.stsUrl).pipe(HttpClientRequest.setUrlParams({ ...params, Signature }))
    ).pipe(Effect.orDie)
    const body = yield* response.json.pipe(Effect.orDie)
    if (response.status !== 200) {
      const { Code } = Schema.decodeUnknownSync(Schema.Struct({ Code: Schema.String }))(body)
      return yield* new CallFailed({ status: response.status, code: Code })
    }
    return Schema.decodeUnknownSync(Schema.Struct({ Arn: Schema.String }))(body).Arn
  })

const effectApi = (emulator: Emulator.EmulatorShape) =>
  Effect.gen(function*() {
    const credentials = yield* Credentials
    const call = getCallerIdentity(emulator)
    yield* Console.log(`1. signed call: ${yield* call}`)

    const refused = yield* credentials.get
    yield* emulator.revoke(refused.accessKeyId) // an administrator revokes the session
    const error = yield* Effect.flip(call)
    yield* Console.log(`2. after the revocation: ${error._tag} ${"code" in error ? error.code : ""}`)

    // One refresh, one retry; a second refusal would be returned, never looped.
    const arn = yield* Credentials.retryOnAuthError(call)
    const renewed = yield* credentials.get
    yield* Console.log(
      `3. retryOnAuthError: ${arn}, session ${refused.toJSON().accessKeyId} -> ${renewed.toJSON().accessKeyId}`
    )

    // By hand: refresh fetches now (and publishes on `changes`); invalidate makes the next get fetch.
    const fresh = yield* credentials.refresh
    yield* credentials.invalidate
    const next = yield* credentials.get
    yield* Console.log(
      `4. refresh -> ${fresh.toJSON().accessKeyId}, invalidate + get -> ${next.toJSON().accessKeyId}`
    )
  }).pipe(
    Effect.provide(
      Credentials.layer(RamRoleArn.make({ source: AccessKey.make(key), roleArn, stsEndpoint: emulator.stsUrl }))
    )
  )

// The Promise facade with the official STS client: refresh() after an authentication error.
const facade = (emulator: Emulator.EmulatorShape) =>
  Effect.promise(async () => {
    const credential = new FacadeCredential(
      new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl })
    )
    const client = new Sts20150401.default(
      new OpenApi.Config({ credential: credential as never, endpoint: emulator.stsEndpoint, protocol: "http" })
    )
    try {
      const refused = await credential.getCredential()
      await Effect.runPromise(emulator.revoke(refused.accessKeyId ?? ""))
      const call = () => client.getCallerIdentity()
      const answer = await call().catch(async (error: unknown) => {
        if (!Credentials.isAuthError(error)) throw error
        console.log(`5. facade: ${Credentials.authErrorCode(error)}; refresh() and retry once`)
        await credential.refresh()
        return call()
      })
      console.log(`6. facade: ${answer.body?.arn}`)
    } finally {
      await credential.close()
    }
  })

const main = Effect.gen(function*() {
  const emulator = yield* Emulator.make({ accessKeys: [key] })
  yield* effectApi(emulator)
  yield* facade(emulator)
}).pipe(Effect.scoped, Effect.provide(HttpTransport.layer()))

NodeRuntime.runMain(main)
