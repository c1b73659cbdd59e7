// What the default chain's sources need on Node (`Credentials.layerDefault`), built piece by piece
// when first used: the file system when the chain reaches a source past the environment, child
// processes when a source first starts one (an External profile's helper), the HTTP transport
// when a source first sends a request. A chain answered by a profile's AccessKey (or one whose
// sources are not configured) loads no HTTP transport; one answered by a RamRoleArn profile no
// child processes.
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

/** What the default sources need (`DefaultChain.Requirements`), on Node. */
export type Platform = HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor

/**
 * The platform's services, built in `scope`. The client and the executor are stand-ins that
 * build Node's (the transport `HttpTransport.layer()`, the child process executor; in `scope`,
 * once) at their first use and hand everything to it: the transport's own spans, timeouts and
 * proxy apply as they are, and so does the executor's handling of a process.
 */
export const make = (scope: Scope.Scope): Effect.Effect<Context.Context<Platform>> =>
  Effect.gen(function*() {
    const transport = yield* Effect.cached(
      Effect.promise(() => import("../../HttpTransport.js")).pipe(
        Effect.flatMap((HttpTransport) => Layer.buildWithScope(HttpTransport.layer(), scope)),
        Effect.map(Context.get(HttpClient.HttpClient))
      )
    )
    const client: HttpClient.HttpClient = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (request) => Effect.flatMap(transport, (node) => Effect.flatMap(request, node.execute)),
      Effect.succeed
    )
    // Node's file system, not the whole `NodeContext` (no terminal, no worker, no paths: no source uses them).
    const NodeFileSystem = yield* Effect.promise(() => import("@effect/platform-node/NodeFileSystem"))
    const files = yield* Layer.buildWithScope(NodeFileSystem.layer, scope)
    const processes = yield* Effect.cached(
      Effect.promise(() => import("@effect/platform-node/NodeCommandExecutor")).pipe(
        Effect.flatMap((NodeCommandExecutor) => Layer.buildWithScope(NodeCommandExecutor.layer, scope)),
        Effect.provide(files),
        Effect.map(Context.get(CommandExecutor.CommandExecutor))
      )
    )
    // Every operation of an executor is made of `start` (`makeExecutor`), as Node's own is.
    const executor = CommandExecutor.makeExecutor((command) => Effect.flatMap(processes, (node) => node.start(command)))
    return files.pipe(
      Context.add(HttpClient.HttpClient, client),
      Context.add(CommandExecutor.CommandExecutor, executor)
    )
  })
