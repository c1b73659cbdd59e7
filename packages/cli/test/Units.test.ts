// The pure pieces, in process: exit codes and one-line messages, quoting, the External JSON, the
// duration flags, the loopback check, and the serve app over a fixed credential.
import { Credential, Credentials, CredentialsError } from "@effect-alicloud/credentials"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Option, Redacted } from "effect"
import { parseDuration } from "../src/ChainOptions.js"
import { externalJson, shellLines, shellQuote } from "../src/commands/Export.js"
import * as Failure from "../src/Failure.js"
import * as Output from "../src/Output.js"
import * as Serve from "../src/Serve.js"

const notConfigured = (source: string) =>
  new CredentialsError.NotConfigured({ source, reason: "nothing set", fix: "set it" })
const invalid = new CredentialsError.InvalidConfiguration({
  source: "cli_profile",
  field: "config.json",
  reason: "is not valid JSON",
  fix: "correct it"
})
const network = new CredentialsError.NetworkError({
  source: "ram_role_arn",
  endpoint: "http://127.0.0.1:9/",
  detail: "refused"
})
const exhausted = (...failures: Array<Exclude<CredentialsError.CredentialsError, CredentialsError.ChainExhausted>>) =>
  new CredentialsError.ChainExhausted({ source: "default", failures })

const ak = Credential.make({
  type: "access_key",
  accessKeyId: "LTAI5tUnitKey00001",
  accessKeySecret: Redacted.make("unit-secret"),
  providerName: "static_ak"
})
const sts = Credential.make({
  type: "sts",
  accessKeyId: "STS.UnitKey000001",
  accessKeySecret: Redacted.make("unit-secret"),
  securityToken: Redacted.make("unit-token"),
  expiration: DateTime.unsafeMake("2030-01-01T00:00:00.500Z"),
  providerName: "static_sts"
})

