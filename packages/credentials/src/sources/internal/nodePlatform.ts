// What the default chain's sources need on Node (`Credentials.layerDefault`), built piece by piece
// when first used: the file system, child processes and paths when the chain reaches a source
// past the environment, the HTTP transport when a source first sends a request. A chain answered
// by a profile's AccessKey (or one whose sources are not configured) loads no HTTP transport.
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

/** What the default sources need (`DefaultChain.Requirements`), on Node. */
export type Platform = HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor | Path.Path

/** Node's file system, child processes and paths; not the whole `NodeContext` (no terminal, no worker). */
const system = Effect.promise(() =>
  Promise.all([
    import("@effect/platform-node/NodeFileSystem"),
    import("@effect/platform-node/NodeCommandExecutor"),
    import("@effect/platform-node/NodePath")
  ])
).pipe(
  Effect.map(([NodeFileSystem, NodeCommandExecutor, NodePath]) =>
    Layer.merge(NodeCommandExecutor.layer, NodePath.layer).pipe(Layer.provideMerge(NodeFileSystem.layer))
  )
)

/**
 * The platform's services, built in `scope`. The client is a stand-in that builds the Node
 * transport (`HttpTransport.layer()`, in `scope`, once) at its first request and hands every
 * request to it: the transport's own spans, timeouts and proxy apply as they are.
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
    const services = yield* Layer.buildWithScope(yield* system, scope)
    return Context.add(services, HttpClient.HttpClient, client)
  })
