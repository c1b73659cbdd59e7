// The official Node clients (`@alicloud/sts20150401` 1.2.0 on `@alicloud/openapi-core` 1.0.8, and
// `@alicloud/openapi-client` 0.4.15) signing real requests against the emulator. They stamp
// `x-acs-date` / `Timestamp` with the wall clock, so these emulators run on the live Clock
// (`it.scopedLive`); every call has short client timeouts plus an Effect timeout.
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Emulator from "../src/Emulator.js"

// These packages are CommonJS with `exports.default = Client`; `require` gives that shape at
// runtime, and `typeof import(...)` types it so.
const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")
const Credentials = require("@alicloud/credentials") as typeof import("@alicloud/credentials")
const TeaUtil = require("@alicloud/tea-util") as typeof import("@alicloud/tea-util")

type CredentialClient = InstanceType<typeof Credentials.default>

const fixtures = Path.join(Path.dirname(Url.fileURLToPath(import.meta.url)), "fixtures")
const tls = {
  key: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.key"), "utf8"),
  cert: Fs.readFileSync(Path.join(fixtures, "loopback-test-only.crt"), "utf8")
}

const key = { accessKeyId: "LTAI-official-test", accessKeySecret: "official-test-secret" } as const
const rootKey = {
  accessKeyId: "LTAI-root",
  accessKeySecret: "root-secret",
  identity: { _tag: "Account", accountId: "5555555555555555" }
} as const

/** The official credential shape: anything with `getCredential()`. */
const plainCredential = (c: {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string
}): CredentialClient => {
  const model = {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    securityToken: c.securityToken,
    type: c.securityToken === undefined ? "access_key" : "sts",
    providerName: "emulator-test"
  }
  // The clients only call getCredential(); the cast stands in for the full Credential class.
  return { getCredential: () => Promise.resolve(model) } as unknown as CredentialClient
}

type ConfigMap = ConstructorParameters<typeof OpenApi.Config>[0]

const config = (emulator: Emulator.EmulatorShape, extra: ConfigMap) =>
  new OpenApi.Config({
    endpoint: emulator.stsEndpoint,
    protocol: emulator.baseUrl.startsWith("https") ? "https" : "http",
    connectTimeout: 2000,
    readTimeout: 2000,
    ...extra
  })

const stsClient = (emulator: Emulator.EmulatorShape, extra: ConfigMap) =>
  new Sts20150401.default(config(emulator, extra))

/** Runs an SDK promise; a rejection becomes the error value (`code`, `statusCode`). */
const call = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as { readonly code?: string; readonly statusCode?: number } }).pipe(
    Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => ({ code: "TestTimeout" }) })
  )

const lastSts = (emulator: Emulator.EmulatorShape) => Effect.map(emulator.lastRequest("sts"), Option.getOrThrow)

const start = (options: Emulator.Options = {}) => Emulator.make({ accessKeys: [key, rootKey], ...options })

