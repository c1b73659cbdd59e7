// serve as a real process: the start line, the token (header or query), one AssumeRole for many
// clients, a credentials_uri client of the library, 503 without a credential, and SIGTERM/SIGINT.
import { CredentialsUri, HttpTransport } from "@effect-alicloud/credentials"
import { Emulator } from "@effect-alicloud/emulator"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { accessKey, envFor, makeHome, roleArn, start } from "./helpers.js"

const roleConfig = {
  current: "role",
  profiles: [{
    name: "role",
    mode: "RamRoleArn",
    access_key_id: accessKey.accessKeyId,
    access_key_secret: accessKey.accessKeySecret,
    ram_role_arn: roleArn,
    ram_session_name: "cli-serve"
  }]
}

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

describe.concurrent("alicloud-credentials serve", () => {
  it.scopedLive("serves one session to many clients behind its token, until SIGTERM", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const home = yield* makeHome(roleConfig)
      const server = yield* start(["serve", "--sts-endpoint", emulator.stsUrl], envFor(home))
      const line = yield* server.firstLine
      const match = /^serving credentials at (http:\/\/127\.0\.0\.1:\d+\/credentials\?token=([\w-]+)) /.exec(line)
      expect(match, line).not.toBeNull()
      const [, uri, token] = match!
      const base = uri!.slice(0, uri!.indexOf("?"))

      expect((yield* get(base)).status).toBe(401)
      expect((yield* get(`${base}?token=wrong`)).status).toBe(401)
      expect((yield* get(base, { authorization: "Bearer wrong" })).status).toBe(401)
      const withHeader = yield* get(base, { authorization: `Bearer ${token}` })
      expect(withHeader.status).toBe(200)

      const answers = yield* Effect.all(Array.from({ length: 5 }, () => get(uri!)), { concurrency: "unbounded" })
      for (const answer of answers) {
        expect(answer.status).toBe(200)
        expect(Object.keys(answer.body).sort()).toEqual([
          "AccessKeyId",
          "AccessKeySecret",
          "Code",
          "Expiration",
          "SecurityToken"
        ])
        expect(answer.body).toEqual(withHeader.body)
      }
      expect(withHeader.body).toMatchObject({ Code: "Success", AccessKeyId: "STS.emu-000001" })
      expect(withHeader.body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

      // The library's credentials_uri source, as another process on the host would use it.
      const viaClient = yield* CredentialsUri.make({ credentialsUri: uri! }).pipe(Effect.provide(HttpTransport.layer()))
      expect(viaClient.accessKeyId).toBe("STS.emu-000001")
      expect(Redacted.value(viaClient.accessKeySecret)).toBe(withHeader.body.AccessKeySecret)

      const assumeRoles = (yield* emulator.requests("sts")).filter((r) => r.params.Action === "AssumeRole")
      expect(assumeRoles).toHaveLength(1)

      yield* server.signal("SIGTERM")
      expect(yield* server.exited).toEqual({ code: 0, signal: null })
      expect(server.output.stdout.trim().split("\n")).toHaveLength(1)
      expect(server.output.stderr).not.toContain(String(withHeader.body.AccessKeySecret))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("--json start line; 503 with a Code and Message when there is no credential; SIGINT", () =>
    Effect.gen(function*() {
      const home = yield* makeHome()
      const server = yield* start(["serve", "--json", "--port", "0"], envFor(home))
      const started = JSON.parse(yield* server.firstLine)
      expect(started.host).toBe("127.0.0.1")
      expect(started.port).toBeGreaterThan(0)
      expect(started.credentialsUri).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:${started.port}/credentials\\?token=[\\w-]{43}$`)
      )
      const answer = yield* get(started.credentialsUri)
      expect(answer.status).toBe(503)
      expect(answer.body.Code).toBe("ChainExhausted")
      expect(answer.body.Message).toContain("no source of the default chain is configured")
      expect((yield* get(started.credentialsUri.replace("/credentials", "/other"))).status).toBe(404)
      yield* server.signal("SIGINT")
      expect(yield* server.exited).toEqual({ code: 0, signal: null })
      expect(server.output.stderr).toContain("no credential yet (clients get 503)")
    }).pipe(Effect.provide(NodeContext.layer)))
})
