// NO_PROXY matches an IP host by whole address or range only, as curl and Go do, and a name by
// whole labels: `1`, `0.1` or `.0.0.1` is a name and exempts no address. Against the emulator,
// addressed as 192.0.2.1 (or 2001:db8::1) through the recording loopback proxy
// (test/loopbackProxy.ts, test/proxiedUpstream.ts): a request NO_PROXY does not exempt is a CONNECT
// the proxy records; one it exempts goes direct, which the network guard sends to the emulator only
// where the test redirects it. And a malformed HTTPS_PROXY (socks5://, not a URL) is reported once,
// as the proxy's error naming the variable, ending the chain.
import type { Emulator } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { clearRedirect, redirect } from "../../../bench/src/guard.mjs"
import { Credentials } from "../src/Credentials.js"
import * as DefaultChain from "../src/DefaultChain.js"
import * as Proxy from "../src/internal/upstream/proxy.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import * as LoopbackProxy from "./loopbackProxy.js"
import * as ProxiedUpstream from "./proxiedUpstream.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const role = (stsEndpoint: string) =>
  RamRoleArn.make({
    source: AccessKey.make(accessKey),
    roleArn,
    stsEndpoint,
    roleSessionName: "no-proxy-test",
    retrySchedule: retryNow(0)
  })

// The emulator's STS as 192.0.2.1 (the proxy dials 127.0.0.1 for it).
const stsAt192 = (emulator: Emulator.EmulatorShape) => ProxiedUpstream.proxied(emulator.stsUrl)

// The emulator's STS as [2001:db8::1] (RFC 3849, documentation only): the loopback proxy refuses
// it (403, never dialled); a direct connection goes to the emulator only under `directV6`.
const v6Host = "2001:db8::1"
const stsAtV6 = (emulator: Emulator.EmulatorShape) =>
  emulator.stsUrl.replace(/^http:\/\/127\.0\.0\.1(?=:)/, `http://[${v6Host}]`)
const directV6 = (port: number): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      for (const host of [v6Host, `[${v6Host}]`]) redirect(host, { host: "127.0.0.1", port })
    }),
    () => Effect.sync(() => [v6Host, `[${v6Host}]`].forEach((host) => clearRedirect(host)))
  )

describe("NO_PROXY: an IP host by whole address or range", () => {
  it.scoped("1, 0.1, .0.0.1, 2.1, *.1: names, not a suffix of 192.0.2.1: each request goes through the proxy", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        const entries = ["1", "0.1", ".0.0.1", "2.1", "*.1", "0.2.1", "192.0.2.1/33", "192.0.2.2", "192.0.3.0/24"]
        for (const noProxy of entries) {
          const credential = yield* role(stsAt192(emulator)).pipe(withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy }))
          expect(credential.accessKeyId, noProxy).toMatch(/^STS\./)
        }
        // each went through the proxy: a direct connection to 192.0.2.1 is refused by the network
        // guard (no redirect here); undici keeps the tunnel open, so fewer CONNECTs than requests
        const targets = yield* proxy.targets
        expect(targets.length).toBeGreaterThan(0)
        expect(new Set(targets)).toEqual(new Set([`192.0.2.1:${emulator.port}`]))
        expect((yield* emulator.counters("sts")).succeeded).toBe(entries.length)
      })
    ))

  it.scoped("192.0.2.1, 192.0.2.0/24, 192.0.0.0/16, 0.0.0.0/0, 192.0.2.1:port: the request goes direct", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* ProxiedUpstream.direct(emulator.port)
        const entries = ["192.0.2.1", "192.0.2.0/24", "192.0.0.0/16", "0.0.0.0/0", `192.0.2.1:${emulator.port}`]
        for (const noProxy of entries) {
          yield* role(stsAt192(emulator)).pipe(withEnv({ HTTP_PROXY: proxy.url, no_proxy: noProxy }))
        }
        expect(yield* proxy.targets).toEqual([])
        expect((yield* emulator.counters("sts")).succeeded).toBe(entries.length)
      })
    ))

  it.scoped("IPv6: [2001:db8::1], 2001:db8::1, 2001:db8::/32, [v6]:port exempt it; ::1, .1, db8::1, fe80::/10 do not", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const proxy = yield* LoopbackProxy.make
        yield* directV6(emulator.port)
        const exempt = [`[${v6Host}]`, v6Host, "2001:db8::/32", `[${v6Host}]:${emulator.port}`, "2001:0DB8:0:0::1"]
        for (const noProxy of exempt) {
          yield* role(stsAtV6(emulator)).pipe(withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy }))
        }
        expect(yield* proxy.targets).toEqual([])
        expect((yield* emulator.counters("sts")).succeeded).toBe(exempt.length)
        // not exempt: a CONNECT to the proxy, which refuses this target (403) without dialling it
        const proxied = ["::1", ".1", "1", "db8::1", "fe80::/10", "0.0.0.0/0", "2001:db8::2", `[${v6Host}]:1`]
        for (const noProxy of proxied) {
          const error = yield* Effect.flip(
            role(stsAtV6(emulator)).pipe(withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy }))
          )
          expect(error, noProxy).toMatchObject({ _tag: "UpstreamError", status: 403, code: "ProxyForbidden" })
        }
        expect(yield* proxy.targets).toEqual(proxied.map(() => `[${v6Host}]:${emulator.port}`))
        expect((yield* emulator.counters("sts")).received).toBe(exempt.length)
      })
    ))
})

