// Runs @effect/docgen over this package (`pnpm docgen` at the root; `pnpm check` runs it): every
// public module's exports need `@since` and an `@example`, and the examples are type-checked and
// run (they only build values: no network, no files).
//
// docgen reads the project's `name` and `homepage` from the package.json of its working directory,
// and this package's package.json has no `homepage` yet. Until it has one (then: `docgen` run in
// this folder), docgen runs in .docgen/ (gitignored): a package.json with the name and an empty
// homepage, this folder's docgen.json, and `src` as a link to ../src, so that docgen.json's paths
// and the examples' `../../src` imports mean what they mean here. Output: .docgen/docs/.
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"

const here = Path.resolve(import.meta.dirname, "..")
const work = Path.join(here, ".docgen")
const pkg = JSON.parse(Fs.readFileSync(Path.join(here, "package.json"), "utf8"))

Fs.rmSync(work, { recursive: true, force: true })
Fs.mkdirSync(work)
Fs.writeFileSync(Path.join(work, "package.json"), JSON.stringify({ name: pkg.name, homepage: pkg.homepage ?? "" }))
Fs.copyFileSync(Path.join(here, "docgen.json"), Path.join(work, "docgen.json"))
Fs.symlinkSync(Path.join("..", "src"), Path.join(work, "src"), "dir")

// docgen runs `tsc` and `tsx` from PATH: the workspace's own (node_modules/.bin at the root).
const bin = Path.resolve(here, "..", "..", "node_modules", ".bin")
const env = { ...process.env, PATH: `${bin}${Path.delimiter}${process.env.PATH ?? ""}` }
const started = performance.now()
const run = spawnSync(Path.join(bin, "docgen"), process.argv.slice(2), { cwd: work, stdio: "inherit", env })
if (run.error) throw run.error
console.log(`docgen: ${((performance.now() - started) / 1000).toFixed(1)} s`)
process.exit(run.status ?? 1)