describe("exit codes and messages", () => {
  it("maps each error to 1 or 2", () => {
    expect(Failure.exitCodeOf(notConfigured("env"))).toBe(1)
    expect(Failure.exitCodeOf(invalid)).toBe(2)
    expect(Failure.exitCodeOf(network)).toBe(1)
    expect(Failure.exitCodeOf(exhausted(notConfigured("env"), network))).toBe(1)
    expect(Failure.exitCodeOf(exhausted(notConfigured("env"), network, invalid))).toBe(2)
    expect(Failure.exitCodeOf(exhausted(notConfigured("env"), notConfigured("cli_profile")))).toBe(1)
    expect(
      Failure.exitCodeOf(exhausted(notConfigured("env"), notConfigured("cli_profile")), { profileRequested: true })
    ).toBe(2)
  })

  it("cuts a chain's error to one line about the source that matters", () => {
    const line = Failure.summary(exhausted(notConfigured("env"), network, invalid))
    expect(line).not.toContain("\n")
    expect(line).toMatch(
      /^cli_profile: invalid configuration: config.json is not valid JSON\. Fix: correct it \(other sources: 1 failed, 1 not configured; /
    )
    expect(Failure.summary(exhausted(notConfigured("env"), notConfigured("cli_profile")))).toMatch(
      /^no credential: no source of the default chain is configured \(env, cli_profile\)/
    )
    expect(Failure.summary(exhausted(notConfigured("env"), notConfigured("cli_profile")), { profileRequested: true }))
      .toMatch(/^cli_profile: not configured/)
  })
})

describe("export formats", () => {
  it("quotes for a POSIX shell", () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`)
    expect(shellQuote("$x `y` \"z\"")).toBe(`'$x \`y\` "z"'`)
    expect(shellLines(ak).split("\n")).toEqual([
      "export ALIBABA_CLOUD_ACCESS_KEY_ID='LTAI5tUnitKey00001'",
      "export ALIBABA_CLOUD_ACCESS_KEY_SECRET='unit-secret'",
      "unset ALIBABA_CLOUD_SECURITY_TOKEN"
    ])
  })

  it("writes the External JSON: AK without token and expiry, StsToken with both (to the second)", () => {
    expect(JSON.parse(externalJson(ak))).toEqual({
      mode: "AK",
      access_key_id: "LTAI5tUnitKey00001",
      access_key_secret: "unit-secret"
    })
    expect(JSON.parse(externalJson(sts))).toEqual({
      mode: "StsToken",
      access_key_id: "STS.UnitKey000001",
      access_key_secret: "unit-secret",
      sts_token: "unit-token",
      expiration: "2030-01-01T00:00:00Z"
    })
  })

  it("prints no secret in the views", () => {
    const text = Output.credentialText(sts, Date.UTC(2029, 11, 31, 23)) + JSON.stringify(Output.credentialView(sts, 0))
    expect(text).not.toMatch(/unit-secret|unit-token|UnitKey/)
    expect(text).toContain("(1h 0m 0s left)")
  })
})

describe("flags", () => {
  it("reads durations as text or milliseconds", () => {
    expect(parseDuration("5 seconds")).toEqual(Option.some(Duration.seconds(5)))
    expect(parseDuration("1500")).toEqual(Option.some(Duration.millis(1500)))
    expect(Option.isNone(parseDuration("soon"))).toBe(true)
    expect(Option.isNone(parseDuration("0 seconds"))).toBe(true)
  })

  it("reads a number with a unit as other tools write it (issue 18: --connect-timeout 3s was refused)", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["3s", 3000],
      ["3 s", 3000],
      ["3sec", 3000],
      ["3 secs", 3000],
      ["500ms", 500],
      ["500 millis", 500],
      ["1.5s", 1500],
      ["2m", 120_000],
      ["2 minutes", 120_000],
      ["1h", 3_600_000],
      ["1 hour", 3_600_000],
      ["3S", 3000]
    ]
    for (const [text, millis] of cases) expect(parseDuration(text), text).toEqual(Option.some(Duration.millis(millis)))
    for (const text of ["3x", "s", "-3s", "0s", "3 s s", "1e3s", ""]) {
      expect(Option.isNone(parseDuration(text)), text).toBe(true)
    }
  })

  it("accepts loopback hosts only", () => {
    expect(Serve.loopbackHost("127.0.0.1")).toBe("127.0.0.1")
    expect(Serve.loopbackHost("127.1.2.3")).toBe("127.1.2.3")
    expect(Serve.loopbackHost("localhost")).toBe("127.0.0.1")
    expect(Serve.loopbackHost("::1")).toBe("::1")
    for (const host of ["0.0.0.0", "192.168.1.2", "::", "example.com", "127.0.0.256"]) {
      expect(Serve.loopbackHost(host)).toBeUndefined()
    }
  })

  it("compares tokens", () => {
    const token = Redacted.make("right-token")
    expect(Serve.tokenMatches("right-token", token)).toBe(true)
    expect(Serve.tokenMatches("right-tokeN", token)).toBe(false)
    expect(Serve.tokenMatches("", token)).toBe(false)
    expect(Serve.tokenMatches(undefined, token)).toBe(false)
  })
})

describe("the serve app", () => {
  const serve = (credential: Credential.Credential) =>
    Effect.gen(function*() {
      const started = yield* Serve.start(yield* Credentials, { host: "127.0.0.1", port: 0 })
      const uri = Redacted.value(started.credentialsUri)
      const call = (url: string, init?: RequestInit) =>
        Effect.promise(async () => {
          const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) })
          return { status: response.status, body: await response.json() as Record<string, unknown> }
        })
      return { uri, call }
    }).pipe(Effect.provide(Credentials.layerCredential(credential)))

  it.scopedLive("answers an STS credential, refuses an AccessKey pair, other methods and paths", () =>
    Effect.gen(function*() {
      const withSts = yield* serve(sts)
      expect(yield* withSts.call(withSts.uri)).toEqual({
        status: 200,
        body: {
          Code: "Success",
          AccessKeyId: "STS.UnitKey000001",
          AccessKeySecret: "unit-secret",
          SecurityToken: "unit-token",
          Expiration: "2030-01-01T00:00:00Z"
        }
      })
      expect((yield* withSts.call(withSts.uri, { method: "POST" })).status).toBe(405)
      const withAk = yield* serve(ak)
      const refused = yield* withAk.call(withAk.uri)
      expect(refused.status).toBe(503)
      expect(refused.body.Code).toBe("UnsupportedCredential")
      expect(JSON.stringify(refused.body)).not.toContain("unit-secret")
    }))

  it.scopedLive("refuses a non-loopback host with exit code 2", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(Serve.start(yield* Credentials, { host: "0.0.0.0", port: 0 }))
      expect(failure.exitCode).toBe(2)
    }).pipe(Effect.provide(Credentials.layerCredential(sts))))
})
