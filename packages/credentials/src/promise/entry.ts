/**
 * The module published as `@effect-alicloud/credentials/promise`: everything `./promise.ts`
 * exports, and a default export that also carries the module's names, the way the official
 * package's CommonJS entry reads when imported from ES modules.
 *
 * `@alicloud/credentials` 2.4.7 is CommonJS (`exports.default = Credential`,
 * `exports.Config = Config`, ...). From an ES module, `import C from "@alicloud/credentials"` gives
 * that whole `exports` object, so its users write `new C.default(new C.Config({...}))`. The default
 * export here is the facade's `Credential` class with `default` (itself), `Config` and every other
 * named export as static properties, so both styles work in every module system:
 *
 * ```ts
 * import Credential, { Config } from "@effect-alicloud/credentials/promise" // the documented style
 * import C from "@effect-alicloud/credentials/promise"                      // the namespace style
 * new C.default(new C.Config({ type: "access_key", accessKeyId, accessKeySecret }))
 * const D = require("@effect-alicloud/credentials/promise")                // CommonJS: exports.default, exports.Config
 * ```
 *
 * Only the module's shape is added here; the behaviour is `./promise.ts`'s.
 *
 * @since 0.1.0
 */
import Base, * as Facade from "./promise.js"

/**
 * Every named export of the facade (`Config`, the providers, the types), for the style of the
 * official documentation.
 *
 * @example
 * ```ts
 * import Credential, { Config } from "@effect-alicloud/credentials/promise"
 *
 * const client = new Credential(
 *   new Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
 * )
 * assert.strictEqual((await client.getCredential()).accessKeyId, "LTAI5tExampleKeyId")
 * await client.close()
 * ```
 *
 * @since 0.1.0
 */
export * from "./promise.js"

// Each export, `default` included, as a static of the class unless the class already has that name.
// Non-enumerable, so the class still lists (and spreads) as before. Each class and function keeps
// its export's name (`util.inspect` shows `CredentialModel {...}`, a builder is named after its
// provider) whatever the bundler named it: the bundle is minified without esbuild's keepNames
// (scripts/bundle.mjs).
for (const [name, value] of Object.entries(Facade)) {
  if (!Object.prototype.hasOwnProperty.call(Base, name)) {
    Object.defineProperty(Base, name, { value, enumerable: false, writable: false, configurable: true })
  }
  if (typeof value === "function" && name !== "default" && value.name !== name) {
    Object.defineProperty(value, "name", { value: name, configurable: true })
  }
}

/**
 * The facade's `Credential` class (`new Credential(config?)`), which also carries the module's
 * exports as properties: `Credential.default`, `Credential.Config`, ...
 *
 * @example
 * ```ts
 * import C from "@effect-alicloud/credentials/promise"
 *
 * // The namespace style of the official package's ES-module users: `C.default`, `C.Config`
 * const client = new C.default(
 *   new C.Config({ type: "access_key", accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" })
 * )
 * assert.strictEqual((await client.getCredential()).accessKeyId, "LTAI5tExampleKeyId")
 * await client.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
// The loop above defined exactly `typeof Facade`'s properties on Base.
const Credential = Base as typeof Base & typeof Facade

/**
 * The client's type, under the default export's name.
 *
 * @example
 * ```ts
 * import type Credential from "@effect-alicloud/credentials/promise"
 *
 * // Close every client at shutdown
 * const closeAll = (clients: ReadonlyArray<Credential>): Promise<Array<void>> =>
 *   Promise.all(clients.map((client) => client.close()))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
type Credential = Base

export default Credential
