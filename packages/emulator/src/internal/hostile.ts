import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"
import * as WorkerThreads from "node:worker_threads"

/** @internal */
export class HostileError extends Data.TaggedError("HostileError")<{
  readonly reason: "Listen" | "Unsupported"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `hostile network helper: ${this.reason}: ${this.detail}`
  }
}

const host = "127.0.0.1"
const urlOf = (port: number) => `http://${host}:${port}`

const listen = (server: Net.Server, backlog?: number) =>
  Effect.async<number, HostileError>((resume) => {
    const onError = (cause: Error) =>
      resume(Effect.fail(new HostileError({ reason: "Listen", detail: `cannot listen on ${host}`, cause })))
    server.once("error", onError)
    server.listen({ port: 0, host, ...(backlog === undefined ? {} : { backlog }) }, () => {
      server.off("error", onError)
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const closeServer = (server: Net.Server) =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    server.close(() => resume(Effect.void))
  })

/** @internal */
export const refused: Effect.Effect<string, HostileError> = Effect.gen(function*() {
  const server = Net.createServer()
  const port = yield* listen(server)
  yield* closeServer(server)
  return urlOf(port)
})

/** @internal */
export const silent: Effect.Effect<string, HostileError, Scope.Scope> = Effect.gen(function*() {
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer((socket) => {
    sockets.add(socket)
    socket.on("error", () => {})
    socket.on("close", () => sockets.delete(socket))
    // read and discard whatever the client sends; never write
    socket.resume()
  })
  const port = yield* Effect.acquireRelease(listen(server), () =>
    Effect.suspend(() => {
      for (const socket of sockets) socket.destroy()
      return closeServer(server)
    }))
  return urlOf(port)
})

// The worker: listens with a backlog of 1, reports its port, then blocks its event loop in
// Atomics.wait, so that its libuv loop never calls accept(2). Released by the flag.
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const net = require("node:net")
const flag = new Int32Array(workerData.flag)
const server = net.createServer((socket) => socket.destroy())
server.on("error", (e) => parentPort.postMessage({ error: String(e && e.message) }))
server.listen({ port: 0, host: workerData.host, backlog: 1 }, () => {
  parentPort.postMessage({ port: server.address().port })
  // bounded: released by the owner's finalizer, at the latest after maxMillis
  Atomics.wait(flag, 0, 0, workerData.maxMillis)
  server.close()
  parentPort.close()
})
`

/** How long a filler connection may take before its connect counts as dropped. */
const probeMillis = 250
const maxFillers = 8

/** Resolves "connected", "pending" (no answer within `probeMillis`), or "error". */
const probe = (port: number, sockets: Set<Net.Socket>) =>
  Effect.async<"connected" | "pending" | "error">((resume) => {
    const socket = Net.connect({ port, host })
    sockets.add(socket)
    socket.unref()
    const timer = setTimeout(() => resume(Effect.succeed("pending")), probeMillis)
    socket.once("connect", () => {
      clearTimeout(timer)
      resume(Effect.succeed("connected"))
    })
    socket.on("error", () => {
      clearTimeout(timer)
      resume(Effect.succeed("error"))
    })
  })

/** @internal */
export const blackhole: Effect.Effect<string, HostileError, Scope.Scope> = Effect.gen(function*() {
  const flag = new Int32Array(new SharedArrayBuffer(4))
  const worker = yield* Effect.acquireRelease(
    Effect.sync(() =>
      new WorkerThreads.Worker(workerSource, {
        eval: true,
        workerData: { flag: flag.buffer, host, maxMillis: 6 * 60 * 60 * 1000 }
      })
    ),
    (worker) =>
      Effect.async<void>((resume) => {
        Atomics.store(flag, 0, 1)
        Atomics.notify(flag, 0)
        const timer = setTimeout(() => void worker.terminate().finally(() => resume(Effect.void)), 2000)
        worker.once("exit", () => {
          clearTimeout(timer)
          resume(Effect.void)
        })
      })
  )
  worker.unref()
  const port = yield* Effect.async<number, HostileError>((resume) => {
    worker.once("message", (m: { readonly port?: number; readonly error?: string }) =>
      resume(
        m.port !== undefined ?
          Effect.succeed(m.port) :
          Effect.fail(new HostileError({ reason: "Listen", detail: `blackhole: ${m.error ?? "no port"}` }))
      ))
    worker.once(
      "error",
      (cause) => resume(Effect.fail(new HostileError({ reason: "Listen", detail: "blackhole worker failed", cause })))
    )
  })
  // Fill the accept queue (backlog + 1 connections on Linux) with connections nobody accepts; the
  // first connection that gets no answer proves that further SYNs are dropped.
  const sockets = new Set<Net.Socket>()
  yield* Effect.addFinalizer(() => Effect.sync(() => sockets.forEach((s) => s.destroy())))
  for (let i = 0; i < maxFillers; i++) {
    const outcome = yield* probe(port, sockets)
    if (outcome === "pending") return urlOf(port)
    if (outcome === "error") break
  }
  return yield* new HostileError({
    reason: "Unsupported",
    detail: `blackhole: this kernel completes connections to a full listen queue on ${host}:${port}`
  })
})
