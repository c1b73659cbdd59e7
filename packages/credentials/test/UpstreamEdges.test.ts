// The edges of the one upstream pipeline (src/internal/upstream.ts), through the public sources
// against the real emulator on 127.0.0.1, with the defaults as shipped unless an option is the
// point of the test: the time budget (a slow drip, a blackholed and a refused metadata address,
// the default chain moving on), the body cap, scrubbing of the request's secrets out of echoed
// service messages, escaping of control characters, validation of what shapes a request, and a
// transport other than Node's (FetchHttpClient).
import { Emulator, Fault, Hostile } from "@effect-alicloud/emulator"
import { FetchHttpClient, FileSystem, HttpClient, HttpClientError } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Duration, Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"
import { inspect } from "node:util"
import type { Credential } from "../src/Credential.js"
import { Credentials } from "../src/Credentials.js"
import type { CredentialsError } from "../src/CredentialsError.js"
import * as DefaultChain from "../src/DefaultChain.js"
import * as HttpTransport from "../src/HttpTransport.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as EcsRamRole from "../src/sources/EcsRamRole.js"
import * as Environment from "../src/sources/Environment.js"
import * as OidcRoleArn from "../src/sources/OidcRoleArn.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import * as Sts from "../src/sources/Sts.js"
import { accessKey, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const oidcProviderArn = "acs:ram::1234567890123456:oidc-provider/edges"
const rolesPath = "/latest/meta-data/ram/security-credentials/"

const ramRoleArn = (emulator: Emulator.EmulatorShape, options: Partial<RamRoleArn.Options<never>> = {}) =>
  RamRoleArn.make({
    source: AccessKey.make(accessKey),
    roleArn,
    stsEndpoint: emulator.stsUrl,
    roleSessionName: "edges",
    ...options
  })

/** The typed error of `effect`; a success or a defect fails the test. */
const failure = <A, R>(effect: Effect.Effect<A, CredentialsError, R>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
    const error = Cause.failureOption(exit.cause)
    if (Option.isNone(error)) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
    return error.value
  })

/** Every way an error is printed. */
const renderings = (error: CredentialsError): ReadonlyArray<string> => [
  error.message,
  String(error),
  JSON.stringify(error),
  inspect(error, { depth: 20 }),
  Cause.pretty(Cause.fail(error))
]

/** The forms in which a secret could come back from an echo: raw, percent-encoded (either case), base64. */
const leakForms = (secret: string): ReadonlyArray<string> => {
  const uri = encodeURIComponent(secret)
  const form = new URLSearchParams({ s: secret }).toString().slice(2)
  const base64 = Buffer.from(secret, "utf8").toString("base64")
  return [
    secret,
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    form,
    form.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    base64,
    base64.replace(/=+$/, ""),
    Buffer.from(secret, "utf8").toString("base64url")
  ]
}

const expectNoLeak = (error: CredentialsError, secrets: ReadonlyArray<string>) => {
  for (const text of renderings(error)) {
    for (const secret of secrets) {
      for (const form of leakForms(secret)) expect(text.includes(form), `${form} in ${text}`).toBe(false)
    }
  }
}

/** An HttpClient that records and refuses every request: for options that must send nothing. */
const guardClient = (sent: Array<string>) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => sent.push(request.url)).pipe(
        Effect.zipRight(
          Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              description: "guard: nothing may be sent"
            })
          )
        )
      )
    )
  )

const rss = () => process.memoryUsage().rss
const MB = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// 1. Time
// ---------------------------------------------------------------------------------------------

