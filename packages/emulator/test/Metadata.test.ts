import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import { at2024, MetadataCredentials, send, UriCredentials } from "./helpers.js"

const getToken = (emulator: Emulator.EmulatorShape, ttl = "21600") =>
  send(
    HttpClientRequest.put(`${emulator.metadataUrl}/latest/api/token`).pipe(
      HttpClientRequest.setHeader("x-aliyun-ecs-metadata-token-ttl-seconds", ttl)
    )
  )

const withToken = (token: string | undefined) => (request: HttpClientRequest.HttpClientRequest) =>
  token === undefined ? request : HttpClientRequest.setHeader(request, "X-aliyun-ecs-metadata-token", token)

const getRole = (emulator: Emulator.EmulatorShape, token?: string) =>
  send(withToken(token)(HttpClientRequest.get(`${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/`)))

const getCredentials = (emulator: Emulator.EmulatorShape, role: string, token?: string) =>
  send(
    withToken(token)(HttpClientRequest.get(`${emulator.metadataUrl}/latest/meta-data/ram/security-credentials/${role}`))
  )

describe("ECS metadata", () => {
  it.scoped("both: the IMDSv2 flow and the v1 flow both work", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ roleName: "my-role" })
      const tokenResponse = yield* getToken(emulator)
      expect(tokenResponse.status).toBe(200)
      const token = yield* tokenResponse.text
      expect(token.length).toBeGreaterThan(20)

      const role = yield* getRole(emulator, token)
      expect(role.status).toBe(200)
      expect(yield* role.text).toBe("my-role")

      const credentials = yield* HttpClientResponse.schemaBodyJson(MetadataCredentials)(
        yield* getCredentials(emulator, "my-role", token)
      )
      expect(credentials.AccessKeyId).toMatch(/^STS\.emu-\d{6}$/)
      expect(credentials.Expiration).toBe("2024-01-01T06:00:00Z")
      expect(credentials.LastUpdated).toBe("2024-01-01T00:00:00Z")

      // v1: no token header at all
      expect((yield* getRole(emulator)).status).toBe(200)
      const v1 = yield* HttpClientResponse.schemaBodyJson(MetadataCredentials)(
        yield* getCredentials(emulator, "my-role")
      )
      expect(v1.AccessKeyId).not.toBe(credentials.AccessKeyId)

      // a token that is present but unknown is refused
      expect((yield* getRole(emulator, "forged")).status).toBe(401)

      const last = Option.getOrThrow(yield* emulator.lastRequest("metadata-token"))
      expect(last.method).toBe("PUT")
      expect(last.headers["x-aliyun-ecs-metadata-token-ttl-seconds"]).toBe("21600")
      expect(yield* emulator.counters("metadata-credentials")).toEqual({
        received: 2,
        succeeded: 2,
        failed: 0,
        faulted: 0
      })
    }))

  it.scoped("v2-required: no token or an expired token gets 401", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ metadataMode: "v2-required" })
      expect((yield* getRole(emulator)).status).toBe(401)
      expect((yield* getCredentials(emulator, "EcsRamRole")).status).toBe(401)
      const token = yield* Effect.flatMap(getToken(emulator, "60"), (r) => r.text)
      expect((yield* getCredentials(emulator, "EcsRamRole", token)).status).toBe(200)
      yield* TestClock.adjust("61 seconds")
      expect((yield* getCredentials(emulator, "EcsRamRole", token)).status).toBe(401)
      expect(yield* emulator.counters("metadata-credentials")).toEqual({
        received: 3,
        succeeded: 1,
        failed: 2,
        faulted: 0
      })
    }))

  it.scoped("v1-only: the token endpoint is absent (404) and token headers are ignored", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ metadataMode: "v1-only" })
      expect((yield* getToken(emulator)).status).toBe(404)
      expect((yield* getRole(emulator)).status).toBe(200)
      expect((yield* getCredentials(emulator, "EcsRamRole", "anything")).status).toBe(200)
    }))

  it.scoped("setMetadataMode switches at run time", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      expect((yield* getRole(emulator)).status).toBe(200)
      yield* emulator.setMetadataMode("v2-required")
      expect((yield* getRole(emulator)).status).toBe(401)
      yield* emulator.setMetadataMode("v1-only")
      expect((yield* getToken(emulator)).status).toBe(404)
    }))

  it.scoped("the token TTL header is required and bounded", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      expect((yield* send(HttpClientRequest.put(`${emulator.metadataUrl}/latest/api/token`))).status).toBe(400)
      expect((yield* getToken(emulator, "0")).status).toBe(400)
      expect((yield* getToken(emulator, "21601")).status).toBe(400)
      expect((yield* send(HttpClientRequest.get(`${emulator.metadataUrl}/latest/api/token`))).status).toBe(405)
    }))

  it.scoped("role name: configurable, wrong name 404, detached role 404", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      expect(yield* Effect.flatMap(getRole(emulator), (r) => r.text)).toBe("EcsRamRole")
      expect((yield* getCredentials(emulator, "other")).status).toBe(404)
      yield* emulator.setRoleName("renamed")
      expect((yield* getCredentials(emulator, "renamed")).status).toBe(200)
      yield* emulator.setRoleName(undefined)
      expect((yield* getRole(emulator)).status).toBe(404)
      expect((yield* getCredentials(emulator, "renamed")).status).toBe(404)
    }))

  it.scoped("setExpiry shortens the metadata credential lifetime", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make()
      yield* emulator.setExpiry("metadata-credentials", "5 minutes")
      const c = yield* HttpClientResponse.schemaBodyJson(MetadataCredentials)(
        yield* getCredentials(emulator, "EcsRamRole")
      )
      expect(c.Expiration).toBe("2024-01-01T00:05:00Z")
    }))
})

