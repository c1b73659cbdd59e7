// The Promise facade's options of issue 12 (ours, not the official client's): `oidcToken`, a
// function answering a Promise of the OIDC token, mapped onto `OidcRoleArn.make({ oidcToken })`;
// `proxy`, mapped onto the network sources' `proxy` option. Against the emulator and the test
// suite's loopback CONNECT proxy, on the live clock (the facade's runtime runs on it); the
// emulator is addressed as 192.0.2.1 where a request should go through the proxy (loopback targets
// never do: test/proxiedUpstream.ts).
import { Emulator } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { inspect } from "node:util"
import Credential, {
  Config,
  OIDCRoleArnCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  StaticAKCredentialsProvider,
  URICredentialsProvider
} from "./facade.js"
import * as LoopbackProxy from "./loopbackProxy.js"
import * as ProxiedUpstream from "./proxiedUpstream.js"

const key = { accessKeyId: "LTAI5tTokenProxyKey001", accessKeySecret: "token-proxy-secret-01" } as const
const roleArn = "acs:ram::1234567890123456:role/test-role"
const oidcProviderArn = "acs:ram::1234567890123456:oidc-provider/ci"

const closing = (make: () => Credential) =>
  Effect.acquireRelease(Effect.sync(make), (c) => Effect.promise(() => c.close()))

const promise = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as Error & { cause?: unknown } }).pipe(
    Effect.timeoutFail({
      duration: Duration.seconds(10),
      onTimeout: () => new Error("test timeout") as Error & { cause?: unknown }
    })
  )

// An oidc_role_arn client against the emulator, closed with the test's scope.
const oidcClient = (emulator: Emulator.EmulatorShape, extra: Record<string, unknown>) =>
  closing(() =>
    new Credential(
      new Config({ type: "oidc_role_arn", roleArn, oidcProviderArn, stsEndpoint: emulator.stsUrl, ...extra })
    )
  )

describe("Promise facade: oidcToken from a function", () => {
  it.scopedLive("the function is called at every fetch (refresh() included) and its token sent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ oidcTokens: ["ci-token-1", "ci-token-2"] })
      let calls = 0
      const credential = yield* closing(() =>
        new Credential(
          new Config({
            type: "oidc_role_arn",
            roleArn,
            oidcProviderArn,
            oidcToken: async () => `ci-token-${++calls}\n`,
            stsEndpoint: emulator.stsUrl
          })
        )
      )
      const first = yield* promise(() => credential.getCredential())
      expect(first.accessKeyId).toMatch(/^STS\./)
      expect(first.providerName).toBe("oidc_role_arn")
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).body.OIDCToken).toBe("ci-token-1")
      yield* promise(() => credential.getCredential())
      expect(calls).toBe(1)
      const second = yield* promise(() => credential.refresh())
      expect(second.accessKeyId).not.toBe(first.accessKeyId)
      expect(calls).toBe(2)
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).body.OIDCToken).toBe("ci-token-2")
    }))

  it.scopedLive("a rejection, an empty token, and a function given with oidcTokenFilePath reject with InvalidConfiguration of oidcToken; nothing is sent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const client = (extra: Record<string, unknown>) =>
        closing(() =>
          new Credential(
            new Config({ type: "oidc_role_arn", roleArn, oidcProviderArn, stsEndpoint: emulator.stsUrl, ...extra })
          )
        )
      const rejected = yield* client({
        oidcToken: () => Promise.reject(new Error("the CI token endpoint answered 500"))
      })
      const error = yield* Effect.flip(promise(() => rejected.getCredential()))
      expect(error.cause).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcToken" })
      expect(error.message).toContain("the CI token endpoint answered 500")
      const empty = yield* client({ oidcToken: async () => "  " })
      expect((yield* Effect.flip(promise(() => empty.getCredential()))).cause).toMatchObject({ field: "oidcToken" })
      const both = yield* client({ oidcToken: async () => "t", oidcTokenFilePath: "/nonexistent/token" })
      expect((yield* Effect.flip(promise(() => both.getCredential()))).message).toContain("oidcTokenFilePath")
      expect((yield* emulator.counters("sts")).received).toBe(0)
    }))

  it.scopedLive("a function whose Promise never settles rejects with a Timeout of oidcToken within timeout + connectTimeout", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const credential = yield* oidcClient(emulator, {
        oidcToken: () => new Promise<string>(() => {}),
        timeout: 1000,
        connectTimeout: 1000
      })
      const error = yield* Effect.flip(promise(() => credential.getCredential()))
      expect(error.cause).toMatchObject({ _tag: "Timeout", source: "oidc_role_arn (oidcToken)", phase: "budget" })
      expect(error.message).toContain("2s")
      expect((yield* emulator.counters("sts")).received).toBe(0)
    }))

  it.scopedLive("a rejection's text is escaped as outside text and wrapped once", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const credential = yield* oidcClient(emulator, {
        oidcToken: () => Promise.reject(new Error("answered 500\u001b[2J\u0007\r\nforged: line"))
      })
      const error = yield* Effect.flip(promise(() => credential.getCredential()))
      expect(error.cause).toMatchObject({ _tag: "InvalidConfiguration", field: "oidcToken" })
      expect(error.message).toContain("answered 500\\u001b[2J\\u0007\\u000d\\u000aforged: line")
      expect(error.message).not.toMatch(/\p{Cc}/u)
      expect(error.message.match(/Fix:/g)).toHaveLength(1)
    }))
})

