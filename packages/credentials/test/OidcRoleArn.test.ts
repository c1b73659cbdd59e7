import { Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Config, Context, Effect, Option, Redacted, Ref } from "effect"
import { Credentials } from "../src/Credentials.js"
import { NetworkError, NotConfigured } from "../src/CredentialsError.js"
import * as OidcRoleArn from "../src/sources/OidcRoleArn.js"
import { retryNow, ridesThroughAFailedRefresh, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const providerArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa"

// A token file in a fresh temp directory.
const tokenFile = (content: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    const path = `${dir}/token`
    yield* fs.writeFileString(path, content)
    return { path, write: (next: string) => fs.writeFileString(path, next) }
  })

describe("OidcRoleArn against the emulator", () => {
  it.scoped("assumes the role with the token from the file, unsigned", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const file = yield* tokenFile("eyJhbGciOi.token-1\n")
        const credential = yield* OidcRoleArn.make({
          roleArn,
          oidcProviderArn: providerArn,
          oidcTokenFilePath: file.path,
          stsEndpoint: emulator.stsUrl,
          roleSessionName: "pod"
        })
        expect(credential).toMatchObject({ type: "sts", providerName: "oidc_role_arn" })
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.query).toMatchObject({ Action: "AssumeRoleWithOIDC" })
        expect(request.query.Signature).toBeUndefined()
        expect(request.body).toMatchObject({ RoleArn: roleArn, OIDCProviderArn: providerArn, RoleSessionName: "pod" })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("re-reads the token file on every fetch", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addOidcToken("token-a")
        yield* emulator.addOidcToken("token-b")
        const file = yield* tokenFile("token-a")
        const source = OidcRoleArn.make({ stsEndpoint: emulator.stsUrl })
        const env = {
          ALIBABA_CLOUD_ROLE_ARN: roleArn,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: providerArn,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: file.path
        }
        yield* source.pipe(withEnv(env))
        yield* file.write("token-b")
        yield* source.pipe(withEnv(env))
        const sent = (yield* emulator.requests("sts")).map((r) => r.body.OIDCToken !== undefined)
        expect(sent).toEqual([true, true])
        expect((yield* emulator.counters("sts")).succeeded).toBe(2)
        yield* file.write("token-unknown")
        const rejected = yield* Effect.flip(source.pipe(withEnv(env)))
        expect(rejected._tag).toBe("UpstreamError")
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("nothing set: NotConfigured naming the three variables", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(OidcRoleArn.make())
        expect(error._tag).toBe("NotConfigured")
        expect(error.message).toContain(
          "ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set"
        )
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("partly set: InvalidConfiguration naming what is missing", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          OidcRoleArn.make().pipe(withEnv({ ALIBABA_CLOUD_ROLE_ARN: roleArn, ALIBABA_CLOUD_OIDC_TOKEN_FILE: "/x" }))
        )
        expect(error).toMatchObject({
          _tag: "InvalidConfiguration",
          field: "oidcProviderArn",
          reason: "is missing and ALIBABA_CLOUD_OIDC_PROVIDER_ARN is not set"
        })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a missing or empty token file: InvalidConfiguration naming the path", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const options = { roleArn, oidcProviderArn: providerArn, stsEndpoint: emulator.stsUrl }
        const missing = yield* Effect.flip(OidcRoleArn.make({ ...options, oidcTokenFilePath: "/nonexistent/token" }))
        expect(missing).toMatchObject({
          _tag: "InvalidConfiguration",
          field: "oidcTokenFilePath",
          reason: "names /nonexistent/token, which does not exist"
        })
        const file = yield* tokenFile("  \n")
        const empty = yield* Effect.flip(OidcRoleArn.make({ ...options, oidcTokenFilePath: file.path }))
        expect(empty).toMatchObject({ _tag: "InvalidConfiguration", reason: `names an empty file: ${file.path}` })
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refreshes ahead of expiry; a refresh that fails while the credential is valid is invisible", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const file = yield* tokenFile("token")
        const source = OidcRoleArn.make({
          roleArn,
          oidcProviderArn: providerArn,
          oidcTokenFilePath: file.path,
          stsEndpoint: emulator.stsUrl,
          retrySchedule: retryNow(0)
        })
        yield* ridesThroughAFailedRefresh(emulator, "sts", { refreshDue: "45 minutes", failedBy: 2 }).pipe(
          Effect.provide(Credentials.layer(source, { jitter: 0 }))
        )
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("faults: 503 retried, malformed body reported", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const file = yield* tokenFile("token")
        const options = {
          roleArn,
          oidcProviderArn: providerArn,
          oidcTokenFilePath: file.path,
          stsEndpoint: emulator.stsUrl,
          retrySchedule: retryNow(2)
        }
        yield* emulator.setFault("sts", Fault.serviceUnavailable, { times: 2 })
        yield* OidcRoleArn.make(options)
        expect((yield* emulator.counters("sts")).received).toBe(3)
        yield* emulator.setFault("sts", Fault.malformedBody, { times: 1 })
        expect(yield* Effect.flip(OidcRoleArn.make(options))).toMatchObject({ _tag: "MalformedResponse" })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("OidcRoleArn with the token from code (oidcToken)", () => {
  it.scoped("runs the Effect at every fetch and sends what it gives; requirements come from it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addOidcToken("ci-token-1")
        yield* emulator.addOidcToken("ci-token-2")
        const calls = yield* Ref.make(0)
        // The token from a variable, read through Config as a CI job would.
        const fromEnv = Config.redacted("ACTIONS_ID_TOKEN").pipe(
          Effect.tap(() => Ref.update(calls, (n) => n + 1)),
          Effect.mapError(() =>
            new NotConfigured({ source: "ci", reason: "ACTIONS_ID_TOKEN is not set", fix: "set it" })
          )
        )
        const source = OidcRoleArn.make({
          roleArn,
          oidcProviderArn: providerArn,
          oidcToken: fromEnv,
          stsEndpoint: emulator.stsUrl
        })
        const credential = yield* source.pipe(withEnv({ ACTIONS_ID_TOKEN: "ci-token-1\n" }))
        expect(credential).toMatchObject({ type: "sts", providerName: "oidc_role_arn" })
        yield* source.pipe(withEnv({ ACTIONS_ID_TOKEN: "ci-token-2" }))
        expect(yield* Ref.get(calls)).toBe(2)
        expect((yield* emulator.counters("sts")).succeeded).toBe(2)
        expect((yield* emulator.requests("sts")).map((r) => r.query.Action)).toEqual([
          "AssumeRoleWithOIDC",
          "AssumeRoleWithOIDC"
        ])
        // A token the provider does not know: STS refuses it.
        const rejected = yield* Effect.flip(source.pipe(withEnv({ ACTIONS_ID_TOKEN: "ci-token-unknown" })))
        expect(rejected._tag).toBe("UpstreamError")
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a service the token Effect needs widens the source's requirements", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        class TokenService extends Context.Tag("test/TokenService")<TokenService, { readonly token: string }>() {}
        const source = OidcRoleArn.make({
          roleArn,
          oidcProviderArn: providerArn,
          oidcToken: Effect.map(TokenService, (s) => Redacted.make(s.token)),
          stsEndpoint: emulator.stsUrl
        })
        const credential = yield* source.pipe(Effect.provideService(TokenService, { token: "token" }))
        expect(credential.type).toBe("sts")
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a failing or blank token: a typed error naming oidcToken, and no STS request", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const options = { roleArn, oidcProviderArn: providerArn, stsEndpoint: emulator.stsUrl }
        const missing = yield* Effect.flip(OidcRoleArn.make({
          ...options,
          oidcToken: Effect.fail(
            new NotConfigured({ source: "ci", reason: "ACTIONS_ID_TOKEN is not set", fix: "set it" })
          )
        }))
        expect(missing).toMatchObject({ _tag: "InvalidConfiguration", source: "oidc_role_arn", field: "oidcToken" })
        expect(missing.message).toContain("ACTIONS_ID_TOKEN is not set")
        const down = yield* Effect.flip(OidcRoleArn.make({
          ...options,
          oidcToken: Effect.fail(
            new NetworkError({ source: "ci", endpoint: "http://127.0.0.1:1/token", detail: "refused" })
          )
        }))
        expect(down).toMatchObject({ _tag: "NetworkError", source: "oidc_role_arn (oidcToken)" })
        for (const blank of ["", "  \n", Redacted.make(" ")]) {
          const empty = yield* Effect.flip(OidcRoleArn.make({ ...options, oidcToken: Effect.succeed(blank) }))
          expect(empty).toMatchObject({
            _tag: "InvalidConfiguration",
            field: "oidcToken",
            reason: "produced an empty token"
          })
        }
        const both = yield* Effect.flip(
          OidcRoleArn.make({ ...options, oidcToken: Effect.succeed("t"), oidcTokenFilePath: "/x" })
        )
        expect(both).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcToken" })
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("oidcToken takes the place of ALIBABA_CLOUD_OIDC_TOKEN_FILE; the token never shows in an error", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const env = {
          ALIBABA_CLOUD_ROLE_ARN: roleArn,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: providerArn,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: "/nonexistent/token"
        }
        const secret = "secret-oidc-token-value"
        const credential = yield* OidcRoleArn.make({ oidcToken: Effect.succeed(secret), stsEndpoint: emulator.stsUrl })
          .pipe(withEnv(env))
        expect(credential.type).toBe("sts")
        yield* emulator.setFault("sts", Fault.serviceUnavailable)
        const error = yield* Effect.flip(
          OidcRoleArn.make({
            oidcToken: Effect.succeed(secret),
            stsEndpoint: emulator.stsUrl,
            retrySchedule: retryNow(0)
          }).pipe(withEnv(env))
        )
        expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(secret)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("in a Credentials layer, the Effect runs again at each refresh", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const calls = yield* Ref.make(0)
        const oidcToken = Ref.updateAndGet(calls, (n) => n + 1).pipe(Effect.as("token"))
        const source = OidcRoleArn.make({
          roleArn,
          oidcProviderArn: providerArn,
          oidcToken,
          stsEndpoint: emulator.stsUrl,
          retrySchedule: retryNow(0)
        })
        yield* ridesThroughAFailedRefresh(emulator, "sts", { refreshDue: "45 minutes", failedBy: 2 }).pipe(
          Effect.provide(Credentials.layer(source, { jitter: 0 }))
        )
        expect(yield* Ref.get(calls)).toBe(3)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})
