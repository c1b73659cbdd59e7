// Bundles the Promise facade (`@effect-alicloud/credentials/promise`) into one CommonJS file,
// dist/promise.cjs, with Effect inside it, tree-shaken and minified: a process that only needs
// an access key loads one file instead of hundreds of modules. The network engine and its
// modules (the Node platform, Schema, the refresh engine) stay in the file but are evaluated only
// when a network source is first used; undici stays a dependency, required at that moment.
// dist/promise.mjs re-exports the same file for ES modules: one instance of the facade per process
// whichever way it is loaded. Run after `tsc` (it reads dist/promiseEntry.js).
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import * as Path from "node:path"

const dist = Path.resolve(import.meta.dirname, "../dist")

await esbuild.build({
  entryPoints: [Path.join(dist, "promiseEntry.js")],
  outfile: Path.join(dist, "promise.cjs"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: true,
  // Class names read in errors and by `util.inspect` (e.g. `UpstreamError`, `Credential`).
  keepNames: true,
  sourcemap: "linked",
  sourcesContent: false,
  external: ["undici"],
  logLevel: "warning"
})

Fs.writeFileSync(
  Path.join(dist, "promise.mjs"),
  `// The facade for ES modules: the CommonJS bundle's exports (one instance per process).
import facade from "./promise.cjs"
export * from "./promise.cjs"
export default facade.default
`
)
