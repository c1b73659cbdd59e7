import { defineConfig } from "vitest/config"

// Run-wide options; the projects (one per package) are listed in vitest.workspace.ts.
export default defineConfig({
  test: {
    reporters: ["default", "./scripts/summary-reporter.ts"]
  }
})
