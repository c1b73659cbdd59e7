// One engine for both worlds: the official `@alicloud/sts20150401` client on the bridge
// (`SdkCredential`) and `SignedHttpClient`, side by side over several rotations of a RAM-role
// session: the emulator counts one AssumeRole per rotation. The official client stamps its
// requests with the wall clock, so this runs on the live Clock, each call bounded in time.
import { Emulator } from "@effect-alicloud/emulator"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted } from "effect"
import { createRequire } from "node:module"
import { inspect } from "node:util"
import { AccessKey, Credentials, HttpTransport, RamRoleArn, SdkCredential, SignedHttpClient } from "../src/index.js"
import { accessKey, roleArn, withEnvLayer } from "./withEmulator.js"

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

const bounded = <A>(f: () => Promise<A>) => Effect.tryPromise(f).pipe(Effect.timeout(Duration.seconds(5)))

describe("one engine for the official SDK and the middleware", () => {
  it.scopedLive("3 rotations: one AssumeRole each, both clients on the same session", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const layer = Credentials.layer(
        RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsEndpoint: emulator.stsUrl })
      ).pipe(Layer.provideMerge(HttpTransport.layer()), Layer.provide(withEnvLayer({})))
      yield* Effect.gen(function*() {
        const credential = yield* SdkCredential.make
        const official = new Sts20150401.default(
          new OpenApi.Config({
            // The official declaration wants its own Credential class: the bridge has its shape.
            credential: credential as never,
            endpoint: emulator.stsEndpoint,
            protocol: "http",
            connectTimeout: 2000,
            readTimeout: 2000
          })
        )
        const signed = yield* SignedHttpClient.make({ algorithm: "RPC" })
        const api = HttpClientRequest.post(emulator.apiUrl).pipe(
          SignedHttpClient.action("DescribeRegions", "2014-05-26")
        )
        const sessions: Array<string> = []
        for (let rotation = 0; rotation <= 3; rotation++) {
          // The first rotation: the session is revoked; the middleware meets it, refreshes once and
          // retries. The next ones: the engine renews the session (as its background refresh does
          // before expiry; the live clock cannot wait an hour). Either way the official client
          // then signs with the session the engine holds.
          if (rotation === 1) yield* emulator.revoke(sessions.at(-1)!)
          if (rotation > 1) yield* (yield* Credentials).refresh
          expect((yield* Effect.scoped(signed.execute(api))).status).toBe(200)
          const identity = yield* bounded(() => official.getCallerIdentity())
          expect(identity.statusCode).toBe(200)
          const last = (yield* emulator.requests("sts")).at(-1)!
          const viaSdk = last.headers["x-acs-accesskey-id"]!
          const viaMiddleware = (yield* emulator.requests("api")).at(-1)!.query["AccessKeyId"]!
          expect(viaSdk).toBe(viaMiddleware)
          sessions.push(viaSdk)
        }
        expect(new Set(sessions).size).toBe(4)
        // The bridge and its model render without the secret or the token
        const model = yield* Effect.promise(() => credential.getCredential())
        const current = yield* (yield* Credentials).get
        const rendered = [
          JSON.stringify(model),
          String(model),
          inspect(model),
          JSON.stringify(credential),
          inspect(credential)
        ]
          .join("\n")
        expect(model.accessKeySecret).toBe(Redacted.value(current.accessKeySecret))
        for (const secret of [current.accessKeySecret, current.securityToken!].map(Redacted.value)) {
          expect(rendered).not.toContain(secret)
        }
        const assumeRoles = (yield* emulator.requests("sts")).filter((r) => r.query["Action"] === "AssumeRole")
        expect(assumeRoles.length).toBe(4)
        // One retry, for the revoked session.
        expect((yield* emulator.requests("api")).length).toBe(4 + 1)
      }).pipe(Effect.provide(layer))
    }))
})
