// An upstream the library proxies, for the proxy tests. The library never proxies a loopback
// target (127.0.0.0/8, ::1, localhost), so a test that wants the emulator reached through the
// loopback proxy (test/loopbackProxy.ts) names it 192.0.2.1 (TEST-NET-1, RFC 5737: an address for
// documentation, never routed): the proxy dials 127.0.0.1 for it. A request that goes direct (a
// NO_PROXY match, `proxy: false`, the metadata service) is refused by the suite's network guard
// (test/setup/networkGuard.ts) before a packet leaves, unless the test routes it with `direct`.
import { Effect, type Scope } from "effect"
import { clearRedirect, redirect } from "../../../bench/src/guard.mjs"

/** The address that stands for an upstream elsewhere. */
export const host = "192.0.2.1"

/** The emulator's URL (`http://127.0.0.1:PORT/x`) with `host` for its address. */
export const proxied = (url: string): string => url.replace(/^(https?:\/\/)127\.0\.0\.1(?=[:/])/, `$1${host}`)

/**
 * For the life of the scope, a direct connection to `host` (any port) goes to 127.0.0.1:`port`
 * instead (the network guard's redirect: no packet to 192.0.2.1, no DNS).
 */
export const direct = (port: number): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => redirect(host, { host: "127.0.0.1", port })),
    () => Effect.sync(() => void clearRedirect(host))
  )
