// Decoding that cannot die: random and adversarial bodies through the REAL HTTP path (the emulator's
// `rawBody(200, body)` on each endpoint, the undici transport, the upstream pipeline, each source's
// decoder), with the defaults as shipped. Every run ends in a credential or a typed CredentialsError
// (a Fail with a known _tag), never a defect nor an interruption, and no raw control character
// reaches the error's message.
//
// Bodies: deep nesting ([ x 200,000, {"a": x 50,000), huge numbers (1e999, 400 digits), lone
// surrogates and U+FFFD, control characters, BOMs, valid JSON of the wrong types, credential
// shapes with absurd values (Expiration "+275760-09-13T00:00:00Z", "9999-99-99"...), random text.
// The emulator's rawBody takes a string, which the server encodes as UTF-8: a lone surrogate goes
// out as U+FFFD (EF BF BD), so invalid UTF-8 *bytes* cannot travel that way; a last test sends
// such bytes from a plain loopback server instead.
//
// Seeds are fixed (deterministic CI); numRuns is bounded so the file runs in seconds.
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, type Scope, TestClock } from "effect"
import * as fc from "effect/FastCheck"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { Credential } from "../../src/Credential.js"
import { Credentials } from "../../src/Credentials.js"
import { type CredentialsError, isCredentialsError } from "../../src/CredentialsError.js"
import * as DefaultChain from "../../src/DefaultChain.js"
import * as HttpTransport from "../../src/HttpTransport.js"
import * as AccessKey from "../../src/sources/AccessKey.js"
import * as CliProfile from "../../src/sources/CliProfile.js"
import * as CredentialsUri from "../../src/sources/CredentialsUri.js"
import * as EcsRamRole from "../../src/sources/EcsRamRole.js"
import * as RamRoleArn from "../../src/sources/RamRoleArn.js"
import { accessKey, roleArn, withEnv } from "../withEmulator.js"

const SEED = 20240101
const T0 = Date.UTC(2024, 0, 1)
const numRuns = 30
const ssoToken = "sso-token-for-the-bodies"
const oauthRefreshToken = "oauth-refresh-for-the-bodies"

// ---------------------------------------------------------------------------------------------
// The bodies
// ---------------------------------------------------------------------------------------------

// A value whose JSON text is spliced in raw: numbers JSON.stringify cannot write (1e999, 400 digits).
const RAW = "\u0000raw\u0000"
const raw = (text: string) => `${RAW}${text}${RAW}`
const render = (value: unknown): string =>
  JSON.stringify(value).replace(
    new RegExp(`"${JSON.stringify(RAW).slice(1, -1)}(.*?)${JSON.stringify(RAW).slice(1, -1)}"`, "g"),
    "$1"
  )

const absurdDates = fc.constantFrom(
  "+275760-09-13T00:00:00Z",
  "+275760-09-13T00:00:00.001Z",
  "-271821-04-20T00:00:00Z",
  "9999-99-99",
  "9999-12-31T23:59:59Z",
  "0000-00-00T00:00:00Z",
  "2024-02-30T00:00:00Z",
  "2024-01-01T00:00:00Z", // the test clock's now: expired on arrival
  "2023-12-31T23:59:59Z",
  "2100-01-01T00:00:00Z",
  "2024-01-01T01:00:00+99:99",
  "1e999",
  "",
  " ",
  "NaN",
  "Infinity"
)

const weirdStrings = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }), // any code point, lone surrogates included
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\u001b[31mred\u001b[0m",
    "a\r\nb",
    "\ud800",
    "\udfff",
    "\ufffd",
    "\ufeff",
    "\u2028",
    "Success",
    "null"
  )
)

const weirdValues: fc.Arbitrary<unknown> = fc.oneof(
  weirdStrings,
  absurdDates,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    raw("1e999"),
    raw("-1e999"),
    raw("9".repeat(400)),
    raw("-0"),
    raw("1E+308"),
    raw("0.".concat("0".repeat(400), "1"))
  ),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 })
)

