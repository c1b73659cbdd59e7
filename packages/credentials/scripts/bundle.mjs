// Bundles the Promise facade (`@effect-alicloud/credentials/promise`) into one CommonJS file,
// dist/promise.cjs, with Effect inside it, tree-shaken and minified: a process that only needs
// an access key loads one file instead of hundreds of modules. The network engine and its
// modules (the Node platform, Schema, the refresh engine) stay in the file but are evaluated only
// when a network source is first used; undici's dispatchers are a second file, dist/undici.cjs,
// required by the first request a proxy applies to (a direct request goes on Node's http/https).
// dist/promise.mjs re-exports the same file for ES modules: one instance of the facade per process
// whichever way it is loaded. Run after `tsc` (it reads dist/promise/entry.js).
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"

const dist = Path.resolve(import.meta.dirname, "../dist")

// What both files are: one minified CommonJS file for Node 20, class names kept (read in errors
// and by `util.inspect`: `UpstreamError`, `Credential`).
const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: true,
  keepNames: true,
  logLevel: "warning"
}

await esbuild.build({
  ...common,
  entryPoints: [Path.join(dist, "promise", "entry.js")],
  outfile: Path.join(dist, "promise.cjs"),
  banner: { js: "// @effect-alicloud/credentials/promise, with effect, @effect/platform and @effect/platform-node (MIT) inside" },
  sourcemap: "linked",
  sourcesContent: false,
  // `undici` is ./undici.cjs (below), required by the first request through a proxy
  plugins: [{
    name: "undici-core",
    setup: (build) => build.onResolve({ filter: /^undici$/ }, () => ({ path: "./undici.cjs", external: true }))
  }]
})

// undici's dispatchers, connector and errors (see undici-core.cjs), in a file of their own.
await esbuild.build({
  ...common,
  entryPoints: [Path.resolve(import.meta.dirname, "undici-core.cjs")],
  outfile: Path.join(dist, "undici.cjs"),
  banner: { js: "// undici (MIT, https://github.com/nodejs/undici): its dispatchers, for @effect-alicloud/credentials/promise" }
})

// The ES module entry requires the bundle and names its exports itself: Node's import of a
// CommonJS file would scan the whole bundle for its export names at every start.
const names = Object.keys(createRequire(import.meta.url)(Path.join(dist, "promise.cjs"))).filter((name) =>
  name !== "default"
)
Fs.writeFileSync(
  Path.join(dist, "promise.mjs"),
  `// The facade for ES modules: the CommonJS bundle's exports (one instance per process).
import { createRequire } from "node:module"
const facade = createRequire(import.meta.url)("./promise.cjs")
export default facade.default
export const { ${names.join(", ")} } = facade
`
)
