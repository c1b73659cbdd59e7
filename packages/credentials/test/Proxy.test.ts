// Proxies: the network sources through a real CONNECT proxy on 127.0.0.1 (test/loopbackProxy.ts,
// targets on this host only), chosen by the `proxy` option or HTTPS_PROXY / HTTP_PROXY / NO_PROXY;
// the metadata service never through it. Loopback targets are never proxied
// (test/LoopbackNoProxy.test.ts): the emulator is addressed as 192.0.2.1 here, which the library
// proxies and the proxy dials at 127.0.0.1 (test/proxiedUpstream.ts). undici's ProxyAgent tunnels http targets too, so the plain
// http emulator is reached through CONNECT: the proxy counts the tunnels, the emulator sees the
// requests.
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { inspect } from "node:util"
import { Credentials } from "../src/Credentials.js"
import type { CredentialsError } from "../src/CredentialsError.js"
import * as DefaultChain from "../src/DefaultChain.js"
import * as HttpTransport from "../src/HttpTransport.js"
import * as Proxy from "../src/internal/upstream/proxy.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as EcsRamRole from "../src/sources/EcsRamRole.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import * as LoopbackProxy from "./loopbackProxy.js"
import * as ProxiedUpstream from "./proxiedUpstream.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const role = (stsEndpoint: string, extra: Partial<RamRoleArn.Options<never>> = {}) =>
  RamRoleArn.make({
    source: AccessKey.make(accessKey),
    roleArn,
    stsEndpoint: ProxiedUpstream.proxied(stsEndpoint),
    roleSessionName: "proxy-test",
    retrySchedule: retryNow(0),
    ...extra
  })

const password = "pr0xy-Pa55word-S3cret"
const user = "proxy-user-name"

// Every way an error is shown: the proxy's credentials must be in none of them.
const shown = (error: CredentialsError) => [error.message, String(error), JSON.stringify(error), inspect(error)]

const expectNoCredentials = (error: CredentialsError) => {
  for (const text of shown(error)) {
    expect(text).not.toContain(password)
    expect(text).not.toContain(encodeURIComponent(password))
    expect(text).not.toContain(user)
    expect(text).not.toContain(Buffer.from(`${user}:${password}`).toString("base64"))
  }
}