/** A field of a credential shape: usually plausible, sometimes absurd, sometimes missing. */
const field = (plausible: unknown): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: fc.constant(plausible), weight: 6 }, { arbitrary: weirdValues, weight: 2 }, {
    arbitrary: fc.constant(undefined),
    weight: 1
  })

const credentialFields = fc.record({
  AccessKeyId: field("STS.body-test"),
  AccessKeySecret: field("body-test-secret"),
  SecurityToken: field("body-test-token"),
  Expiration: fc.oneof(absurdDates, field("2024-01-01T06:00:00Z"), fc.constant("2024-01-01T06:00:00Z"))
})

type Endpoint = "sts" | "credentials-uri" | "metadata-credentials" | "cloud-sso" | "oauth-token"

/** A body shaped like the endpoint's answer, with absurd values. */
const shaped = (endpoint: Endpoint): fc.Arbitrary<string> => {
  switch (endpoint) {
    case "sts":
      return fc.record({ RequestId: field("r-1"), Credentials: fc.oneof(credentialFields, weirdValues) }).map(render)
    case "credentials-uri":
    case "metadata-credentials":
      return fc.tuple(field("Success"), credentialFields).map(([Code, fields]) => render({ Code, ...fields }))
    case "cloud-sso":
      return fc.record({ RequestId: field("r-1"), CloudCredential: fc.oneof(credentialFields, weirdValues) }).map(
        render
      )
    case "oauth-token":
      return fc.record({
        access_token: field("oauth-access-for-the-bodies"),
        refresh_token: field("oauth-refresh-rotated"),
        expires_in: field(3600),
        token_type: field("Bearer")
      }).map(render)
  }
}

