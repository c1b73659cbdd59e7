// The demo: a program that asks for credentials, run against three environments.
//
// The chain is "environment variables, then an AccessKey pair given in code". The environment is
// simulated with a ConfigProvider, so the demo shows the same thing on every machine and reads
// nothing of yours. It sends no packet anywhere.
import { NodeRuntime } from "@effect/platform-node"
import { ConfigProvider, Console, Effect, Layer } from "effect"
import { AccessKey, Credential, Credentials, Environment } from "../src/index.js"

// What an application does: ask the service, use the credential.
const program = Effect.gen(function*() {
  const credentials = yield* Credentials
  const credential = yield* credentials.get
  yield* Console.log(
    `  picked ${credential.providerName} (${credential.type}), AccessKey ID ${Credential.maskAccessKeyId(credential.accessKeyId)}`
  )
  yield* Console.log(`  printed whole, the credential shows no secret: ${credential}`)
})

const chain = Credentials.layerChain(
  [Environment.source, AccessKey.make({ accessKeyId: "LTAI5tDemoStaticKey0001", accessKeySecret: "demo-static-secret" })],
  { name: "default" }
)

const withEnvironment = (variables: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))

const run = (title: string, variables: Record<string, string>, sources = chain) =>
  Console.log(title).pipe(
    Effect.zipRight(program.pipe(Effect.provide(sources), Effect.provide(withEnvironment(variables)))),
    Effect.catchAll((error) => Console.log(`  failed as expected, with a typed ${error._tag}:\n${error.message.replace(/^/gm, "    ")}`))
  )

const main = Effect.gen(function*() {
  yield* Console.log("effect-alicloud demo: the credential chain env -> static AccessKey\n")
  yield* run("1. No environment variables: the chain moves on to the static AccessKey", {})
  yield* run("2. ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET/SECURITY_TOKEN set: the environment wins", {
    ALIBABA_CLOUD_ACCESS_KEY_ID: "STS.DemoFromEnvironment42",
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: "demo-env-secret",
    ALIBABA_CLOUD_SECURITY_TOKEN: "demo-env-token"
  })
  yield* run(
    "3. Only the id set, and the static key has an empty secret: every source says why it failed",
    { ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tDemoOnlyAnId0003" },
    Credentials.layerChain([Environment.source, AccessKey.make({ accessKeyId: "LTAI5tDemo", accessKeySecret: "" })], {
      name: "default"
    })
  )
})

NodeRuntime.runMain(main)
