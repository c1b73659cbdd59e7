// No proxy for loopback or link-local targets (docs/proxies.md): a credentials sidecar on
// 127.0.0.1, localhost or [::1] is reached direct, whatever HTTPS_PROXY / HTTP_PROXY / NO_PROXY
// (set through ConfigProvider.fromMap) or the `proxy` option say. A dead proxy (a closed loopback
// port) does not break it, and a recording proxy (test/loopbackProxy.ts) sees no request for it.
import { Emulator } from "@effect-alicloud/emulator"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { Credentials } from "../src/Credentials.js"
import * as DefaultChain from "../src/DefaultChain.js"
import * as HttpTransport from "../src/HttpTransport.js"
import * as Proxy from "../src/internal/upstream/proxy.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import * as LoopbackProxy from "./loopbackProxy.js"
import * as ProxiedUpstream from "./proxiedUpstream.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

/** The same URL with another host: the emulator's 127.0.0.1 as `localhost`. */
const withHost = (url: string, host: string) => url.replace("//127.0.0.1:", `//${host}:`)

const uri = (credentialsUri: string, extra: Partial<CredentialsUri.Options> = {}) =>
  CredentialsUri.make({ credentialsUri, retrySchedule: retryNow(0), ...extra })

/** Every proxy variable, lower and upper case, set to `proxy`. */
const proxyEnv = (proxy: string, extra: Record<string, string> = {}) => ({
  HTTPS_PROXY: proxy,
  HTTP_PROXY: proxy,
  https_proxy: proxy,
  http_proxy: proxy,
  ...extra
})

describe("LoopbackNoProxy: a dead proxy in the environment", () => {
  it.scoped("HTTPS_PROXY and HTTP_PROXY on a closed port: the loopback credentials URI works (127.0.0.1, localhost)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dead = `http://127.0.0.1:${yield* LoopbackProxy.closedPort}`
        for (const host of ["127.0.0.1", "localhost"]) {
          const credential = yield* uri(withHost(emulator.credentialsUri, host)).pipe(withEnv(proxyEnv(dead)))
          expect(credential).toMatchObject({ type: "sts", providerName: "credentials_uri" })
        }
        // NO_PROXY naming something else changes nothing: loopback is direct without it
        yield* uri(emulator.credentialsUri).pipe(withEnv(proxyEnv(dead, { NO_PROXY: "example.com" })))
        expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(3)
      })
    ))

  it.scoped("[::1]: a sidecar on the IPv6 loopback works too", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ host: "::1" })
      expect(emulator.credentialsUri).toMatch(/^http:\/\/\[::1\]:\d+\//)
      const dead = `http://127.0.0.1:${yield* LoopbackProxy.closedPort}`
      const credential = yield* uri(emulator.credentialsUri).pipe(withEnv(proxyEnv(dead)))
      expect(credential.providerName).toBe("credentials_uri")
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.scoped("the default chain (ALIBABA_CLOUD_CREDENTIALS_URI on 127.0.0.1, a dead HTTP_PROXY): the sidecar's credential", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dead = `http://127.0.0.1:${yield* LoopbackProxy.closedPort}`
        const credential = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(DefaultChain.layer({
            metadataUrl: `http://127.0.0.1:${yield* LoopbackProxy.closedPort}`,
            retrySchedule: retryNow(0)
          })),
          withEnv(proxyEnv(dead, { ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri }))
        )
        expect(credential.providerName).toBe("default/credentials_uri")
      })
    ).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("an authenticating proxy in the environment: the loopback STS endpoint is reached direct", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* proxy.setMode({ _tag: "auth", user: "u", password: "not-sent" })
        const credential = yield* RamRoleArn.make({
          source: AccessKey.make(accessKey),
          roleArn,
          stsEndpoint: emulator.stsUrl,
          retrySchedule: retryNow(0)
        }).pipe(withEnv(proxyEnv(proxy.url)))
        expect(credential.type).toBe("sts")
        expect(yield* proxy.targets).toEqual([])
      })
    ))
})

