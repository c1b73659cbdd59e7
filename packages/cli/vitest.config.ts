import { defineProject } from "vitest/config"

// "@effect-alicloud/source" resolves workspace packages to their TypeScript sources (see package.json exports).
export default defineProject({
  resolve: { conditions: ["@effect-alicloud/source"] },
  ssr: { resolve: { conditions: ["@effect-alicloud/source"] } },
  test: {
    name: "cli",
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/hermeticEnv.ts", "test/setup/networkGuard.ts"],
    // Each test spawns real processes (node + tsx, about a second each); every wait in them is bounded.
    testTimeout: 120_000
  }
})
