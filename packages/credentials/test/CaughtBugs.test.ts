// Tests that catch bugs the rest of the suite let through (issue 18, "Tests that would have caught
// more"), each asserting the behaviour rather than a timeout, against the emulator (or a hostile
// loopback server where the emulator has no such answer), on the TestClock:
// - the base64 forms of a secret echoed in an error answer are scrubbed;
// - `invalidate` drops the current credential while it is still valid;
// - a metadata token request that got no answer ends the source, with no IMDSv1 request;
// - a finite chunked body (no Content-Length) over the cap is refused for its size, and its reading
//   stops at the cap.
import { Fault } from "@effect-alicloud/emulator"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option, Redacted, TestClock } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import { Credentials } from "../src/Credentials.js"
import type { CredentialsError } from "../src/CredentialsError.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as EcsRamRole from "../src/sources/EcsRamRole.js"
import * as OidcRoleArn from "../src/sources/OidcRoleArn.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import * as Sts from "../src/sources/Sts.js"
import { accessKey, roleArn, withEmulator } from "./withEmulator.js"

const MiB = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// 1. Scrubbing the base64 forms of a secret
// ---------------------------------------------------------------------------------------------

/** base64 with padding, without it, and base64url: three different texts for a secret like this one. */
const base64Forms = (secret: string) => {
  const padded = Buffer.from(secret, "utf8").toString("base64")
  return { padded, unpadded: padded.replace(/=+$/, ""), url: Buffer.from(secret, "utf8").toString("base64url") }
}

/** An STS-shaped error answer whose Message echoes the secret in its three base64 forms. */
const base64Echo = (secret: string) => {
  const forms = base64Forms(secret)
  return Fault.rawBody(
    400,
    JSON.stringify({
      RequestId: "B64-ECHO-0001",
      Code: "EchoedRequest",
      Message: `seen: padded ${forms.padded} ; unpadded ${forms.unpadded} ; url ${forms.url} .`
    }),
    "application/json"
  )
}

const expectNoBase64Form = (error: CredentialsError, secret: string) => {
  const forms = base64Forms(secret)
  // the echo reached the message, each form cut out
  expect(error.message).toContain("EchoedRequest")
  expect(error.message).toContain("padded <redacted> ; unpadded <redacted> ; url <redacted> .")
  // every way an error is printed (a defect or a success would have failed the test at Effect.flip)
  const printed = [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 20 })]
  for (const text of [...printed, Cause.pretty(Cause.fail(error))]) {
    for (const form of [secret, forms.padded, forms.unpadded, forms.url]) {
      expect(text.includes(form), `${form} in ${text}`).toBe(false)
    }
  }
}

describe("scrubbing: the base64 forms of a secret", () => {
  // base64 of this one is padded and holds a "+" (a "-" in base64url): the three forms differ.
  const token = "s3cr3t>>>?token~~"

  it("the secret's three base64 forms are three different texts", () => {
    const forms = base64Forms(token)
    expect(forms.padded).toMatch(/=$/)
    expect(forms.padded).toContain("+")
    expect(new Set([forms.padded, forms.unpadded, forms.url]).size).toBe(3)
  })

  it.scoped("ram_role_arn signed by an STS credential: its SecurityToken echoed base64-encoded is cut out", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", base64Echo(token))
        const signer = Sts.make({
          accessKeyId: "STS.b64-key-0001",
          accessKeySecret: "b64-sts-secret-0001",
          securityToken: token
        })
        const error = yield* Effect.flip(
          RamRoleArn.make({ source: signer, roleArn, stsEndpoint: emulator.stsUrl, roleSessionName: "b64" })
        )
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 400, code: "EchoedRequest" })
        expectNoBase64Form(error, token)
        // the token was sent, so the echo was of the request's own secret
        expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).params["SecurityToken"]).toBe(token)
      })
    ))

  it.scoped("oidc_role_arn: the OIDC token echoed base64-encoded is cut out", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", base64Echo(token))
        const error = yield* Effect.flip(
          OidcRoleArn.make({
            roleArn,
            oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/b64",
            oidcToken: Effect.succeed(Redacted.make(token)),
            stsEndpoint: emulator.stsUrl,
            roleSessionName: "b64"
          })
        )
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 400, code: "EchoedRequest" })
        expectNoBase64Form(error, token)
        expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).params["OIDCToken"]).toBe(token)
      })
    ).pipe(Effect.provide(NodeContext.layer)))
})

// ---------------------------------------------------------------------------------------------
// 2. invalidate drops a credential that is still valid
// ---------------------------------------------------------------------------------------------

describe("invalidate", () => {
  it.scoped("well before expiry, the next get fetches anew: a second AssumeRole, a new credential", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credentials = yield* Credentials
        const first = yield* credentials.get
        // cached while valid: no request for a second get
        expect((yield* credentials.get).accessKeyId).toBe(first.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        yield* TestClock.adjust("1 minute")
        yield* credentials.invalidate
        const second = yield* credentials.get
        expect((yield* emulator.counters("sts")).received).toBe(2)
        expect(second.accessKeyId).not.toBe(first.accessKeyId)
        // the fresh one is cached in turn
        expect((yield* credentials.get).accessKeyId).toBe(second.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(2)
      }).pipe(
        Effect.provide(
          Credentials.layer(
            RamRoleArn.make({
              source: AccessKey.make(accessKey),
              roleArn,
              stsEndpoint: emulator.stsUrl,
              roleSessionName: "invalidate"
            }),
            { jitter: 0 }
          )
        )
      )
    ))
})

