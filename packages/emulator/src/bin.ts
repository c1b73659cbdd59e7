#!/usr/bin/env node
/**
 * `alicloud-emulator`: runs the emulator until SIGINT/SIGTERM and prints its URLs as one JSON line.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Emulator from "./Emulator.js"
import * as Cli from "./internal/cli.js"

const program = Effect.gen(function*() {
  const parsed = yield* Cli.parseArgs(process.argv.slice(2))
  if (parsed._tag === "Help") return yield* Console.log(Cli.usage)
  const emulator = yield* Emulator.make(parsed.options)
  yield* Console.log(JSON.stringify({
    baseUrl: emulator.baseUrl,
    stsEndpoint: emulator.stsEndpoint,
    stsUrl: emulator.stsUrl,
    metadataUrl: emulator.metadataUrl,
    credentialsUri: emulator.credentialsUri,
    controlUrl: emulator.controlUrl
  }))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.tapError((error) => Console.error(error.message))
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
