// Issue 18, item 12: `isAuthError` comes from the facade's own entry, so recovery.md's Promise
// example no longer loads the whole Effect API (`@effect-alicloud/credentials`) for it. Checked on
// the package as shipped (the bundle, by package name, in a real Node process), both module systems.
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

// packages/cli depends on @effect-alicloud/credentials, so the package name resolves from there.
const consumer = fileURLToPath(new URL("../../cli/", import.meta.url))

const cases = `[
  isAuthError({ code: "InvalidSecurityToken.Expired" }),
  isAuthError(Object.assign(new Error("refused"), { data: { Code: "InvalidAccessKeyId.NotFound" } })),
  isAuthError({ code: "Throttling" }),
  isAuthError(undefined)
]`

// Whether the Effect API's entry (dist/index.js or its CommonJS twin) was loaded.
const commonJs = `
const { isAuthError } = require("@effect-alicloud/credentials/promise")
const effectApi = Object.keys(require.cache).some((file) => /credentials[/]dist[/](cjs[/])?index[.]js$/.test(file))
console.log(JSON.stringify({ answers: ${cases}, effectApi }))
`
const esModule = `
import { isAuthError } from "@effect-alicloud/credentials/promise"
import Credential from "@effect-alicloud/credentials/promise"
console.log(JSON.stringify({ answers: ${cases}, static: Credential.isAuthError === isAuthError }))
`

const node = (args: ReadonlyArray<string>) =>
  JSON.parse(execFileSync(process.execPath, args, { cwd: consumer, encoding: "utf8", timeout: 20_000 }).trim())

describe("isAuthError from the Promise facade", { timeout: 60_000 }, () => {
  it("require: the answers of Credentials.isAuthError, without the Effect API's entry", () => {
    expect(node(["-e", commonJs])).toEqual({ answers: [true, true, false, false], effectApi: false })
  })

  it("import: a named export, and a static of the default export", () => {
    expect(node(["--input-type=module", "-e", esModule])).toEqual({ answers: [true, true, false, false], static: true })
  })
})