describe("Promise facade: proxy", () => {
  it.scopedLive("ram_role_arn and credentials_uri go through the proxy option; false goes direct", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      const proxy = yield* LoopbackProxy.make
      const role = yield* closing(() =>
        new Credential(
          new Config({
            type: "ram_role_arn",
            ...key,
            roleArn,
            stsEndpoint: ProxiedUpstream.proxied(emulator.stsUrl),
            proxy: proxy.url
          })
        )
      )
      expect((yield* promise(() => role.getCredential())).accessKeyId).toMatch(/^STS\./)
      expect(yield* proxy.tunnels).toBe(1)
      const uri = yield* closing(() =>
        new Credential(
          new Config({
            type: "credentials_uri",
            credentialsURI: ProxiedUpstream.proxied(emulator.credentialsUri),
            proxy: proxy.url
          })
        )
      )
      yield* promise(() => uri.getCredential())
      expect(yield* proxy.tunnels).toBe(2)
      yield* ProxiedUpstream.direct(emulator.port)
      const direct = yield* closing(() =>
        new Credential(
          new Config({
            type: "credentials_uri",
            credentialsURI: ProxiedUpstream.proxied(emulator.credentialsUri),
            proxy: false
          })
        )
      )
      yield* promise(() => direct.getCredential())
      expect(yield* proxy.tunnels).toBe(2)
    }))

  it.scopedLive("a proxy that wants other credentials: the rejection names the proxy, never its password", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      const proxy = yield* LoopbackProxy.make
      yield* proxy.setMode({ _tag: "auth", user: "me", password: "right-password" })
      const credential = yield* closing(() =>
        new Credential(
          new Config({
            type: "ram_role_arn",
            ...key,
            roleArn,
            stsEndpoint: ProxiedUpstream.proxied(emulator.stsUrl),
            proxy: `http://me:wrong-password-x@127.0.0.1:${proxy.port}`
          })
        )
      )
      const error = yield* Effect.flip(promise(() => credential.getCredential()))
      const text = `${error.message} ${inspect(error.cause)} ${JSON.stringify(error.cause)}`
      expect(error.message).toContain(`127.0.0.1:${proxy.port}`)
      expect(text).not.toContain("wrong-password-x")
      expect((yield* emulator.counters("sts")).received).toBe(0)
    }))
})

describe("Promise facade: the builders' withOIDCToken and withProxy", () => {
  it.scopedLive("OIDCRoleArn with withOIDCToken and withProxy; RAMRoleARN and URI with withProxy", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key], oidcTokens: ["from-builder"] })
      // A proxy each: the facade's clients share one HTTP dispatcher, so a tunnel to the same
      // upstream may be reused by the next client.
      const proxied: Array<
        (proxy: string) => OIDCRoleArnCredentialsProvider | RAMRoleARNCredentialsProvider | URICredentialsProvider
      > = [
        (proxy) =>
          OIDCRoleArnCredentialsProvider.builder()
            .withRoleArn(roleArn)
            .withOIDCProviderArn(oidcProviderArn)
            .withOIDCToken(async () => "from-builder")
            .withStsEndpoint(ProxiedUpstream.proxied(emulator.stsUrl))
            .withProxy(proxy)
            .build(),
        (proxy) =>
          RAMRoleARNCredentialsProvider.builder()
            .withCredentialsProvider(
              StaticAKCredentialsProvider.builder().withAccessKeyId(key.accessKeyId).withAccessKeySecret(
                key.accessKeySecret
              ).build()
            )
            .withRoleArn(roleArn)
            .withStsEndpoint(ProxiedUpstream.proxied(emulator.stsUrl))
            .withProxy(proxy)
            .build(),
        (proxy) =>
          URICredentialsProvider.builder().withCredentialsURI(ProxiedUpstream.proxied(emulator.credentialsUri))
            .withProxy(
              proxy
            )
            .build()
      ]
      for (const make of proxied) {
        const proxy = yield* LoopbackProxy.make
        const provider = make(proxy.url)
        yield* Effect.addFinalizer(() => Effect.promise(() => provider.close()))
        expect((yield* promise(() => provider.getCredentials())).accessKeyId).toMatch(/^STS\./)
        expect(yield* proxy.tunnels).toBe(1)
      }
      expect(
        Option.getOrThrow(yield* emulator.requests("sts").pipe(Effect.map((r) => Option.fromNullable(r[0])))).body
          .OIDCToken
      )
        .toBe("from-builder")
    }))
})
