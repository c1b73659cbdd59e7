// The built package (pnpm build, which the root test script runs first) loads with both `import`
// and `require`, by its package name, in a real Node process.
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

// packages/cli depends on @effect-alicloud/credentials, so the package name resolves from there.
const consumer = fileURLToPath(new URL("../../cli/", import.meta.url))
const dist = fileURLToPath(new URL("../dist/", import.meta.url))

const node = (args: ReadonlyArray<string>) =>
  execFileSync(process.execPath, args, { cwd: consumer, encoding: "utf8", timeout: 20_000 }).trim()

// Each test starts real Node processes (up to two, each bounded by execFileSync's 20 s): on a loaded
// 2-core machine that takes far more than vitest's default 5 s, so the limit is generous.
describe("packaging", { timeout: 60_000 }, () => {
  it("dist exists (run `pnpm build` first; `pnpm test` does)", () => {
    expect(existsSync(`${dist}index.js`) && existsSync(`${dist}cjs/index.js`) && existsSync(`${dist}index.d.ts`)).toBe(
      true
    )
  })

  it("import: the ESM build, the library and the facade", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `
      const lib = await import("@effect-alicloud/credentials")
      const facade = await import("@effect-alicloud/credentials/promise")
      console.log(typeof lib.Credentials, typeof lib.CredentialsLive, typeof facade.default, typeof facade.Config)`
    ])
    expect(out).toBe("function object function function")
  })

  it("require: the CommonJS build, the library and the facade", () => {
    const out = node([
      "-e",
      `
      const lib = require("@effect-alicloud/credentials")
      const facade = require("@effect-alicloud/credentials/promise")
      const c = new facade.default(new facade.Config({ type: "access_key", accessKeyId: "id", accessKeySecret: "s" }))
      c.getCredential().then((m) => { console.log(typeof lib.Credentials, m.providerName); return c.close() })`
    ])
    expect(out).toBe("function static_ak")
  })

  it("the facade is one bundle: import and require in one process give the same classes, and its errors are told apart by _tag", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `
      import { createRequire } from "node:module"
      import Credential, { Config } from "@effect-alicloud/credentials/promise"
      const required = createRequire(import.meta.url)("@effect-alicloud/credentials/promise")
      const client = new Credential(new Config({ type: "credentials_uri" }))
      const tag = await client.getCredential().then(() => "none", (e) => e.cause._tag)
      await client.close()
      console.log(Credential === required.default, Config === required.Config, tag)`
    ])
    expect(out).toBe("true true NotConfigured")
  })

  it("the facade loads the network sources on first use, under require and import alike", () => {
    // nothing listens on the loopback discard port: the rejection proves the lazy module loaded and ran
    const config = `{ type: "credentials_uri", credentialsURI: "http://127.0.0.1:9/credentials", timeout: 2000 }`
    const report = `(e) => console.log(e.cause._tag)`
    const viaRequire = node([
      "-e",
      `
      const facade = require("@effect-alicloud/credentials/promise")
      const c = new facade.default(new facade.Config(${config}))
      c.getCredential().then(() => console.log("unexpected"), ${report}).finally(() => c.close())`
    ])
    const viaImport = node([
      "--input-type=module",
      "-e",
      `
      const facade = await import("@effect-alicloud/credentials/promise")
      const c = new facade.default(new facade.Config(${config}))
      await c.getCredential().then(() => console.log("unexpected"), ${report})
      await c.close()`
    ])
    expect([viaRequire, viaImport]).toEqual(["NetworkError", "NetworkError"])
  })
})
