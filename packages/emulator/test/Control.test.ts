import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as Fault from "../src/Fault.js"
import { assumeRole, at2024, send, StsSuccess, testKey, UriCredentials } from "./helpers.js"

const post = (emulator: Emulator.EmulatorShape, path: string, body: unknown) =>
  send(HttpClientRequest.post(`${emulator.controlUrl}${path}`).pipe(HttpClientRequest.bodyUnsafeJson(body)))

const getJson = (emulator: Emulator.EmulatorShape, path: string) =>
  Effect.flatMap(send(HttpClientRequest.get(`${emulator.controlUrl}${path}`)), (r) => r.json)

describe("control API", () => {
  it.scoped("state, faults, counters over HTTP", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      expect(yield* getJson(emulator, "/state")).toMatchObject({
        baseUrl: emulator.baseUrl,
        stsEndpoint: emulator.stsEndpoint,
        credentialsUri: emulator.credentialsUri,
        counters: { sts: { received: 0 } }
      })
      const set = yield* post(emulator, "/faults/credentials-uri", { fault: Fault.internalError, times: 1 })
      expect(set.status).toBe(200)
      expect((yield* send(HttpClientRequest.get(emulator.credentialsUri))).status).toBe(500)
      expect((yield* send(HttpClientRequest.get(emulator.credentialsUri))).status).toBe(200)
      expect(yield* getJson(emulator, "/counters/credentials-uri")).toEqual({
        received: 2,
        succeeded: 1,
        failed: 1,
        faulted: 1
      })

      // a fault without `times` stays until DELETE
      yield* post(emulator, "/faults/credentials-uri", { fault: { _tag: "HttpError", status: 503, code: "Busy" } })
      expect((yield* send(HttpClientRequest.get(emulator.credentialsUri))).status).toBe(503)
      expect((yield* send(HttpClientRequest.del(`${emulator.controlUrl}/faults/credentials-uri`))).status).toBe(200)
      expect((yield* send(HttpClientRequest.get(emulator.credentialsUri))).status).toBe(200)
    }))

  it.scoped("bad requests are 400 with a reason; unknown paths 404", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const bad = yield* post(emulator, "/faults/sts", { fault: { _tag: "Nope" } })
      expect(bad.status).toBe(400)
      expect(yield* bad.json).toHaveProperty("error")
      expect((yield* post(emulator, "/faults/not-an-endpoint", { fault: Fault.hang })).status).toBe(404)
      expect((yield* send(HttpClientRequest.get(`${emulator.controlUrl}/nothing`))).status).toBe(404)
      const notJson = yield* send(
        HttpClientRequest.post(`${emulator.controlUrl}/metadata-mode`).pipe(HttpClientRequest.bodyText("{"))
      )
      expect(notJson.status).toBe(400)
    }))

  it.scoped("access keys, expiry, metadata mode, role name, requests (redacted) and reset", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make()
      expect((yield* assumeRole(emulator, testKey)).status).toBe(404)
      yield* post(emulator, "/access-keys", testKey)
      yield* post(emulator, "/expiry/sts", { seconds: 120 })
      const issued = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(yield* assumeRole(emulator, testKey))
      expect(issued.Credentials.Expiration).toBe("2024-01-01T00:02:00Z")

      yield* assumeRole(emulator, {
        accessKeyId: issued.Credentials.AccessKeyId,
        accessKeySecret: issued.Credentials.AccessKeySecret,
        securityToken: issued.Credentials.SecurityToken
      })
      const history = yield* getJson(emulator, "/requests/sts")
      const text = JSON.stringify(history)
      expect(text).not.toContain(issued.Credentials.SecurityToken)
      expect(text).not.toContain(issued.Credentials.AccessKeySecret)
      expect(text).toContain("<redacted")

      yield* post(emulator, "/expiry/credentials-uri", { seconds: 60 })
      const uri = yield* HttpClientResponse.schemaBodyJson(UriCredentials)(
        yield* send(HttpClientRequest.get(emulator.credentialsUri))
      )
      expect(uri.Expiration).toBe("2024-01-01T00:01:00Z")

      const roles = HttpClientRequest.get(`${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/`)
      yield* post(emulator, "/metadata-mode", { mode: "v2-required" })
      expect((yield* send(roles)).status).toBe(401)
      yield* post(emulator, "/metadata-mode", { mode: "v1-only" })
      yield* post(emulator, "/role-name", { roleName: "other" })
      expect(yield* Effect.flatMap(send(roles), (r) => r.text)).toBe("other")
      yield* post(emulator, "/role-name", { roleName: null })
      expect((yield* send(roles)).status).toBe(404)

      yield* post(emulator, "/oidc-tokens", { token: "t" })
      expect((yield* post(emulator, "/reset", {})).status).toBe(200)
      expect(yield* emulator.counters("sts")).toEqual({ received: 0, succeeded: 0, failed: 0, faulted: 0 })
      expect((yield* assumeRole(emulator, testKey)).status).toBe(404)
      expect(yield* Effect.flatMap(send(roles), (r) => r.text)).toBe("EcsRamRole")
    }))
})
