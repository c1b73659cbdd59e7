// Issue 18, item 12: an https endpoint that meets a plain-HTTP server (a local emulator, a sidecar,
// the wrong port) failed with ERR_SSL_WRONG_VERSION_NUMBER and no hint. The typed error says the
// server seems to speak plain HTTP and what to do. Real TLS handshakes against the emulator's
// plain-HTTP port on 127.0.0.1.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { createServer, type Socket } from "node:net"
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

  // With the retries as shipped: the same answer every time, so one connection, not four.
  it.scoped("not retried: one connection with the default retries", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        let connections = 0
        const sockets = new Set<Socket>()
        const server = createServer((socket) => {
          connections++
          sockets.add(socket)
          socket.on("data", () => socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"))
          socket.on("error", () => {})
          socket.on("close", () => sockets.delete(socket))
        })
        const port = yield* Effect.acquireRelease(
          Effect.async<number>((resume) => {
            server.listen(0, "127.0.0.1", () => {
              const address = server.address()
              resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
            })
          }),
          () =>
            Effect.async<void>((resume) => {
              for (const socket of sockets) socket.destroy()
              server.close(() => resume(Effect.void))
            })
        )
        const fiber = yield* Effect.fork(
          Effect.flip(CredentialsUri.make({ credentialsUri: `https://127.0.0.1:${port}/` }))
        )
        // Lets the sockets work between steps of the clock (no real sleep), for a minute of backoff.
        for (let i = 0; i < 120 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
          yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
          yield* TestClock.adjust("500 millis")
        }
        const error = yield* Fiber.join(fiber)
        expect(error._tag).toBe("NetworkError")
        expect(error.message).toContain("the server seems to speak plain HTTP, not TLS")
        expect(connections).toBe(1)
      })
    ))
})