describe("Proxy", () => {
  it.scoped("ram_role_arn through HTTP_PROXY: one tunnel to the emulator, which sees the AssumeRole", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        const credential = yield* role(emulator.stsUrl).pipe(withEnv({ HTTP_PROXY: proxy.url }))
        expect(credential.accessKeyId).toMatch(/^STS\./)
        expect(yield* proxy.tunnels).toBe(1)
        expect(yield* proxy.targets).toEqual([`192.0.2.1:${emulator.port}`])
        const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
        expect(request.query).toMatchObject({ Action: "AssumeRole" })
      })
    ))

  it.scoped("the proxy option, with credentials in the URL: Proxy-Authorization sent, the tunnel opened", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* proxy.setMode({ _tag: "auth", user, password })
        const url = `http://${user}:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}`
        const credential = yield* role(emulator.stsUrl, { proxy: url })
        expect(credential.type).toBe("sts")
        expect(yield* proxy.tunnels).toBe(1)
        // a Redacted URL (e.g. from Config.redacted), to another proxy (a new agent: a new tunnel)
        const other = yield* LoopbackProxy.make
        yield* role(emulator.stsUrl, { proxy: Redacted.make(other.url) })
        expect(yield* other.tunnels).toBe(1)
        expect((yield* emulator.counters("sts")).succeeded).toBe(2)
      })
    ))

  it.scoped("credentials_uri through http_proxy (lower case)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        const credential = yield* CredentialsUri.make({
          credentialsUri: ProxiedUpstream.proxied(emulator.credentialsUri),
          retrySchedule: retryNow(0)
        })
          .pipe(withEnv({ http_proxy: proxy.url }))
        expect(credential).toMatchObject({ type: "sts", providerName: "credentials_uri" })
        expect(yield* proxy.tunnels).toBe(1)
        expect((yield* emulator.counters("credentials-uri")).succeeded).toBe(1)
      })
    ))

  it.scoped("a CLI profile's CloudSSO exchange through HTTP_PROXY", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* emulator.addCloudSsoToken({ accessToken: "sso-token", accountId: "123", accessConfigurationId: "ac-1" })
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        yield* fs.writeFileString(
          `${dir}/config.json`,
          JSON.stringify({
            current: "sso",
            profiles: [{
              name: "sso",
              mode: "CloudSSO",
              cloud_sso_sign_in_url: ProxiedUpstream.proxied(emulator.cloudSsoSignInUrl),
              cloud_sso_account_id: "123",
              cloud_sso_access_config: "ac-1",
              access_token: "sso-token",
              cloud_sso_access_token_expire: Math.floor(Date.UTC(2024, 0, 1) / 1000) + 3600
            }]
          })
        )
        const credential = yield* CliProfile.make({ path: `${dir}/config.json`, retrySchedule: retryNow(0) }).pipe(
          withEnv({ HTTP_PROXY: proxy.url })
        )
        expect(credential).toMatchObject({ type: "sts", providerName: "cli_profile/cloud_sso" })
        expect(yield* proxy.tunnels).toBe(1)
        expect((yield* emulator.counters("cloud-sso")).succeeded).toBe(1)
      })
    ).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("the default chain with the proxy option: the metadata service direct, the credentials URI through the proxy", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        const closed = yield* LoopbackProxy.closedPort
        // off ECS: the metadata address refuses; through the proxy it would have been a tunnel request
        const credential = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(DefaultChain.layer({
            metadataUrl: `http://127.0.0.1:${closed}`,
            proxy: proxy.url,
            retrySchedule: retryNow(0)
          })),
          withEnv({
            ALIBABA_CLOUD_CREDENTIALS_URI: ProxiedUpstream.proxied(emulator.credentialsUri),
            HTTP_PROXY: proxy.url
          })
        )
        expect(credential.providerName).toBe("default/credentials_uri")
        expect(yield* proxy.targets).toEqual([`192.0.2.1:${emulator.port}`])
      })
    ).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("NO_PROXY (host, host:port, *) and proxy: false go direct", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* ProxiedUpstream.direct(emulator.port)
        for (const noProxy of ["192.0.2.1", `192.0.2.1:${emulator.port}`, "*", "example.com, 192.0.2.0/24"]) {
          yield* role(emulator.stsUrl).pipe(withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy }))
        }
        yield* role(emulator.stsUrl, { proxy: false }).pipe(withEnv({ HTTP_PROXY: proxy.url }))
        // NO_PROXY applies to the option as well
        yield* role(emulator.stsUrl, { proxy: proxy.url }).pipe(withEnv({ no_proxy: "192.0.2.1" }))
        expect(yield* proxy.tunnels).toBe(0)
        expect((yield* emulator.counters("sts")).succeeded).toBe(6)
        // a rule for another port does not exempt this one
        yield* role(emulator.stsUrl).pipe(withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "192.0.2.1:1" }))
        expect(yield* proxy.tunnels).toBe(1)
      })
    ))

  it.scoped("HTTPS_PROXY is for https targets only: an http target uses HTTP_PROXY, else goes direct", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* ProxiedUpstream.direct(emulator.port)
        yield* role(emulator.stsUrl).pipe(withEnv({ HTTPS_PROXY: proxy.url }))
        expect(yield* proxy.tunnels).toBe(0)
      })
    ))

  it.scoped("a proxy that refuses connections: a NetworkError naming the proxy, not its credentials", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const port = yield* LoopbackProxy.closedPort
        const error = yield* Effect.flip(
          role(emulator.stsUrl, { proxy: `http://${user}:${password}@127.0.0.1:${port}` })
        )
        expect(error._tag).toBe("NetworkError")
        expect(error.message).toContain(`the proxy http://127.0.0.1:${port} cannot be reached: connection refused`)
        expect(error.message).toContain("NO_PROXY")
        expectNoCredentials(error)
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("CONNECT answered 407, 403, 502: an UpstreamError from the proxy, with a fix, no credentials", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        const url = `http://${user}:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}`
        yield* proxy.setMode({ _tag: "auth", user, password: "another" })
        const denied = yield* Effect.flip(role(emulator.stsUrl).pipe(withEnv({ HTTP_PROXY: url })))
        expect(denied).toMatchObject({ _tag: "UpstreamError", status: 407, code: "ProxyAuthenticationRequired" })
        expect(denied.message).toContain(
          `the proxy http://127.0.0.1:${proxy.port} (tunnel to http://192.0.2.1:${emulator.port}/)`
        )
        expect(denied.message).toContain("user:password")
        expectNoCredentials(denied)
        yield* proxy.setMode({ _tag: "refuse", status: 403 })
        const forbidden = yield* Effect.flip(role(emulator.stsUrl, { proxy: url }))
        expect(forbidden).toMatchObject({ _tag: "UpstreamError", status: 403, code: "ProxyForbidden" })
        expectNoCredentials(forbidden)
        yield* proxy.setMode({ _tag: "refuse", status: 502 })
        const bad = yield* Effect.flip(role(emulator.stsUrl, { proxy: url }))
        expect(bad).toMatchObject({ _tag: "UpstreamError", status: 502, code: "ProxyTunnelFailed" })
        expect(bad.message).toContain("the proxy refused to open a tunnel")
        expectNoCredentials(bad)
        expect(yield* proxy.tunnels).toBe(0)
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("an invalid proxy URL: InvalidConfiguration naming the variable, never its value", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const bad = `ftp://${user}:${password}@127.0.0.1:1`
        const fromEnv = yield* Effect.flip(role(emulator.stsUrl).pipe(withEnv({ HTTPS_PROXY: bad })))
        expect(fromEnv).toMatchObject({ _tag: "InvalidConfiguration", field: "HTTPS_PROXY" })
        expectNoCredentials(fromEnv)
        const fromOption = yield* Effect.flip(role(emulator.stsUrl, { proxy: `${bad}/path` }))
        expect(fromOption).toMatchObject({ _tag: "InvalidConfiguration", field: "proxy" })
        expectNoCredentials(fromOption)
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("a password with a malformed percent-escape: InvalidConfiguration saying so, not a defect", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const bad = `http://${user}:%zz-${password}@127.0.0.1:1`
        const fromEnv = yield* Effect.flip(role(emulator.stsUrl).pipe(withEnv({ HTTPS_PROXY: bad })))
        expect(fromEnv).toMatchObject({ _tag: "InvalidConfiguration", field: "HTTPS_PROXY" })
        expect(fromEnv.message).toContain("malformed percent-escape")
        expectNoCredentials(fromEnv)
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ))

  it.scoped("the ECS metadata service never goes through a proxy (HTTPS_PROXY, HTTP_PROXY, the option)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* proxy.setMode({ _tag: "refuse", status: 502 })
        yield* ProxiedUpstream.direct(emulator.port)
        const credential = yield* EcsRamRole.make({
          metadataUrl: ProxiedUpstream.proxied(emulator.metadataUrl),
          retrySchedule: retryNow(0),
          proxy: proxy.url
        }).pipe(withEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, http_proxy: proxy.url }))
        expect(credential.providerName).toBe("ecs_ram_role")
        expect(yield* proxy.targets).toEqual([])
        expect((yield* emulator.counters("metadata-credentials")).succeeded).toBe(1)
      }), { metadataMode: "v2-required" }))
})

