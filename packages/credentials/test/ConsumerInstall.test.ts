// Installs the packages the way docs/getting-started.md says, into fresh projects in temp folders:
// the tarballs of `pnpm pack` (the library and the CLI, in one install), the Effect packages at the
// documented versions, TypeScript; then the getting-started program compiles with `tsc --strict`
// and runs, the CLI runs, and a Promise user who installs the library alone gets a working facade.
// npm installs offline from the cache that scripts/test-deps.mjs fills before the tests (the root
// `pnpm test` runs it): no test reaches outside loopback. The credential comes from the environment
// source; the metadata service is off.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { cacheSpecs, cacheStamp, documentedInstalls, npmCache, root } from "../../../scripts/consumer.mjs"

const accessKey = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tConsumer0001",
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: "consumer-secret"
}

// npm's own variables from the outer `pnpm test` stay out: only the flags below configure it.
const cleanEnv = (extra: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  ...extra
})

// Asynchronous: a synchronous child blocks the worker, and vitest's RPC times out meanwhile.
const run = async (command: string, args: ReadonlyArray<string>, cwd: string, extra: Record<string, string> = {}) => {
  try {
    const { stdout } = await promisify(execFile)(command, args, {
      cwd,
      encoding: "utf8",
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
      env: cleanEnv(extra)
    })
    return stdout.trim()
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(
      `${command} ${args.join(" ")} failed in ${cwd}: ${failed.message}\n${failed.stdout}\n${failed.stderr}`,
      { cause: error }
    )
  }
}

// From the cache only; a fetch that escaped --offline would go to a closed loopback port.
const offline = [
  "--offline",
  "--cache",
  npmCache,
  "--ignore-scripts",
  "--no-audit",
  "--no-fund",
  "--no-update-notifier",
  "--proxy=http://127.0.0.1:9",
  "--https-proxy=http://127.0.0.1:9"
]

const freshProject = (folders: Array<string>) => {
  const dir = mkdtempSync(join(tmpdir(), "consumer-"))
  folders.push(dir)
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
  return dir
}

// The documented `npm install` lines, with our package names replaced by `tarballs` (not on npm yet).
const installAsDocumented = async (dir: string, tarballs: ReadonlyArray<string>) => {
  for (const args of documentedInstalls()) {
    const resolved = args.flatMap((arg) => arg === "@effect-alicloud/credentials" ? tarballs : [arg])
    await run("npm", ["install", ...resolved, ...offline], dir)
  }
}

// Every folder a package is installed at (npm ls lists a deduplicated copy under the same path).
const copiesOf = async (dir: string, name: string) => {
  const listed = await run("npm", ["ls", name, "--all", "--parseable", ...offline], dir)
  return [...new Set(listed.split("\n").filter((line) => line !== ""))]
}

// The block of docs/getting-started.md under "In an Effect program", as written.
const gettingStartedProgram = () => {
  const text = readFileSync(join(root, "docs", "getting-started.md"), "utf8")
  const program = /## In an Effect program[\s\S]*?```ts\n([\s\S]*?)```/.exec(text)
  if (program === null) throw new Error("docs/getting-started.md has no ```ts block under \"In an Effect program\"")
  return program[1]
}

const tsc = (dir: string, file: string) =>
  run(process.execPath, [
    join(dir, "node_modules", "typescript", "bin", "tsc"),
    "--strict",
    "--skipLibCheck", // as `tsc --init` writes it; @effect/platform-node's own declarations need @types/ws without it
    "--module",
    "nodenext",
    "--target",
    "es2022",
    "--outDir",
    "out",
    file
  ], dir)

