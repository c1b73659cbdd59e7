// `CredentialsLive` loads what the chain reaches. A real Node process imports `Credentials` and
// `CredentialsLive` from the built package by their subpaths and gets a credential from the
// environment (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET); the test lists every module it loaded (ES
// modules through a loader hook, CommonJS from require.cache) and finds no HTTP client (neither
// @effect/platform's nor undici), no Node platform, no Schema, no Stream and no other source. A chain
// answered by a CLI profile's AccessKey loads the profile's modules and the file system, and still
// no HTTP transport. The control: without the key the chain reaches the later sources (the
// credentials URI, at a closed loopback port), and the same listing then shows them, Schema and
// the HTTP transport loaded.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeScratch, run } from "./scratchConsumer.js"

const fixtures = fileURLToPath(new URL("fixtures/startup/", import.meta.url))

// What an application answered by the environment must not load.
const unreached: ReadonlyArray<readonly [what: string, pattern: RegExp]> = [
  ["undici", /\/undici\//],
  ["@effect/platform (HTTP client, file system...)", /\/@effect\/platform\//],
  ["@effect/platform-node", /\/@effect\/platform-node(-shared)?\//],
  ["Schema", /\/effect\/dist\/(esm|cjs)\/(Schema|SchemaAST|ParseResult|Arbitrary|FastCheck)\.js$/],
  ["fast-check", /\/fast-check\//],
  // The service's subscribers are queues; `Changes` (a module of its own) makes a Stream
  ["Stream (the channel machinery)", /\/effect\/dist\/(esm|cjs)\/(Stream|SubscriptionRef|Channel)\.js$/],
  ["the HTTP transport", /\/credentials\/dist\/(cjs\/)?HttpTransport\.js$/],
  [
    "another source",
    /\/credentials\/dist\/(cjs\/)?sources\/(?!Environment\.js|internal\/defaultChain\.js)[^/]+\.js$/
  ],
  ["node:http/https", /^node:https?$/]
]

const found = (modules: ReadonlyArray<string>) =>
  unreached.filter(([, pattern]) => modules.some((module) => pattern.test(module))).map(([what]) => what)

let scratch = ""
let home = ""

// The environment of each run: no profile files (an empty home), no metadata service.
const environment = (variables: Record<string, string>) => ({
  HOME: home,
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
  ...variables
})
const keys = { ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tStartupKeyId", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "startup-secret" }

const esm = async (variables: Record<string, string>, listing: string) => {
  const { ok, output, stdout } = await run(
    process.execPath,
    ["--import", join(fixtures, "recordLoads.mjs"), "envApp.mjs"],
    scratch,
    { ...environment(variables), LOADED_MODULES_FILE: join(scratch, listing) }
  )
  expect(ok, output).toBe(true)
  return { outcome: stdout.trim(), modules: readFileSync(join(scratch, listing), "utf8").trim().split("\n") }
}

const cjs = async (variables: Record<string, string>) => {
  const { ok, output, stdout } = await run(process.execPath, ["envApp.cjs"], scratch, environment(variables))
  expect(ok, output).toBe(true)
  const [outcome, ...modules] = stdout.trim().split("\n")
  return { outcome, modules }
}

describe("start-up: CredentialsLive loads what the chain reaches", { timeout: 120_000 }, () => {
  beforeAll(() => {
    scratch = makeScratch("credentials-startup-", ["effect"])
    home = join(scratch, "home")
    mkdirSync(home)
    for (const file of ["envApp.mjs", "envApp.cjs"]) copyFileSync(join(fixtures, file), join(scratch, file))
  })

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
  })

  it("import: answered by the environment, it loads no HTTP client, no undici, no Schema, no other source", async () => {
    const { modules, outcome } = await esm(keys, "env.txt")
    expect(outcome).toBe("default/env")
    // the listing saw our modules (not an empty file)
    expect(modules.some((module) => module.endsWith("/dist/sources/Environment.js"))).toBe(true)
    expect(found(modules)).toEqual([])
  })

  it("require: the same, from the CommonJS build", async () => {
    const { modules, outcome } = await cjs(keys)
    expect(outcome).toBe("default/env")
    expect(modules.some((module) => module.endsWith("/dist/cjs/sources/Environment.js"))).toBe(true)
    expect(found(modules)).toEqual([])
  })

  it("a CLI profile with an AccessKey: the profile's modules and the file system, but no HTTP transport, no undici", async () => {
    const profileHome = join(scratch, "ak-home")
    mkdirSync(join(profileHome, ".aliyun"), { recursive: true })
    writeFileSync(
      join(profileHome, ".aliyun", "config.json"),
      JSON.stringify({
        current: "dev",
        profiles: [{
          name: "dev",
          mode: "AK",
          access_key_id: "LTAI5tStartupKeyId",
          access_key_secret: "startup-secret"
        }]
      })
    )
    const imported = await esm({ HOME: profileHome }, "ak.txt")
    const required = await cjs({ HOME: profileHome })
    expect([imported.outcome, required.outcome]).toEqual([
      "default/cli_profile/static_ak",
      "default/cli_profile/static_ak"
    ])
    for (const { modules } of [imported, required]) {
      expect(found(modules)).not.toContain("undici")
      expect(found(modules)).not.toContain("the HTTP transport")
      expect(found(modules)).not.toContain("node:http/https")
      expect(modules.filter((module) => /\/(NodeHttpClient|HttpTransport)\.js$/.test(module))).toEqual([])
      // the chain passed the OIDC source without loading it (none of its variables is set), nor the
      // upstream pipeline it would have brought
      expect(modules.filter((module) => /\/(sources\/OidcRoleArn|upstream\/pipeline)\.js$/.test(module))).toEqual([])
      // the control of this case: the profile's source did load
      expect(modules.some((module) => /\/sources\/CliProfile\.js$/.test(module))).toBe(true)
    }
  })

  it("control: with no key in the environment the chain reaches the other sources, and the listing shows them loaded", async () => {
    // the last source asks a closed loopback port: the HTTP transport is built, and fails to connect
    const uri = { ALIBABA_CLOUD_CREDENTIALS_URI: "http://127.0.0.1:9/credentials" }
    const imported = await esm(uri, "none.txt")
    const required = await cjs(uri)
    expect([imported.outcome, required.outcome]).toEqual(["ChainExhausted", "ChainExhausted"])
    for (const { modules } of [imported, required]) {
      expect(found(modules)).toEqual(expect.arrayContaining(["Schema", "the HTTP transport", "another source"]))
    }
  })

  it("control of the OIDC check: with one of its variables set, the chain loads the OIDC source, which names the missing ones", async () => {
    const { modules, outcome } = await esm({ ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1234567890123456:role/app" }, "oidc.txt")
    // the first error that ends the chain: the OIDC source, half configured, says what is missing
    expect(outcome).toBe("ChainExhausted")
    expect(modules.some((module) => /\/sources\/OidcRoleArn\.js$/.test(module))).toBe(true)
  })
})
