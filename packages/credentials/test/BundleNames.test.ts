// The facade's bundle is minified without esbuild's keepNames (scripts/bundle.mjs: its
// `__name(fn, ...)` wrappers made V8 compile every named function eagerly). The names a user sees
// stay as the official package's: each exported class and function under its export's name, the
// inner client, a builder after its provider, the errors' names. Checked on the package as shipped
// (the bundle, by package name, in a real Node process).
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

// packages/cli depends on @effect-alicloud/credentials, so the package name resolves from there.
const consumer = fileURLToPath(new URL("../../cli/", import.meta.url))

const script = `
const { inspect } = require("node:util")
const Facade = require("@effect-alicloud/credentials/promise")
const misnamed = Object.entries(Facade)
  .filter(([name, value]) => typeof value === "function" && name !== "default" && value.name !== name)
  .map(([name, value]) => name + " is named " + value.name)
const client = new Facade.default({ type: "access_key", accessKeyId: "LTAI5tNames", accessKeySecret: "SECRET-names" })
const main = async () => {
  const error = await new Facade.default({ type: "ram_role_arn", accessKeyId: "LTAI5tNames", accessKeySecret: "SECRET-names" })
    .getCredential().then(() => undefined, (e) => e.cause)
  console.log(JSON.stringify({
    misnamed,
    defaultName: Facade.default.name,
    client: inspect(client),
    builder: Facade.RAMRoleARNCredentialsProvider.builder().constructor.name,
    model: (await client.getCredential()).constructor.name,
    error: inspect(error).split(":")[0]
  }))
}
main()
`

describe("the facade bundle's names", { timeout: 60_000 }, () => {
  it("exported classes, the inner client, builders and errors keep their names in the minified bundle", () => {
    const out = execFileSync(process.execPath, ["-e", script], {
      cwd: consumer,
      encoding: "utf8",
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }
    })
    expect(JSON.parse(out.trim())).toEqual({
      misnamed: [],
      defaultName: "Credential",
      client: "Credential { credential: InnerCredentialsClient {} }",
      builder: "RAMRoleARNCredentialsProviderBuilder",
      model: "CredentialModel",
      error: "InvalidConfiguration"
    })
  })
})