describe("time", () => {
  it.scoped("ram_role_arn, STS drips 16 bytes a second: a Timeout at 15 s of virtual time (the budget), one attempt, never later", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.slowDrip(16, "1 second"))
        const start = yield* Clock.currentTimeMillis
        const fiber = yield* ramRoleArn(emulator).pipe(Effect.flip, Effect.zip(Clock.currentTimeMillis), Effect.fork)
        yield* emulator.awaitRequests("sts", 1)
        for (let second = 1; second <= 15; second++) {
          yield* TestClock.adjust("1 second")
        }
        const [error, end] = yield* Fiber.join(fiber)
        expect(end - start).toBeLessThanOrEqual(15_000)
        expect(error._tag).toBe("Timeout")
        if (error._tag !== "Timeout") return
        // the per-exchange Clock deadline (connect + read = 15 s) and the budget (15 s) fall due together
        expect(["total", "budget"]).toContain(error.phase)
        expect(Duration.toMillis(error.after)).toBe(15_000)
        expect(error.tried?.attempts).toBe(1)
        expect(Duration.toMillis(error.tried!.elapsed)).toBeLessThanOrEqual(15_000)
        expect(error.message).toMatch(/\(1 attempt in 1[45]\.\d s\)/)
        expect((yield* emulator.counters("sts")).received).toBe(1)
      })
    ))

  it.live(
    "ecs_ram_role, metadata address blackholed (SYN dropped), defaults: a connect Timeout after about 1 s, one attempt, no IMDSv1 fallback",
    () =>
      Effect.gen(function*() {
        const url = yield* Hostile.blackhole
        const started = Date.now()
        const error = yield* failure(
          EcsRamRole.make({ metadataUrl: url }).pipe(Effect.provide(HttpTransport.layer()), withEnv({}))
        )
        const elapsed = Date.now() - started
        expect(error._tag).toBe("Timeout")
        if (error._tag !== "Timeout") return
        expect(error.phase).toBe("connect")
        expect(Duration.toMillis(error.after)).toBe(1000)
        // the token request, the first of a fetch: nothing was tried after it (no retry, no v1 GET)
        expect(error.endpoint).toBe(`${url}/latest/api/token`)
        expect(error.tried?.attempts).toBe(1)
        expect(error.message).toContain("(1 attempt in")
        expect(elapsed).toBeGreaterThanOrEqual(900)
        expect(elapsed).toBeLessThan(5000)
      }).pipe(Effect.scoped),
    15_000
  )

  it.scoped("ecs_ram_role, metadata address refused, defaults: a NetworkError at once, one attempt", () =>
    Effect.gen(function*() {
      const url = yield* Hostile.refused
      const error = yield* failure(
        EcsRamRole.make({ metadataUrl: url }).pipe(Effect.provide(HttpTransport.layer()), withEnv({}))
      )
      expect(error._tag).toBe("NetworkError")
      if (error._tag !== "NetworkError") return
      expect(error.detail).toContain("ECONNREFUSED")
      expect(error.tried?.attempts).toBe(1)
      expect(Duration.toMillis(error.tried!.elapsed)).toBe(0)
    }))

  it.live(
    "the default chain, metadata address blackholed: moves on to credentials_uri (defaults as shipped)",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const home = yield* fs.makeTempDirectoryScoped()
        const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
        const metadataUrl = yield* Hostile.blackhole
        const started = Date.now()
        const credential = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(DefaultChain.layer({ metadataUrl, stsEndpoint: emulator.stsUrl })),
          Effect.provide(HttpTransport.layerNode()),
          withEnv({ HOME: home, ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri })
        )
        const elapsed = Date.now() - started
        expect(credential.providerName).toBe("default/credentials_uri")
        expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(1)
        // about 1.2 s (the 1 s connect timeout); a loose bound, robust under load
        expect(elapsed).toBeLessThan(5000)
      }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)),
    15_000
  )
})

// ---------------------------------------------------------------------------------------------
// 2. Size
// ---------------------------------------------------------------------------------------------

