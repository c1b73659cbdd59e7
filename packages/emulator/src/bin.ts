#!/usr/bin/env node
/**
 * `alicloud-emulator`: runs the emulator until SIGINT/SIGTERM and prints its URLs as one JSON line.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Emulator from "./Emulator.js"
import * as Cli from "./internal/cli.js"
import * as Control from "./internal/control.js"

const program = Effect.gen(function*() {
  const parsed = yield* Cli.parseArgs(process.argv.slice(2))
  if (parsed._tag === "Help") return yield* Console.log(Cli.usage)
  const files = parsed.tlsFiles
  const tls = files === undefined ? undefined : yield* Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    return { key: yield* fs.readFileString(files.key), cert: yield* fs.readFileString(files.cert) }
  })
  const emulator = yield* Emulator.make(tls === undefined ? parsed.options : { ...parsed.options, tls })
  yield* Console.log(JSON.stringify(Control.urls(emulator)))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.provide(NodeFileSystem.layer),
  Effect.tapError((error) => Console.error(error.message))
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
