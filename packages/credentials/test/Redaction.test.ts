// No secret in String, util.inspect, JSON.stringify or Effect.log of a Credential or of any error.
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, DateTime, Duration, Effect, Logger, Redacted } from "effect"
import { inspect } from "node:util"
import * as Credential from "../src/Credential.js"
import {
  ChainExhausted,
  type CredentialsError,
  InvalidConfiguration,
  MalformedResponse,
  NetworkError,
  NotConfigured,
  Timeout,
  UpstreamError
} from "../src/CredentialsError.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as Environment from "../src/sources/Environment.js"
import * as Sts from "../src/sources/Sts.js"

const SECRETS = ["sk-SECRET-VALUE-1", "tok-SECRET-VALUE-2", "bt-SECRET-VALUE-3"] as const

const credential = Credential.make({
  type: "sts",
  accessKeyId: "STS.NUMLONGENOUGH1234",
  accessKeySecret: Redacted.make(SECRETS[0]),
  securityToken: Redacted.make(SECRETS[1]),
  bearerToken: Redacted.make(SECRETS[2]),
  expiration: DateTime.unsafeMake("2030-01-01T00:00:00Z"),
  providerName: "default/env"
})

// Every kind of error, built the way sources build them.
const errors: ReadonlyArray<CredentialsError> = [
  new NotConfigured({ source: "env", reason: "ALIBABA_CLOUD_ACCESS_KEY_ID is not set", fix: "export it" }),
  new InvalidConfiguration({ source: "access_key", field: "accessKeySecret", reason: "is empty" }),
  new UpstreamError({
    source: "ram_role_arn",
    endpoint: "http://127.0.0.1:1/",
    status: 403,
    code: "NoPermission",
    requestId: "r",
    serviceMessage: "denied"
  }),
  new MalformedResponse({
    source: "credentials_uri",
    endpoint: "http://127.0.0.1:1/",
    detail: "Credentials.AccessKeySecret is missing"
  }),
  new Timeout({
    source: "ecs_ram_role",
    endpoint: "http://127.0.0.1:1/",
    phase: "connect",
    after: Duration.seconds(1)
  }),
  new NetworkError({ source: "ecs_ram_role", endpoint: "http://127.0.0.1:1/", detail: "ECONNREFUSED" }),
  new ChainExhausted({ source: "default", failures: [new NotConfigured({ source: "env", reason: "r", fix: "f" })] })
]

const renderings = (value: unknown): ReadonlyArray<string> => [
  String(value),
  `${value}`,
  inspect(value, { depth: 10 }),
  JSON.stringify(value),
  inspect({ nested: { value } }, { depth: 10 })
]

const expectNoSecret = (text: string) => {
  for (const secret of SECRETS) expect(text).not.toContain(secret)
}

const captureLogs = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const capture = (logger: Logger.Logger<unknown, string>) => Logger.map(logger, (line) => void lines.push(line))
    yield* effect.pipe(
      Effect.provide(
        Logger.replace(Logger.defaultLogger, Logger.zip(capture(Logger.logfmtLogger), capture(Logger.jsonLogger)))
      ),
      Effect.ignore
    )
    return lines
  })

describe("no secret is ever printed", () => {
  it("a Credential: String, inspect, JSON show the masked id and <redacted>", () => {
    for (const text of renderings(credential)) expectNoSecret(text)
    expect(JSON.parse(JSON.stringify(credential))).toEqual({
      _id: "Credential",
      type: "sts",
      providerName: "default/env",
      accessKeyId: "STS.****1234",
      accessKeySecret: "<redacted>",
      securityToken: "<redacted>",
      bearerToken: "<redacted>",
      expiration: "2030-01-01T00:00:00.000Z"
    })
  })

  it.effect("a Credential in Effect.log, log annotations and a failure cause", () =>
    Effect.gen(function*() {
      const lines = yield* captureLogs(Effect.gen(function*() {
        yield* Effect.log("resolved", credential)
        yield* Effect.log("resolved").pipe(Effect.annotateLogs("credential", credential))
        yield* Effect.logError(Cause.fail(credential))
      }))
      expect(lines.length).toBe(6)
      for (const line of lines) expectNoSecret(line)
    }))

  for (const error of errors) {
    it.effect(`${error._tag}: message, String, inspect, JSON and Effect.log`, () =>
      Effect.gen(function*() {
        for (const text of [error.message, ...renderings(error)]) expectNoSecret(text)
        const lines = yield* captureLogs(Effect.gen(function*() {
          yield* Effect.logError("failed", error)
          yield* Effect.logError(Cause.fail(error))
          yield* Effect.fail(error).pipe(Effect.tapErrorCause(Effect.logError))
        }))
        expect(lines.length).toBe(6)
        for (const line of lines) expectNoSecret(line)
      }))
  }

  it.effect("errors built from inputs that hold secrets do not repeat them", () =>
    Effect.gen(function*() {
      const failures = [
        yield* Effect.flip(AccessKey.make({ accessKeyId: "", accessKeySecret: SECRETS[0] })),
        yield* Effect.flip(Sts.make({ accessKeyId: "id", accessKeySecret: SECRETS[0], securityToken: "" })),
        yield* Effect.flip(
          Environment.make().pipe(Effect.withConfigProvider(ConfigProvider.fromMap(
            new Map([
              ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRETS[0]],
              ["ALIBABA_CLOUD_SECURITY_TOKEN", SECRETS[1]]
            ])
          )))
        )
      ]
      for (const failure of failures) {
        for (const text of [failure.message, ...renderings(failure)]) expectNoSecret(text)
      }
    }))
})