describe("size", () => {
  const bigBodies: ReadonlyArray<readonly [string, Fault.Fault]> = [
    ["a 100 MB body", Fault.hugeBody(100 * MB)],
    ["an endless body", Fault.endlessBody]
  ]
  for (const [name, fault] of bigBodies) {
    it.scoped(`credentials_uri, ${name}: MalformedResponse naming the 1 MiB cap, memory bounded`, () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          yield* emulator.setFault("credentials-uri", fault)
          const before = rss()
          const error = yield* failure(CredentialsUri.make({ credentialsUri: emulator.credentialsUri }))
          const grown = rss() - before
          expect(error._tag).toBe("MalformedResponse")
          expect(error.message).toContain("larger than 1 MiB (maxBodyBytes)")
          expect(grown).toBeLessThan(50 * MB)
          expect((yield* emulator.counters("credentials-uri")).received).toBe(1)
        })
      ))

    it.scoped(`ram_role_arn, ${name}: MalformedResponse naming the 1 MiB cap, memory bounded`, () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          yield* emulator.setFault("sts", fault)
          const before = rss()
          const error = yield* failure(ramRoleArn(emulator))
          const grown = rss() - before
          expect(error._tag).toBe("MalformedResponse")
          expect(error.message).toContain("larger than 1 MiB (maxBodyBytes)")
          expect(grown).toBeLessThan(50 * MB)
          expect((yield* emulator.counters("sts")).received).toBe(1)
        })
      ))
  }

  // A real STS answer is about 1.5 KB (its SecurityToken alone is about 1 KB); the emulator's is
  // shorter, so the realistic one is served as a raw body.
  const realisticStsAnswer = JSON.stringify({
    RequestId: "6894B13B-6D71-4EF5-88FA-F32781734A7F",
    AssumedRoleUser: {
      Arn: "acs:ram::1234567890123456:role/test-role/edges",
      AssumedRoleId: "344584339364951186:edges"
    },
    Credentials: {
      AccessKeyId: "STS.NUgYrLnoC37mZZCNnAbez2xxx",
      AccessKeySecret: "CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWFTJAyBEv2xxx",
      SecurityToken: `CAISzwJ1q6Ft5B2yfSjIr5${"a".repeat(1100)}`,
      Expiration: "2024-01-01T01:00:00Z"
    }
  })

  it.scoped("maxBodyBytes: 512 refuses a normal STS answer (about 1.5 KB), naming the cap", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        expect(realisticStsAnswer.length).toBeGreaterThan(1400)
        yield* emulator.setFault("sts", Fault.rawBody(200, realisticStsAnswer))
        const error = yield* failure(ramRoleArn(emulator, { maxBodyBytes: 512 }))
        expect(error._tag).toBe("MalformedResponse")
        expect(error.message).toContain("larger than 512 bytes (maxBodyBytes)")
        // the same answer without the option is a credential
        const credential = yield* ramRoleArn(emulator)
        expect(credential.accessKeyId).toBe("STS.NUgYrLnoC37mZZCNnAbez2xxx")
        // and the emulator's own (shorter) answer under a smaller cap
        yield* emulator.clearFaults
        const small = yield* failure(ramRoleArn(emulator, { maxBodyBytes: 128 }))
        expect(small.message).toContain("larger than 128 bytes (maxBodyBytes)")
      })
    ))

  for (const bad of [0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    it.scoped(`maxBodyBytes: ${bad} is an InvalidConfiguration, and nothing is sent`, () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          for (
            const source of [
              ramRoleArn(emulator, { maxBodyBytes: bad }),
              CredentialsUri.make({ credentialsUri: emulator.credentialsUri, maxBodyBytes: bad })
            ]
          ) {
            const error = yield* failure(source)
            expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "maxBodyBytes" })
          }
          expect((yield* emulator.counters("sts")).received).toBe(0)
          expect((yield* emulator.counters("credentials-uri")).received).toBe(0)
        })
      ))
  }
})

// ---------------------------------------------------------------------------------------------
// 3. Scrubbing and escaping
// ---------------------------------------------------------------------------------------------

