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

describe("packaging", () => {
  it("dist exists (run `pnpm build` first; `pnpm test` does)", () => {
    expect(existsSync(`${dist}index.js`) && existsSync(`${dist}cjs/index.js`) && existsSync(`${dist}index.d.ts`)).toBe(true)
  })

  it("import: the ESM build, the library and the facade", () => {
    const out = node(["--input-type=module", "-e", `
      const lib = await import("@effect-alicloud/credentials")
      const facade = await import("@effect-alicloud/credentials/promise")
      console.log(typeof lib.Credentials, typeof lib.CredentialsLive, typeof facade.default, typeof facade.Config)`])
    expect(out).toBe("function object function function")
  })

  it("require: the CommonJS build, the library and the facade", () => {
    const out = node(["-e", `
      const lib = require("@effect-alicloud/credentials")
      const facade = require("@effect-alicloud/credentials/promise")
      const c = new facade.default(new facade.Config({ type: "access_key", accessKeyId: "id", accessKeySecret: "s" }))
      c.getCredential().then((m) => { console.log(typeof lib.Credentials, m.providerName); return c.close() })`])
    expect(out).toBe("function static_ak")
  })
})
