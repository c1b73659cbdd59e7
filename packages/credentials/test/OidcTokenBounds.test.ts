// Issue 18, item 5: an OIDC token from code is held to the rules of the token file and of
// upstream text. It runs within the fetch's time budget (defaults as shipped: 15 s), a die is a
// typed error, a token over 1 MiB or with a control character is refused before anything is sent,
// and a secret echoed JSON-escaped is scrubbed. Against the emulator, under TestClock.
import { Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Redacted, TestClock } from "effect"
import { InvalidConfiguration, NotConfigured } from "../src/CredentialsError.js"
import * as OidcRoleArn from "../src/sources/OidcRoleArn.js"
import { retryNow, roleArn, withEmulator } from "./withEmulator.js"

const oidcProviderArn = "acs:ram::1234567890123456:oidc-provider/ci"

const withToken = (stsEndpoint: string, oidcToken: OidcRoleArn.Options["oidcToken"]) =>
  OidcRoleArn.make({ roleArn, oidcProviderArn, stsEndpoint, oidcToken })

// What a rendering of the error shows: its message, JSON and inspect-like string.
const rendered = (error: unknown) => `${(error as Error).message} ${JSON.stringify(error)} ${String(error)}`

describe("an OIDC token from code runs within the fetch's time budget", () => {
  it.scoped("Effect.never: a Timeout naming oidcToken at the budget (15 s), nothing sent", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(withToken(emulator.stsUrl, Effect.never))
        yield* TestClock.adjust("14999 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 millis")
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error).toMatchObject({ _tag: "Timeout", source: "oidc_role_arn (oidcToken)", phase: "budget" })
        expect(error._tag === "Timeout" && Duration.toMillis(error.after)).toBe(15_000)
        expect(error.message).toContain("oidcToken")
        expect(error.message).toContain("15s")
        expect(yield* emulator.requests("sts")).toEqual([])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a token that takes 10 s leaves 5 s to STS: a hanging STS fails the fetch at 15 s, not 25 s", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("sts", Fault.Hang.make({}))
        const slowToken = Effect.as(Effect.sleep("10 seconds"), "token")
        const fiber = yield* Effect.fork(
          OidcRoleArn.make({ roleArn, oidcProviderArn, stsEndpoint: emulator.stsUrl, oidcToken: slowToken })
        )
        yield* TestClock.adjust("10 seconds")
        yield* emulator.awaitRequests("sts", 1)
        yield* TestClock.adjust("4999 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 millis")
        const error = yield* Effect.flip(Fiber.join(fiber))
        // The STS request was the one waiting: the Timeout names STS, and the whole budget.
        expect(error).toMatchObject({ _tag: "Timeout", source: "oidc_role_arn", phase: "budget" })
        expect(error._tag === "Timeout" && Duration.toMillis(error.after)).toBe(15_000)
        expect(error._tag === "Timeout" && error.tried && Duration.toMillis(error.tried.elapsed)).toBe(15_000)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a timeBudget of the source bounds the token too", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(OidcRoleArn.make({
          roleArn,
          oidcProviderArn,
          stsEndpoint: emulator.stsUrl,
          oidcToken: Effect.never,
          timeBudget: "2 seconds"
        }))
        yield* TestClock.adjust("2 seconds")
        expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({
          _tag: "Timeout",
          source: "oidc_role_arn (oidcToken)"
        })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("an OIDC token from code that dies, or fails with outside text", () => {
  it.scoped("a die or a throw in Effect.sync: InvalidConfiguration of oidcToken, no stack, nothing sent", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dying = [
          Effect.die(new TypeError("token endpoint config missing")),
          Effect.sync((): string => {
            throw new Error("thrown \u001b[2J\ninside")
          }),
          Effect.die("not an Error")
        ]
        for (const oidcToken of dying) {
          const error = yield* Effect.flip(withToken(emulator.stsUrl, oidcToken))
          expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "oidc_role_arn", field: "oidcToken" })
          expect(error.message).toContain("died")
          expect(error.message).not.toMatch(/\p{Cc}|\sat\s/u)
          expect(error.message.match(/Fix:/g)).toHaveLength(1)
        }
        const first = yield* Effect.flip(withToken(emulator.stsUrl, dying[0]))
        expect(first.message).toContain("TypeError: token endpoint config missing")
        expect(yield* emulator.requests("sts")).toEqual([])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a failure's text is escaped; one already about oidcToken (the facade's) is not wrapped twice", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const hostile = yield* Effect.flip(withToken(
          emulator.stsUrl,
          Effect.fail(new NotConfigured({ source: "ci", reason: "gone\u001b[2J\u0007\r\nforged line", fix: "x" }))
        ))
        expect(hostile.message).not.toMatch(/\p{Cc}/u)
        expect(hostile.message).toContain("\\u001b[2J")
        const facade = new InvalidConfiguration({
          source: "oidc_role_arn",
          field: "oidcToken",
          reason: "rejected: the CI token endpoint answered 500",
          fix: "check the function given as oidcToken"
        })
        const once = yield* Effect.flip(withToken(emulator.stsUrl, Effect.fail(facade)))
        expect(once).toBe(facade)
        expect(once.message.match(/Fix:/g)).toHaveLength(1)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("an OIDC token is refused before it is sent", () => {
  it.scoped("over 1 MiB (as the token file): InvalidConfiguration, the emulator's history empty", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const big = "a".repeat(1024 * 1024 + 1)
        const error = yield* Effect.flip(withToken(emulator.stsUrl, Effect.succeed(Redacted.make(big))))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcToken" })
        expect(error.message).toContain("1 MiB")
        expect(rendered(error)).not.toContain("aaaaaaaa")
        // Counted in UTF-8 bytes, as the file: fewer than 1 MiB characters, more than 1 MiB bytes.
        const wide = "é".repeat(512 * 1024 + 1)
        expect(yield* Effect.flip(withToken(emulator.stsUrl, Effect.succeed(wide)))).toMatchObject({
          _tag: "InvalidConfiguration",
          field: "oidcToken"
        })
        expect(yield* emulator.requests("sts")).toEqual([])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a CR/LF or another control character inside: InvalidConfiguration, the value never in it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        for (const token of ["eyJhbGci.part\r\nX-Injected: 1", "eyJhbGci.part\u001b[2J", "eyJ\u0000part"]) {
          const error = yield* Effect.flip(withToken(emulator.stsUrl, Effect.succeed(token)))
          expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcToken" })
          expect(error.message).toContain("control character")
          expect(rendered(error)).not.toContain("eyJ")
        }
        // Surrounding whitespace (a trailing newline) is still trimmed, not refused.
        yield* emulator.addOidcToken("eyJhbGci.ok")
        expect((yield* withToken(emulator.stsUrl, Effect.succeed("eyJhbGci.ok\r\n"))).type).toBe("sts")
        expect((yield* emulator.requests("sts")).map((r) => r.body.OIDCToken)).toEqual(["eyJhbGci.ok"])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the token file follows the same rule", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        yield* fs.writeFileString(`${dir}/token`, "eyJhbGci.part\r\nX-Injected: 1\n")
        const error = yield* Effect.flip(OidcRoleArn.make({
          roleArn,
          oidcProviderArn,
          stsEndpoint: emulator.stsUrl,
          oidcTokenFilePath: `${dir}/token`
        }))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcTokenFilePath" })
        expect(rendered(error)).not.toContain("eyJ")
        expect(yield* emulator.requests("sts")).toEqual([])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("a secret echoed JSON-escaped is scrubbed", () => {
  it.scoped("an STS error whose Message holds the request as JSON (JSON.stringify, Python, Go forms)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        // A token with the characters JSON escapes (quote, backslash, slash, non-ASCII, < >).
        const token = "eyJ\"quoted\\back/slash-é<tag>&.sig"
        const echoes = [
          // JavaScript's JSON.stringify: \" and \\
          JSON.stringify({ OIDCToken: token }),
          // Python's json.dumps (ensure_ascii): \u00e9; PHP's \/
          `{"OIDCToken": "eyJ\\"quoted\\\\back\\/slash-\\u00e9<tag>&.sig"}`,
          // Go's encoding/json: \u003c \u003e \u0026, and \u0022 in upper-case hex
          `{"OIDCToken":"eyJ\\u0022quoted\\u005Cback/slash-é\\u003ctag\\u003e\\u0026.sig"}`
        ]
        for (const echo of echoes) {
          yield* emulator.setFault(
            "sts",
            Fault.RawBody.make({
              status: 400,
              body: JSON.stringify({ Code: "InvalidParameter.OIDCToken", Message: `bad request: ${echo}` }),
              contentType: "application/json"
            }),
            { times: 1 }
          )
          const error = yield* Effect.flip(OidcRoleArn.make({
            roleArn,
            oidcProviderArn,
            stsEndpoint: emulator.stsUrl,
            oidcToken: Effect.succeed(token),
            retrySchedule: retryNow(0)
          }))
          expect(error).toMatchObject({ _tag: "UpstreamError", status: 400 })
          const text = rendered(error)
          expect(text).toContain("<redacted>")
          expect(text).not.toContain("quoted")
          expect(text).not.toContain("slash")
        }
        expect((yield* emulator.requests("sts")).map((r) => r.body.OIDCToken)).toEqual([token, token, token])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a long token (200 KB, under the cap) echoed back: scrubbed, a typed error, not a defect", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        // Before: the scrubber's one regular expression of every form was "too large" past ~60 KB
        // of secret, and scrubbing an error answer died.
        const token = `eyJ${"a_b-c.D9/".repeat(20_000)}`
        yield* emulator.setFault(
          "sts",
          Fault.RawBody.make({
            status: 400,
            body: JSON.stringify({
              Code: "InvalidParameter.OIDCToken",
              Message: `raw ${token} escaped ${JSON.stringify(token)} url ${encodeURIComponent(token)}`
            }),
            contentType: "application/json"
          }),
          { times: 1 }
        )
        const exit = yield* Effect.exit(OidcRoleArn.make({
          roleArn,
          oidcProviderArn,
          stsEndpoint: emulator.stsUrl,
          oidcToken: Effect.succeed(token),
          retrySchedule: retryNow(0)
        }))
        expect(exit._tag === "Failure" && exit.cause._tag).toBe("Fail")
        const error = yield* Effect.flip(exit)
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 400 })
        expect(rendered(error)).not.toContain("a_b-c")
        expect(error.message).toContain("raw <redacted> escaped \"<redacted>\" url <redacted>")
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})