const depth = 200_000
const adversarial = fc.constantFrom(
  "[".repeat(depth),
  "[".repeat(depth / 2) + "]".repeat(depth / 2),
  "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000),
  "{\"a\":".repeat(50_000),
  `{"Credentials":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
  `{"Code":"Success","AccessKeyId":${"{\"a\":".repeat(1000)}1${"}".repeat(1000)}}`,
  "1e999",
  "-1e999",
  "9".repeat(400),
  `{"Code":"Success","AccessKeyId":1e999,"AccessKeySecret":${"9".repeat(400)},"SecurityToken":-0,"Expiration":1e999}`,
  `{"Credentials":{"AccessKeyId":"a","AccessKeySecret":"b","SecurityToken":"c","Expiration":${"9".repeat(400)}}}`,
  "",
  " ",
  "null",
  "true",
  "\"\"",
  "[]",
  "{}",
  "\ufeff{}",
  "\ud800",
  "{\"Code\":\"\ud800\"}",
  "\ufffd\ufffd",
  "\u0000",
  "{\"Code\":\"Success\u0000\"}",
  "{\"__proto__\":{\"Code\":\"Success\"},\"constructor\":{\"prototype\":{\"x\":1}}}",
  "{\"Code\":\"Success\",\"Code\":\"Failed\"}",
  "<!DOCTYPE html><html><body>502</body></html>",
  "\u001b[2J\u001b[H{\"Code\":\"\u001b]0;pwned\u0007\"}"
)

const bodies = (endpoint: Endpoint): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: adversarial, weight: 3 },
    { arbitrary: shaped(endpoint), weight: 4 },
    { arbitrary: fc.string({ unit: "binary", maxLength: 200 }), weight: 1 },
    { arbitrary: fc.json({ maxDepth: 4 }), weight: 1 }
  )

// ---------------------------------------------------------------------------------------------
// The endpoints and their sources
// ---------------------------------------------------------------------------------------------

/** A fresh emulator at T0 (on the run's TestClock), in an empty environment. */
const emulator = Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  return yield* Emulator.make({
    accessKeys: [accessKey],
    cloudSsoTokens: [{ accessToken: ssoToken, accountId: "123", accessConfigurationId: "ac-1" }],
    oauthRefreshTokens: [{ refreshToken: oauthRefreshToken }]
  })
})

const writeConfig = (profile: Record<string, unknown>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.writeFileString(`${dir}/config.json`, JSON.stringify({ current: profile.name, profiles: [profile] }))
    return `${dir}/config.json`
  }).pipe(Effect.orDie) // test setup: a failure here is the test's own

type Run = (emulator: Emulator.EmulatorShape) => Effect.Effect<Credential, CredentialsError, Scope.Scope>

const endpoints: ReadonlyArray<readonly [Endpoint, string, Run]> = [
  [
    "sts",
    "ram_role_arn",
    (e) =>
      RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsEndpoint: e.stsUrl, roleSessionName: "bodies" })
        .pipe(
          Effect.provide(HttpTransport.layer())
        )
  ],
  [
    "credentials-uri",
    "credentials_uri",
    (e) => CredentialsUri.make({ credentialsUri: e.credentialsUri }).pipe(Effect.provide(HttpTransport.layer()))
  ],
  [
    "metadata-credentials",
    "ecs_ram_role",
    (e) => EcsRamRole.make({ metadataUrl: e.metadataUrl }).pipe(Effect.provide(HttpTransport.layer()))
  ],
  [
    "cloud-sso",
    "cli_profile (CloudSSO)",
    (e) =>
      Effect.gen(function*() {
        const path = yield* writeConfig({
          name: "sso",
          mode: "CloudSSO",
          cloud_sso_sign_in_url: e.cloudSsoSignInUrl,
          cloud_sso_account_id: "123",
          cloud_sso_access_config: "ac-1",
          access_token: ssoToken,
          cloud_sso_access_token_expire: Math.floor(T0 / 1000) + 12 * 3600
        })
        return yield* CliProfile.make({ path })
      }).pipe(Effect.provide(HttpTransport.layerNode()))
  ],
  [
    "oauth-token",
    "cli_profile (OAuth)",
    (e) =>
      Effect.gen(function*() {
        const path = yield* writeConfig({
          name: "oauth",
          mode: "OAuth",
          oauth_site_type: "CN",
          oauth_refresh_token: oauthRefreshToken,
          oauth_access_token: "expired",
          oauth_access_token_expire: 0
        })
        return yield* CliProfile.make({ path, oauthBaseUrl: e.oauthBaseUrl })
      }).pipe(Effect.provide(HttpTransport.layerNode()))
  ]
]

/** A credential, or a single typed failure with a known _tag and a message free of control characters. */
const expectCredentialOrTypedError = (exit: Exit.Exit<Credential, CredentialsError>, body: string) => {
  if (Exit.isSuccess(exit)) return "Credential"
  const where = `body ${JSON.stringify(body.slice(0, 120))}${body.length > 120 ? "…" : ""}: ${Cause.pretty(exit.cause)}`
  expect(Cause.isDie(exit.cause), where).toBe(false)
  expect(Cause.isInterrupted(exit.cause), where).toBe(false)
  const failure = Cause.failureOption(exit.cause)
  expect(Option.isSome(failure), where).toBe(true)
  const error = Option.getOrThrow(failure)
  expect(isCredentialsError(error), where).toBe(true)
  expect(error.message, where).not.toMatch(/\p{Cc}/u)
  return error._tag
}

describe("bodies through the real HTTP path: a credential or a typed error, never a defect", () => {
  for (const [endpoint, name, run] of endpoints) {
    it.scoped.prop(
      `${name} (${endpoint})`,
      { body: bodies(endpoint) },
      ({ body }) =>
        Effect.gen(function*() {
          const e = yield* emulator
          yield* e.setFault(endpoint, Fault.rawBody(200, body))
          const exit = yield* Effect.exit(run(e).pipe(withEnv({})))
          expectCredentialOrTypedError(exit, body)
          // the body went over the wire: the endpoint was asked
          expect((yield* e.counters(endpoint)).received).toBeGreaterThanOrEqual(1)
        }).pipe(Effect.provide(NodeContext.layer)),
      { timeout: 60_000, fastCheck: { seed: SEED, numRuns } }
    )
  }

  it.scoped("invalid UTF-8 bytes (not expressible through rawBody) from a plain loopback server: a typed error, never a defect", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const answers: ReadonlyArray<Buffer> = [
        Buffer.from([0xc3, 0x28]),
        Buffer.from([0xff, 0xfe, 0xfd]),
        Buffer.from([0xed, 0xa0, 0x80]), // a surrogate encoded as UTF-8 (CESU)
        Buffer.concat([
          Buffer.from("{\"Code\":\"Success\",\"AccessKeyId\":\""),
          Buffer.from([0xe2, 0x82]),
          Buffer.from("\"}")
        ]),
        Buffer.concat([
          Buffer.from("{\"Code\":\"Success\",\"AccessKeyId\":\"k\",\"AccessKeySecret\":\"s\xff\",\"SecurityToken\":\""),
          Buffer.from([0xc0, 0x80]),
          Buffer.from("\",\"Expiration\":\"2024-01-01T06:00:00Z\"}")
        ])
      ]
      let next = 0
      const server = createServer((_, res) => {
        const body = answers[next++ % answers.length]!
        res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
        res.end(body)
      })
      const port = yield* Effect.acquireRelease(
        Effect.async<number>((resume) => {
          server.listen(0, "127.0.0.1", () => {
            resume(Effect.succeed((server.address() as AddressInfo).port))
          })
        }),
        () =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      for (let i = 0; i < answers.length; i++) {
        const exit = yield* Effect.exit(
          CredentialsUri.make({ credentialsUri: `http://127.0.0.1:${port}/credentials` }).pipe(
            Effect.provide(HttpTransport.layer()),
            withEnv({})
          )
        )
        expectCredentialOrTypedError(exit, answers[i]!.toString("latin1"))
      }
      expect(next).toBe(answers.length)
    }))

  it.scoped("the default chain: a deep-JSON metadata answer does not stop the chain; the credentials URI after it is used", () =>
    Effect.gen(function*() {
      const e = yield* emulator
      const fs = yield* FileSystem.FileSystem
      const home = yield* fs.makeTempDirectoryScoped()
      const resolve = Effect.flatMap(Credentials, (c) => c.get).pipe(
        Effect.provide(DefaultChain.layer({ metadataUrl: e.metadataUrl, stsEndpoint: e.stsUrl })),
        Effect.provide(HttpTransport.layerNode()),
        withEnv({ HOME: home, ALIBABA_CLOUD_CREDENTIALS_URI: e.credentialsUri })
      )
      for (
        const fault of [
          Fault.deepJson(),
          Fault.rawBody(200, "{\"a\":".repeat(100_000)),
          Fault.rawBody(200, "[".repeat(depth))
        ]
      ) {
        yield* e.setFault("metadata-credentials", fault)
        const credential = yield* resolve
        expect(credential.providerName).toBe("default/credentials_uri")
      }
      expect((yield* e.counters("metadata-credentials")).faulted).toBeGreaterThanOrEqual(3)
      expect((yield* e.counters("credentials-uri")).succeeded).toBe(3)
      // and without the fault, the metadata service wins again: the chain itself is intact
      yield* e.clearFaults
      expect((yield* resolve).providerName).toBe("default/ecs_ram_role")
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("absurd expirations through the refresh engine", () => {
  // A credential whose Expiration decodes but is absurd (the largest date, one already past) must
  // not make `Credentials.get` die or spin: a credential or a typed error.
  for (
    const expiration of [
      "+275760-09-13T00:00:00Z",
      "-271821-04-20T00:00:00Z",
      "2024-01-01T00:00:00Z",
      "1970-01-01T00:00:00Z"
    ]
  ) {
    it.scoped(`credentials_uri answering Expiration ${expiration}: Credentials.get gives a credential or a typed error`, () =>
      Effect.gen(function*() {
        const e = yield* emulator
        const body = JSON.stringify({
          Code: "Success",
          AccessKeyId: "STS.absurd",
          AccessKeySecret: "s",
          SecurityToken: "t",
          Expiration: expiration
        })
        yield* e.setFault("credentials-uri", Fault.rawBody(200, body))
        const exit = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(Credentials.layer(CredentialsUri.make({ credentialsUri: e.credentialsUri }))),
          Effect.provide(HttpTransport.layer()),
          withEnv({}),
          Effect.exit
        )
        expectCredentialOrTypedError(exit, body)
      }))
  }
})