// [NO_PROXY, URL, exempted]
type Case = readonly [string, string, boolean]

describe("NO_PROXY: the rules", () => {
  const check = (cases: ReadonlyArray<Case>) => {
    for (const [noProxy, url, exempted] of cases) {
      expect(Proxy.bypasses(Proxy.parseNoProxy(noProxy), new URL(url)), `${noProxy} for ${url}`).toBe(exempted)
    }
  }

  it("an IP host: never by a name or a text suffix", () =>
    check([
      ...["1", "0.1", ".0.0.1", "*.0.0.1", "0.0.1", "10", ".1", "0.0.1:80"].flatMap((noProxy): Array<Case> => [
        [noProxy, "http://10.0.0.1/", false],
        [noProxy, "http://127.0.0.1/", false]
      ]),
      ["10.0.0.1", "http://110.0.0.1/", false]
    ]))

  it("IPv4: whole address, CIDR, port; an invalid range is ignored", () =>
    check([
      ["10.0.0.1", "http://10.0.0.1:8080/", true],
      ["10.0.0.1:8080", "http://10.0.0.1:8080/", true],
      ["10.0.0.1:8080", "http://10.0.0.1/", false],
      ["10.0.0.0/8", "http://10.255.1.2/", true],
      ["10.0.0.0/8", "http://11.0.0.1/", false],
      ["10.1.0.0/15", "http://10.0.255.255/", true],
      ["10.1.0.0/15", "http://10.2.0.0/", false],
      ["10.0.0.1/32", "http://10.0.0.1/", true],
      ["10.0.0.0/33", "http://10.0.0.0/", false],
      ["0.0.0.0/0", "http://203.0.113.9/", true],
      ["0.0.0.0/0", "http://[2001:db8::1]/", false] // another family
    ]))

  it("IPv6: bare or bracketed, compressed or not, ranges, IPv4 tails", () =>
    check([
      ["::1", "http://[::1]:8080/", true],
      ["[::1]", "http://[0:0:0:0:0:0:0:1]/", true],
      ["[::1]:8080", "http://[::1]:9090/", false],
      ["fe80::/10", "http://[fe80::1]/", true],
      ["fe80::/10", "http://[febf:ffff::1]/", true],
      ["fe80::/10", "http://[fec0::1]/", false],
      ["[2001:db8::]/32", "http://[2001:db8:ffff::1]/", true],
      ["2001:DB8:0:0:0:0:0:1", "http://[2001:db8::1]/", true],
      ["::ffff:10.0.0.1", "http://[::ffff:10.0.0.1]/", true],
      ["::/0", "http://10.0.0.1/", false], // another family
      ["::1", "http://[::2]/", false],
      ["1::1::1", "http://[1::1]/", false] // not an address: ignored
    ]))

  it("names: by whole labels, with their ports", () =>
    check([
      ["example.com", "https://example.com/", true],
      ["example.com", "https://sts.example.com/", true],
      [".example.com", "https://sts.example.com/", true],
      ["example.com", "https://badexample.com/", false],
      ["com", "https://example.com/", true],
      ["e.com", "https://example.com/", false],
      ["example.com.", "https://example.com/", true],
      ["example.com:8443", "https://sts.example.com:8443/", true],
      ["example.com:8443", "https://sts.example.com/", false]
    ]))
})

