// The network guard of the benchmarks: loaded before anything else, in the benchmark process and
// in every child process it starts (`node --import ./guard.mjs`).
//
// - Every TCP connection (net, tls, http, https, undici, fetch: all go through
//   `net.Socket.prototype.connect`) to a host outside 127.0.0.0/8, ::1 and `localhost` is refused
//   before any packet is sent, and counted.
// - Connections to a redirected host (the ECS metadata address 100.100.100.200, hard-coded by the
//   official client) are sent to the emulator (or a hostile helper) on 127.0.0.1 instead, and
//   counted: the socket's connect goes to the loopback target, so no packet is sent to the
//   original address. Children get their redirects from BENCH_GUARD_REDIRECT.
// - DNS look-ups of any name but `localhost` are refused and counted; UDP sends to a non-loopback
//   address are refused and counted.
//
// Plain JavaScript, so that the start-up benchmark's children (plain `node`, no tsx) load it too.
import dgram from "node:dgram"
import dns from "node:dns"
import { syncBuiltinESMExports } from "node:module"
import net from "node:net"

const state = {
  blockedConnections: 0,
  blockedDns: 0,
  blockedUdp: 0,
  redirected: 0,
  loopbackConnections: 0,
  blockedTargets: [],
  redirects: new Map()
}

const note = (target) => {
  if (state.blockedTargets.length < 20 && !state.blockedTargets.includes(target)) state.blockedTargets.push(target)
}

export const isLoopback = (host) =>
  typeof host === "string" &&
  (host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(host))

const refuse = (message, code) => Object.assign(new Error(`bench network guard: ${message}`), { code })

const originalConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect passes [options, cb] as one normalized array; sockets may also get (port, host, cb),
  // (path, cb) or (options, cb).
  let options = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (options === null || typeof options !== "object") {
    if (typeof args[0] === "string" && !/^\d+$/.test(args[0])) return originalConnect.apply(this, args) // a pipe
    const callback = args.find((arg) => typeof arg === "function")
    options = { port: Number(args[0]), host: typeof args[1] === "string" ? args[1] : "localhost" }
    args = callback === undefined ? [options] : [options, callback]
  }
  if (typeof options.path === "string") return originalConnect.apply(this, args) // a unix socket
  const host = options.host ?? "localhost"
  const redirect = state.redirects.get(host)
  if (redirect !== undefined) {
    state.redirected++
    options.host = redirect.host
    options.port = redirect.port
    return originalConnect.apply(this, args)
  }
  if (isLoopback(host)) {
    state.loopbackConnections++
    return originalConnect.apply(this, args)
  }
  state.blockedConnections++
  note(`tcp ${host}:${options.port}`)
  const error = refuse(`refused a connection to ${host}:${options.port} (loopback only)`, "ECONNREFUSED")
  process.nextTick(() => this.destroy(error))
  return this
}

const guardLookup = (original) =>
  function guardedLookup(hostname, ...rest) {
    if (hostname === "localhost" || isLoopback(hostname) || state.redirects.has(hostname)) {
      return original.call(this, hostname, ...rest)
    }
    state.blockedDns++
    note(`dns ${hostname}`)
    const callback = rest.find((arg) => typeof arg === "function")
    const error = refuse(`refused a DNS look-up of ${hostname} (loopback only)`, "ENOTFOUND")
    if (callback !== undefined) process.nextTick(() => callback(error))
    return undefined
  }
const guardPromise = (original) =>
  function guardedLookupPromise(hostname, ...rest) {
    if (hostname === "localhost" || isLoopback(hostname)) return original.call(this, hostname, ...rest)
    state.blockedDns++
    note(`dns ${hostname}`)
    return Promise.reject(refuse(`refused a DNS look-up of ${hostname} (loopback only)`, "ENOTFOUND"))
  }
const resolvers = ["resolve", "resolve4", "resolve6", "resolveAny", "resolveCname", "resolveTxt", "resolveSrv", "lookupService"]
dns.lookup = guardLookup(dns.lookup)
for (const name of resolvers) if (typeof dns[name] === "function") dns[name] = guardLookup(dns[name])
dns.promises.lookup = guardPromise(dns.promises.lookup)
for (const name of resolvers) {
  if (typeof dns.promises[name] === "function") dns.promises[name] = guardPromise(dns.promises[name])
}

const originalSend = dgram.Socket.prototype.send
dgram.Socket.prototype.send = function guardedSend(...args) {
  const address = args.find((arg, i) => i > 0 && typeof arg === "string")
  if (address !== undefined && !isLoopback(address)) {
    state.blockedUdp++
    note(`udp ${address}`)
    const callback = args.find((arg) => typeof arg === "function")
    if (callback !== undefined) process.nextTick(() => callback(refuse(`refused UDP to ${address}`, "EACCES")))
    return
  }
  return originalSend.apply(this, args)
}

// ES modules that import node:dns by name see the guarded functions too.
syncBuiltinESMExports()

// What ./guarded.mjs checks: the children refuse to run without this guard.
globalThis[Symbol.for("@effect-alicloud/bench/networkGuard")] = true

/** Sends every connection to `host` (any port) to `target` on loopback instead. */
export const redirect = (host, target) => {
  if (!isLoopback(target.host)) throw new Error("the guard redirects to loopback only")
  state.redirects.set(host, target)
}

export const clearRedirect = (host) => state.redirects.delete(host)

/** The counts since the start (or the last reset). */
export const report = () => ({
  blockedConnections: state.blockedConnections,
  blockedDns: state.blockedDns,
  blockedUdp: state.blockedUdp,
  redirected: state.redirected,
  loopbackConnections: state.loopbackConnections,
  blockedTargets: [...state.blockedTargets]
})

export const reset = () => {
  state.blockedConnections = 0
  state.blockedDns = 0
  state.blockedUdp = 0
  state.redirected = 0
  state.loopbackConnections = 0
  state.blockedTargets = []
}

// For the children: redirects from the environment, `BENCH_GUARD_REDIRECT=<host>=127.0.0.1:<port>[,...]`
// (e.g. the ECS metadata address to a hostile helper of the edge benchmarks), set before any
// connection is made.
for (const entry of (process.env.BENCH_GUARD_REDIRECT ?? "").split(",").filter((e) => e !== "")) {
  const m = /^([^=]+)=([^:]+):(\d+)$/.exec(entry)
  if (m === null) throw new Error(`bench network guard: bad BENCH_GUARD_REDIRECT entry ${entry}`)
  redirect(m[1], { host: m[2], port: Number(m[3]) })
}

// For the children: print the counts on exit, on stderr, as one JSON line.
if (process.env.BENCH_GUARD_REPORT === "1") {
  process.on("exit", () => process.stderr.write(`BENCH_GUARD ${JSON.stringify(report())}\n`))
}
