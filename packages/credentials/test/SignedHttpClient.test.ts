// The signing middleware end to end: the emulator (on 127.0.0.1, on the TestClock) verifies every
// signed call; a revoked session, a skewed clock, replays, bodies, and what the spans record.
import { type Emulator, Fault } from "@effect-alicloud/emulator"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel, Redacted, Stream, type Tracer } from "effect"
import { AccessKey, Credentials, RamRoleArn } from "../src/index.js"
import * as SignedHttpClient from "../src/SignedHttpClient.js"
import { recording } from "./recordingTracer.js"
import { accessKey, roleArn, withEmulator } from "./withEmulator.js"

const longTerm = Credentials.layer(AccessKey.make(accessKey))
const session = (emulator: Emulator.EmulatorShape) =>
  Credentials.layer(RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsEndpoint: emulator.stsUrl }))

const call = (client: SignedHttpClient.Client, request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(
    client.execute(request),
    (response) =>
      Effect.map(response.json, (body) => ({ status: response.status, body: body as Record<string, unknown> }))
  )

const getCallerIdentity = (emulator: Emulator.EmulatorShape) =>
  HttpClientRequest.post(emulator.stsUrl).pipe(SignedHttpClient.action("GetCallerIdentity", "2015-04-01"))

const ping = (emulator: Emulator.EmulatorShape) =>
  HttpClientRequest.post(emulator.apiUrl).pipe(SignedHttpClient.action("Ping", "2024-01-01"))

const describeRegions = (emulator: Emulator.EmulatorShape) =>
  HttpClientRequest.post(emulator.apiUrl).pipe(
    SignedHttpClient.action("DescribeRegions", "2014-05-26"),
    HttpClientRequest.bodyUrlParams({ RegionId: "cn-hangzhou", "Tag.1.Key": "a b+c*", Note: "雲 ~!'()" })
  )

describe("SignedHttpClient against the emulator", () => {
  it.scoped("ACS3 GetCallerIdentity and ACS3 calls with JSON, binary and streamed (known length) bodies", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const client = yield* SignedHttpClient.make()
        const identity = yield* call(client, getCallerIdentity(emulator))
        expect(identity).toMatchObject({ status: 200, body: { IdentityType: "RAMUser" } })
        const api = (body: HttpBody.HttpBody) =>
          call(
            client,
            HttpClientRequest.put(`${emulator.apiUrl}/buckets/a b/o*~`).pipe(
              SignedHttpClient.action("PutThing", "2024-01-01"),
              HttpClientRequest.setUrlParams({ "x y": "1+1=2", empty: "", uni: "雲" }),
              HttpClientRequest.setHeader("X-Acs-Meta-Odd", "  spaced   value "),
              HttpClientRequest.setBody(body)
            )
          )
        expect(yield* api(HttpBody.unsafeJson({ a: [1, "é"] }))).toMatchObject({ status: 200 })
        const bytes = new Uint8Array([0, 0xff, 0x80, 0xc3, 0x28])
        expect(yield* api(HttpBody.uint8Array(bytes))).toMatchObject({ status: 200, body: { BodyBytes: 5 } })
        expect(yield* api(HttpBody.stream(Stream.make(bytes, bytes), "application/octet-stream", 10)))
          .toMatchObject({ status: 200, body: { BodyBytes: 10 } })
      }).pipe(Effect.provide(longTerm))
    ))

  it.scoped("RPC with a form body, and SM3", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const rpc = yield* SignedHttpClient.make({ algorithm: "RPC" })
        expect(yield* call(rpc, describeRegions(emulator))).toMatchObject({
          status: 200,
          body: { Action: "DescribeRegions" }
        })
        const [request] = yield* emulator.requests("api")
        expect(request!.signatureAlgorithm).toBe("HMAC-SHA1")
        const sm3 = yield* SignedHttpClient.make({ algorithm: "ACS3-HMAC-SM3" })
        expect(yield* call(sm3, getCallerIdentity(emulator))).toMatchObject({ status: 200 })
      }).pipe(Effect.provide(longTerm))
    ))

  it.scoped("a revoked session costs one AssumeRole and one retry", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const client = yield* SignedHttpClient.make({ algorithm: "RPC" })
        expect((yield* call(client, describeRegions(emulator))).status).toBe(200)
        const refused = (yield* (yield* Credentials).get).accessKeyId
        expect(yield* emulator.revoke(refused)).toBe(true)
        expect((yield* call(client, describeRegions(emulator))).status).toBe(200)
        expect((yield* emulator.counters("sts")).succeeded).toBe(2)
        const calls = yield* emulator.requests("api")
        expect(calls.length).toBe(3)
        expect(calls.map((r) => r.query["AccessKeyId"])).toEqual([refused, refused, expect.not.stringMatching(refused)])
      }).pipe(Effect.provide(session(emulator)))
    ))

  it.scoped("a 20-minute skew is corrected after one refused call, and stays corrected", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const client = yield* SignedHttpClient.make()
        yield* emulator.setClockSkew("20 minutes")
        const request = ping(emulator)
        expect((yield* call(client, request)).status).toBe(200)
        expect((yield* emulator.counters("api")).failed).toBe(1)
        expect((yield* call(client, request)).status).toBe(200)
        const counters = yield* emulator.counters("api")
        expect([counters.received, counters.failed]).toEqual([3, 1])
      }).pipe(Effect.provide(longTerm))
    ))

  it.scoped("a new nonce for every attempt: no replay, retries included", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const [client, request] = [yield* SignedHttpClient.make(), ping(emulator)]
        yield* Effect.all(Array.from({ length: 8 }, () => call(client, request)), { concurrency: 4 })
        yield* emulator.setClockSkew("20 minutes", "behind")
        yield* call(client, request)
        const nonces = (yield* emulator.requests("api")).map((r) => r.headers["x-acs-signature-nonce"])
        expect(nonces.length).toBe(10)
        expect(new Set(nonces).size).toBe(10)
        expect((yield* emulator.counters("api")).failed).toBe(1)
      }).pipe(Effect.provide(longTerm))
    ))

  it.scoped("typed refusals: a stream of unknown length, a repeated parameter, no action", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const [client, base] = [yield* SignedHttpClient.make(), ping(emulator)]
        const stream = yield* Effect.flip(client.execute(base.pipe(
          HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1])))
        )))
        expect(stream).toMatchObject({ _tag: "SigningError", reason: "UnsupportedBody" })
        expect(stream.message).toMatch(/unknown length/)
        // a stream that does not hold what its length says is refused, never signed or sent
        const claimed = (bytes: number, contentLength: number) =>
          Effect.flip(client.execute(base.pipe(
            HttpClientRequest.bodyStream(Stream.make(new Uint8Array(bytes)), { contentLength })
          )))
        expect((yield* claimed(4, 3)).message).toMatch(/longer than its contentLength \(3 bytes\)/)
        expect((yield* claimed(2, 3)).message).toMatch(/shorter \(2 bytes\) than its contentLength \(3\)/)
        const repeated = yield* Effect.flip(client.execute(base.pipe(
          HttpClientRequest.appendUrlParam("Id", "1"),
          HttpClientRequest.appendUrlParam("Id", "2")
        )))
        expect(repeated.message).toMatch(/Id\.1, Id\.2/)
        const unnamed = yield* Effect.flip(client.execute(HttpClientRequest.post(emulator.apiUrl)))
        expect(unnamed).toMatchObject({ _tag: "SigningError", reason: "MissingAction" })
        expect((yield* emulator.counters("api")).received).toBe(0)
      }).pipe(Effect.provide(longTerm))
    ))

  it.scoped("no secret in the spans, the logs or the errors, across a refused session and a skew", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { spans, tracer } = yield* recording
        // Every log line at every level, rendered as logfmt and JSON
        const logged: Array<string> = []
        const capture = <A>(logger: Logger.Logger<unknown, A>) =>
          Logger.map(logger, (line) => {
            logged.push(String(line))
            return line
          })
        const logging = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          effect.pipe(
            Effect.withTracer(tracer),
            Effect.provide(Logger.replace(
              Logger.defaultLogger,
              Logger.zip(capture(Logger.logfmtLogger), capture(Logger.jsonLogger))
            )),
            Logger.withMinimumLogLevel(LogLevel.All)
          )
        const rpc = yield* SignedHttpClient.make({ algorithm: "RPC" })
        const acs3 = yield* SignedHttpClient.make()
        const credentials = yield* Credentials
        const first = yield* credentials.get
        yield* emulator.revoke(first.accessKeyId)
        yield* emulator.setClockSkew("20 minutes")
        yield* logging(call(rpc, describeRegions(emulator)))
        yield* logging(call(acs3, getCallerIdentity(emulator)))
        const error = yield* Effect.flip(logging(rpc.execute(HttpClientRequest.post(emulator.apiUrl))))
        const second = yield* credentials.get
        const secrets = [first, second].flatMap((c) => [
          Redacted.value(c.accessKeySecret),
          Redacted.value(c.securityToken!)
        ])
        const signatures = (yield* emulator.requests("api")).map((r) => r.query["Signature"]!).filter(Boolean)
        expect(signatures.length).toBeGreaterThan(0)
        const recorded = JSON.stringify(
          spans.map((s: Tracer.Span) => ({ name: s.name, attributes: Object.fromEntries(s.attributes) }))
        )
        expect(recorded).toContain("SignedHttpClient.execute")
        expect(recorded).toContain("DescribeRegions")
        expect(logged.join("\n")).toContain("clock corrected")
        expect(logged.join("\n")).toContain("InvalidSecurityToken.Expired")
        const rendered = [recorded, ...logged, String(error), JSON.stringify(error), error.message].join("\n")
        for (const secret of [...secrets, ...signatures]) {
          expect(rendered).not.toContain(secret)
          expect(rendered).not.toContain(encodeURIComponent(secret))
        }
      }).pipe(Effect.provide(session(emulator)))
    ))
})

