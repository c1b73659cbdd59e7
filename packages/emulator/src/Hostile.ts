/**
 * Hostile network peers on loopback, for tests of timeouts: an address that drops connection
 * attempts, one that accepts and never answers, one that refuses. Each gives a base URL
 * `http://127.0.0.1:<port>`; nothing here sends a packet beyond 127.0.0.1.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/hostile.js"

/**
 * A helper could not be set up (`Listen`), or this system cannot drop connection attempts on
 * loopback the way `blackhole` needs (`Unsupported`).
 *
 * @since 0.1.0
 * @category errors
 */
export const HostileError: typeof internal.HostileError = internal.HostileError

/**
 * @since 0.1.0
 * @category errors
 */
export type HostileError = internal.HostileError

/**
 * A listener whose connection attempts get no answer, like a metadata address that drops packets:
 * a client's `connect` hangs (SYN retransmitted, never answered) until its own connect timeout.
 *
 * How: a worker thread listens on `127.0.0.1:0` with a backlog of 1 and blocks its event loop, so
 * nothing ever accepts; the helper then fills the accept queue with connections of its own until
 * one gets no answer within 250 ms. From then on Linux drops every SYN to that port
 * (`tcp_abort_on_overflow` = 0, the default). Fails with `HostileError` `Unsupported` where that
 * does not hold. Closing the scope closes the filler connections, releases the worker and the port.
 *
 * @since 0.1.0
 * @category constructors
 */
export const blackhole: Effect.Effect<string, HostileError, Scope.Scope> = internal.blackhole

/**
 * A listener that accepts connections, reads and discards what the client sends, and never sends
 * a byte (not even a TLS handshake). Closing the scope destroys the connections and the listener.
 *
 * @since 0.1.0
 * @category constructors
 */
export const silent: Effect.Effect<string, HostileError, Scope.Scope> = internal.silent

/**
 * A port on 127.0.0.1 with nothing listening: bound to an ephemeral port, read, closed. A
 * connection is refused at once (RST). Needs no scope. (Another process could bind the port in
 * the meantime; on a test machine this does not happen in practice.)
 *
 * @since 0.1.0
 * @category constructors
 */
export const refused: Effect.Effect<string, HostileError> = internal.refused