// The transport's own timeouts through the proxy run on Node timers, not on Effect's Clock: these
// tests run on the live clock and wait only for the 300 ms timeout they set.
describe("Proxy: the transport's timeouts through the tunnel", () => {
  it.scopedLive("a proxy that never answers CONNECT: a connect Timeout after the connect timeout, naming the proxy", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const proxy = yield* LoopbackProxy.make
      yield* proxy.setMode({ _tag: "hang" })
      const error = yield* Effect.flip(
        role(emulator.stsUrl, {
          connectTimeout: "300 millis",
          proxy: `http://${user}:${password}@127.0.0.1:${proxy.port}`
        })
      )
      expect(error).toMatchObject({ _tag: "Timeout", phase: "connect" })
      expect(error.message).toContain(`through the proxy http://127.0.0.1:${proxy.port}`)
      expectNoCredentials(error)
      expect((yield* emulator.counters("sts")).received).toBe(0)
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))

  it.scopedLive("an upstream that hangs behind the proxy: a read Timeout after the read timeout", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [accessKey] })
      const proxy = yield* LoopbackProxy.make
      yield* emulator.setFault("sts", Fault.hang)
      const error = yield* Effect.flip(role(emulator.stsUrl, { readTimeout: "300 millis", proxy: proxy.url }))
      expect(error).toMatchObject({ _tag: "Timeout", phase: "read" })
      expect(error.message).toContain("but no answer within 300ms (read timeout)")
      expect(yield* proxy.tunnels).toBe(1)
    }).pipe(Effect.provide(HttpTransport.layer()), withEnv({})))
})

