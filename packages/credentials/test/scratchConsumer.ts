// A scratch project that resolves the built package by name, as a consumer's does: its
// node_modules links the package directory (and the packages the test's own files import), so
// Node and TypeScript read package.json's `exports` and find the dependencies from the real path.
// Needs `pnpm build` first.
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const packageDir = fileURLToPath(new URL("..", import.meta.url))
export const packageName = "@effect-alicloud/credentials"

/** A new scratch project linking the package and `also` (packages of this one's node_modules, e.g. `effect`). */
export const makeScratch = (prefix: string, also: ReadonlyArray<string> = []): string => {
  if (!existsSync(join(packageDir, "dist", "cjs", "package.json"))) {
    throw new Error("no dist/: run `pnpm build` first (`pnpm test` does)")
  }
  const scratch = mkdtempSync(join(tmpdir(), prefix))
  const link = (name: string, target: string) => {
    mkdirSync(dirname(join(scratch, "node_modules", name)), { recursive: true })
    symlinkSync(target, join(scratch, "node_modules", name), "dir")
  }
  link(packageName, packageDir)
  for (const name of also) link(name, realpathSync(join(packageDir, "node_modules", name)))
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ private: true }))
  return scratch
}

// The child processes see neither vitest's Node options nor a source condition.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "NODE_OPTIONS"))

/** Runs `file args` in `cwd` (bounded: 120 s); `env` is added to the test's environment. */
export const run = (
  file: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: Record<string, string> = {}
) =>
  new Promise<{ readonly ok: boolean; readonly output: string; readonly stdout: string }>((resolve) =>
    execFile(
      file,
      args,
      { cwd, env: { ...childEnv, ...env }, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) => resolve({ ok: error === null, output: `${stdout}${stderr}`.trim(), stdout })
    )
  )
