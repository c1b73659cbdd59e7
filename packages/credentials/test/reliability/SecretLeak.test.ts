// A representative pass over everything the library prints or fails with, through the real code
// paths: every network source against the emulator (success and each fault), bad files, bad
// options, a chain's ChainExhausted, the Promise facade's rejected Error, and the refresh engine's
// warnings through a capturing Logger. Every secret input is a recognisable `SECRET-...` value, and
// so is every secret the emulator issues (collected from the credentials it hands out). No
// rendering of any outcome may contain one.
import { Fault } from "@effect-alicloud/emulator"
import { NodeCommandExecutor } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, type Duration, Effect, Either, Exit, Layer, Logger, Redacted, TestClock } from "effect"
import { inspect } from "node:util"
import * as Chain from "../../src/Chain.js"
import * as Credential from "../../src/Credential.js"
import { Credentials } from "../../src/Credentials.js"
import * as HttpTransport from "../../src/HttpTransport.js"
import * as AccessKey from "../../src/sources/AccessKey.js"
import * as Bearer from "../../src/sources/Bearer.js"
import * as CliProfile from "../../src/sources/CliProfile.js"
import * as CredentialsUri from "../../src/sources/CredentialsUri.js"
import * as EcsRamRole from "../../src/sources/EcsRamRole.js"
import * as IniProfile from "../../src/sources/IniProfile.js"
import * as OidcRoleArn from "../../src/sources/OidcRoleArn.js"
import * as RamRoleArn from "../../src/sources/RamRoleArn.js"
import * as Sts from "../../src/sources/Sts.js"
import PromiseCredential from "../facade.js"
import { layerOneFile } from "../oneFile.js"
import { retryNow, roleArn, withEmulator, withEnv } from "../withEmulator.js"
import { closedPort, oidcProviderArn, T0 } from "./harness.js"

// Every secret input of the pass.
const S = {
  akSecret: "SECRET-ak-secret-0001",
  stsSecret: "SECRET-sts-secret-0002",
  stsToken: "SECRET-sts-token-0003",
  oidcToken: "SECRET-oidc-token-0004",
  ssoToken: "SECRET-sso-token-0005",
  oauthRefresh: "SECRET-oauth-refresh-0006",
  oauthAccess: "SECRET-oauth-access-0007",
  bearer: "SECRET-bearer-0008",
  uriToken: "SECRET-uri-query-0009",
  uriPassword: "SECRET-uri-password-0010",
  wrongSecret: "SECRET-wrong-secret-0011"
} as const
const ak = { accessKeyId: "LTAI5tLeakTestKey0001", accessKeySecret: S.akSecret }
const stsKey = { accessKeyId: "STS.leak-test-key-0001", accessKeySecret: S.stsSecret, securityToken: S.stsToken }

/** What the pass saw: every outcome, and every secret (ours and those the emulator issued). */
class Pass {
  readonly secrets = new Set<string>(Object.values(S))
  readonly outcomes: Array<{ readonly label: string; readonly value: unknown }> = []
  readonly logLines: Array<string> = []
  readonly tags = new Set<string>()
  see(label: string, value: unknown): void {
    this.outcomes.push({ label, value })
    if (value instanceof Credential.Credential) {
      for (const r of [value.accessKeySecret, value.securityToken, value.bearerToken]) {
        // (a bearer credential's AccessKey fields are empty: nothing to look for)
        if (r !== undefined && Redacted.value(r).length >= 8) this.secrets.add(Redacted.value(r))
      }
      this.tags.add("Credential")
    } else if (typeof value === "object" && value !== null && "_tag" in value) {
      this.tags.add(String(value._tag))
    }
  }
  /** Runs `effect`, records its success or its typed error (a defect fails the test). */
  run<A, E, R>(label: string, effect: Effect.Effect<A, E, R>): Effect.Effect<Exit.Exit<A, E>, never, R> {
    return Effect.tap(Effect.exit(effect), (exit) =>
      Effect.sync(() => {
        if (Exit.isSuccess(exit)) return this.see(label, exit.value)
        const failure = Cause.failureOption(exit.cause)
        expect(failure._tag, `${label}: ${Cause.pretty(exit.cause)}`).toBe("Some")
        this.see(label, (failure as { value: unknown }).value)
      }))
  }
}

