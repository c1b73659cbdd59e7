// Issue 18, item 12: an https endpoint that meets a plain-HTTP server (a local emulator, a sidecar,
// the wrong port) failed with ERR_SSL_WRONG_VERSION_NUMBER and no hint. The typed error says the
// server seems to speak plain HTTP and what to do. Real TLS handshakes against the emulator's
// plain-HTTP port on 127.0.0.1.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import { accessKey, retryNow, roleArn, withEmulator } from "./withEmulator.js"

const https = (url: string) => url.replace(/^http:/, "https:")

describe("https to a plain-HTTP server", () => {
  it.scoped("credentials_uri: a NetworkError that names the mismatch and the fix, no retry", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          CredentialsUri.make({ credentialsUri: https(emulator.credentialsUri), retrySchedule: retryNow(0) })
        )
        expect(error._tag).toBe("NetworkError")
        expect(error.message).toContain("the server seems to speak plain HTTP, not TLS")
        expect(error.message).toContain("use http:// if it does")
        expect(error.message).toMatch(/ERR_SSL_WRONG_VERSION_NUMBER|ERR_SSL_PACKET_LENGTH_TOO_LONG|EPROTO/)
      })
    ))

  it.scoped("ram_role_arn's STS endpoint: the same hint", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          RamRoleArn.make({
            source: AccessKey.make(accessKey),
            roleArn,
            stsEndpoint: https(emulator.stsUrl),
            retrySchedule: retryNow(0)
          })
        )
        expect(error._tag).toBe("NetworkError")
        expect(error.message).toContain("the server seems to speak plain HTTP, not TLS")
      })
    ))
})