describe("LoopbackNoProxy: the proxy option", () => {
  it.scoped("does not carry 127.0.0.1, localhost or [::1]: the recording proxy sees no request", () =>
    Effect.gen(function*() {
      const proxy = yield* LoopbackProxy.make
      // were a request proxied, it would fail: the proxy refuses every tunnel
      yield* proxy.setMode({ _tag: "refuse", status: 502 })
      const v4 = yield* Emulator.make({ accessKeys: [accessKey] })
      const v6 = yield* Emulator.make({ host: "::1" })
      for (const target of [v4.credentialsUri, withHost(v4.credentialsUri, "localhost"), v6.credentialsUri]) {
        yield* uri(target, { proxy: proxy.url })
        yield* uri(target, { proxy: Redacted.make(proxy.url) })
      }
      yield* RamRoleArn.make({
        source: AccessKey.make(accessKey),
        roleArn,
        stsEndpoint: v4.stsUrl,
        proxy: proxy.url,
        retrySchedule: retryNow(0)
      })
      expect(yield* proxy.targets).toEqual([])
      expect((yield* v4.counters("credentials-uri")).succeeded).toBe(4)
      expect((yield* v6.counters("credentials-uri")).succeeded).toBe(2)
      expect((yield* v4.counters("sts")).succeeded).toBe(1)
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))

  it.scoped("a target that is not local still goes through it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* uri(ProxiedUpstream.proxied(emulator.credentialsUri), { proxy: proxy.url })
        expect(yield* proxy.targets).toEqual([`192.0.2.1:${emulator.port}`])
        expect(yield* proxy.tunnels).toBe(1)
      })
    ))
})

describe("LoopbackNoProxy: which targets are local", () => {
  const local = (url: string) => Proxy.isLocalTarget(new URL(url))

  it("loopback, link-local and the metadata address, in every form the URL parser reads", () => {
    for (
      const url of [
        "http://127.0.0.1:8080/credentials",
        "http://127.255.255.254/",
        "http://127.1/", // short form of 127.0.0.1
        "http://0x7f.0.0.1/",
        "http://localhost:8080/",
        "http://LOCALHOST./",
        "https://[::1]:8443/",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://[::ffff:127.0.0.1]/", // IPv4-mapped
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.170.2/v2/credentials", // the ECS task metadata of other clouds' containers
        "http://[::ffff:169.254.1.1]/",
        "http://[fe80::1]/",
        "http://[febf::1]/",
        "http://100.100.100.200/latest/meta-data/"
      ]
    ) expect(local(url), url).toBe(true)
  })

  it("anything else is not", () => {
    for (
      const url of [
        "https://sts.aliyuncs.com/",
        "https://sts-vpc.cn-hangzhou.aliyuncs.com/",
        "http://0.0.0.0:8080/",
        "http://10.0.0.1/",
        "http://128.0.0.1/",
        "http://126.255.255.255/",
        "http://169.253.0.1/",
        "http://169.255.0.1/",
        "http://100.100.100.201/",
        "http://localhost.example.com/",
        "http://mylocalhost/",
        "http://[fec0::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[2001:db8::1]/"
      ]
    ) expect(local(url), url).toBe(false)
  })

  it("forUrl: no proxy for a local target, whatever the proxies and NO_PROXY", () => {
    const everything = Redacted.make("http://proxy.example.com:3128/")
    const proxies = { https: everything, http: everything, noProxy: [] }
    expect(Proxy.forUrl(proxies, "http://127.0.0.1:8080/credentials")).toBeUndefined()
    expect(Proxy.forUrl(proxies, "https://localhost/")).toBeUndefined()
    expect(Proxy.forUrl(proxies, "http://[::1]:1/")).toBeUndefined()
    expect(Proxy.forUrl(proxies, "http://169.254.169.254/")).toBeUndefined()
    expect(Proxy.forUrl(proxies, "https://sts.aliyuncs.com/")).toBe(everything)
  })
})