describe("installing the packed packages into a fresh project, as the docs say", { timeout: 600_000 }, () => {
  const folders: Array<string> = []
  const tarballs: Array<string> = []

  beforeAll(async () => {
    if (!existsSync(cacheStamp) || readFileSync(cacheStamp, "utf8") !== JSON.stringify(cacheSpecs())) {
      throw new Error(
        "the npm cache this test installs from (offline) is missing or does not hold the versions docs/getting-started.md names: run `pnpm test:deps` from the repository root (`pnpm test` runs it before the tests)"
      )
    }
    if (!existsSync(join(root, "packages", "credentials", "dist", "promise.cjs"))) {
      throw new Error("the packages are not built: run `pnpm build` (`pnpm test` does)")
    }
    const packed = mkdtempSync(join(tmpdir(), "packed-"))
    folders.push(packed)
    await run("pnpm", [
      "--filter",
      "@effect-alicloud/credentials",
      "--filter",
      "@effect-alicloud/cli",
      "pack",
      "--pack-destination",
      packed
    ], root)
    const named = (prefix: string) => join(packed, readdirSync(packed).find((file) => file.startsWith(prefix))!)
    tarballs.push(named("effect-alicloud-credentials-"), named("effect-alicloud-cli-"))
  }, 120_000)

  // node_modules of thousands of files: removed without blocking the worker, with time to spare
  afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))), 120_000)

  it("an Effect program: one copy of effect 3, the getting-started program compiles under --strict and runs, and so does the CLI", async () => {
    const dir = freshProject(folders)
    await installAsDocumented(dir, tarballs)

    const copies = await copiesOf(dir, "effect")
    expect(copies).toEqual([join(dir, "node_modules", "effect")])
    expect(await copiesOf(dir, "@effect/platform")).toEqual([join(dir, "node_modules", "@effect", "platform")])
    const effectVersion = JSON.parse(readFileSync(join(copies[0]!, "package.json"), "utf8")).version as string
    expect(effectVersion).toMatch(/^3\./)

    writeFileSync(join(dir, "program.ts"), gettingStartedProgram())
    await tsc(dir, "program.ts")

    const home = join(dir, "home")
    const env = { ...accessKey, HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }
    const output = await run(process.execPath, [join(dir, "out", "program.js")], dir, env)
    expect(output).toContain("using default/env")
    expect(output).not.toContain(accessKey.ALIBABA_CLOUD_ACCESS_KEY_SECRET)

    const resolved = await run(
      process.execPath,
      [join(dir, "node_modules", ".bin", "alicloud-credentials"), "resolve"],
      dir,
      env
    )
    expect(resolved).toMatch(/source:\s+default\/env/)
    expect(resolved).not.toContain(accessKey.ALIBABA_CLOUD_ACCESS_KEY_SECRET)
  })

  it("a Promise user installs the library alone: no effect installed, the facade runs from both module systems and type-checks", async () => {
    const dir = freshProject(folders)
    await run("npm", ["install", tarballs[0]!, ...offline], dir)
    const typescript = documentedInstalls().find((args) => args.some((arg) => arg.startsWith("typescript@")))
    await run("npm", ["install", ...typescript!, ...offline], dir) // the documented TypeScript line
    expect(await copiesOf(dir, "effect")).toEqual([])

    writeFileSync(
      join(dir, "facade.ts"),
      `import Credential from "@effect-alicloud/credentials/promise"

const credential = new Credential() // the default chain: the environment answers
const model = await credential.getCredential()
const id: string = model.accessKeyId ?? "none"
console.log(model.providerName, model.type, id === process.env.ALIBABA_CLOUD_ACCESS_KEY_ID)
await credential.close()
`
    )
    await tsc(dir, "facade.ts")
    writeFileSync(
      join(dir, "facade.cjs"),
      `const Credential = require("@effect-alicloud/credentials/promise").default
const credential = new Credential()
credential.getCredential().then((m) => { console.log(m.providerName, m.type); return credential.close() })
`
    )
    const env = { ...accessKey, HOME: join(dir, "home"), ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }
    // the facade's default chain names itself as the official one does: type "default", provider "default/env"
    expect(await run(process.execPath, [join(dir, "out", "facade.js")], dir, env)).toBe("default/env default true")
    expect(await run(process.execPath, [join(dir, "facade.cjs")], dir, env)).toBe("default/env default")
  })
})
