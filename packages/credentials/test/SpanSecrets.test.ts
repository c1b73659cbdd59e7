// What a traced program records of an upstream exchange: the endpoint, never the request's query.
// The platform's own client span would put the whole URL in `url.full` and `url.query` (an STS
// signer's SecurityToken and Signature, a credentials URI's token), so it is off.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, type Tracer } from "effect"
import { AccessKey, CredentialsUri, RamRoleArn, Sts } from "../src/index.js"
import { recording } from "./recordingTracer.js"
import { accessKey, roleArn, withEmulator } from "./withEmulator.js"

const attributesOf = (spans: ReadonlyArray<Tracer.Span>) =>
  JSON.stringify(spans.map((span) => ({ name: span.name, attributes: Object.fromEntries(span.attributes) })))

describe("spans of upstream exchanges", () => {
  it.scoped("AssumeRole signed by an STS credential: the span names the endpoint; no token, signature or key id", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        // a session to sign with: its token goes in the query of the next AssumeRole
        const session = yield* RamRoleArn.make({
          source: AccessKey.make(accessKey),
          roleArn,
          stsEndpoint: emulator.stsUrl
        })
        const token = Redacted.value(session.securityToken!)
        const { spans, tracer } = yield* recording
        yield* RamRoleArn.make({
          source: Sts.make({
            accessKeyId: session.accessKeyId,
            accessKeySecret: session.accessKeySecret,
            securityToken: session.securityToken!
          }),
          roleArn,
          stsEndpoint: emulator.stsUrl
        }).pipe(Effect.withTracer(tracer))
        const [, request] = yield* emulator.requests("sts")
        const signature = request!.query["Signature"]!
        expect(signature.length).toBeGreaterThan(10)
        const recorded = attributesOf(spans)
        expect(recorded).toContain("Credentials.upstream")
        expect(recorded).toContain(`${new URL(emulator.stsUrl).host}`)
        for (const secret of [token, encodeURIComponent(token), signature, encodeURIComponent(signature)]) {
          expect(recorded).not.toContain(secret)
        }
        expect(recorded).not.toContain("SecurityToken")
        expect(recorded).not.toContain("url.query")
      })
    ))

  it.scoped("a credentials URI with a token in its query: the span names scheme, host and path only", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { spans, tracer } = yield* recording
        const uri = `${emulator.credentialsUri}?token=uri-query-secret-0042`
        yield* CredentialsUri.make({ credentialsUri: uri }).pipe(Effect.withTracer(tracer))
        const recorded = attributesOf(spans)
        expect(recorded).toContain("Credentials.upstream")
        expect(recorded).not.toContain("uri-query-secret-0042")
      })
    ))
})