// Layer form: the tag, over the context's client and credentials.
describe("SignedHttpClient: a transport error names the caller's request", () => {
  it.scoped("RPC and ACS3 to a closed loopback port: no security token, no signature in the error", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credential = yield* (yield* Credentials).get
        const token = Redacted.value(credential.securityToken!)
        const closed = HttpClientRequest.post("http://127.0.0.1:9/").pipe(SignedHttpClient.action("Ping", "2024-01-01"))
        for (const client of [yield* SignedHttpClient.make({ algorithm: "RPC" }), yield* SignedHttpClient.make()]) {
          const error = yield* Effect.flip(client.execute(closed))
          expect(error._tag).toBe("RequestError")
          const rendered = [String(error), JSON.stringify(error), error.message].join("\n")
          for (const secret of [token, encodeURIComponent(token), "Signature=", "SecurityToken="]) {
            expect(rendered).not.toContain(secret)
          }
        }
      }).pipe(Effect.provide(session(emulator)))
    ))
})

describe("SignedHttpClient: a service code is a dotted name", () => {
  it.scoped("a Code with control characters is no code: no refresh, no retry, nothing of it logged", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const logged: Array<string> = []
        const capture = Logger.map(Logger.logfmtLogger, (line) => {
          logged.push(String(line))
          return line
        })
        const client = yield* SignedHttpClient.make()
        yield* emulator.setFault("api", Fault.httpError(401, "InvalidSecurityToken.Expired\u001b[2J"), { times: 1 })
        const response = yield* client.execute(ping(emulator)).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
          Logger.withMinimumLogLevel(LogLevel.All)
        )
        expect(response.status).toBe(401)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        expect(logged.join("\n")).not.toContain("\u001b")
      }).pipe(Effect.provide(session(emulator)))
    ))
})

describe("SignedHttpClient.layer", () => {
  it.scoped("provides the signed client under its tag", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const client = yield* SignedHttpClient.SignedHttpClient
        expect((yield* call(client, getCallerIdentity(emulator))).status).toBe(200)
      }).pipe(Effect.provide(SignedHttpClient.layer().pipe(Layer.provideMerge(longTerm))))
    ))
})
