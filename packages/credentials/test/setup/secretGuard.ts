// Across the whole suite: nothing a test file's process prints (the console, which Effect's loggers
// use, and stdout/stderr) may contain a test secret. Test secrets are spelled `SECRET-...` (the reliability
// suite's convention) or are the fixed secrets of test/withEmulator.ts.
import { format } from "node:util"
import { afterAll, expect } from "vitest"

const markers = [/SECRET-[A-Za-z0-9-]+/, /test-secret-0001/, /facade-secret-0001/, /demo-secret-never-printed/]
const seen: Array<string> = []

const check = (text: string) => {
  for (const marker of markers) {
    const found = marker.exec(text)
    if (found !== null) seen.push(found[0])
  }
}

// Effect's loggers write through the console (which vitest forwards), other code through the streams.
for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
  const original = console[method].bind(console)
  console[method] = (...args: Array<unknown>) => {
    check(format(...args))
    original(...args)
  }
}

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: Array<unknown>) => boolean
  stream.write = ((chunk: unknown, ...rest: Array<unknown>) => {
    check(typeof chunk === "string" ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : "")
    return write(chunk, ...rest)
  }) as typeof stream.write
}

afterAll(() => {
  expect(seen, "a test secret was written to stdout or stderr").toEqual([])
})