const renderings = (value: unknown): ReadonlyArray<string> => {
  const out = [
    String(value),
    inspect(value, { depth: 20 }),
    JSON.stringify(value) ?? "",
    inspect({ nested: [value] }, { depth: 20 })
  ]
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? "", Cause.pretty(Cause.fail(value)), Cause.pretty(Cause.die(value)))
  }
  return out
}

const expectClean = (pass: Pass) => {
  const leaks: Array<string> = []
  for (const { label, value } of pass.outcomes) {
    for (const text of renderings(value)) {
      for (const secret of pass.secrets) {
        if (text.includes(secret)) leaks.push(`${label}: ${secret} in ${JSON.stringify(text.slice(0, 300))}`)
      }
    }
  }
  for (const line of pass.logLines) {
    for (const secret of pass.secrets) if (line.includes(secret)) leaks.push(`log: ${secret} in ${line}`)
  }
  expect(leaks).toEqual([])
}

// Logs in three formats, captured.
const capturingLogger = (lines: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.zip(
      Logger.zip(
        Logger.map(Logger.logfmtLogger, (l) => void lines.push(l)),
        Logger.map(Logger.jsonLogger, (l) => void lines.push(l))
      ),
      Logger.map(Logger.structuredLogger, (l) => void lines.push(JSON.stringify(l)))
    )
  )

const oneFile = layerOneFile

const faults: ReadonlyArray<readonly [string, Fault.Fault]> = [
  ["500", Fault.internalError],
  ["403", Fault.httpError(403, "NoPermission", "You are not authorized to do this action.")],
  ["throttling", Fault.throttling(429)],
  ["malformed", Fault.malformedBody],
  ["truncated", Fault.truncatedBody],
  ["missing field", Fault.missingField("AccessKeySecret")],
  ["reset", Fault.reset]
]

