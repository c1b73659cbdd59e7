// An External profile's helper is asked as often as the official tool asks it: an answer without an
// expiration (an `AK` helper's) at every call, so a rotated key is seen without a restart; an
// answer with an expiration is kept until its refresh window. Ours (a `Credentials` layer over the
// CLI profile source, the public API) and the official `@alicloud/credentials` 2.4.7
// (`CLIProfileCredentialsProvider` on the same config.json) run the same helper, a real process
// that counts its runs in a file and hands out a new key each time. No network is involved.
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createRequire } from "node:module"
import { Credentials } from "../src/Credentials.js"
import * as HttpTransport from "../src/HttpTransport.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import { withEnv } from "./withEmulator.js"

const require = createRequire(import.meta.url)
const Official = require("@alicloud/credentials") as typeof import("@alicloud/credentials")

// A helper that counts its runs in `<dir>/runs` and prints a credential with the run's number.
const helperScript = (withExpiration: boolean) => `
import { readFileSync, writeFileSync } from "node:fs"
const counter = new URL("./runs", import.meta.url)
let n = 0
try { n = Number(readFileSync(counter, "utf8")) } catch {}
n += 1
writeFileSync(counter, String(n))
process.stdout.write(JSON.stringify(${
  withExpiration
    ? `{ mode: "StsToken", access_key_id: "STS.rotated-" + n, access_key_secret: "s-" + n, sts_token: "t-" + n, expiration: new Date(Date.now() + 3600000).toISOString() }`
    : `{ mode: "AK", access_key_id: "LTAI-rotated-" + n, access_key_secret: "s-" + n }`
}))
`

// A HOME with .aliyun/config.json whose External profile runs the helper.
const home = (withExpiration: boolean) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.writeFileString(`${dir}/helper.mjs`, helperScript(withExpiration))
    yield* fs.makeDirectory(`${dir}/.aliyun`)
    const path = `${dir}/.aliyun/config.json`
    const profile = { name: "ext", mode: "External", process_command: `${process.execPath} ${dir}/helper.mjs` }
    yield* fs.writeFileString(path, JSON.stringify({ current: "ext", profiles: [profile] }, null, 4))
    const runs = Effect.map(fs.readFileString(`${dir}/runs`), Number)
    const reset = fs.remove(`${dir}/runs`, { force: true })
    return { dir, path, runs, reset }
  })

const official = (dir: string, calls: number) =>
  Effect.gen(function*() {
    const provider = Official.CLIProfileCredentialsProvider.builder().withProfileName("ext").build() // The provider reads its home directory from this field ("used for mock" in its source).
    ;(provider as unknown as { homedir: string }).homedir = dir
    const ids: Array<string> = []
    for (let i = 0; i < calls; i++) ids.push((yield* Effect.promise(() => provider.getCredentials())).accessKeyId)
    return ids
  })

const ours = (path: string, calls: number) =>
  Effect.gen(function*() {
    const credentials = yield* Credentials
    const ids: Array<string> = []
    for (let i = 0; i < calls; i++) ids.push((yield* credentials.get).accessKeyId)
    return ids
  }).pipe(
    Effect.provide(Credentials.layer(CliProfile.make({ path }))),
    Effect.provide(HttpTransport.layer()),
    withEnv({})
  )

describe("External helpers are asked as often as the official tool asks them", () => {
  it.scopedLive(
    "an AK helper (no expiration): run at every get, a rotated key seen at once, as the official",
    () =>
      Effect.gen(function*() {
        const h = yield* home(false)
        const theirs = yield* official(h.dir, 3)
        expect(yield* h.runs).toBe(3)
        yield* h.reset
        const mine = yield* ours(h.path, 3)
        expect(yield* h.runs).toBe(3)
        expect(mine).toEqual(theirs)
        expect(mine).toEqual(["LTAI-rotated-1", "LTAI-rotated-2", "LTAI-rotated-3"])
      }).pipe(Effect.provide(NodeContext.layer)),
    30_000
  )

  it.scopedLive(
    "a StsToken helper with an expiration an hour ahead: run once and kept, as the official",
    () =>
      Effect.gen(function*() {
        const h = yield* home(true)
        const theirs = yield* official(h.dir, 3)
        expect(yield* h.runs).toBe(1)
        yield* h.reset
        const mine = yield* ours(h.path, 3)
        expect(yield* h.runs).toBe(1)
        expect(mine).toEqual(theirs)
        expect(mine).toEqual(["STS.rotated-1", "STS.rotated-1", "STS.rotated-1"])
      }).pipe(Effect.provide(NodeContext.layer)),
    30_000
  )
})
