// The published package, as a user's project gets it: `pnpm pack` makes the real tarball, npm
// installs it into a scratch directory, and one consumer project per TypeScript setup compiles a
// sample with the repository's own `tsc` and runs it with Node. The sample is the README's first
// one (the static `access_key` type: no network), in the import style each setup's users write.
//
// Installing offline, from a fresh clone where `pnpm install --frozen-lockfile` is the only install
// step: the scratch directory's package.json names the tarball (`file:./x.tgz`, which npm unpacks
// as it would a registry tarball) and, beside it, each of the package's dependencies and
// `@types/node` as `file:` links to the directories pnpm already installed for this workspace
// (the realpath of packages/credentials/node_modules/<dep>, inside node_modules/.pnpm). npm's
// `install-links=false` makes those links, and the tarball's own dependencies are then satisfied
// by them (same versions), so npm fetches nothing: `--offline` with an empty, private `--cache`
// proves it. Node and TypeScript follow the links to their real paths, where pnpm laid out each
// dependency's own dependencies, so nothing inside the pnpm store is written. The consumer projects
// are subdirectories of the scratch directory and find the install in its node_modules, as
// projects in a monorepo do.
//
// Each consumer is compiled with `tsc` (emitting, which type-checks as `--noEmit` does, then runs
// what the user would run); plain JavaScript is type-checked with `checkJs` and run as written.
// Needs `pnpm build` first (`pnpm test` runs it); `pnpm` and `npm` on the PATH.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const require = createRequire(import.meta.url)
const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc")

// The child processes see neither vitest's nor a caller's Node options (e.g. a --conditions that
// would send them to the TypeScript sources).
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => key !== "NODE_OPTIONS" && !key.startsWith("npm_config_"))
)

