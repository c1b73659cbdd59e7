// A small HTTP proxy on 127.0.0.1 for tests: CONNECT tunnels (what undici's ProxyAgent sends, for
// http and https targets alike), to 127.0.0.1 targets, and to 192.0.2.0/24 targets (TEST-NET-1, for
// documentation only: test/proxiedUpstream.ts) dialled at 127.0.0.1; anything else is refused with
// 403 and never dialled (no DNS either: the target host must be one of those literals).
// Absolute-form requests (`GET http://...`) are answered 501: the transport under test never sends
// them. It counts tunnels and records the Proxy-Authorization it saw; `mode` makes it refuse.
import { Effect, type Scope } from "effect"
import * as Net from "node:net"

export type ProxyMode =
  | { readonly _tag: "open" }
  /** Answers CONNECT with this status (407, 403, 502...) and closes. */
  | { readonly _tag: "refuse"; readonly status: number }
  /** Reads the CONNECT and never answers. */
  | { readonly _tag: "hang" }
  /** Wants `Proxy-Authorization: Basic base64(user:password)`, else 407. */
  | { readonly _tag: "auth"; readonly user: string; readonly password: string }

export interface LoopbackProxy {
  readonly url: string
  readonly port: number
  /** Tunnels opened (CONNECT answered 200). */
  readonly tunnels: Effect.Effect<number>
  /** Every CONNECT target asked for (`host:port`), opened or not. */
  readonly targets: Effect.Effect<ReadonlyArray<string>>
  readonly setMode: (mode: ProxyMode) => Effect.Effect<void>
}

const statusText: Record<number, string> = {
  403: "Forbidden",
  407: "Proxy Authentication Required",
  501: "Not Implemented",
  502: "Bad Gateway"
}

const answer = (socket: Net.Socket, status: number, extra = "") =>
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status] ?? "Error"}\r\n${extra}content-length: 0\r\nconnection: close\r\n\r\n`
  )

export const make: Effect.Effect<LoopbackProxy, never, Scope.Scope> = Effect.gen(function*() {
  let tunnels = 0
  const targets: Array<string> = []
  let current: ProxyMode = { _tag: "open" }
  const sockets = new Set<Net.Socket>()
  const track = (socket: Net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
  }
  const server = Net.createServer((client) => {
    track(client)
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf("\r\n\r\n")
      if (end === -1) {
        if (head.length > 16384) client.destroy()
        return
      }
      client.off("data", onData)
      const rest = head.subarray(end + 4)
      const lines = head.subarray(0, end).toString("latin1").split("\r\n")
      const [method, target] = (lines[0] ?? "").split(" ")
      if (method !== "CONNECT" || target === undefined) return void answer(client, 501)
      targets.push(target)
      const match = /^(?:127\.0\.0\.1|192\.0\.2\.\d{1,3}):(\d{1,5})$/.exec(target)
      if (match === null) return void answer(client, 403) // never dialled
      if (current._tag === "refuse") return void answer(client, current.status)
      if (current._tag === "hang") return
      if (current._tag === "auth") {
        const expected = `basic ${Buffer.from(`${current.user}:${current.password}`).toString("base64")}`
        const got = lines.find((line) => /^proxy-authorization:/i.test(line))?.slice(20).trim().toLowerCase()
        if (got !== expected.toLowerCase()) {
          return void answer(client, 407, "proxy-authenticate: Basic realm=\"test\"\r\n")
        }
      }
      const upstream = Net.connect(Number(match[1]), "127.0.0.1")
      track(upstream)
      upstream.on("connect", () => {
        tunnels++
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
        if (rest.length > 0) upstream.write(rest)
        client.pipe(upstream)
        upstream.pipe(client)
      })
      upstream.on("close", () => client.destroy())
      client.on("close", () => upstream.destroy())
    }
    client.on("data", onData)
  })
  const port = yield* Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
    }),
    () =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels: Effect.sync(() => tunnels),
    targets: Effect.sync(() => [...targets]),
    setMode: (next) =>
      Effect.sync(() => {
        current = next
      })
  }
})

/** A loopback port nothing listens on: bound, then closed. */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})