describe("no secret in anything the library prints or fails with", () => {
  it.scoped("network sources against the emulator: successes, faults, wrong secrets, refused, timeouts, and the refresh engine's warnings", () => {
    const pass = new Pass()
    return withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addAccessKey(stsKey)
        yield* emulator.addOidcToken(S.oidcToken)
        yield* emulator.addCloudSsoToken({ accessToken: S.ssoToken, accountId: "123", accessConfigurationId: "ac-1" })
        yield* emulator.addOAuthRefreshToken({ refreshToken: S.oauthRefresh })
        const refused = `http://127.0.0.1:${yield* closedPort}`
        const role = (stsEndpoint: string, signer = Sts.make(stsKey)) =>
          RamRoleArn.make({
            source: signer,
            roleArn,
            stsEndpoint,
            roleSessionName: "leak",
            policy: "{\"Version\":\"1\"}",
            retrySchedule: retryNow(0)
          })
        const oidc = (stsEndpoint: string, token: string = S.oidcToken) =>
          OidcRoleArn.make({
            roleArn,
            oidcProviderArn,
            oidcTokenFilePath: "/virtual/token",
            stsEndpoint,
            retrySchedule: retryNow(0)
          }).pipe(Effect.provide(oneFile(token)))
        const ecs = (metadataUrl: string) => EcsRamRole.make({ metadataUrl, retrySchedule: retryNow(0) })
        const uri = (base: string) =>
          CredentialsUri.make({
            credentialsUri: `http://user:${S.uriPassword}@${new URL(base).host}/credentials?token=${S.uriToken}`,
            retrySchedule: retryNow(0)
          })
        const networkSources = [
          ["ram_role_arn", "sts", role] as const,
          ["oidc_role_arn", "sts", oidc] as const,
          ["ecs_ram_role", "metadata-credentials", ecs] as const,
          ["credentials_uri", "credentials-uri", uri] as const
        ]
        for (const [name, endpoint, make] of networkSources) {
          yield* pass.run(`${name} success`, make(emulator.baseUrl))
          for (const [faultName, fault] of faults) {
            yield* emulator.setFault(endpoint, fault)
            yield* pass.run(`${name} ${faultName}`, make(emulator.baseUrl))
            yield* emulator.clearFaults
          }
          yield* pass.run(`${name} refused`, make(refused))
        }
        // a hang: the Timeout
        yield* emulator.setFault("sts", Fault.hang)
        const hung = yield* Effect.fork(role(emulator.stsUrl).pipe(Effect.exit))
        yield* emulator.awaitRequests("sts", 1)
        yield* TestClock.adjust("1 minute")
        const hangExit = yield* hung.await.pipe(Effect.flatten)
        yield* pass.run("ram_role_arn hang", hangExit)
        yield* emulator.clearFaults
        // a wrong secret: STS echoes its string to sign (with the SecurityToken) in its message
        yield* pass.run(
          "ram_role_arn SignatureDoesNotMatch",
          role(emulator.stsUrl, Sts.make({ ...stsKey, accessKeySecret: S.wrongSecret }))
        )
        yield* pass.run(
          "ram_role_arn unknown key",
          role(emulator.stsUrl, AccessKey.make({ accessKeyId: "LTAI-unknown", accessKeySecret: S.akSecret }))
        )
        yield* pass.run("oidc_role_arn unknown token", oidc(emulator.stsUrl, "SECRET-oidc-unknown-0012"))
        pass.secrets.add("SECRET-oidc-unknown-0012")
        yield* pass.run("oidc_role_arn empty token file", oidc(emulator.stsUrl, "   \n"))

        // the CLI profile's sign-in modes: CloudSSO (good and wrong token), OAuth (refused refresh token)
        const cli = (profile: Record<string, unknown>) =>
          CliProfile.make({
            path: "/virtual/config.json",
            oauthBaseUrl: emulator.oauthBaseUrl,
            retrySchedule: retryNow(0)
          }).pipe(
            Effect.provide(
              Layer.provideMerge(
                NodeCommandExecutor.layer,
                oneFile(JSON.stringify({ current: "p", profiles: [{ name: "p", ...profile }] }))
              )
            )
          )
        const sso = (token: string) => ({
          mode: "CloudSSO",
          cloud_sso_sign_in_url: emulator.cloudSsoSignInUrl,
          cloud_sso_account_id: "123",
          cloud_sso_access_config: "ac-1",
          access_token: token,
          cloud_sso_access_token_expire: Math.floor(T0 / 1000) + 3600
        })
        yield* pass.run("cli_profile CloudSSO", cli(sso(S.ssoToken)))
        yield* pass.run("cli_profile CloudSSO wrong token", cli(sso("SECRET-sso-wrong-0013")))
        pass.secrets.add("SECRET-sso-wrong-0013")
        yield* pass.run(
          "cli_profile OAuth refused",
          cli({
            mode: "OAuth",
            oauth_site_type: "CN",
            oauth_refresh_token: "SECRET-oauth-unknown-0014",
            oauth_access_token: S.oauthAccess,
            oauth_access_token_expire: Math.floor(T0 / 1000) - 10
          })
        )
        pass.secrets.add("SECRET-oauth-unknown-0014")

        // the refresh engine: a background refresh fails while the credential is valid (warnings)
        yield* Effect.gen(function*() {
          const credentials = yield* Credentials
          yield* pass.run("Credentials.get", credentials.get)
          yield* emulator.setFault("sts", Fault.internalError)
          const before = (yield* emulator.counters("sts")).received
          yield* TestClock.adjust("50 minutes")
          yield* emulator.awaitRequests("sts", before + 1)
          yield* TestClock.adjust("20 minutes") // past expiry: the caller gets the typed error
          yield* pass.run("Credentials.get after expiry", credentials.get)
          yield* Effect.logError("get failed", Cause.fail(new Error("x")))
        }).pipe(
          Effect.provide(Credentials.layer(role(emulator.stsUrl), { jitter: 0 })),
          Effect.provide(capturingLogger(pass.logLines))
        )
      })
    ).pipe(
      Effect.tap(() =>
        Effect.sync(() => {
          for (
            const tag of [
              "Credential",
              "UpstreamError",
              "MalformedResponse",
              "NetworkError",
              "Timeout",
              "InvalidConfiguration"
            ]
          ) {
            expect(pass.tags.has(tag), tag).toBe(true)
          }
          expect(pass.logLines.some((l) => l.includes("credential refresh failed"))).toBe(true)
          expectClean(pass)
        })
      )
    )
  })

  it.effect("bad options and bad files: static sources, the ini file, the CLI config, a chain's ChainExhausted", () => {
    const pass = new Pass()
    return Effect.gen(function*() {
      yield* pass.run("access_key no id", AccessKey.make({ accessKeyId: "", accessKeySecret: S.akSecret }))
      yield* pass.run(
        "access_key id as secret's type",
        AccessKey.make({ accessKeyId: 42 as unknown as string, accessKeySecret: S.akSecret })
      )
      yield* pass.run(
        "sts empty token",
        Sts.make({ accessKeyId: "id", accessKeySecret: S.stsSecret, securityToken: "" })
      )
      yield* pass.run(
        "sts secret in the wrong field",
        Sts.make({ accessKeyId: S.akSecret, accessKeySecret: "", securityToken: S.stsToken })
      )
      yield* pass.run("bearer", Bearer.make({ bearerToken: S.bearer }))
      yield* pass.run(
        "ram_role_arn bad duration",
        RamRoleArn.make({
          source: AccessKey.make(ak),
          roleArn,
          roleSessionExpiration: "forever" as Duration.DurationInput
        }).pipe(Effect.provide(HttpTransport.layer()))
      )
      yield* pass.run(
        "ram_role_arn no role",
        RamRoleArn.make({ source: Sts.make(stsKey) }).pipe(Effect.provide(HttpTransport.layer()))
      )
      // CLI config files: not JSON (the official tool prints the whole file), wrong types, unknown mode
      const cliFiles = [
        `{"current":"p","profiles":[{"name":"p","mode":"AK","access_key_id":"id","access_key_secret":"${S.akSecret}"`,
        `{"current":"p","profiles":[{"name":"p","mode":"AK","access_key_id":${JSON.stringify(S.akSecret)}}]}`,
        `{"current":"p","profiles":[{"name":"p","mode":"StsToken","access_key_id":"id","access_key_secret":"${S.akSecret}","sts_token":42}]}`,
        `{"current":"p","profiles":[{"name":"p","mode":"Nope","access_key_secret":"${S.akSecret}"}]}`,
        `{"current":"q","profiles":[{"name":"p","mode":"AK","access_key_secret":"${S.akSecret}"}]}`,
        `{"profiles":"${S.akSecret}"}`,
        `${S.akSecret}`
      ]
      for (const [i, file] of cliFiles.entries()) {
        yield* pass.run(
          `cli_profile file ${i}`,
          CliProfile.make({ path: "/virtual/config.json" }).pipe(
            Effect.provide(Layer.provideMerge(NodeCommandExecutor.layer, oneFile(file))),
            Effect.provide(HttpTransport.layer())
          )
        )
      }
      const iniFiles = [
        `[default]\ntype = access_key\naccess_key_secret = ${S.akSecret}\n`,
        `[default]\ntype = ram_role_arn\naccess_key_id = id\naccess_key_secret ${S.akSecret}\n`,
        `[default]\ntype = rsa_key_pair\nprivate_key_file = /k\naccess_key_secret = "${S.akSecret}\n`,
        `[default]\naccess_key_secret = ${S.akSecret}\n`,
        `[other]\ntype = access_key\naccess_key_id = id\naccess_key_secret = ${S.akSecret}\n`
      ]
      for (const [i, file] of iniFiles.entries()) {
        yield* pass.run(
          `ini file ${i}`,
          IniProfile.make({ path: "/virtual/credentials" }).pipe(
            Effect.provide(oneFile(file)),
            Effect.provide(HttpTransport.layer())
          )
        )
      }
      // a chain in which every source fails with something built from secrets
      const chain = yield* Chain.make([
        AccessKey.make({ accessKeyId: "", accessKeySecret: S.akSecret }),
        Sts.make({ accessKeyId: "id", accessKeySecret: S.stsSecret, securityToken: "" }),
        RamRoleArn.make({
          source: Sts.make(stsKey),
          roleArn,
          stsEndpoint: "http://127.0.0.1:9",
          retrySchedule: retryNow(0)
        }).pipe(Effect.provide(HttpTransport.layer()))
      ], { name: "leaky", onError: "continue" })
      const exhausted = yield* pass.run("ChainExhausted", chain)
      expect(Exit.isFailure(exhausted)).toBe(true)
      expect(pass.tags.has("ChainExhausted")).toBe(true)
      expect(pass.tags.has("InvalidConfiguration")).toBe(true)
      expectClean(pass)
    }).pipe(withEnv({}))
  })

  it.scopedLive("the Promise facade: rejected Errors (message, cause, inspect) and the client's own rendering", () => {
    const pass = new Pass()
    return Effect.gen(function*() {
      const refused = `127.0.0.1:${yield* closedPort}`
      const clients = [
        new PromiseCredential({
          type: "ram_role_arn",
          accessKeyId: ak.accessKeyId,
          accessKeySecret: S.akSecret,
          securityToken: S.stsToken,
          roleArn,
          stsEndpoint: `http://${refused}`,
          connectTimeout: 500,
          timeout: 500
        }),
        new PromiseCredential({ type: "ram_role_arn", accessKeyId: ak.accessKeyId, accessKeySecret: S.akSecret }),
        new PromiseCredential({ type: "sts", accessKeyId: "id", accessKeySecret: S.stsSecret, securityToken: "" }),
        new PromiseCredential({ type: "bearer", bearerToken: S.bearer }),
        new PromiseCredential({
          type: "credentials_uri",
          credentialsURI: `http://user:${S.uriPassword}@${refused}/c?token=${S.uriToken}`,
          connectTimeout: 500,
          timeout: 500
        })
      ]
      for (const [i, client] of clients.entries()) {
        const result = yield* Effect.either(Effect.tryPromise({ try: () => client.getCredential(), catch: (e) => e }))
        pass.see(`facade ${i} ${client.getType()}`, Either.isLeft(result) ? result.left : client)
        pass.see(`facade ${i} client`, client)
        yield* Effect.promise(() => client.close())
      }
      expect(pass.outcomes.filter((o) => o.value instanceof Error).length).toBe(4)
      expectClean(pass)
    })
  })

  // A leak this suite found (defence in depth): the service's `Message` went verbatim into
  // UpstreamError.serviceMessage, so a service or proxy echoing the request's SecurityToken would
  // leak it. The request's secrets are now cut out of the service's message. (No real STS error is
  // known to echo it: the emulator is told to here.)
  it.scoped("an error message that echoes the request's SecurityToken is scrubbed (a leak this suite found)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* emulator.addAccessKey(stsKey)
        yield* emulator.setFault("sts", Fault.httpError(500, "InternalError", `bad token ${S.stsToken}`))
        const error = yield* Effect.flip(
          RamRoleArn.make({
            source: Sts.make(stsKey),
            roleArn,
            stsEndpoint: emulator.stsUrl,
            retrySchedule: retryNow(0)
          })
        )
        expect(error._tag).toBe("UpstreamError")
        for (const text of renderings(error)) expect(text).not.toContain(S.stsToken)
      })
    ))
})
