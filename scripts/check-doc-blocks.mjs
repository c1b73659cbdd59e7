// Type-checks every ```ts block of README.md and docs/**/*.md as one program, so that the docs'
// examples compile as written, imports included (issue 18, item 11).
//
// Each block becomes its own module in a temp folder inside packages/credentials: from there
// `@effect-alicloud/credentials` resolves to the package's own sources (self-reference with the
// `@effect-alicloud/source` condition), and `effect`, `@effect/platform-node`, `@effect/vitest`, the
// emulator and the official `@alicloud/*` packages resolve from its node_modules, as they would in a
// user's project. One tsc run for all blocks (cheap: the program's libraries are loaded once).
//
// A block that is deliberately partial says so on its fence line (```ts no-check) and is listed
// as skipped. Exits 1 on any failing block, printing each as doc-file:line with tsc's message.
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const packageDir = join(root, "packages", "credentials")

const markdownFiles = () => {
  const found = [join(root, "README.md")]
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".md")) found.push(path)
    }
  }
  walk(join(root, "docs"))
  return found
}

// A fence opens with ```ts (or ```typescript) and an optional marker; it closes with a bare ```.
const openFence = /^\s*```(?:ts|typescript)(?:\s+(.*))?$/
const closeFence = /^\s*```\s*$/

const extractBlocks = (file) => {
  const lines = readFileSync(file, "utf8").split("\n")
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = openFence.exec(lines[i])
    if (open === null) continue
    const start = i + 1 // 1-based line of the fence
    const body = []
    for (i++; i < lines.length && !closeFence.test(lines[i]); i++) body.push(lines[i])
    const marker = (open[1] ?? "").trim()
    blocks.push({ file: relative(root, file), start, body, skip: /\bno-check\b/.test(marker) })
  }
  return blocks
}

const blocks = markdownFiles().flatMap(extractBlocks)
const checked = blocks.filter((block) => !block.skip)
const skipped = blocks.filter((block) => block.skip)

// Its own folder per run (two runs at once do not clash), removed at the end.
const workDir = mkdtempSync(join(packageDir, ".doc-blocks-"))
const byModule = new Map()
checked.forEach((block, index) => {
  const name = `block${String(index).padStart(3, "0")}.ts`
  // `export {}` keeps a block without imports a module of its own (no names shared across blocks).
  writeFileSync(join(workDir, name), block.body.join("\n") + "\nexport {}\n")
  byModule.set(name, block)
})
writeFileSync(
  join(workDir, "tsconfig.json"),
  JSON.stringify({
    extends: "../../../tsconfig.base.json",
    compilerOptions: {
      noEmit: true,
      // Examples may declare what they only show; unused names are not errors in a doc.
      noUnusedLocals: false,
      noUnusedParameters: false
    },
    include: ["*.ts"]
  })
)

let status = 0
try {
  const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc")
  const run = spawnSync(process.execPath, [tsc, "-p", join(workDir, "tsconfig.json"), "--pretty", "false"], {
    cwd: root,
    encoding: "utf8"
  })
  const failures = []
  const unplaced = []
  let current = null
  for (const line of (run.stdout + run.stderr).split("\n")) {
    const located = /(block\d+\.ts)\((\d+),(\d+)\): (error .*)$/.exec(line)
    if (located !== null && byModule.has(located[1])) {
      const block = byModule.get(located[1])
      current = { where: `${block.file}:${block.start + Number(located[2])}`, block, message: [located[4]] }
      failures.push(current)
    } else if (line.startsWith("  ") && current !== null) {
      current.message.push(line.trim()) // a continuation of the previous diagnostic
    } else if (line.trim() !== "") {
      current = null
      unplaced.push(line)
    }
  }
  for (const block of skipped) console.log(`skipped (no-check): ${block.file}:${block.start}`)
  for (const failure of failures) console.error(`${failure.where}: ${failure.message.join(" ")}`)
  for (const line of unplaced) console.error(line)
  const failedBlocks = new Set(failures.map((failure) => failure.block)).size
  if (run.status !== 0 || failures.length > 0) {
    console.error(`doc blocks: ${failedBlocks} of ${checked.length} failing (${skipped.length} skipped)`)
    status = 1
  } else {
    console.log(`doc blocks: ${checked.length} type-check (${skipped.length} skipped)`)
  }
} finally {
  if (existsSync(workDir) && process.env.KEEP_DOC_BLOCKS === undefined) {
    rmSync(workDir, { recursive: true, force: true })
  }
}
process.exit(status)