describe("scrubbing", () => {
  // + / = are the characters whose percent-encoded and base64 forms differ most from the raw one.
  const stsToken = "SECRET-sts+tok/en=="
  const stsKey = {
    accessKeyId: "STS.edges-key-0001",
    accessKeySecret: "SECRET-sts-secret-edges",
    securityToken: stsToken
  }

  it.scoped("ram_role_arn signed with an STS token holding + / =: the echoed request leaves no form of the token in the error", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.echoRequest(400))
        const error = yield* failure(ramRoleArn(emulator, { source: Sts.make(stsKey) }))
        expect(error._tag).toBe("UpstreamError")
        // the echo reached the message, with the token cut out
        expect(error.message).toContain("EchoedRequest")
        expect(error.message).toContain("SecurityToken=<redacted>")
        expectNoLeak(error, [stsToken, stsKey.accessKeySecret])
        // the emulator did receive the token (so the echo held it)
        const sent = yield* emulator.lastRequest("sts")
        expect(Option.getOrThrow(sent).params["SecurityToken"]).toBe(stsToken)
      })
    ))

  it.scoped("credentials_uri with ?token= (percent-encoded + / =) in the URI: the echo leaves no form of it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const token = "SECRET-uri+tok/en=="
        yield* emulator.setFault("credentials-uri", Fault.echoRequest(400))
        const error = yield* failure(
          CredentialsUri.make({ credentialsUri: `${emulator.credentialsUri}?token=${encodeURIComponent(token)}` })
        )
        expect(error._tag).toBe("UpstreamError")
        expect(error.message).toContain("EchoedRequest")
        expect(error.message).toContain("<redacted>")
        expectNoLeak(error, [token])
        expect(Option.getOrThrow(yield* emulator.lastRequest("credentials-uri")).query["token"]).toBe(token)
      })
    ))

  // A literal + in a query means a space once decoded ("SECRET-uri tok/en=="): the request is sent
  // with the query re-encoded from its decoded values, so the echo holds a form the scrubber knows.
  it.scoped("credentials_uri with ?token= written with a literal + / = in the URI: the echo leaves no form of it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const rawToken = "SECRET-uri+tok/en=="
        yield* emulator.setFault("credentials-uri", Fault.echoRequest(400))
        const error = yield* failure(
          CredentialsUri.make({ credentialsUri: `${emulator.credentialsUri}?token=${rawToken}` })
        )
        expect(error._tag).toBe("UpstreamError")
        expect(error.message).toContain("token=<redacted>")
        expectNoLeak(error, [rawToken, "SECRET-uri tok/en=="])
      })
    ))

  it.scoped("oidc_role_arn: the OIDC token (+ / =) echoed from the form body leaves no form of it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const oidcToken = "SECRET-oidc+tok/en=="
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        yield* fs.writeFileString(`${dir}/token`, oidcToken)
        yield* emulator.setFault("sts", Fault.echoRequest(400))
        const error = yield* failure(
          OidcRoleArn.make({
            roleArn,
            oidcProviderArn,
            oidcTokenFilePath: `${dir}/token`,
            stsEndpoint: emulator.stsUrl,
            roleSessionName: "edges"
          })
        )
        expect(error._tag).toBe("UpstreamError")
        expect(error.message).toContain("OIDCToken=<redacted>")
        expectNoLeak(error, [oidcToken])
        expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).params["OIDCToken"]).toBe(oidcToken)
      })
    ).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a service Message with control characters (ESC, CR LF, NUL) comes out escaped", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const body = JSON.stringify({
          Code: "X\u0007",
          Message: "a\u001b[31mb\r\nc\u0000d",
          RequestId: "r\u001b]0;t\u0007"
        })
        for (
          const [endpoint, source] of [["sts", ramRoleArn(emulator)], [
            "credentials-uri",
            CredentialsUri.make({ credentialsUri: emulator.credentialsUri })
          ]] as const
        ) {
          yield* emulator.setFault(endpoint, Fault.rawBody(400, body))
          const error = yield* failure(source)
          expect(error._tag).toBe("UpstreamError")
          for (const text of [error.message, String(error)]) {
            expect(text).not.toMatch(/\p{Cc}/u)
          }
          expect(error.message).toContain("a\\u001b[31mb\\u000d\\u000ac\\u0000d")
          expect(error.message).toContain("X\\u0007")
          yield* emulator.clearFaults
        }
      })
    ))
})

// ---------------------------------------------------------------------------------------------
// 5. Validation of what shapes a request
// ---------------------------------------------------------------------------------------------

