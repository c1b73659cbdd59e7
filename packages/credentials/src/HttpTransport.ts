/**
 * The Node platform: `@effect/platform`'s `HttpClient` on Node's own `http` / `https` (undici's
 * `ProxyAgent` for a request through a proxy, loaded then), with the connect and read timeouts and
 * the proxy of each request, and the file system and child processes (`layerNode`). This is the
 * only module that knows Node's HTTP stack; the sources run on any platform's `HttpClient`
 * (e.g. `FetchHttpClient`), bounded there by the Clock deadlines of the upstream pipeline.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeClient from "./internal/upstream/nodeClient.js"

/**
 * @example
 * ```ts
 * import { HttpTransport } from "@effect-alicloud/credentials"
 *
 * const options: HttpTransport.Options = { connectTimeout: "3 seconds" }
 * const platform = HttpTransport.layerNode(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The connect timeout of requests made outside the sources' pipeline. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * An `HttpClient` on Node's own `http` / `https` (private agents, closed with the layer): each
 * request of the sources' pipeline gets its own connect and read timeouts, and goes through the
 * proxy the pipeline chose for it (the source's `proxy` option, else `HTTPS_PROXY` / `HTTP_PROXY` /
 * `NO_PROXY`; never for the metadata service nor a loopback or link-local target), through an
 * undici `ProxyAgent` (a CONNECT tunnel; undici is loaded by the first such request, and only
 * then). Redirects are not followed. Its failures reach the pipeline typed: a connect or read timeout, an unreachable
 * host or proxy, a connection closed early, the proxy's refusal to open a tunnel. Requests made
 * outside the pipeline go direct. To use a transport of your own (another proxy library, a custom agent),
 * provide your own `HttpClient.HttpClient` instead of this layer: the sources take it from context,
 * and the proxy settings then do not apply.
 *
 * @example
 * ```ts
 * import { Credentials, CredentialsUri, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // A network source on Node: the HTTP transport is all it needs
 * const layer = Credentials.layer(CredentialsUri.make({ credentialsUri: "http://127.0.0.1:8080/credentials" })).pipe(
 *   Layer.provide(HttpTransport.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(HttpClient.HttpClient, NodeClient.make(options.connectTimeout))

/**
 * What the default sources need, on Node: the HTTP transport, the file system, child processes
 * (and paths). Not the whole `NodeContext`: its terminal and worker services are not needed, and
 * building them costs start-up time.
 *
 * @example
 * ```ts
 * import { DefaultChain, HttpTransport } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // The default chain on Node (what `Credentials.layerDefault` does)
 * const layer = DefaultChain.layer({ refresh: { jitter: 0 } }).pipe(Layer.provide(HttpTransport.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNode = (
  options: Options = {}
): Layer.Layer<HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor | Path.Path> =>
  Layer.merge(layer(options), layerNodeSystem)

/**
 * The file system, child processes and paths on Node, without an HTTP client: what the file
 * sources (`CliProfile`, `IniProfile`, an OIDC token file) and the CLI's External helpers need.
 * Node's modules for them are loaded when the layer is first built, not when this module is
 * imported, so that a program whose sources only speak HTTP does not load them.
 *
 * @example
 * ```ts
 * import { HttpTransport, IniProfile, Credentials } from "@effect-alicloud/credentials"
 * import { Layer } from "effect"
 *
 * // An ini-file profile needs the file system, not an HTTP client (unless it names a role)
 * const layer = Credentials.layer(IniProfile.make({ profile: "default" })).pipe(
 *   Layer.provide(Layer.merge(HttpTransport.layer(), HttpTransport.layerNodeSystem))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNodeSystem: Layer.Layer<FileSystem.FileSystem | CommandExecutor.CommandExecutor | Path.Path> = Layer
  .unwrapEffect(
    Effect.promise(async () => {
      const [NodeFileSystem, NodeCommandExecutor, NodePath] = await Promise.all([
        import("@effect/platform-node/NodeFileSystem"),
        import("@effect/platform-node/NodeCommandExecutor"),
        import("@effect/platform-node/NodePath")
      ])
      return Layer.merge(NodeCommandExecutor.layer, NodePath.layer).pipe(Layer.provideMerge(NodeFileSystem.layer))
    })
  )