describe("official clients against the emulator", () => {
  it.scopedLive("Sts20150401 getCallerIdentity with a plain credential object: signature v3 verified", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const client = stsClient(emulator, { credential: plainCredential(key) })
      const response = yield* call(() => client.getCallerIdentity())
      expect(response.statusCode).toBe(200)
      expect(response.body?.toMap()).toMatchObject({
        AccountId: "1234567890123456",
        UserId: "200000000000000001",
        Arn: "acs:ram::1234567890123456:user/emulator-user",
        IdentityType: "RAMUser",
        PrincipalId: "200000000000000001"
      })
      expect(response.body?.requestId).toMatch(/^[0-9A-F-]{36}$/)
      const request = yield* lastSts(emulator)
      expect(request.signatureAlgorithm).toBe("ACS3-HMAC-SHA256")
      expect(request.headers["host"]).toBe(emulator.stsEndpoint)
      expect(request.headers["x-acs-action"]).toBe("GetCallerIdentity")
      expect(request.headers["x-acs-credentials-provider"]).toBe("emulator-test")
      expect(yield* emulator.counters("sts")).toEqual({ received: 1, succeeded: 1, failed: 0, faulted: 0 })
    }))

  it.scopedLive("a real @alicloud/credentials Credential (access_key); root identity", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const credential = new Credentials.default(
        new Credentials.Config({ type: "access_key", ...key })
      )
      const response = yield* call(() => stsClient(emulator, { credential }).getCallerIdentity())
      expect(response.body?.identityType).toBe("RAMUser")
      expect((yield* lastSts(emulator)).headers["x-acs-credentials-provider"]).toBe("static_ak")
      const root = yield* call(() =>
        stsClient(emulator, {
          credential: new Credentials.default(
            new Credentials.Config({
              type: "access_key",
              accessKeyId: rootKey.accessKeyId,
              accessKeySecret: "root-secret"
            })
          )
        }).getCallerIdentity()
      )
      expect(root.body?.toMap()).toMatchObject({
        AccountId: "5555555555555555",
        UserId: "5555555555555555",
        Arn: "acs:ram::5555555555555555:root",
        IdentityType: "Account",
        PrincipalId: "5555555555555555"
      })
    }))

  it.scopedLive("a wrong secret is SignatureDoesNotMatch, an unknown key InvalidAccessKeyId.NotFound", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const wrong = yield* Effect.flip(
        call(() =>
          stsClient(emulator, { credential: plainCredential({ ...key, accessKeySecret: "nope" }) }).getCallerIdentity()
        )
      )
      expect(wrong).toMatchObject({ code: "SignatureDoesNotMatch", statusCode: 400 })
      const unknown = yield* Effect.flip(
        call(() =>
          stsClient(emulator, { credential: plainCredential({ accessKeyId: "LTAI-nobody", accessKeySecret: "x" }) })
            .getCallerIdentity()
        )
      )
      expect(unknown).toMatchObject({ code: "InvalidAccessKeyId.NotFound", statusCode: 404 })
      expect(yield* emulator.counters("sts")).toEqual({ received: 2, succeeded: 0, failed: 2, faulted: 0 })
    }))

  it.scopedLive("an STS credential from the emulator's AssumeRole (itself called by the official client)", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const source = stsClient(emulator, { credential: plainCredential(key) })
      const assumed = yield* call(() =>
        source.assumeRole(
          new Sts20150401.AssumeRoleRequest({
            roleArn: "acs:ram::1234567890123456:role/deployer",
            roleSessionName: "ci-run",
            durationSeconds: 900
          })
        )
      )
      const c = assumed.body?.credentials
      expect(c?.accessKeyId).toMatch(/^STS\.emu-\d{6}$/)
      const sts = { accessKeyId: c?.accessKeyId ?? "", accessKeySecret: c?.accessKeySecret ?? "" }
      const securityToken = c?.securityToken ?? ""
      // as a plain object ...
      const plain = yield* call(() =>
        stsClient(emulator, { credential: plainCredential({ ...sts, securityToken }) }).getCallerIdentity()
      )
      expect(plain.body?.toMap()).toMatchObject({
        AccountId: "1234567890123456",
        Arn: "acs:ram::1234567890123456:assumed-role/deployer/ci-run",
        IdentityType: "AssumedRoleUser",
        RoleId: "312345678901234560",
        PrincipalId: "312345678901234560:ci-run",
        UserId: "312345678901234560:ci-run"
      })
      const request = yield* lastSts(emulator)
      expect(request.headers["x-acs-security-token"]).toBe(securityToken)
      // ... and as a real sts Credential
      const real = new Credentials.default(new Credentials.Config({ type: "sts", ...sts, securityToken }))
      const viaReal = yield* call(() => stsClient(emulator, { credential: real }).getCallerIdentity())
      expect(viaReal.body?.identityType).toBe("AssumedRoleUser")
      // a wrong token, or none
      const mismatch = yield* Effect.flip(
        call(() =>
          stsClient(emulator, { credential: plainCredential({ ...sts, securityToken: "other" }) }).getCallerIdentity()
        )
      )
      expect(mismatch).toMatchObject({ code: "InvalidSecurityToken.MismatchWithAccessKey" })
      const missing = yield* Effect.flip(
        call(() => stsClient(emulator, { credential: plainCredential(sts) }).getCallerIdentity())
      )
      expect(missing).toMatchObject({ code: "MissingSecurityToken" })
    }))

  it.scopedLive("signatureAlgorithm v2 takes doRPCRequest: HMAC-SHA1 verified", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const client = stsClient(emulator, { credential: plainCredential(key), signatureAlgorithm: "v2" })
      const response = yield* call(() => client.getCallerIdentity())
      expect(response.body?.identityType).toBe("RAMUser")
      const request = yield* lastSts(emulator)
      expect(request.signatureAlgorithm).toBe("HMAC-SHA1")
      expect(request.query["Action"]).toBe("GetCallerIdentity")
      expect(request.query["SignatureVersion"]).toBe("1.0")
      const wrong = yield* Effect.flip(call(() =>
        stsClient(emulator, {
          credential: plainCredential({ ...key, accessKeySecret: "nope" }),
          signatureAlgorithm: "v2"
        }).getCallerIdentity()
      ))
      expect(wrong).toMatchObject({ code: "SignatureDoesNotMatch" })
    }))

  it.scopedLive("signatureAlgorithm ACS3-HMAC-SM3 verified", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const client = stsClient(emulator, { credential: plainCredential(key), signatureAlgorithm: "ACS3-HMAC-SM3" })
      expect((yield* call(() => client.getCallerIdentity())).statusCode).toBe(200)
      expect((yield* lastSts(emulator)).signatureAlgorithm).toBe("ACS3-HMAC-SM3")
    }))

  it.scopedLive("plain @alicloud/openapi-client: callApi (v3) and doRPCRequest (v1)", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const client = new OpenApi.default(config(emulator, { credential: plainCredential(key) }))
      const params = new OpenApi.Params({
        action: "GetCallerIdentity",
        version: "2015-04-01",
        protocol: "HTTPS",
        pathname: "/",
        method: "POST",
        authType: "AK",
        style: "RPC",
        reqBodyType: "formData",
        bodyType: "json"
      })
      const runtime = new TeaUtil.RuntimeOptions({})
      const v3 = yield* call(() => client.callApi(params, new OpenApi.OpenApiRequest({}), runtime))
      expect(v3["body"]).toMatchObject({ IdentityType: "RAMUser" })
      expect((yield* lastSts(emulator)).signatureAlgorithm).toBe("ACS3-HMAC-SHA256")
      const v1 = yield* call(() =>
        client.doRPCRequest(
          "GetCallerIdentity",
          "2015-04-01",
          "HTTPS",
          "POST",
          "AK",
          "json",
          new OpenApi.OpenApiRequest({}),
          runtime
        )
      )
      expect(v1["body"]).toMatchObject({ IdentityType: "RAMUser" })
      expect((yield* lastSts(emulator)).signatureAlgorithm).toBe("HMAC-SHA1")
    }))

  it.scopedLive("a bearer token is recorded as BEARERTOKEN and refused by STS", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const refused = yield* Effect.flip(
        call(() => stsClient(emulator, { bearerToken: "some-bearer-token" }).getCallerIdentity())
      )
      expect(refused).toMatchObject({ code: "InvalidParameter.SignatureType", statusCode: 400 })
      expect((yield* lastSts(emulator)).signatureAlgorithm).toBe("BEARERTOKEN")
    }))

  it.scopedLive("HTTPS: the client trusts the test certificate through its `ca` option", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ tls })
      const client = stsClient(emulator, { credential: plainCredential(key), ca: tls.cert })
      expect((yield* call(() => client.getCallerIdentity())).body?.identityType).toBe("RAMUser")
      // without it, the handshake fails (verification stays on)
      const untrusted = yield* Effect.flip(
        call(() => stsClient(emulator, { credential: plainCredential(key) }).getCallerIdentity())
      )
      expect(String((untrusted as { message?: string }).message ?? untrusted)).toMatch(/certificate/i)
    }))
})
