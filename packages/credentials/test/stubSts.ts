// A scripted STS for tests that drive the TestClock through retries and queues: an HttpClient whose
// answers are computed in-process (no socket, so a forked fetch reaches its next sleep at once),
// recording the Clock time of every request.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Effect, Layer } from "effect"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"

export interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}

export const throttled = (status = 400, headers: Record<string, string> = {}): Answer => ({
  status,
  body: { Code: "Throttling.User", Message: "Request was denied due to user flow control.", RequestId: "req-t" },
  headers
})

export const unavailable: Answer = { status: 503, body: { Code: "ServiceUnavailable", RequestId: "req-u" } }

let issued = 0
export const success = (): Answer => {
  issued++
  return {
    status: 200,
    body: {
      RequestId: "req-ok",
      Credentials: {
        AccessKeyId: `STS.stub-${issued}`,
        AccessKeySecret: `stub-secret-${issued}`,
        SecurityToken: `stub-token-${issued}`,
        Expiration: "2030-01-01T00:00:00Z"
      }
    }
  }
}

/** An STS answering `script(n)` to its n-th request (0-based); `times` gets each request's Clock time. */
export const stubSts = (script: (n: number) => Answer) => {
  const times: Array<number> = []
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const answer = script(times.length)
        times.push(now)
        return HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify(answer.body), {
            status: answer.status,
            headers: { "content-type": "application/json", ...answer.headers }
          })
        )
      })
    )
  )
  return { layer, times }
}

export const signer = AccessKey.make({ accessKeyId: "LTAI5tStubSigner01", accessKeySecret: "stub-signer-secret" })

/** A RamRoleArn source against the stub's URL (never contacted: the stub answers). */
export const role = (options: Partial<RamRoleArn.Options<never>> = {}) =>
  RamRoleArn.make({
    source: signer,
    roleArn: "acs:ram::1234567890123456:role/tenant",
    roleSessionName: "stub",
    stsEndpoint: "http://127.0.0.1:9/",
    ...options
  })
