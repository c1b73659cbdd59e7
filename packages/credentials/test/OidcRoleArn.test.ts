import { Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Credentials } from "../src/Credentials.js"
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
        const credential = yield* OidcRoleArn.make({ roleArn, oidcProviderArn: providerArn, oidcTokenFilePath: file.path, stsEndpoint: emulator.stsUrl, roleSessionName: "pod" })
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
        const env = { ALIBABA_CLOUD_ROLE_ARN: roleArn, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: providerArn, ALIBABA_CLOUD_OIDC_TOKEN_FILE: file.path }
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
        expect(error.message).toContain("ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set")
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("partly set: InvalidConfiguration naming what is missing", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(OidcRoleArn.make().pipe(withEnv({ ALIBABA_CLOUD_ROLE_ARN: roleArn, ALIBABA_CLOUD_OIDC_TOKEN_FILE: "/x" })))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcProviderArn", reason: "is missing and ALIBABA_CLOUD_OIDC_PROVIDER_ARN is not set" })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a missing or empty token file: InvalidConfiguration naming the path", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const options = { roleArn, oidcProviderArn: providerArn, stsEndpoint: emulator.stsUrl }
        const missing = yield* Effect.flip(OidcRoleArn.make({ ...options, oidcTokenFilePath: "/nonexistent/token" }))
        expect(missing).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcTokenFilePath", reason: "names /nonexistent/token, which does not exist" })
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
        const source = OidcRoleArn.make({ roleArn, oidcProviderArn: providerArn, oidcTokenFilePath: file.path, stsEndpoint: emulator.stsUrl, retrySchedule: retryNow(0) })
        yield* ridesThroughAFailedRefresh(emulator, "sts", { refreshDue: "45 minutes", failedBy: 2 }).pipe(
          Effect.provide(Credentials.layer(source, { jitter: 0 }))
        )
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("faults: 503 retried, malformed body reported", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const file = yield* tokenFile("token")
        const options = { roleArn, oidcProviderArn: providerArn, oidcTokenFilePath: file.path, stsEndpoint: emulator.stsUrl, retrySchedule: retryNow(2) }
        yield* emulator.setFault("sts", Fault.serviceUnavailable, { times: 2 })
        yield* OidcRoleArn.make(options)
        expect((yield* emulator.counters("sts")).received).toBe(3)
        yield* emulator.setFault("sts", Fault.malformedBody, { times: 1 })
        expect(yield* Effect.flip(OidcRoleArn.make(options))).toMatchObject({ _tag: "MalformedResponse" })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})
