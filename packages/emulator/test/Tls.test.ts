import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Emulator from "../src/Emulator.js"
import { assumeRole, at2024, StsSuccess, testKey, UriCredentials } from "./helpers.js"

// A self-signed certificate for 127.0.0.1 / localhost, generated for these tests only.
const fixtures = Path.join(Path.dirname(Url.fileURLToPath(import.meta.url)), "fixtures")
const tls = {
  key: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.key"), "utf8"),
  cert: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.crt"), "utf8")
}

const trusting = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ ca: tls.cert, keepAlive: false }))
)

describe("HTTPS", () => {
  it.scoped("serves https:// with the given certificate", () =>
    Effect.gen(function*() {
      yield* at2024
      const emulator = yield* Emulator.make({ tls, accessKeys: [testKey] })
      expect(emulator.baseUrl).toBe(`https://127.0.0.1:${emulator.port}`)
      expect(emulator.stsEndpoint).toBe(`127.0.0.1:${emulator.port}`)
      const uri = yield* HttpClient.get(emulator.credentialsUri).pipe(
        Effect.flatMap(HttpClientResponse.schemaBodyJson(UriCredentials)),
        Effect.provide(trusting)
      )
      expect(uri.Code).toBe("Success")
      // the fetch-based helper does not trust the certificate: the handshake fails, the server survives
      const refused = yield* Effect.either(assumeRole(emulator, testKey))
      expect(refused._tag).toBe("Left")
      const signed = yield* HttpClientResponse.schemaBodyJson(StsSuccess)(
        yield* assumeRole(emulator, { ...testKey, client: trusting })
      )
      expect(signed.Credentials.Expiration).toBe("2024-01-01T01:00:00Z")
    }))
})
