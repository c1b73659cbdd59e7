// Bundles the Promise facade (`@effect-alicloud/credentials/promise`) for Node, with Effect inside
// it, tree-shaken and minified: a process that only needs an access key loads a few files instead
// of hundreds of modules.
//
// What a process parses is what it runs: dist/promise.cjs (the entry) holds the code the static
// sources (access_key, sts, bearer, the environment, custom providers) run; the network engine
// (with the Node platform and the refresh engine), each network source and the Node file system
// are files of dist/promise-chunks/ of their own, required by the first call that needs them. V8
// parses (and holds the parser's memory for) a whole file at once: one file for everything costs
// every process the network code's parse, ~10 ms and a ~10 MiB peak, even when it never leaves the
// process. esbuild splits only ES modules: the chunks are built as ES modules, then each becomes
// CommonJS, and the chunks that load at the same moment share a file (./chunkGroups.mjs), so that
// `require` and `import` load the same files, a few of them. undici's dispatchers are dist/undici.cjs, required by
// the first request a proxy applies to (a direct request goes on Node's http/https).
// dist/promise.mjs re-exports dist/promise.cjs for ES modules: one instance of the facade per
// process whichever way it is loaded. Run after `tsc` (it reads dist/promise/entry.js).
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { groupChunks } from "./chunkGroups.mjs"

const dist = Path.resolve(import.meta.dirname, "../dist")
const chunksFolder = "promise-chunks"
const chunks = Path.join(dist, chunksFolder)
const banner = "// @effect-alicloud/credentials/promise, with effect, @effect/platform and @effect/platform-node (MIT) inside"

// What every file is: minified code for Node 20. Without esbuild's keepNames, which wraps every
// named function in a `__name(fn, "name")` call: V8 compiles an arrow function that is a call's
// first argument eagerly, so those calls made the files ~10% slower to compile, and ran one
// `defineProperty` per function at load. The names that show keep theirs: the errors' (their tag,
// on the prototype: CredentialsError.ts), the facade's exported classes (named by ./entry.ts) and
// its inner client (./innerClient.ts).
const common = { bundle: true, platform: "node", target: "node20", minify: true, logLevel: "warning" }

// 1. The facade as ES modules, split: the entry, and a chunk per part that only a dynamic import
// (a network engine, a source, the Node platform) or several of them reach. `undici` stays a
// name, made ../undici.cjs below.
const split = await esbuild.build({
  ...common,
  format: "esm",
  splitting: true,
  write: false,
  metafile: true,
  entryPoints: { promise: Path.join(dist, "promise", "entry.js") },
  outdir: chunks,
  chunkNames: "[name]-[hash]",
  entryNames: "[name]",
  external: ["undici"]
})

// A chunk's `export { a as b, ... }` as one object of getters, `module.exports = { get b() { return a } }`:
// esbuild's own ESM-to-CommonJS exports copy every name a second time through `__toCommonJS` (a
// getter over a getter: a second call on every use; ~600 names for the chunk of Effect's core,
// the largest item of a CPU profile of an unminified build's start-up). Getters keep the bindings
// live, as an ES module's are.
const exportsAsObject = (esm) => {
  const clause = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(esm)
  if (clause === null) throw new Error("a chunk without its export clause at the end: scripts/bundle.mjs must learn its shape")
  const getters = clause[1].split(",").map((item) => item.trim()).filter((item) => item !== "").map((item) => {
    const [local, exported = local] = item.split(/\s+as\s+/)
    return `get ${exported}(){return ${local}}`
  })
  return `${esm.slice(0, clause.index)}module.exports={${getters.join(",")}};` +
    `Object.defineProperty(module.exports,"__esModule",{value:true});\n`
}

// 2. The chunks as CommonJS, grouped into files by when they load (./chunkGroups.mjs): the
// facade's import reads dist/promise.cjs alone, its first network call one file of the engine,
// a source its own file and, at most, a file it shares with another source. A file holds its
// chunks as functions, each run when first required (in the order esbuild's imports give, as
// separate files were), and answers `require(file)(chunk)` for the others.
const outputs = new Map(
  split.outputFiles.filter((file) => file.path.endsWith(".js")).map((file) => [Path.basename(file.path, ".js"), file])
)
const staticImports = new Map()
const dynamicImports = new Map()
for (const [path, output] of Object.entries(split.metafile.outputs)) {
  if (!path.endsWith(".js")) continue
  const chunksOf = (kind) =>
    output.imports.filter((i) => i.kind === kind && outputs.has(Path.basename(i.path, ".js"))).map((i) =>
      Path.basename(i.path, ".js")
    )
  staticImports.set(Path.basename(path, ".js"), chunksOf("import-statement"))
  dynamicImports.set(Path.basename(path, ".js"), chunksOf("dynamic-import"))
}
const entry = "promise"
const fileOf = groupChunks({ root: entry, staticImports, dynamicImports })
const files = new Map()
for (const [chunk, file] of fileOf) files.set(file, [...(files.get(file) ?? []), chunk])

// The size over which a chunk is compiled when it first runs, not with its file (see below).
const eagerLimit = 100_000

// The key of the entry's chunks, for the other files.
const entryChunks = "@effect-alicloud/credentials/promise/chunks"

