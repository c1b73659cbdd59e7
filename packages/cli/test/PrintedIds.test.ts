// Issue 18, item 9: an AccessKey ID from an upstream (here a credentials URI on 127.0.0.1 that
// answers one with CR/LF and terminal escapes) prints escaped in `resolve` and `explain`, text
// and JSON: it cannot clear the terminal or forge a line of the output.
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:http"
import { envFor, makeHome, run } from "./helpers.js"

const hostileId = "\r\nS\u001b" + "x".repeat(12) + "\u001b[2J"

// A credentials URI that answers a session with the hostile ID; closed with the scope.
const hostileUri = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly close: () => void }>((resume) => {
    const server = createServer((_, response) => {
      response.setHeader("content-type", "application/json")
      response.end(JSON.stringify({
        Code: "Success",
        AccessKeyId: hostileId,
        AccessKeySecret: "SECRET-printed-ids",
        SecurityToken: "SECRET-token",
        Expiration: "2099-01-01T00:00:00Z"
      }))
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}/credentials`, close: () => server.close() }))
    })
  }),
  (server) => Effect.sync(server.close)
)

describe.concurrent("an upstream AccessKey ID with control characters", () => {
  for (const command of ["resolve", "explain"]) {
    it.scopedLive(`${command}: printed escaped, as text and as JSON`, () =>
      Effect.gen(function*() {
        const uri = yield* hostileUri
        const home = yield* makeHome()
        const env = envFor(home, { ALIBABA_CLOUD_CREDENTIALS_URI: uri.url })
        const text = yield* run([command], env)
        expect(text.code, text.stderr).toBe(0)
        expect(text.stdout).toContain("\\u000d\\u000aS\\u001b****\\u001b[2J")
        const json = yield* run([command, "--json"], env)
        expect(json.code, json.stderr).toBe(0)
        expect(JSON.stringify(JSON.parse(json.stdout))).toContain("u001b****")
        for (const out of [text, json]) {
          expect(out.stdout + out.stderr).not.toContain("\u001b")
          expect(out.stdout + out.stderr).not.toContain("\r")
          expect(out.stdout + out.stderr).not.toContain("SECRET-")
        }
      }).pipe(Effect.provide(NodeContext.layer)))
  }
})