// ---------------------------------------------------------------------------------------------
// 3. No IMDSv1 fallback after a token request that got no answer
// ---------------------------------------------------------------------------------------------

describe("metadata: a token request with no answer ends the source, no IMDSv1 request", () => {
  const noAnswer: ReadonlyArray<readonly [string, Fault.Fault, string]> = [
    ["closed (FIN)", Fault.close, "NetworkError"],
    ["reset (RST)", Fault.reset, "NetworkError"],
    ["hanging", Fault.hang, "Timeout"]
  ]
  for (const [name, fault, tag] of noAnswer) {
    it.scoped(`token request ${name}: ${tag}, and the emulator got no request without the token`, () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          yield* emulator.setFault("metadata-token", fault)
          // defaults as shipped: the token request is the probe, never retried
          const fiber = yield* EcsRamRole.make({ metadataUrl: emulator.metadataUrl }).pipe(
            Effect.flip,
            Effect.fork
          )
          yield* emulator.awaitRequests("metadata-token", 1)
          // past the token request's deadline (connect 1 s + read 1 s)
          if (tag === "Timeout") yield* TestClock.adjust("2 seconds")
          const error = yield* Fiber.join(fiber)
          // neither the role nor the credential was asked for without a token
          expect((yield* emulator.counters("metadata-role")).received).toBe(0)
          expect((yield* emulator.counters("metadata-credentials")).received).toBe(0)
          expect((yield* emulator.counters("metadata-token")).received).toBe(1)
          expect(error._tag).toBe(tag)
          expect(error.message).toContain("/latest/api/token")
        }), { metadataMode: "both" }))
  }

  it.scoped("the same service answering the token request with a 403: the IMDSv1 fallback is taken (the control)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("metadata-token", Fault.httpError(403, "Forbidden"))
        const credential = yield* EcsRamRole.make({ metadataUrl: emulator.metadataUrl })
        expect(credential.providerName).toBe("ecs_ram_role")
        const request = Option.getOrThrow(yield* emulator.lastRequest("metadata-credentials"))
        expect(request.headers["x-aliyun-ecs-metadata-token"]).toBeUndefined()
      }), { metadataMode: "both" }))
})

// ---------------------------------------------------------------------------------------------
// 4. A finite chunked body over the cap
// ---------------------------------------------------------------------------------------------

interface ChunkedServer {
  readonly url: string
  /** Completes when the answer is over: `ended` if all of it was written, else the bytes written before the client left. */
  readonly done: Deferred.Deferred<{ readonly ended: boolean; readonly written: number }>
}

/**
 * A loopback server answering every request with status 200, `application/json`, no
 * Content-Length (so chunked), `body` written 64 KiB at a time with back-pressure: it writes past
 * what the kernel holds only as fast as the client reads.
 */
const chunkedServer = (body: Buffer) =>
  Effect.gen(function*() {
    const done = yield* Deferred.make<{ readonly ended: boolean; readonly written: number }>()
    const server = Http.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      let written = 0
      let finished = false
      const finish = (ended: boolean) => {
        if (finished) return
        finished = true
        Deferred.unsafeDone(done, Exit.succeed({ ended, written }))
      }
      response.on("close", () => finish(false))
      const pump = () => {
        while (written < body.length) {
          const piece = body.subarray(written, written + 64 * 1024)
          written += piece.length
          if (!response.write(piece)) return void response.once("drain", pump)
        }
        response.end(() => finish(true))
      }
      pump()
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const { port } = server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}/credentials`, done } satisfies ChunkedServer
  })

/** A valid credentials URI answer, padded with JSON whitespace to exactly `size` bytes. */
const answerOfSize = (size: number) => {
  const json = JSON.stringify({
    Code: "Success",
    AccessKeyId: "STS.chunked-0001",
    AccessKeySecret: "chunked-secret",
    SecurityToken: "chunked-token",
    Expiration: "2024-01-01T01:00:00Z"
  })
  return Buffer.from(json + " ".repeat(size - json.length), "utf8")
}

describe("size: a finite chunked body, no Content-Length", () => {
  it.scoped("exactly 1 MiB is read (the cap is not exceeded): a credential", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const server = yield* chunkedServer(answerOfSize(MiB))
        const credential = yield* CredentialsUri.make({ credentialsUri: server.url })
        expect(credential.accessKeyId).toBe("STS.chunked-0001")
        expect(yield* Deferred.await(server.done)).toEqual({ ended: true, written: MiB })
      })
    ))

  it.scoped("1 MiB + 1 byte: MalformedResponse about the body's size (not a decode error)", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const server = yield* chunkedServer(answerOfSize(MiB + 1))
        const error = yield* Effect.flip(CredentialsUri.make({ credentialsUri: server.url }))
        expect(error._tag).toBe("MalformedResponse")
        expect(error.message).toContain("the body is larger than 1 MiB (maxBodyBytes)")
      })
    ))

  it.scoped("64 MiB: MalformedResponse about the size, and the reading stopped long before the end", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const server = yield* chunkedServer(answerOfSize(64 * MiB))
        const error = yield* Effect.flip(CredentialsUri.make({ credentialsUri: server.url }))
        expect(error._tag).toBe("MalformedResponse")
        expect(error.message).toContain("the body is larger than 1 MiB (maxBodyBytes)")
        // the client went away: the server could not write the whole body (at most the cap and
        // what the loopback socket buffers hold)
        const { ended, written } = yield* Deferred.await(server.done)
        expect(ended).toBe(false)
        expect(written).toBeLessThan(32 * MiB)
      })
    ))
})
