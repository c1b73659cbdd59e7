// resolve, explain, --help and bad input, each as a real process against a temp HOME and, for the
// network modes, the emulator on 127.0.0.1 (real time: the processes use the wall clock).
import { Emulator } from "@effect-alicloud/emulator"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { accessKey, closedPort, envFor, isOneLine, makeHome, roleArn, run } from "./helpers.js"

const akProfile = {
  name: "default",
  mode: "AK",
  access_key_id: "LTAI5tProfileKey0001",
  access_key_secret: "profile-secret-1"
}
const roleProfile = {
  name: "role",
  mode: "RamRoleArn",
  access_key_id: accessKey.accessKeyId,
  access_key_secret: accessKey.accessKeySecret,
  ram_role_arn: roleArn,
  ram_session_name: "cli-test"
}
const config = { current: "default", profiles: [akProfile, roleProfile] }
const chainNames = ["env", "oidc_role_arn", "cli_profile", "profile", "ecs_ram_role", "credentials_uri"]

describe.concurrent("alicloud-credentials", () => {
  it.scopedLive("--help for the command and a subcommand", () =>
    Effect.gen(function*() {
      const home = yield* makeHome()
      const root = yield* run(["--help"], envFor(home))
      expect(root.code).toBe(0)
      for (const name of ["resolve", "explain", "export", "serve"]) expect(root.stdout).toContain(`- ${name}`)
      const serve = yield* run(["serve", "--help"], envFor(home))
      expect(serve.code).toBe(0)
      for (
        const flag of [
          "--profile",
          "--sts-endpoint",
          "--metadata-url",
          "--credentials-uri",
          "--oauth-base-url",
          "--connect-timeout",
          "--read-timeout",
          "--host",
          "--port",
          "--json"
        ]
      ) {
        expect(serve.stdout).toContain(flag)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("resolve: an AK profile, as text and as JSON, without the secret", () =>
    Effect.gen(function*() {
      const home = yield* makeHome(config)
      const text = yield* run(["resolve"], envFor(home))
      expect(text.code).toBe(0)
      expect(text.stdout).toContain("default/cli_profile/static_ak")
      expect(text.stdout).toContain("access_key")
      expect(text.stdout).toContain("LTAI****0001")
      expect(text.stdout).toContain("never")
      const json = yield* run(["resolve", "--json"], envFor(home))
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual({
        providerName: "default/cli_profile/static_ak",
        type: "access_key",
        accessKeyId: "LTAI****0001",
        expiration: null,
        expiresInSeconds: null
      })
      for (const out of [text, json]) {
        expect(out.stdout + out.stderr).not.toContain("profile-secret-1")
        expect(out.stdout + out.stderr).not.toContain("LTAI5tProfileKey0001")
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("resolve: an environment credential comes first", () =>
    Effect.gen(function*() {
      const home = yield* makeHome(config)
      const env = envFor(home, {
        ALIBABA_CLOUD_ACCESS_KEY_ID: "STS.EnvKeyId000001",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "env-secret-1",
        ALIBABA_CLOUD_SECURITY_TOKEN: "env-token-1"
      })
      const json = yield* run(["resolve", "--json"], env)
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toMatchObject({
        providerName: "default/env",
        type: "sts",
        accessKeyId: "STS.****0001"
      })
      expect(json.stdout + json.stderr).not.toMatch(/env-secret-1|env-token-1/)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("resolve: a RamRoleArn profile assumes the role at the emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const home = yield* makeHome(config)
      const flags = ["--profile", "role", "--sts-endpoint", emulator.stsUrl, "--metadata-url", emulator.metadataUrl]
      const json = yield* run(["resolve", "--json", ...flags], envFor(home))
      expect(json.code, json.stderr).toBe(0)
      const view = JSON.parse(json.stdout)
      expect(view).toMatchObject({
        providerName: "default/cli_profile/ram_role_arn/static_ak",
        type: "sts",
        accessKeyId: "STS.****0001"
      })
      expect(view.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect(view.expiresInSeconds).toBeGreaterThan(3500)
      expect(view.expiresInSeconds).toBeLessThanOrEqual(3600)
      const text = yield* run(["resolve", ...flags], envFor(home))
      expect(text.code).toBe(0)
      expect(text.stdout).toMatch(/expires: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(59m \d+s left\)/)
      expect((yield* emulator.requests("sts")).filter((r) => r.params.Action === "AssumeRole")).toHaveLength(2)
      expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain("emu-secret")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("explain: every source in order, skipped with its reason, picked, not tried", () =>
    Effect.gen(function*() {
      const home = yield* makeHome(config)
      const json = yield* run(["explain", "--json"], envFor(home))
      expect(json.code).toBe(0)
      const explained = JSON.parse(json.stdout)
      expect(explained.picked).toBe("cli_profile")
      expect(explained.steps.map((s: { name: string }) => s.name)).toEqual(chainNames)
      expect(explained.steps.map((s: { status: string }) => s.status)).toEqual([
        "skipped",
        "skipped",
        "picked",
        "not_tried",
        "not_tried",
        "not_tried"
      ])
      expect(explained.steps[0].error).toMatchObject({ _tag: "NotConfigured", source: "env" })
      expect(explained.steps[0].error.message).toContain("ALIBABA_CLOUD_ACCESS_KEY_ID")
      expect(explained.steps[2].credential).toMatchObject({
        providerName: "cli_profile/static_ak",
        accessKeyId: "LTAI****0001"
      })
      const text = yield* run(["explain"], envFor(home))
      expect(text.code).toBe(0)
      const lines = text.stdout.trim().split("\n").slice(1)
      expect(lines.map((line) => line.trim().split(/\s+/)[1])).toEqual(chainNames)
      expect(lines[0]).toContain("skipped: env: not configured")
      expect(lines[2]).toContain("picked: cli_profile/static_ak")
      expect(lines[5]).toContain("not tried")
      expect(text.stdout + json.stdout).not.toContain("profile-secret-1")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("explain: a selected profile that cannot be used ends the chain; the sources after it are not tried", () =>
    Effect.gen(function*() {
      // `current` selects a RamRoleArn profile without its role: the chain ends there, even with a
      // credentials URI configured after it
      const broken = { name: "role", mode: "RamRoleArn", access_key_id: accessKey.accessKeyId, access_key_secret: "s" }
      const home = yield* makeHome({ current: "role", profiles: [broken] })
      const env = envFor(home, { ALIBABA_CLOUD_CREDENTIALS_URI: `http://127.0.0.1:${yield* closedPort}/creds` })
      const json = yield* run(["explain", "--json"], env)
      expect(json.code).not.toBe(0)
      expect(json.stderr).toContain("ram_role_arn")
      const explained = JSON.parse(json.stdout)
      expect(explained.steps.map((s: { status: string }) => s.status)).toEqual([
        "skipped",
        "skipped",
        "ended_chain",
        "not_tried",
        "not_tried",
        "not_tried"
      ])
      const text = yield* run(["explain"], env)
      const lines = text.stdout.trim().split("\n").slice(1)
      expect(lines[2]).toContain("ended the chain: cli_profile")
      expect(lines[5]).toContain("not tried (the chain ended before it)")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("explain: nothing configured lists each source's fix and exits 1", () =>
    Effect.gen(function*() {
      const home = yield* makeHome()
      const text = yield* run(["explain"], envFor(home))
      expect(text.code).toBe(1)
      expect(text.stdout.trim().split("\n").slice(1).every((line) => line.includes("skipped:"))).toBe(true)
      expect(isOneLine(text.stderr)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("an unknown profile: exit 2, one line that names the profiles there are", () =>
    Effect.gen(function*() {
      const home = yield* makeHome(config)
      const result = yield* run(["resolve", "--profile", "nope"], envFor(home))
      expect(result.code).toBe(2)
      expect(result.stdout).toBe("")
      expect(isOneLine(result.stderr)).toBe(true)
      expect(result.stderr).toContain(`no profile "nope"`)
      expect(result.stderr).toContain(`"default"`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a malformed config file: exit 2, one line, no content of the file", () =>
    Effect.gen(function*() {
      const home = yield* makeHome(`{"profiles": [{"name": "default", "access_key_secret": "leaked-secret"`)
      const result = yield* run(["resolve"], envFor(home))
      expect(result.code).toBe(2)
      expect(isOneLine(result.stderr)).toBe(true)
      expect(result.stderr).toContain("config.json is not valid JSON")
      expect(result.stderr).not.toContain("leaked-secret")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("the STS endpoint down (a closed port): exit 1, one line naming it", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const home = yield* makeHome(config)
      const result = yield* run(
        ["resolve", "--profile", "role", "--sts-endpoint", `http://127.0.0.1:${port}/`],
        envFor(home)
      )
      expect(result.code).toBe(1)
      expect(isOneLine(result.stderr)).toBe(true)
      expect(result.stderr).toContain(`cannot reach http://127.0.0.1:${port}/`)
      expect(result.stderr).not.toContain(accessKey.accessKeySecret)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("usage errors exit 2: a bad duration, a non-loopback serve host", () =>
    Effect.gen(function*() {
      const home = yield* makeHome(config)
      const duration = yield* run(["resolve", "--connect-timeout", "soon"], envFor(home))
      expect(duration.code).toBe(2)
      expect(duration.stderr).toContain("is not a duration")
      const host = yield* run(["serve", "--host", "0.0.0.0"], envFor(home))
      expect(host.code).toBe(2)
      expect(isOneLine(host.stderr)).toBe(true)
      expect(host.stderr).toContain("not a loopback address")
    }).pipe(Effect.provide(NodeContext.layer)))
})
