// The Promise facade's types against the official @alicloud/credentials 2.4.7 declarations, both
// ways: compiles test/fixtures/official-types/assignability.ts (its own tsconfig) with the repo's
// TypeScript. A change on either side that breaks a drop-in use fails here.
import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const tsc = require.resolve("typescript/bin/tsc")
const project = join(here, "fixtures", "official-types", "tsconfig.json")

// Diagnostics of the check itself and of the facade (transient errors elsewhere in the package are
// reported by the package's own typecheck).
const ours = /^(test\/fixtures\/official-types\/|src\/promise\/)/

describe("Promise facade types", () => {
  it(
    "our classes fit the official declarations and the official classes fit ours (model, Config, client, CredentialsProvider, each provider and builder)",
    async () => {
      const output = await new Promise<string>((resolve) =>
        execFile(process.execPath, [tsc, "-p", project, "--pretty", "false", "--listFiles"], {
          cwd: join(here, ".."),
          timeout: 120_000
        }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`))
      )
      // It compiled the check against the official declarations (not an empty run).
      expect(output).toMatch(/official-types\/assignability\.ts/)
      expect(output).toMatch(/@alicloud\/credentials\/dist\/src\/client\.d\.ts/)
      const diagnostics = output.split("\n").filter((line) => /error TS\d+/.test(line))
      expect(diagnostics.filter((line) => ours.test(line))).toEqual([])
    },
    150_000
  )
})
