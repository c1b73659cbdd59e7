// Named identities side by side in one program: each its own tag, source and refresh engine;
// retryOnAuthError refreshes the identity it is given; any identity can serve as `Credentials`.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { Credentials } from "../src/Credentials.js"
import * as Identity from "../src/Identity.js"
import type { Source } from "../src/Source.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import { hourCredential } from "./hourCredential.js"

class Audit extends Identity.Tag("Audit")<Audit>() {}
class Deploy extends Identity.Tag("Deploy")<Deploy>() {}

/** A source named `name` that counts its fetches; each credential lives an hour. */
const counting = (name: string) => {
  let n = 0
  const source: Source = Effect.suspend(() => hourCredential(name, ++n))
  return { source, fetches: () => n }
}

class ApiError {
  readonly _tag = "ApiError"
  constructor(readonly code: string) {}
}

describe("Identity", () => {
  it.scoped("three identities side by side: each its own source and engine", () =>
    Effect.gen(function*() {
      const audit = counting("audit")
      const deploy = counting("deploy")
      const layers = Layer.mergeAll(
        Credentials.layer(AccessKey.make({ accessKeyId: "LTAI5tOwnKey0001", accessKeySecret: "own-secret" })),
        Audit.layer(audit.source),
        Deploy.layer(deploy.source)
      )
      yield* Effect.gen(function*() {
        expect((yield* (yield* Credentials).get).providerName).toBe("static_ak")
        expect((yield* (yield* Audit).get).accessKeyId).toBe("STS.audit-1")
        expect((yield* (yield* Deploy).get).accessKeyId).toBe("STS.deploy-1")
        yield* (yield* Audit).refresh
        expect((yield* (yield* Audit).get).accessKeyId).toBe("STS.audit-2")
        expect((yield* (yield* Deploy).get).accessKeyId).toBe("STS.deploy-1")
        // each engine refreshes its own credential ahead of expiry
        yield* TestClock.adjust("50 minutes")
        expect(audit.fetches()).toBe(3)
        expect(deploy.fetches()).toBe(2)
      }).pipe(Effect.provide(layers))
      expect(Audit.key).toBe("@effect-alicloud/credentials/Identity/Audit")
      expect(Audit.identity).toBe("Audit")
    }))

  it.scoped("retryOnAuthError refreshes the identity it belongs to, and only that one", () =>
    Effect.gen(function*() {
      const audit = counting("audit")
      const deploy = counting("deploy")
      let calls = 0
      // A signed call with the Audit identity: the first credential is refused
      const call = Effect.gen(function*() {
        const credential = yield* (yield* Audit).get
        calls++
        if (credential.accessKeyId === "STS.audit-1") {
          return yield* Effect.fail(new ApiError("InvalidSecurityToken.Expired"))
        }
        return credential.accessKeyId
      })
      yield* Effect.gen(function*() {
        yield* (yield* Deploy).get
        expect(yield* Audit.retryOnAuthError(call)).toBe("STS.audit-2")
        expect(yield* call.pipe(Audit.retryOnAuthError({ isAuthError: () => true }))).toBe("STS.audit-2")
        expect(calls).toBe(3)
        expect(deploy.fetches()).toBe(1)
      }).pipe(Effect.provide(Layer.mergeAll(Audit.layer(audit.source), Deploy.layer(deploy.source))))
    }))

  it.scoped("asCredentials: an identity serves code written against Credentials", () =>
    Effect.gen(function*() {
      const audit = counting("audit")
      const signed = Effect.flatMap(Credentials, (credentials) => credentials.get)
      const credential = yield* Credentials.retryOnAuthError(signed).pipe(
        Effect.provide(Audit.asCredentials),
        Effect.provide(Audit.layer(audit.source))
      )
      expect(credential.providerName).toBe("audit")
    }))

  it.scoped("fromCredentials: any Credentials layer as an identity", () =>
    Effect.gen(function*() {
      const layer = Deploy.fromCredentials(
        Credentials.layerChain(
          [AccessKey.make({ accessKeyId: "LTAI5tDeployKey01", accessKeySecret: "deploy-secret" })],
          {
            name: "deploy"
          }
        )
      )
      const credential = yield* Effect.flatMap(Deploy, (deploy) => deploy.get).pipe(Effect.provide(layer))
      expect(credential.providerName).toBe("deploy/static_ak")
    }))
})
