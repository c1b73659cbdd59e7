// A CLI profile loads its own mode's modules, not every mode's. A real Node process (the network
// guard preloaded) imports `Credentials` and `CredentialsLive` from the built package by their
// subpaths, with a HOME whose ~/.aliyun/config.json selects a profile, and gets a credential; the
// test lists every module it loaded (ES modules through a loader hook, CommonJS from
// require.cache). A RamRoleArn profile, answered by the emulator's STS on 127.0.0.1, loads no
// External helper (no child processes), no OAuth or CloudSSO exchange, no metadata client, no
// config write-back, no session cache (none is asked for). The control: an External profile,
// whose helper is a real process, loads the helper's modules and Node's child process executor,
// and gets its credential through them.
import { Emulator } from "@effect-alicloud/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeScratch, run } from "./scratchConsumer.js"

const fixtures = fileURLToPath(new URL("fixtures/startup/", import.meta.url))
const guard = fileURLToPath(new URL("../../../bench/src/guard.mjs", import.meta.url))
const key = { accessKeyId: "LTAI5tProfileModes01", accessKeySecret: "profile-modes-secret" } as const

// The modules of the modes a RamRoleArn profile does not use, and what they would bring along.
const otherModes: ReadonlyArray<readonly [what: string, pattern: RegExp]> = [
  ["the External helper", /\/credentials\/dist\/(cjs\/)?internal\/process\//],
  ["the External mode", /\/cliConfig\/externalMode\.js$/],
  ["the OAuth mode", /\/cliConfig\/oauthMode\.js$/],
  ["the CloudSSO mode", /\/cliConfig\/cloudSsoMode\.js$/],
  ["the sign-in protocols", /\/protocols\/signIn\.js$/],
  ["the config write-back", /\/cliConfig\/writeBack\.js$/],
  ["the session cache (none asked for)", /\/sessionCache\/(fetchThrough|folder|lock|posix|privateFile)\.js$/],
  ["the metadata source", /\/credentials\/dist\/(cjs\/)?sources\/EcsRamRole\.js$/],
  ["Node's child process executor", /\/NodeCommandExecutor\.js$/],
  ["@effect/platform's Command", /\/@effect\/platform\/dist\/(esm|cjs)\/Command\.js$/],
  ["node:child_process", /^node:child_process$/]
]

const found = (modules: ReadonlyArray<string>) =>
  otherModes.filter(([, pattern]) => modules.some((module) => pattern.test(module))).map(([what]) => what)

let scratch = ""

// A HOME whose config.json selects `profile`.
const homeWith = (name: string, profile: Record<string, string>) => {
  const home = join(scratch, name)
  mkdirSync(join(home, ".aliyun"), { recursive: true })
  writeFileSync(
    join(home, ".aliyun", "config.json"),
    JSON.stringify({ current: "selected", profiles: [{ name: "selected", ...profile }] }),
    { mode: 0o600 }
  )
  return home
}

// The app from an ES module (the ES modules it loaded, from the loader hook) and from CommonJS
// (the modules in require.cache, which it prints after its outcome): each run's outcome and modules.
const app = (home: string) =>
  Effect.forEach(["envApp.mjs", "envApp.cjs"], (entry) => {
    const listing = join(home, "loaded.txt")
    const hook = entry.endsWith(".mjs") ? ["--import", join(fixtures, "recordLoads.mjs")] : []
    return Effect.promise(() =>
      run(process.execPath, ["--import", guard, ...hook, entry], scratch, {
        HOME: home,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
        LOADED_MODULES_FILE: listing
      })
    ).pipe(Effect.map(({ ok, output, stdout }) => {
      expect(ok, output).toBe(true)
      const [outcome, ...required] = stdout.trim().split("\n")
      const modules = hook.length === 0 ? required : readFileSync(listing, "utf8").trim().split("\n")
      return { outcome, modules }
    }))
  })

describe("a CLI profile loads its own mode's modules", { timeout: 120_000 }, () => {
  beforeAll(() => {
    scratch = makeScratch("credentials-profile-modes-", ["effect"])
    for (const file of ["envApp.mjs", "envApp.cjs"]) copyFileSync(join(fixtures, file), join(scratch, file))
  })

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
  })

  it.scopedLive("RamRoleArn, through CredentialsLive: a credential from STS, and no other mode's modules", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      const home = homeWith("ram-role-arn", {
        mode: "RamRoleArn",
        access_key_id: key.accessKeyId,
        access_key_secret: key.accessKeySecret,
        ram_role_arn: "acs:ram::1234567890123456:role/test-role",
        ram_session_name: "profile-modes",
        sts_endpoint: emulator.stsUrl
      })
      const runs = yield* app(home)
      expect(runs.map(({ outcome }) => outcome)).toEqual(Array(2).fill("default/cli_profile/ram_role_arn/static_ak"))
      for (const { modules } of runs) {
        expect(found(modules)).toEqual([])
        // the control of the listing: the mode's own source did load
        expect(modules.some((module) => /\/sources\/RamRoleArn\.js$/.test(module))).toBe(true)
      }
      // one AssumeRole per process: the credential came from the emulator's STS
      expect((yield* emulator.counters("sts")).succeeded).toBe(2)
    }))

  it.live("control: an External profile runs its helper through Node's executor, loaded for it", () =>
    Effect.gen(function*() {
      const helper = join(scratch, "helper.mjs")
      writeFileSync(
        helper,
        `process.stdout.write(JSON.stringify({ mode: "AK", access_key_id: "LTAI5tFromHelper01", access_key_secret: "helper-secret" }))`
      )
      const home = homeWith("external", { mode: "External", process_command: `${process.execPath} ${helper}` })
      const runs = yield* app(home)
      expect(runs.map(({ outcome }) => outcome)).toEqual(Array(2).fill("default/cli_profile/external"))
      for (const { modules } of runs) {
        expect(found(modules)).toEqual(
          expect.arrayContaining(["the External helper", "the External mode", "Node's child process executor"])
        )
      }
    }))
})
