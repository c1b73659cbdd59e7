#!/usr/bin/env node
/**
 * The entry point of `alicloud-credentials`: the only place that runs an Effect.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"
import * as Failure from "./Failure.js"

Cli.run(process.argv, { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true }).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => onExit(Failure.exitCodeOfExit(exit))
  })
)