describe("a malformed HTTPS_PROXY: one InvalidConfiguration, the proxy's, naming the variable", () => {
  const socks = "socks5://proxy-user:proxy-Pa55@127.0.0.1:1080"

  // A temp HOME with nothing in it, an OIDC token file: OIDC, then (metadata), then the credentials URI.
  const chainWith = (emulator: Emulator.EmulatorShape, proxyValue: string, metadata: boolean) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/token`, "oidc-token")
      return yield* Effect.flip(
        Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(DefaultChain.layer({
            stsEndpoint: emulator.stsUrl,
            metadataUrl: emulator.metadataUrl,
            retrySchedule: retryNow(0)
          })),
          withEnv({
            HOME: dir,
            HTTPS_PROXY: proxyValue,
            ALIBABA_CLOUD_ROLE_ARN: roleArn,
            ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "acs:ram::1:oidc-provider/p",
            ALIBABA_CLOUD_OIDC_TOKEN_FILE: `${dir}/token`,
            ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri,
            ...(metadata ? {} : { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" })
          })
        )
      )
    })

  it.scoped("socks5://: reported once by the first source that needs the proxy, the chain ends there", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        // OIDC and the credentials URI both need the proxy: one error, not one per source
        const error = yield* chainWith(emulator, socks, false)
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "oidc_role_arn", field: "HTTPS_PROXY" })
        expect(error.message).toBe(
          "oidc_role_arn: invalid configuration: HTTPS_PROXY is a socks5:// URL: only an http:// or https:// proxy " +
            "is supported. Fix: set HTTPS_PROXY to an http:// or https:// URL, e.g. http://proxy.example.com:3128 " +
            "(with credentials http://user:password@proxy.example.com:3128, : @ / of the password percent-encoded), " +
            "or unset it"
        )
        for (const text of [error.message, JSON.stringify(error)]) {
          expect(text).not.toContain("proxy-user")
          expect(text).not.toContain("proxy-Pa55")
          expect(text).not.toContain("1080")
        }
        // the metadata source after it is not asked: it would hand out another identity in silence
        const onEcs = yield* chainWith(emulator, socks, true)
        expect(onEcs).toMatchObject({ _tag: "InvalidConfiguration", field: "HTTPS_PROXY" })
        expect((yield* emulator.counters("metadata-credentials")).received).toBe(0)
        expect((yield* emulator.counters("sts")).received).toBe(0)
        expect((yield* emulator.counters("credentials-uri")).received).toBe(0)
      })
    ).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("not a URL: the same, without a scheme to name; the option's fix says false", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const error = yield* chainWith(emulator, "http://[proxy-user:proxy-Pa55", false)
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "HTTPS_PROXY" })
        expect(error.message).toContain("HTTPS_PROXY is not an http:// or https:// proxy URL. Fix: set HTTPS_PROXY")
        expect(error.message).not.toContain("proxy-Pa55")
        const option = yield* Effect.flip(
          RamRoleArn.make({ source: AccessKey.make(accessKey), roleArn, stsEndpoint: emulator.stsUrl, proxy: socks })
            .pipe(withEnv({}))
        )
        expect(option).toMatchObject({ _tag: "InvalidConfiguration", field: "proxy" })
        expect(option.message).toContain("proxy is a socks5:// URL")
        expect(option.message).toContain("or false for no proxy")
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ).pipe(Effect.provide(NodeContext.layer)))
})
