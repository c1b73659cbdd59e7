// export as a real process: shell lines that `sh` evaluates back to the same values, the External
// JSON of an STS session from the emulator, and the refusal to print to a terminal.
import { Emulator } from "@effect-alicloud/emulator"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { accessKey, envFor, isOneLine, makeHome, nodeArgs, roleArn, run, trickySecret } from "./helpers.js"

const roleConfig = {
  current: "role",
  profiles: [{
    name: "role",
    mode: "RamRoleArn",
    access_key_id: accessKey.accessKeyId,
    access_key_secret: accessKey.accessKeySecret,
    ram_role_arn: roleArn,
    ram_session_name: "cli-export"
  }]
}

describe.concurrent("alicloud-credentials export", () => {
  it.scopedLive("shell: export lines that sh evaluates to the exact values", () =>
    Effect.gen(function*() {
      const home = yield* makeHome()
      const token = `tok'en\n$(touch ${home}/pwned)`
      const env = envFor(home, {
        ALIBABA_CLOUD_ACCESS_KEY_ID: "STS.ExportKey00001",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: trickySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: token
      })
      const exported = yield* run(["export"], env)
      expect(exported.code, exported.stderr).toBe(0)
      expect(exported.stdout.split("\n").filter((l) => l.startsWith("export "))).toHaveLength(3)
      // A shell that starts without the variables, evaluates the lines, and prints them as JSON.
      const script =
        `eval "$1"; node -e 'const e = process.env; console.log(JSON.stringify([e.ALIBABA_CLOUD_ACCESS_KEY_ID, e.ALIBABA_CLOUD_ACCESS_KEY_SECRET, e.ALIBABA_CLOUD_SECURITY_TOKEN]))'`
      const evaluated = yield* run([], envFor(home), { command: () => ["sh", ["-c", script, "sh", exported.stdout]] })
      expect(evaluated.code, evaluated.stderr).toBe(0)
      expect(JSON.parse(evaluated.stdout)).toEqual(["STS.ExportKey00001", trickySecret, token])
      const pwned = yield* run([], envFor(home), { command: () => ["sh", ["-c", `test -e ${home}/pwned`]] })
      expect(pwned.code).toBe(1)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("json: the External-mode output of an STS session from the emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const home = yield* makeHome(roleConfig)
      const result = yield* run(["export", "--format", "json", "--sts-endpoint", emulator.stsUrl], envFor(home))
      expect(result.code, result.stderr).toBe(0)
      const output = JSON.parse(result.stdout)
      expect(Object.keys(output).sort()).toEqual([
        "access_key_id",
        "access_key_secret",
        "expiration",
        "mode",
        "sts_token"
      ])
      expect(output).toMatchObject({ mode: "StsToken", access_key_id: "STS.emu-000001" })
      expect(output.access_key_secret).toMatch(/^emu-secret-000001-/)
      expect(output.sts_token).toMatch(/^emu-token-000001-/)
      expect(output.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect(result.stderr).toBe("")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive.skipIf(!existsSync("/usr/bin/script"))(
    "refuses a terminal without --force (run under script(1) for a pty)",
    () =>
      Effect.gen(function*() {
        const home = yield* makeHome()
        const env = envFor(home, {
          ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tExportKey001",
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: "tty-secret-1"
        })
        const underTty = (args: ReadonlyArray<string>) => () =>
          ["script", ["-qec", [process.execPath, ...nodeArgs, ...args].join(" "), "/dev/null"]] as const
        const refused = yield* run(["export"], env, { command: underTty(["export"]) })
        expect(refused.code).toBe(2)
        expect(isOneLine(refused.stdout)).toBe(true)
        expect(refused.stdout).toContain("refusing to print secrets to a terminal")
        expect(refused.stdout).not.toContain("tty-secret-1")
        const forced = yield* run(["export", "--force"], env, { command: underTty(["export", "--force"]) })
        expect(forced.code).toBe(0)
        expect(forced.stdout).toContain("export ALIBABA_CLOUD_ACCESS_KEY_SECRET='tty-secret-1'")
        expect(forced.stdout).toContain("unset ALIBABA_CLOUD_SECURITY_TOKEN")
      }).pipe(Effect.provide(NodeContext.layer))
  )
})
