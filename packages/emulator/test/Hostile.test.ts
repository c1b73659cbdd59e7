import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Net from "node:net"
import * as Hostile from "../src/Hostile.js"
import { send } from "./helpers.js"

type Outcome =
  | { readonly _tag: "connected"; readonly ms: number }
  | { readonly _tag: "error"; readonly code: string; readonly ms: number }
  | { readonly _tag: "pending"; readonly ms: number }

/** A raw TCP connect to the URL's port, given up after `limitMs` (real time). */
const connect = (url: string, limitMs: number) =>
  Effect.async<Outcome>((resume) => {
    const started = performance.now()
    const ms = () => Math.round(performance.now() - started)
    const socket = Net.connect({ host: "127.0.0.1", port: Number(new URL(url).port) })
    const timer = setTimeout(() => {
      socket.destroy()
      resume(Effect.succeed({ _tag: "pending", ms: ms() }))
    }, limitMs)
    socket.once("connect", () => {
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.succeed({ _tag: "connected", ms: ms() }))
    })
    socket.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resume(Effect.succeed({ _tag: "error", code: e.code ?? e.message, ms: ms() }))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })

/** Connects, sends a request, and counts the bytes that come back within `limitMs`. */
const bytesBack = (url: string, limitMs: number) =>
  Effect.async<{ readonly connected: boolean; readonly bytes: number; readonly closed: boolean }>((resume) => {
    let connected = false
    let bytes = 0
    let closed = false
    const socket = Net.connect({ host: "127.0.0.1", port: Number(new URL(url).port) }, () => {
      connected = true
      socket.write("GET /latest/meta-data/ram/security-credentials/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    })
    socket.on("data", (d) => (bytes += d.length))
    socket.on("close", () => {
      closed = true
      clearTimeout(timer)
      resume(Effect.succeed({ connected, bytes, closed }))
    })
    socket.on("error", () => {})
    const timer = setTimeout(() => {
      socket.destroy()
      resume(Effect.succeed({ connected, bytes, closed }))
    }, limitMs)
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })

describe("Hostile", () => {
  it.live(
    "blackhole: a connection attempt gets no answer (SYN dropped) until the client gives up",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const url = yield* Hostile.blackhole
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const outcome = yield* connect(url, 1500)
        expect(outcome._tag).toBe("pending")
        expect(outcome.ms).toBeGreaterThanOrEqual(1400)
        // an HTTP client (fetch, default connect timeout 10 s) hangs until its caller's timeout
        const started = performance.now()
        const result = yield* send(HttpClientRequest.get(`${url}/latest/api/token`)).pipe(
          Effect.timeout("1 second"),
          Effect.either
        )
        expect(result._tag).toBe("Left")
        if (result._tag === "Left") expect(result.left._tag).toBe("TimeoutException")
        expect(performance.now() - started).toBeGreaterThanOrEqual(950)
      })),
    20_000
  )

  it.live("blackhole: closing the scope releases the port (then refused)", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const url = yield* Scope.extend(Hostile.blackhole, scope)
      yield* Scope.close(scope, Exit.void)
      const outcome = yield* connect(url, 2000)
      expect(outcome).toMatchObject({ _tag: "error", code: "ECONNREFUSED" })
    }), 20_000)

  it.live(
    "silent: connects at once, reads the request, never sends a byte",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const url = yield* Hostile.silent
        const outcome = yield* connect(url, 1000)
        expect(outcome._tag).toBe("connected")
        expect(outcome.ms).toBeLessThan(500)
        expect(yield* bytesBack(url, 700)).toEqual({ connected: true, bytes: 0, closed: false })
        const result = yield* send(HttpClientRequest.get(`${url}/latest/api/token`)).pipe(
          Effect.timeout("500 millis"),
          Effect.either
        )
        expect(result._tag).toBe("Left")
        if (result._tag === "Left") expect(result.left._tag).toBe("TimeoutException")
      })),
    20_000
  )

  it.live("silent: closing the scope ends its connections", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const url = yield* Scope.extend(Hostile.silent, scope)
      const fiber = yield* Effect.fork(bytesBack(url, 3000))
      yield* Effect.sleep("300 millis")
      yield* Scope.close(scope, Exit.void)
      const result = yield* fiber.await
      expect(Exit.isSuccess(result) && result.value).toEqual({ connected: true, bytes: 0, closed: true })
    }), 20_000)

  it.live("refused: nothing listens, a connection is refused at once", () =>
    Effect.gen(function*() {
      const url = yield* Hostile.refused
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const outcome = yield* connect(url, 2000)
      expect(outcome).toMatchObject({ _tag: "error", code: "ECONNREFUSED" })
      expect(outcome.ms).toBeLessThan(500)
      const result = yield* send(HttpClientRequest.get(`${url}/credentials`)).pipe(
        Effect.timeout("2 seconds"),
        Effect.either
      )
      expect(result._tag).toBe("Left")
      if (result._tag === "Left") expect(result.left._tag).toBe("RequestError")
    }), 20_000)
})
