// One set of rules for the Effect options of the sources (src/internal/config/rules.ts): blank text
// is "not set" (then the variable is read, as the official tool does), regions are case-folded,
// flags take "true"/"false" in any case (from options and from the environment), and what is
// refused names the option or the variable. Requests that would leave the machine (the public STS
// hosts) go to a loopback proxy that records the CONNECT target and refuses it: no DNS lookup, no
// packet outside 127.0.0.1.
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { CredentialsError } from "../src/CredentialsError.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as EcsRamRole from "../src/sources/EcsRamRole.js"
import * as OidcRoleArn from "../src/sources/OidcRoleArn.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import * as LoopbackProxy from "./loopbackProxy.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const signer = AccessKey.make(accessKey)
const providerArn = "acs:ram::1234567890123456:oidc-provider/ci"

// What a JavaScript caller (or the facade) may pass where the type says otherwise.
const loose = <A>(value: unknown): A => value as A

const role = (options: Partial<RamRoleArn.Options<never>>) =>
  RamRoleArn.make({ source: signer, roleArn, retrySchedule: retryNow(0), ...options })

/** The host:port a role's AssumeRole would go to, seen by a loopback proxy that refuses it. */
const stsTarget = (options: Partial<RamRoleArn.Options<never>>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const proxy = yield* LoopbackProxy.make
    const error = yield* Effect.flip(role({ ...options, proxy: proxy.url }).pipe(withEnv(env)))
    expect(error).toMatchObject({ _tag: "UpstreamError", status: 403, code: "ProxyForbidden" })
    expect(yield* proxy.tunnels).toBe(0)
    const targets = yield* proxy.targets
    expect(targets).toHaveLength(1)
    return targets[0]
  })

const invalid = (error: CredentialsError, field: string, reason: string) =>
  expect(error).toMatchObject({ _tag: "InvalidConfiguration", field, reason })

describe("empty text is not set", () => {
  it.scoped("roleSessionName, policy, externalId empty: no Policy, no ExternalId, a generated session name", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credential = yield* role({
          stsEndpoint: emulator.stsUrl,
          roleSessionName: "",
          policy: "",
          externalId: ""
        })
        expect(credential.type).toBe("sts")
        yield* role({ stsEndpoint: emulator.stsUrl, roleSessionName: "  ", policy: " \n", externalId: "\t" })
        const requests = yield* emulator.requests("sts")
        expect(requests).toHaveLength(2)
        for (const request of requests) {
          expect(request.body).not.toHaveProperty("Policy")
          expect(request.body).not.toHaveProperty("ExternalId")
          // the official Node tool's default, at the TestClock's 2024-01-01
          expect(request.body.RoleSessionName).toBe(`credentials-nodejs-${Date.UTC(2024, 0, 1)}`)
        }
      })
    ))

  it.scoped("roleArn and roleSessionName empty: ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_ROLE_SESSION_NAME", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* role({ stsEndpoint: emulator.stsUrl, roleArn: "", roleSessionName: "" }).pipe(withEnv({
          ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1:role/from-env",
          ALIBABA_CLOUD_ROLE_SESSION_NAME: "env-session"
        }))
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.body).toMatchObject({ RoleArn: "acs:ram::1:role/from-env", RoleSessionName: "env-session" })
      })
    ))

  it.scoped("stsRegionId empty: ALIBABA_CLOUD_STS_REGION picks the host (case-folded)", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const target = yield* stsTarget({ stsRegionId: "" }, { ALIBABA_CLOUD_STS_REGION: "CN-Shanghai" })
        expect(target).toBe("sts.cn-shanghai.aliyuncs.com:443")
      })
    ))

  it.scoped("roleArn empty and no ALIBABA_CLOUD_ROLE_ARN: the error names the option and the variable", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(role({ stsEndpoint: emulator.stsUrl, roleArn: "" }))
        invalid(error, "roleArn", "is empty and ALIBABA_CLOUD_ROLE_ARN is not set")
        expect(error.message).toContain("set ALIBABA_CLOUD_ROLE_ARN")
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("OIDC: empty roleArn and oidcProviderArn read their variables; an empty oidcTokenFilePath is no file", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addOidcToken("ci-token")
        yield* OidcRoleArn.make({
          roleArn: "",
          oidcProviderArn: " ",
          oidcTokenFilePath: "",
          oidcToken: Effect.succeed("ci-token"),
          stsEndpoint: emulator.stsUrl
        }).pipe(withEnv({ ALIBABA_CLOUD_ROLE_ARN: roleArn, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: providerArn }))
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.body).toMatchObject({ RoleArn: roleArn, OIDCProviderArn: providerArn })
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("credentialsUri and roleName empty: their variables", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fromUri = yield* CredentialsUri.make({ credentialsUri: "" }).pipe(
          withEnv({ ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri })
        )
        expect(fromUri.providerName).toBe("credentials_uri")
        yield* emulator.setRoleName("env-role")
        yield* EcsRamRole.make({ metadataUrl: emulator.metadataUrl, roleName: "", retrySchedule: retryNow(0) }).pipe(
          withEnv({ ALIBABA_CLOUD_ECS_METADATA: "env-role" })
        )
        expect((yield* emulator.counters("metadata-role")).received).toBe(0)
        const request = Option.getOrThrow(yield* emulator.lastRequest("metadata-credentials"))
        expect(request.path).toBe("/latest/meta-data/ram/security-credentials/env-role")
      })
    ))
})

