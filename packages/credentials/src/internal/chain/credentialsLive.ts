// The default chain on Node: what `CredentialsLive` is, and what `Credentials.layerDefault` and
// `Credentials.layerConfig` load on first use (Credentials.ts imports this module dynamically, so
// that the service tag does not bring the network sources and undici with it).
import * as Layer from "effect/Layer"
import type { Credentials } from "../../Credentials.js"
import type * as DefaultChain from "../../DefaultChain.js"
import * as HttpTransport from "../../HttpTransport.js"
import * as defaultChain from "./defaultChain.js"

export const layer = (options: DefaultChain.Options = {}): Layer.Layer<Credentials> =>
  defaultChain.layer(options).pipe(Layer.provide(HttpTransport.layerNode()))