// A chunk's name, as its imports are written until each file knows where the chunk lives.
const marker = (name) => `"chunk:${name}"`
const markerPattern = /\brequire\("chunk:([\w-]+)"\)/g

Fs.rmSync(chunks, { recursive: true, force: true })
Fs.mkdirSync(chunks)
for (const [file, members] of files) {
  const isEntry = file === entry
  const undici = `${isEntry ? "./" : "../"}undici.cjs`
  // Another file's chunk: that file, asked for the chunk. The entry's exports are the facade's: it
  // answers through a symbol-keyed property of them. Each file is required once per file that
  // needs it (`__entry`, `__file_<name>`): the network engine's file names ~70 of the entry's
  // chunks, and a `require` of a loaded file still resolves its path each time (paired A/B: ~5 ms
  // less to a first role credential).
  const others = new Set()
  const load = (name) => {
    const home = fileOf.get(name)
    if (home === file) return `__chunk(${JSON.stringify(name)})`
    if (home === entry) return `__entry(${JSON.stringify(name)})`
    const memo = `__file_${home.replace(/\W/g, "_")}`
    others.add(memo)
    return `(${memo}??=require(${JSON.stringify(`${isEntry ? `./${chunksFolder}/` : "./"}${home}.cjs`)}))(${
      JSON.stringify(name)
    })`
  }
  const definitions = []
  for (const name of members) {
    // esbuild's chunk names (`chunk-HASH.js`, `engine-HASH.js`) are quoted in import statements
    // and import() calls only. A dynamic import becomes a `require` on the next tick: an import()
    // of a CommonJS file would go through Node's ES module loader.
    const esm = outputs.get(name).text
      .replace(
        /\bimport\("\.\/([\w-]+)\.js"\)/g,
        (whole, chunk) => outputs.has(chunk) ? `Promise.resolve().then(()=>require(${marker(chunk)}))` : whole
      )
      .replace(/"\.\/([\w-]+)\.js"/g, (whole, chunk) => outputs.has(chunk) ? marker(chunk) : whole)
      // A namespace import of a Node module (`import * as Fs from "node:fs"`) is the module itself:
      // esbuild's CommonJS form would copy every export of it into a new object first.
      .replace(/\bimport\s*\*\s*as\s*([\w$]+)\s*from\s*"(node:[\w/]+)"/g, "const $1=require(\"$2\")")
      .replace(/\bimport\("undici"\)/g, `Promise.resolve().then(()=>require("${undici}"))`)
      .replace(/"undici"/g, `"${undici}"`)
    const cjs = await esbuild.transform(exportsAsObject(esm), { format: "cjs", target: "node20", minify: true })
    // In parentheses, V8 compiles the function with the file (every chunk of a file runs) instead
    // of parsing it once to skip it and again when it first runs: ~7 ms less CPU for a first role
    // credential (paired A/B). Not Effect's core (the one chunk over `eagerLimit`): compiled with
    // the file, it raised the process's peak RSS by ~3 MiB (the parser's memory for all of it at
    // once) for ~3 ms of CPU.
    const body = `function(module,exports){${cjs.code.replace(markerPattern, (_, chunk) => load(chunk))}}`
    definitions.push(`${JSON.stringify(name)}:${cjs.code.length > eagerLimit ? body : `(${body})`}`)
  }
  const runtime = `var __chunks={${definitions.join(",")}},__loaded={}${[...others].map((memo) => `,${memo}`).join("")};` +
    `function __chunk(name){var m=__loaded[name];if(m===void 0){m=__loaded[name]={exports:{}};` +
    `try{__chunks[name].call(m.exports,m,m.exports)}catch(e){delete __loaded[name];throw e}}return m.exports}`
  Fs.writeFileSync(
    isEntry ? Path.join(dist, "promise.cjs") : Path.join(chunks, `${file}.cjs`),
    isEntry
      ? `${banner}\n${runtime}module.exports=__chunk(${JSON.stringify(entry)});` +
        `Object.defineProperty(module.exports,Symbol.for(${JSON.stringify(entryChunks)}),{value:__chunk});\n`
      : `${runtime}var __fromEntry;function __entry(name){return (__fromEntry??=require("../promise.cjs")` +
        `[Symbol.for(${JSON.stringify(entryChunks)})])(name)}module.exports=__chunk;\n`
  )
}

// undici's dispatchers, connector and errors (see undici-core.cjs), in a file of their own.
await esbuild.build({
  ...common,
  format: "cjs",
  entryPoints: [Path.resolve(import.meta.dirname, "undici-core.cjs")],
  outfile: Path.join(dist, "undici.cjs"),
  banner: { js: "// undici (MIT, https://github.com/nodejs/undici): its dispatchers, for @effect-alicloud/credentials/promise" }
})

// The ES module entry requires the bundle and names its exports itself: Node's import of a
// CommonJS file would scan the whole bundle for its export names at every start.
const exported = Object.keys(createRequire(import.meta.url)(Path.join(dist, "promise.cjs"))).filter((name) =>
  name !== "default"
)
Fs.writeFileSync(
  Path.join(dist, "promise.mjs"),
  `// The facade for ES modules: the CommonJS bundle's exports (one instance per process).
import { createRequire } from "node:module"
const facade = createRequire(import.meta.url)("./promise.cjs")
export default facade.default
export const { ${exported.join(", ")} } = facade
`
)
