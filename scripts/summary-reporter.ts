// Prints one plain closing line, "N passed, N failed, N skipped", after vitest's own summary, so
// that CI logs that read a runner's closing line can count the tests.
import type { Reporter } from "vitest/reporters"

type Task = { type: string; mode: string; result?: { state?: string }; tasks?: ReadonlyArray<Task> }

const count = (tasks: ReadonlyArray<Task>, totals = { passed: 0, failed: 0, skipped: 0 }) => {
  for (const task of tasks) {
    if (task.tasks !== undefined) count(task.tasks, totals)
    if (task.type !== "test") continue
    const state = task.result?.state
    if (state === "pass") totals.passed++
    else if (state === "fail") totals.failed++
    else totals.skipped++
  }
  return totals
}

export default class SummaryReporter implements Reporter {
  onFinished(files: ReadonlyArray<Task> = [], errors: ReadonlyArray<unknown> = []) {
    const { failed, passed, skipped } = count(files)
    const failedAll = failed + (errors.length > 0 && failed === 0 ? errors.length : 0)
    process.stdout.write(`\n${passed} passed, ${failedAll} failed, ${skipped} skipped\n`)
  }
}