const run = (file: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<string>((resolve, reject) =>
    execFile(
      file,
      args,
      { cwd, env: childEnv, encoding: "utf8", timeout: 90_000 },
      (error, stdout, stderr) =>
        error === null
          ? resolve(stdout.trim())
          : reject(new Error(`${file} ${args.join(" ")} (in ${cwd}) failed:\n${stdout}\n${stderr}`, { cause: error }))
    )
  )

// Two child processes at a time (the machine the tests are sized for has two cores).
const limit = (() => {
  let active = 0
  const waiting: Array<() => void> = []
  return async <A>(task: () => Promise<A>): Promise<A> => {
    if (active >= 2) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
})()

const CONFIG = `{ type: "access_key", accessKeyId: "id", accessKeySecret: "s" }`

/**
 * The sample: make a client, print the label and the key id, close the client when it can be. In
 * TypeScript (`typed`), the model's type must not be `any` either.
 */
const sample = (label: string, credential: string, config: string, typed = true) => `
async function main() {
  const c = new ${credential}(new ${config}(${CONFIG}))
  const m = await c.getCredential()${typed ? "\n  const typedModel: IsAny<typeof m> = false\n  void typedModel" : ""}
  console.log(${JSON.stringify(label)}, m.accessKeyId)
  await c.close?.()
}
main().catch((e) => {
  console.error(e)
  process.exit(1)
})
`

// A type that resolved to `any` would compile anything (and `skipLibCheck`, below, would not report
// a declaration file whose imports failed to resolve): the TypeScript samples rule that out for the
// default export and for the model `getCredential()` returns.
const notAny = (name: string) => `
type IsAny<T> = 0 extends 1 & T ? true : false
export const resolved: IsAny<typeof ${name}> = false
`

const PROMISE = "@effect-alicloud/credentials/promise"
const MAIN = "@effect-alicloud/credentials"

interface Consumer {
  readonly name: string
  readonly type: "commonjs" | "module"
  readonly compilerOptions: Record<string, unknown>
  readonly files: Record<string, string>
  /** what Node runs, relative to the project, and the line each prints */
  readonly runs: ReadonlyArray<readonly [file: string, expected: string]>
}

// `skipLibCheck`, as most projects (and Effect's own templates) set it: checking all of effect's
// declarations again in each project would take about 10 s of CPU per project.
const common = { strict: true, target: "ES2022", types: ["node"], skipLibCheck: true, outDir: "out", rootDir: "." }

const consumers: ReadonlyArray<Consumer> = [
  {
    name: "commonjs + node10 (the default resolution for module commonjs)",
    type: "commonjs",
    compilerOptions: { ...common, module: "commonjs" },
    files: {
      "sample.ts": `import Credential, { Config } from "${PROMISE}"
import { Credentials } from "${MAIN}"
console.log("main", typeof Credentials)
${notAny("Credential")}${sample("node10", "Credential", "Config")}`,
      // TypeScript's `import C from` in CommonJS: `exports.default`, which carries the namespace
      "namespace.ts": `import C from "${PROMISE}"
${notAny("C.default")}${sample("node10 namespace", "C.default", "C.Config")}`
    },
    runs: [["out/sample.js", "main function\nnode10 id"], ["out/namespace.js", "node10 namespace id"]]
  },
  {
    name: "node16: a .cts and a .mts file",
    type: "commonjs",
    compilerOptions: { ...common, module: "node16", moduleResolution: "node16" },
    files: {
      "sample.cts": `import Credential, { Config } from "${PROMISE}"
import { Credentials } from "${MAIN}"
console.log("main", typeof Credentials)
${notAny("Credential")}${sample("node16 cts", "Credential", "Config")}`,
      "sample.mts": `import Credential, { Config } from "${PROMISE}"
import { Credentials } from "${MAIN}"
console.log("main", typeof Credentials)
${notAny("Credential")}${sample("node16 mts", "Credential", "Config")}`
    },
    runs: [["out/sample.cjs", "main function\nnode16 cts id"], ["out/sample.mjs", "main function\nnode16 mts id"]]
  },
  {
    name: "nodenext",
    type: "module",
    compilerOptions: { ...common, module: "nodenext", moduleResolution: "nodenext" },
    files: {
      "sample.ts": `import Credential, { Config } from "${PROMISE}"
${notAny("Credential")}${sample("nodenext", "Credential", "Config")}`
    },
    runs: [["out/sample.js", "nodenext id"]]
  },
  {
    // What a bundler resolves (the `import` condition); Node runs the emitted ES module, as the
    // bundle's runtime would.
    name: "bundler",
    type: "module",
    compilerOptions: { ...common, module: "esnext", moduleResolution: "bundler" },
    files: {
      "sample.ts": `import Credential, { Config } from "${PROMISE}"
${notAny("Credential")}${sample("bundler", "Credential", "Config")}`
    },
    runs: [["out/sample.js", "bundler id"]]
  },
  {
    name: "plain JavaScript: require and import (type-checked with checkJs)",
    type: "commonjs",
    compilerOptions: { ...common, module: "nodenext", allowJs: true, checkJs: true, noEmit: true },
    files: {
      "sample.cjs": `const { default: Credential, Config } = require("${PROMISE}")
${sample("require", "Credential", "Config", false)}`,
      "sample.mjs": `import Credential, { Config } from "${PROMISE}"
${sample("import", "Credential", "Config", false)}`
    },
    runs: [["sample.cjs", "require id"], ["sample.mjs", "import id"]]
  },
  {
    // The style the official package's users adopted: its CommonJS `exports` seen whole, as `C`.
    name: "namespace style: C.default and C.Config, from CommonJS and ES modules",
    type: "module",
    compilerOptions: { ...common, module: "nodenext", allowJs: true, checkJs: true },
    files: {
      "ns.mts": `import C from "${PROMISE}"
${notAny("C.default")}${sample("ns mts", "C.default", "C.Config")}`,
      // TypeScript's spelling of `const C = require(...)`
      "ns.cts": `import C = require("${PROMISE}")
${notAny("C.default")}${sample("ns cts", "C.default", "C.Config")}`,
      "nsjs.cjs": `const C = require("${PROMISE}")
${sample("ns require", "C.default", "C.Config", false)}`,
      "nsjs.mjs": `import C from "${PROMISE}"
${sample("ns import", "C.default", "C.Config", false)}`
    },
    runs: [
      ["out/ns.mjs", "ns mts id"],
      ["out/ns.cjs", "ns cts id"],
      ["out/nsjs.cjs", "ns require id"],
      ["out/nsjs.mjs", "ns import id"]
    ]
  }
]

let scratch = ""

describe("consumer projects install the packed tarball and compile and run the facade", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    if (!existsSync(join(packageDir, "dist", "cjs", "package.json"))) {
      throw new Error("no dist/: run `pnpm build` first (`pnpm test` does)")
    }
    scratch = mkdtempSync(join(tmpdir(), "credentials-consumers-"))
    await run("pnpm", ["pack", "--pack-destination", scratch], packageDir)
    const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"))
    if (tarball === undefined) throw new Error(`pnpm pack left no tarball in ${scratch}`)

    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      readonly name: string
      readonly dependencies: Record<string, string>
      readonly peerDependencies: Record<string, string>
    }
    const linkTo = (dir: string) => `file:${realpathSync(dir)}`
    const dependencies: Record<string, string> = { [manifest.name]: `file:./${tarball}` }
    // The peers (effect and the platform) too: these projects import the Effect API beside the facade.
    for (const dep of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]) {
      dependencies[dep] = linkTo(join(packageDir, "node_modules", dep))
    }
    dependencies["@types/node"] = linkTo(join(dirname(require.resolve("@types/node/package.json"))))
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ private: true, dependencies }, null, 2))
    await run("npm", [
      "install",
      "--offline",
      `--cache=${join(scratch, ".npm-cache")}`,
      "--install-links=false",
      "--no-package-lock",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error"
    ], scratch)

    for (const consumer of consumers) {
      const dir = join(scratch, slug(consumer.name))
      mkdirSync(dir)
      writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type: consumer.type }))
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: consumer.compilerOptions }, null, 2))
      for (const [file, text] of Object.entries(consumer.files)) writeFileSync(join(dir, file), text)
    }
  }, 120_000)

  // KEEP_CONSUMERS=1 keeps the projects for a look (the path is printed).
  afterAll(() => {
    if (scratch === "") return
    if (process.env["KEEP_CONSUMERS"] === "1") console.log(`consumer projects kept in ${scratch}`)
    else rmSync(scratch, { recursive: true, force: true })
  })

  it("installs the tarball itself, not a link to the workspace", () => {
    const installed = join(scratch, "node_modules", "@effect-alicloud", "credentials")
    expect(realpathSync(installed)).toBe(installed)
    expect(existsSync(join(installed, "dist", "cjs", "promise", "entry.d.ts"))).toBe(true)
  })

  for (const consumer of consumers) {
    it.concurrent(consumer.name, async () => {
      const dir = join(scratch, slug(consumer.name))
      await limit(() => run(process.execPath, [tsc, "-p", "tsconfig.json"], dir))
      const outputs = await Promise.all(consumer.runs.map(([file]) => limit(() => run(process.execPath, [file], dir))))
      expect(outputs).toEqual(consumer.runs.map(([, expected]) => expected))
    })
  }
})

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase()
}