describe("regions and flags", () => {
  it.scoped("an upper-case region and enableVpc \"true\" (a string): sts-vpc.cn-hangzhou.aliyuncs.com", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const target = yield* stsTarget({ stsRegionId: "CN-Hangzhou", enableVpc: loose("true") })
        expect(target).toBe("sts-vpc.cn-hangzhou.aliyuncs.com:443")
      })
    ))

  it.scoped("enableVpc \"false\" is false (the official client takes any non-empty string as true)", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        expect(yield* stsTarget({ stsRegionId: "cn-hangzhou", enableVpc: loose("FALSE") })).toBe(
          "sts.cn-hangzhou.aliyuncs.com:443"
        )
      })
    ))

  it.scoped("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=TRUE: sts-vpc, whatever the case", () =>
    withEmulator(() =>
      Effect.gen(function*() {
        const target = yield* stsTarget({}, {
          ALIBABA_CLOUD_STS_REGION: "cn-beijing",
          ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "TRUE"
        })
        expect(target).toBe("sts-vpc.cn-beijing.aliyuncs.com:443")
      })
    ))

  it.scoped("disableIMDSv1 \"true\" (a string): the token error, no IMDSv1 request", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          EcsRamRole.make({
            metadataUrl: emulator.metadataUrl,
            disableIMDSv1: loose("true"),
            retrySchedule: retryNow(0)
          })
        )
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 404 })
        expect((yield* emulator.counters("metadata-credentials")).received).toBe(0)
      }), { metadataMode: "v1-only" }))
})

describe("what is refused names the option or the variable", () => {
  it.scoped("a bad flag: \"yes\" in enableVpc or ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED; nothing sent", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fromOption = yield* Effect.flip(
          role({ stsEndpoint: emulator.stsUrl, stsRegionId: "cn-hangzhou", enableVpc: loose("yes") })
        )
        invalid(fromOption, "enableVpc", "must be true or false")
        const fromEnv = yield* Effect.flip(
          role({ stsEndpoint: emulator.stsUrl }).pipe(withEnv({ ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "yes" }))
        )
        invalid(fromEnv, "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "must be true or false")
        expect(fromEnv.message).toContain("Fix: write true or false, or unset ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("ECS flags: \"1\" in ALIBABA_CLOUD_ECS_METADATA_DISABLED or ALIBABA_CLOUD_IMDSV1_DISABLED; nothing sent", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const ecs = EcsRamRole.make({ metadataUrl: emulator.metadataUrl, retrySchedule: retryNow(0) })
        for (const name of ["ALIBABA_CLOUD_ECS_METADATA_DISABLED", "ALIBABA_CLOUD_IMDSV1_DISABLED"]) {
          const error = yield* Effect.flip(ecs.pipe(withEnv({ [name]: "1" })))
          invalid(error, name, "must be true or false")
          expect(error.source).toBe("ecs_ram_role")
        }
        const disabled = yield* Effect.flip(ecs.pipe(withEnv({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: "True" })))
        expect(disabled._tag).toBe("NotConfigured")
        expect((yield* emulator.counters("metadata-token")).received).toBe(0)
      })
    ))

  it.scoped("a bad type: the option and what it got, never the value", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const stsEndpoint = emulator.stsUrl
        invalid(
          yield* Effect.flip(role({ stsEndpoint, enableVpc: loose(1) })),
          "enableVpc",
          "must be true or false, got a number"
        )
        invalid(
          yield* Effect.flip(role({ stsEndpoint, stsRegionId: loose(5) })),
          "stsRegionId",
          "must be a string, got a number"
        )
        invalid(
          yield* Effect.flip(role({ stsEndpoint, roleArn: loose({}) })),
          "roleArn",
          "must be a string, got an object"
        )
        invalid(
          yield* Effect.flip(role({ stsEndpoint, policy: loose(["p"]) })),
          "policy",
          "must be a string, got an array"
        )
        const ecs = yield* Effect.flip(
          EcsRamRole.make({ metadataUrl: emulator.metadataUrl, disableIMDSv1: loose("sometimes") })
        )
        invalid(ecs, "disableIMDSv1", "must be true or false")
        expect(ecs.message).not.toContain("sometimes")
        expect((yield* emulator.counters("sts")).received).toBe(0)
        expect((yield* emulator.counters("metadata-token")).received).toBe(0)
      })
    ))

  it.scoped("a bad region from the variable names the variable", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          role({ stsEndpoint: emulator.stsUrl, stsRegionId: " " }).pipe(
            withEnv({ ALIBABA_CLOUD_STS_REGION: "cn hangzhou" })
          )
        )
        invalid(error, "ALIBABA_CLOUD_STS_REGION", "is not a region ID (letters, digits and -, e.g. cn-hangzhou)")
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))
})
