// What the signed client hands back (the answer, and every error read from it later) names the
// caller's request: the signed one holds the security token (RPC query, ACS3 header) and signature.
import { type Emulator, Fault } from "@effect-alicloud/emulator"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Inspectable, Option, Redacted, TestClock } from "effect"
import * as Http from "node:http"
import { AccessKey, Credentials, RamRoleArn } from "../src/index.js"
import * as SignedHttpClient from "../src/SignedHttpClient.js"
import { accessKey, roleArn, withEmulator } from "./withEmulator.js"

const session = (emulator: Emulator.EmulatorShape) =>
  Credentials.layer(RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsEndpoint: emulator.stsUrl }))

const ping = (emulator: Emulator.EmulatorShape) =>
  HttpClientRequest.post(emulator.apiUrl).pipe(SignedHttpClient.action("Ping", "2024-01-01"))

const rendered = (value: unknown) =>
  [String(value), JSON.stringify(value), Inspectable.format(value), (value as { message?: string }).message].join("\n")

describe("SignedHttpClient: the answer names the caller's request", () => {
  it.scoped("filterStatusOk, a body that is not JSON, a body cut short: no token, no signature (RPC and ACS3)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const token = Redacted.value((yield* (yield* Credentials).get).securityToken!)
        const secrets = [
          token,
          encodeURIComponent(token),
          "Signature=",
          "SecurityToken=",
          "ACS3-HMAC-SHA256 Credential"
        ]
        for (const client of [yield* SignedHttpClient.make({ algorithm: "RPC" }), yield* SignedHttpClient.make()]) {
          yield* emulator.setFault("api", Fault.httpError(404, "NotFound"), { times: 1 })
          const notFound = yield* client.execute(ping(emulator))
          const statusError = yield* Effect.flip(HttpClientResponse.filterStatusOk(notFound))
          yield* emulator.setFault("api", Fault.rawBody(200, "<xml/>", "text/xml"), { times: 1 })
          const notJson = yield* Effect.flip(Effect.flatMap(client.execute(ping(emulator)), (r) => r.json))
          yield* emulator.setFault("api", Fault.truncatedBody, { times: 1 })
          const cut = yield* Effect.flip(Effect.flatMap(client.execute(ping(emulator)), (r) => r.text))
          const ok = yield* client.execute(ping(emulator))
          expect(statusError).toMatchObject({ _tag: "ResponseError", reason: "StatusCode" })
          expect(notJson).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
          expect(cut).toMatchObject({ _tag: "ResponseError" })
          expect(statusError.request.url).toBe(emulator.apiUrl)
          expect(yield* ok.json).toMatchObject({ Action: "Ping" })
          for (const value of [notFound, statusError, notJson, cut, ok]) {
            const text = rendered(value)
            for (const secret of secrets) expect(text).not.toContain(secret)
          }
        }
      }).pipe(Effect.provide(session(emulator)))
    ))
})

/** A listener on 127.0.0.1 that sends a 401's headers and part of its body, then nothing; closed with the scope. */
const stalling = (received: Deferred.Deferred<void>) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const listening = Http.createServer((_request, response) => {
        response.writeHead(401, { "content-type": "application/json" })
        response.write(`{"Code":"InvalidSecurityToken.Expired",`)
        Deferred.unsafeDone(received, Effect.void)
      }).listen(0, "127.0.0.1", () => resume(Effect.succeed(listening)))
    }),
    (listening) => Effect.async<void>((resume) => void listening.close(() => resume(Effect.void)).closeAllConnections())
  ).pipe(Effect.map((listening) => `http://127.0.0.1:${(listening.address() as { port: number }).port}/`))

describe("SignedHttpClient: an error body that never ends", () => {
  it.scoped("a 401 whose body stalls after the headers: a typed ResponseError after 10 seconds, not a wait forever", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const received = yield* Deferred.make<void>()
        const url = yield* stalling(received)
        const client = yield* SignedHttpClient.make()
        const call = yield* Effect.fork(
          client.execute(HttpClientRequest.post(url).pipe(SignedHttpClient.action("Ping", "2024-01-01")))
        )
        yield* Deferred.await(received)
        // The client reads the body once the headers are in: a few turns of the event loop, each
        // followed by 10 seconds of the TestClock, bounded (the old code never ends).
        let error = Option.none<unknown>()
        for (let turn = 0; turn < 20 && Option.isNone(error); turn++) {
          yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
          yield* TestClock.adjust("10 seconds")
          error = Option.map(yield* Fiber.poll(call), (exit) => Exit.isFailure(exit) ? Cause.squash(exit.cause) : exit)
        }
        expect(Option.isSome(error)).toBe(true)
        expect(Option.getOrThrow(error)).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
        expect(String(Option.getOrThrow(error))).toContain("did not arrive within 10 seconds")
      }).pipe(Effect.provide(Credentials.layer(AccessKey.make(accessKey))))
    ))
})
