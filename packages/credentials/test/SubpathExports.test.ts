// Every public module has a subpath of its own (`@effect-alicloud/credentials/RamRoleArn`...), for
// ES modules and CommonJS with their types, beside the barrel and `/promise`. The built package
// (`pnpm build` first) is resolved by name from a scratch project, as a consumer's: its
// node_modules links the package directory, so Node and TypeScript read package.json's `exports`
// (and `typesVersions` under node10 resolution) and find the dependencies from the real path.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { makeScratch, packageDir, packageName as name, run } from "./scratchConsumer.js"

const require = createRequire(import.meta.url)
const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc")

const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
  readonly exports: Record<string, unknown>
  readonly typesVersions: { readonly "*": Record<string, ReadonlyArray<string>> }
}
// The modules' subpaths: every export but the barrel, the facade and package.json.
const subpaths = Object.keys(manifest.exports)
  .filter((key) => ![".", "./promise", "./package.json"].includes(key))
  .map((key) => key.slice(2))
// The modules exported as one named value (the rest are namespaces of the barrel).
const single = new Set(["Credentials", "CredentialsLive"])

let scratch = ""

describe("subpath exports", { timeout: 150_000 }, () => {
  beforeAll(() => {
    scratch = makeScratch("credentials-subpaths-")
  })

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
  })

  it("each public module of src/ and src/sources/ has a subpath, and typesVersions names each", () => {
    const modules = (dir: string) =>
      readdirSync(join(packageDir, dir)).filter((file) => file.endsWith(".ts") && file !== "index.ts").map((file) =>
        file.slice(0, -3)
      )
    expect([...subpaths].sort()).toEqual([...modules("src"), ...modules("src/sources")].sort())
    expect(Object.keys(manifest.typesVersions["*"]).sort()).toEqual(["promise", ...subpaths].sort())
  })

  // Each subpath gives what the barrel gives under that name: the same values (one module instance).
  const sameAsBarrel = (load: "import" | "require") => `
    const load = async (specifier) => ${load}(specifier)
    const main = async () => {
      const barrel = await load(${JSON.stringify(name)})
      const single = new Set(${JSON.stringify([...single])})
      const report = []
      for (const subpath of ${JSON.stringify(subpaths)}) {
        const module = await load(${JSON.stringify(name)} + "/" + subpath)
        const expected = single.has(subpath) ? { [subpath]: barrel[subpath] } : barrel[subpath]
        const keys = Object.keys(expected)
        const different = keys.filter((key) => module[key] !== expected[key])
        // single-value modules hold more than that value (none is missing); Source holds only types
        const extra = single.has(subpath) ? [] : Object.keys(module).filter((key) => !keys.includes(key))
        report.push(subpath + (different.length + extra.length === 0 ? " same" : " DIFFERENT " + [...different, ...extra]))
      }
      const internal = await load(${
    JSON.stringify(name)
  } + "/internal/config/rules").then(() => "exported", (error) => error.code)
      console.log(JSON.stringify({ report, internal }))
    }
    main()`

  const expected = { report: subpaths.map((subpath) => `${subpath} same`), internal: "ERR_PACKAGE_PATH_NOT_EXPORTED" }

  it("import: each subpath loads from the ES build and gives the barrel's values; internals are not exported", async () => {
    const { ok, output } = await run(process.execPath, ["--input-type=module", "-e", sameAsBarrel("import")], scratch)
    expect(ok, output).toBe(true)
    expect(JSON.parse(output.split("\n").pop()!)).toEqual(expected)
  })

  it("require: each subpath loads from the CommonJS build and gives the barrel's values; internals are not exported", async () => {
    const { ok, output } = await run(process.execPath, ["-e", sameAsBarrel("require")], scratch)
    expect(ok, output).toBe(true)
    expect(JSON.parse(output.split("\n").pop()!)).toEqual(expected)
  })

  // A consumer file importing every subpath: each one's types are the barrel's, and a name the
  // module does not export is an error (the types are not `any`).
  const consumer = [
    `import * as Barrel from "${name}"`,
    ...subpaths.map((subpath) => `import * as Sub${subpath} from "${name}/${subpath}"`),
    ...subpaths.map((subpath) =>
      single.has(subpath)
        ? `export const same${subpath}: typeof Barrel.${subpath} = Sub${subpath}.${subpath}`
        : `export const same${subpath}: typeof Barrel.${subpath} = Sub${subpath}`
    ),
    `// @ts-expect-error not an export of the module`,
    `export const missing = SubRamRoleArn.notAnExport`,
    `export const layer = SubCredentials.Credentials.layerDefault({ profile: "dev" })`,
    `export const options: SubRamRoleArn.Options<never> = {
      source: SubEnvironment.make(),
      roleArn: "acs:ram::1:role/r"
    }`
  ].join("\n")

  const setups: ReadonlyArray<
    readonly [setup: string, compilerOptions: Record<string, unknown>, files: Record<string, string>]
  > = [
    ["node16, ES module", { module: "node16", moduleResolution: "node16" }, { "consumer.mts": consumer }],
    ["node16, CommonJS", { module: "node16", moduleResolution: "node16" }, { "consumer.cts": consumer }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }, { "consumer.ts": consumer }],
    ["node10 (typesVersions)", { module: "commonjs", moduleResolution: "node10" }, { "consumer.ts": consumer }]
  ]

  it.each(setups)("types: every subpath resolves with its types under %s", async (setup, compilerOptions, files) => {
    const dir = join(scratch, setup.replace(/\W+/g, "-"))
    mkdirSync(dir)
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...compilerOptions,
          target: "es2022",
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: true,
          noEmit: true,
          types: []
        },
        include: Object.keys(files)
      })
    )
    const { ok, output } = await run(process.execPath, [tsc, "-p", dir, "--pretty", "false", "--listFiles"], dir)
    expect(output.split("\n").filter((line) => /error TS\d+/.test(line))).toEqual([])
    expect(ok).toBe(true)
    // It compiled against the built declarations, of the build each resolution should pick.
    const cjs = setup.includes("CommonJS") || setup.startsWith("node10")
    expect(output).toMatch(
      cjs ? /credentials\/dist\/cjs\/sources\/RamRoleArn\.d\.ts/ : /credentials\/dist\/sources\/RamRoleArn\.d\.ts/
    )
  })
})