describe("validation", () => {
  const guarded = <A>(effect: Effect.Effect<A, CredentialsError, HttpClient.HttpClient>) =>
    Effect.gen(function*() {
      const sent: Array<string> = []
      const error = yield* failure(effect.pipe(Effect.provide(guardClient(sent)), withEnv({})))
      expect(sent).toEqual([])
      return error
    })

  // An empty stsRegionId is "not set", as in the official tool (test/ConfigModel.test.ts).
  for (const region of ["cn-hangzhou/../x", "CN HANGZHOU", "cn-hangzhou.evil.example#"]) {
    it.effect(`stsRegionId ${JSON.stringify(region)}: InvalidConfiguration naming the region, nothing sent`, () =>
      Effect.gen(function*() {
        const error = yield* guarded(
          RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsRegionId: region })
        )
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "stsRegionId" })
        expect(error.message).not.toContain(region)
      }))
  }

  it.effect("ALIBABA_CLOUD_STS_REGION \"CN HANGZHOU\": InvalidConfiguration naming the variable, nothing sent", () =>
    Effect.gen(function*() {
      const sent: Array<string> = []
      const error = yield* failure(
        RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn }).pipe(
          Effect.provide(guardClient(sent)),
          withEnv({ ALIBABA_CLOUD_STS_REGION: "CN HANGZHOU" })
        )
      )
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "ALIBABA_CLOUD_STS_REGION" })
      expect(sent).toEqual([])
    }))

  it.effect("oauthBaseUrl ftp://x: InvalidConfiguration (not a NetworkError), nothing sent", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(
        `${dir}/config.json`,
        JSON.stringify({
          current: "o",
          profiles: [{
            name: "o",
            mode: "OAuth",
            oauth_site_type: "CN",
            oauth_refresh_token: "r",
            oauth_access_token_expire: 0
          }]
        })
      )
      const error = yield* guarded(
        CliProfile.make({ path: `${dir}/config.json`, oauthBaseUrl: "ftp://x" }).pipe(Effect.provide(NodeContext.layer))
      )
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "oauthBaseUrl" })
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  for (const endpoint of ["ftp://x", "file:///etc/passwd", "javascript:alert(1)", "http://"]) {
    it.effect(`stsEndpoint ${endpoint}: InvalidConfiguration (not a NetworkError), nothing sent`, () =>
      Effect.gen(function*() {
        for (
          const source of [
            RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsEndpoint: endpoint }),
            OidcRoleArn.make({
              roleArn,
              oidcProviderArn,
              oidcTokenFilePath: "/nonexistent/token",
              stsEndpoint: endpoint
            })
          ]
        ) {
          const error = yield* guarded(source.pipe(Effect.provide(NodeContext.layer)))
          expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "stsEndpoint" })
        }
      }))
  }

  for (const uri of ["file:///x", "ftp://127.0.0.1/credentials", "127.0.0.1:8080/credentials"]) {
    it.effect(`credentialsUri ${uri}: InvalidConfiguration, nothing sent`, () =>
      Effect.gen(function*() {
        const error = yield* guarded(CredentialsUri.make({ credentialsUri: uri }))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "credentialsUri" })
      }))
  }

  for (const roleName of ["../../latest/api/token", "a/b?c", "x#y", "%2e%2e"]) {
    it.scoped(`ecs_ram_role roleName ${JSON.stringify(roleName)} is one encoded path segment: a 404 for that role, no other endpoint`, () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          const error = yield* failure(EcsRamRole.make({ metadataUrl: emulator.metadataUrl, roleName }))
          expect(error).toMatchObject({ _tag: "UpstreamError", status: 404 })
          const requests = yield* emulator.requests("metadata-credentials")
          // with the token, then once without it (IMDSv1): both at the one encoded segment
          expect(requests.length).toBeGreaterThanOrEqual(1)
          for (const request of requests) expect(request.path).toBe(`${rolesPath}${encodeURIComponent(roleName)}`)
          expect((yield* emulator.counters("metadata-token")).received).toBe(1)
          expect((yield* emulator.counters("metadata-role")).received).toBe(0)
        })
      ))
  }

  it.effect("AccessKey and Sts with whitespace-only fields: InvalidConfiguration \"empty\"", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, Effect.Effect<Credential, CredentialsError>]> = [
        ["accessKeyId", AccessKey.make({ accessKeyId: "   ", accessKeySecret: "s" })],
        ["accessKeySecret", AccessKey.make({ accessKeyId: "LTAI", accessKeySecret: " \t\n " })],
        ["accessKeyId", Sts.make({ accessKeyId: "   ", accessKeySecret: "s", securityToken: "t" })],
        ["accessKeySecret", Sts.make({ accessKeyId: "STS.x", accessKeySecret: "   ", securityToken: "t" })],
        ["securityToken", Sts.make({ accessKeyId: "STS.x", accessKeySecret: "s", securityToken: "   " })]
      ]
      for (const [field, source] of cases) {
        const error = yield* failure(source)
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field })
        expect(error.message).toContain("empty")
      }
    }))

  it.effect("env ALIBABA_CLOUD_ACCESS_KEY_ID of spaces: the env source is NotConfigured", () =>
    Effect.gen(function*() {
      const error = yield* failure(
        Environment.make().pipe(withEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: "   ", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s" }))
      )
      expect(error._tag).toBe("NotConfigured")
    }))
})

