// Proxies, run for real on 127.0.0.1 only: the emulator plays STS and the credentials URI, the test
// suite's CONNECT proxy (test/loopbackProxy.ts) plays the corporate proxy. Loopback targets are never
// proxied, so the emulator is addressed as 192.0.2.1 (TEST-NET-1, never routed) where a request
// should go through the proxy, which dials 127.0.0.1 for it; the test suite's network guard, loaded
// with test/proxiedUpstream.ts, refuses any other connection or DNS look-up outside loopback.
//
//   cd packages/credentials && npx tsx --conditions=@effect-alicloud/source examples/proxy.ts
import { Emulator } from "@effect-alicloud/emulator"
import { NodeRuntime } from "@effect/platform-node"
import { ConfigProvider, Console, Effect } from "effect"
import { AccessKey, CredentialsUri, HttpTransport, RamRoleArn } from "../src/index.js"
import * as LoopbackProxy from "../test/loopbackProxy.js"
import * as ProxiedUpstream from "../test/proxiedUpstream.js"

const key = { accessKeyId: "LTAI5tDemoAccessKey0001", accessKeySecret: "demo-secret-never-printed" }
const roleArn = "acs:ram::1234567890123456:role/demo-role"

// The environment as the program would see it (library code reads it through Config only).
const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const main = Effect.gen(function*() {
  const emulator = yield* Emulator.make({ accessKeys: [key] })
  const proxy = yield* LoopbackProxy.make

  const stsUrl = ProxiedUpstream.proxied(emulator.stsUrl)
  const credentialsUri = ProxiedUpstream.proxied(emulator.credentialsUri)

  // 1. HTTP_PROXY / HTTPS_PROXY from the environment (the emulator is plain http: HTTP_PROXY).
  const role = RamRoleArn.make({ source: AccessKey.make(key), roleArn, stsEndpoint: stsUrl })
  const viaEnv = yield* role.pipe(withEnv({ HTTP_PROXY: proxy.url }))
  yield* Console.log(`ram_role_arn via HTTP_PROXY: ${viaEnv.accessKeyId}; tunnels so far: ${yield* proxy.tunnels}`)

  // 2. NO_PROXY: the same request goes direct (the guard sends 192.0.2.1 to the emulator).
  yield* ProxiedUpstream.direct(emulator.port)
  yield* role.pipe(withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "192.0.2.1" }))
  yield* Console.log(`with NO_PROXY=192.0.2.1: tunnels still ${yield* proxy.tunnels}`)

  // 3. A sidecar on 127.0.0.1 is never proxied: a dead proxy in the environment does not break it.
  const dead = `http://127.0.0.1:${yield* LoopbackProxy.closedPort}`
  const sidecar = yield* CredentialsUri.make({ credentialsUri: emulator.credentialsUri }).pipe(
    withEnv({ HTTP_PROXY: dead, HTTPS_PROXY: dead })
  )
  yield* Console.log(`credentials_uri on 127.0.0.1, a dead HTTP_PROXY: ${sidecar.accessKeyId} (direct)`)

  // 4. The `proxy` option, with credentials in the URL (the proxy asks for them).
  yield* proxy.setMode({ _tag: "auth", user: "me", password: "s3cret" })
  const uri = yield* CredentialsUri.make({ credentialsUri, proxy: `http://me:s3cret@127.0.0.1:${proxy.port}` })
  yield* Console.log(`credentials_uri via the proxy option: ${uri.accessKeyId}; tunnels: ${yield* proxy.tunnels}`)

  // 5. Wrong credentials: a typed error that names the proxy, never the password.
  const denied = yield* Effect.flip(
    CredentialsUri.make({ credentialsUri, proxy: `http://me:wrong@127.0.0.1:${proxy.port}` })
  )
  yield* Console.log(`wrong proxy password: ${denied._tag}: ${denied.message}`)
}).pipe(Effect.scoped, Effect.provide(HttpTransport.layer()))

NodeRuntime.runMain(main)