describe("credentials URI", () => {
  it.scoped("GET /credentials returns a fresh credential each time", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make()
      expect(emulator.credentialsUri).toBe(`${emulator.baseUrl}/credentials`)
      const a = yield* HttpClientResponse.schemaBodyJson(UriCredentials)(
        yield* send(HttpClientRequest.get(emulator.credentialsUri))
      )
      const b = yield* HttpClientResponse.schemaBodyJson(UriCredentials)(
        yield* send(HttpClientRequest.get(emulator.credentialsUri))
      )
      expect(a.AccessKeyId).not.toBe(b.AccessKeyId)
      expect(a.Expiration).toBe("2024-01-01T01:00:00Z")
      expect(yield* emulator.counters("credentials-uri")).toEqual({ received: 2, succeeded: 2, failed: 0, faulted: 0 })
    }))

  it.scoped("a configurable path, query string preserved in the record, expiry override", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ credentialsPath: "/v1/creds" })
      yield* emulator.setExpiry("credentials-uri", "2 hours")
      const c = yield* HttpClientResponse.schemaBodyJson(UriCredentials)(
        yield* send(HttpClientRequest.get(`${emulator.credentialsUri}?role=a`))
      )
      expect(c.Expiration).toBe("2024-01-01T02:00:00Z")
      expect(Option.getOrThrow(yield* emulator.lastRequest("credentials-uri")).query).toEqual({ role: "a" })
      expect((yield* send(HttpClientRequest.get(`${emulator.baseUrl}/credentials`))).status).toBe(404)
    }))
})

describe("server", () => {
  it.scoped("binds 127.0.0.1 on an ephemeral port and exposes the URLs", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      expect(emulator.host).toBe("127.0.0.1")
      expect(emulator.port).toBeGreaterThan(0)
      expect(emulator.baseUrl).toBe(`http://127.0.0.1:${emulator.port}`)
      expect(emulator.stsEndpoint).toBe(`127.0.0.1:${emulator.port}`)
      expect(emulator.stsUrl).toBe(`http://127.0.0.1:${emulator.port}/`)
      expect(emulator.metadataUrl).toBe(emulator.baseUrl)
    }))

  it.scoped("refuses a host that is not loopback", () =>
    Effect.gen(function*() {
      for (const host of ["0.0.0.0", "192.168.1.10", "example.com", "::"]) {
        const error = yield* Effect.flip(Emulator.make({ host }))
        expect(error._tag).toBe("EmulatorError")
        expect(error.reason).toBe("InvalidOptions")
      }
    }))

  it.scoped("a second server on a taken port fails with a typed Listen error", () =>
    Effect.gen(function*() {
      const first = yield* Emulator.make()
      const error = yield* Effect.flip(Emulator.make({ port: first.port }))
      expect(error.reason).toBe("Listen")
    }))

  it.scoped("an unknown path is 404 and counts nowhere", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      expect((yield* send(HttpClientRequest.get(`${emulator.baseUrl}/nope`))).status).toBe(404)
      for (const e of Emulator.endpoints) expect((yield* emulator.counters(e)).received).toBe(0)
    }))

  it.effect("Emulator.layer provides the service", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      expect((yield* send(HttpClientRequest.get(emulator.credentialsUri))).status).toBe(200)
    }).pipe(Effect.provide(Emulator.layer())))
})