describe("the suite's environment", () => {
  it("has no ALIBABA_CLOUD_* or proxy variable of the calling shell (test/setup/hermeticEnv.ts)", () => {
    expect(Object.keys(process.env).filter((name) => /^(alibaba_cloud_|(https?|all|no)_proxy$)/i.test(name)))
      .toEqual([])
  })
})

describe("NO_PROXY matching", () => {
  const bypass = (noProxy: string, url: string) => Proxy.bypasses(Proxy.parseNoProxy(noProxy), new URL(url))

  it("host, subdomains, .suffix, *.suffix, case", () => {
    expect(bypass("example.com", "https://example.com/")).toBe(true)
    expect(bypass("example.com", "https://sts.example.com/")).toBe(true)
    expect(bypass("example.com", "https://notexample.com/")).toBe(false)
    expect(bypass(".example.com", "https://sts.example.com/")).toBe(true)
    expect(bypass("*.Example.COM", "https://STS.example.com/")).toBe(true)
    expect(bypass("other.com example.com", "https://a.example.com/")).toBe(true)
    expect(bypass("", "https://example.com/")).toBe(false)
    expect(bypass("*", "https://anything/")).toBe(true)
  })

  it("ports: host:port matches that port only, the scheme's default port included", () => {
    expect(bypass("example.com:8443", "https://example.com:8443/")).toBe(true)
    expect(bypass("example.com:8443", "https://example.com/")).toBe(false)
    expect(bypass("example.com:443", "https://example.com/")).toBe(true)
    expect(bypass("example.com:80", "http://example.com/")).toBe(true)
  })

  it("IPs: v4 exact and CIDR, v6 bare or in brackets", () => {
    expect(bypass("10.1.2.3", "http://10.1.2.3:8080/")).toBe(true)
    expect(bypass("10.0.0.0/8", "http://10.1.2.3/")).toBe(true)
    expect(bypass("10.0.0.0/8", "http://11.1.2.3/")).toBe(false)
    expect(bypass("::1", "http://[::1]:8080/")).toBe(true)
    expect(bypass("[::1]:8080", "http://[::1]:8080/")).toBe(true)
    expect(bypass("[::1]:8080", "http://[::1]:9090/")).toBe(false)
  })

  it.effect("from the environment: lower case first; https falls back to the http proxy; the metadata: none", () =>
    Effect.gen(function*() {
      const both = yield* Proxy.resolve("s", undefined, true).pipe(
        withEnv({ HTTP_PROXY: "http://upper:1", http_proxy: "http://lower:1", NO_PROXY: "a.example" })
      )
      expect(both?.http && Redacted.value(both.http)).toBe("http://lower:1/")
      expect(both?.https && Redacted.value(both.https)).toBe("http://lower:1/")
      expect(Proxy.forUrl(both, "https://b.a.example/")).toBeUndefined()
      const https = yield* Proxy.resolve("s", undefined, true).pipe(withEnv({ HTTPS_PROXY: "proxy:3128" }))
      expect(https?.https && Redacted.value(https.https)).toBe("http://proxy:3128/")
      expect(https?.http).toBeUndefined()
      // held as Redacted: the password is not in what a log would show
      const secret = yield* Proxy.resolve("s", undefined, true).pipe(
        withEnv({ HTTPS_PROXY: `http://u:${password}@p:1` })
      )
      expect(inspect(secret)).not.toContain(password)
      expect(JSON.stringify(secret)).not.toContain(password)
      expect(yield* Proxy.resolve("s", undefined, true).pipe(withEnv({}))).toBeUndefined()
      expect(yield* Proxy.resolve("s", "http://p:1", false).pipe(withEnv({ HTTPS_PROXY: "http://p:1" })))
        .toBeUndefined()
    }))

  it("the proxy for a URL: by scheme, NO_PROXY wins", () => {
    const proxies = {
      https: undefined,
      http: Redacted.make("http://p:1/"),
      noProxy: Proxy.parseNoProxy("direct.example.com")
    }
    expect(Redacted.value(Proxy.forUrl(proxies, "http://sts.example.com/")!)).toBe("http://p:1/")
    expect(Proxy.forUrl(proxies, "https://sts.example.com/")).toBeUndefined()
    expect(Proxy.forUrl(proxies, "http://direct.example.com/")).toBeUndefined()
    expect(Proxy.displayProxy("http://u:secret@proxy.example.com:3128/")).toBe("http://proxy.example.com:3128")
  })
})
