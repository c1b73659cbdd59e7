// The process table scan behind the External helper's kill (src/internal/process/descendants.ts),
// on a real process tree: a node process whose child called setsid (out of its group). The scan
// finds the child by parent pid; it has a time bound, and what it has not read by then is not
// found (the kill of the helper's group still runs).
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { descendantsOf } from "../src/internal/process/descendants.js"

// A parent that starts a detached (setsid) child, prints the child's pid, and waits to be killed.
const tree = Effect.acquireRelease(
  Effect.async<{ readonly parent: number; readonly child: number }>((resume) => {
    const parent = spawn(process.execPath, [
      "-e",
      `const c = require("node:child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { detached: true, stdio: "ignore" });
       console.log(c.pid); setTimeout(() => {}, 60000)`
    ], { stdio: ["ignore", "pipe", "ignore"] })
    parent.stdout.once("data", (line) => resume(Effect.succeed({ parent: parent.pid!, child: Number(String(line)) })))
  }),
  ({ child, parent }) =>
    Effect.sync(() => {
      for (const pid of [child, parent]) {
        try {
          process.kill(pid, "SIGKILL")
        } catch {
          // gone already
        }
      }
    })
)

describe.runIf(process.platform === "linux")("descendantsOf (Linux /proc)", () => {
  it.live("finds a setsid child by parent pid, the group it leads with it", () =>
    Effect.gen(function*() {
      const { child, parent } = yield* tree
      const found = yield* descendantsOf(parent)
      expect(found).toContainEqual({ pid: child, pgid: child })
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)), 20_000)

  it.live(
    "the scan's time bound: spent, nothing more is read and the child is not found",
    () =>
      Effect.gen(function*() {
        const { parent } = yield* tree
        expect(yield* descendantsOf(parent, 0)).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)),
    20_000
  )
})