// ---------------------------------------------------------------------------------------------
// 6. Any HttpClient
// ---------------------------------------------------------------------------------------------

describe("over FetchHttpClient (not the Node transport)", () => {
  const withFetch = <A, E, R>(body: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 0, 1))
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      return yield* body(emulator).pipe(Effect.provide(FetchHttpClient.layer))
    }).pipe(withEnv({}))

  it.scoped("ram_role_arn and credentials_uri succeed", () =>
    withFetch((emulator) =>
      Effect.gen(function*() {
        expect((yield* ramRoleArn(emulator)).providerName).toBe("ram_role_arn/static_ak")
        expect((yield* CredentialsUri.make({ credentialsUri: emulator.credentialsUri })).providerName).toBe(
          "credentials_uri"
        )
        expect((yield* emulator.counters("sts")).succeeded).toBe(1)
        expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(1)
      })
    ))

  it.scoped("a hang is bounded by the Clock deadline (15 s under TestClock), one request", () =>
    withFetch((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("credentials-uri", Fault.hang)
        const start = yield* Clock.currentTimeMillis
        const fiber = yield* CredentialsUri.make({ credentialsUri: emulator.credentialsUri }).pipe(
          Effect.flip,
          Effect.zip(Clock.currentTimeMillis),
          Effect.fork
        )
        yield* emulator.awaitRequests("credentials-uri", 1)
        yield* TestClock.adjust("15 seconds")
        const [error, end] = yield* Fiber.join(fiber)
        expect(end - start).toBeLessThanOrEqual(15_000)
        expect(error._tag).toBe("Timeout")
        if (error._tag !== "Timeout") return
        expect(["total", "budget"]).toContain(error.phase)
        expect(error.tried?.attempts).toBe(1)
        expect((yield* emulator.counters("credentials-uri")).received).toBe(1)
      })
    ))
})

describe("trace headers", () => {
  it.scoped("upstream requests carry no trace headers, even inside a traced program", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsEndpoint: emulator.stsUrl }).pipe(
          Effect.withSpan("the user's own span")
        )
        const [request] = yield* emulator.requests("sts")
        expect(request).toBeDefined()
        expect(Object.keys(request!.headers)).not.toContain("traceparent")
        expect(Object.keys(request!.headers)).not.toContain("b3")
      })
    ))

  it.scoped("tracePropagation: true sends them (traceparent, b3), in the caller's trace", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const span = yield* Effect.makeSpan("the user's own span")
        yield* RamRoleArn.make({
          source: AccessKey.make(accessKey),
          roleArn,
          stsEndpoint: emulator.stsUrl,
          tracePropagation: true
        }).pipe(
          Effect.withParentSpan(span)
        )
        const [request] = yield* emulator.requests("sts")
        expect(request!.headers["traceparent"]).toMatch(new RegExp(`^00-${span.traceId}-[0-9a-f]{16}-0[01]$`))
        expect(request!.headers["b3"]).toContain(span.traceId)
      })
    ))
})
