// A proxy's credentials are secrets (issue 18, item 6). A loopback proxy that wants credentials
// and echoes the Proxy-Authorization it got (raw, and decoded as user and password): in its 407
// to CONNECT, and in the answer it gives itself inside the tunnel (as a proxy that inspects the
// traffic, or an upstream behind it, may). The upstream is named 192.0.2.1 (test/proxiedUpstream.ts)
// so that the library proxies it; this proxy never dials out. No error rendering of the Effect API
// or the facade holds the password, `user:password` or its base64; the facade's `Config` and the
// builders do not render the proxy's password.
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted, type Scope } from "effect"
import { once } from "node:events"
import * as Net from "node:net"
import { inspect } from "node:util"
import type { CredentialsError } from "../src/CredentialsError.js"
import * as HttpTransport from "../src/HttpTransport.js"
import { proxySecrets } from "../src/internal/upstream/exchange.js"
import * as AccessKey from "../src/sources/AccessKey.js"
import * as CredentialsUri from "../src/sources/CredentialsUri.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import Credential, { Config, RAMRoleARNCredentialsProvider, URICredentialsProvider } from "./facade.js"
import * as ProxiedUpstream from "./proxiedUpstream.js"
import { accessKey, retryNow, roleArn } from "./withEmulator.js"

const user = "proxy-user-7"
const password = "p4ssw0rd:Pr0xy/S3cret"
const basic = Buffer.from(`${user}:${password}`).toString("base64")
const proxyUrl = (port: number) => `http://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}`

// What a rendering must not hold: the password (raw and as the URL writes it), user:password,
// and base64(user:password) with and without its padding.
const forbidden = [password, encodeURIComponent(password), `${user}:${password}`, basic, basic.replace(/=+$/, "")]

const expectNoProxySecret = (texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    for (const secret of forbidden) expect(text).not.toContain(secret)
  }
}

// Every way an error of the Effect API is shown.
const shown = (error: CredentialsError) => [error.message, String(error), inspect(error), JSON.stringify(error)]

/** How the proxy answers what comes inside an opened tunnel: a status, a JSON body made from the echo. */
interface Inside {
  readonly status: number
  readonly body: (echo: string) => unknown
}

// An error answer with the echo in each field the exchange reads.
const errorAnswer = (status: number): Inside => ({
  status,
  body: (echo) => ({ Code: `Denied ${echo}`, Message: echo, RequestId: echo.split(" ")[2] })
})

interface EchoProxy {
  readonly port: number
  /** Every Proxy-Authorization the proxy got on CONNECT ("" when none). */
  readonly authorizations: Effect.Effect<ReadonlyArray<string>>
}

// The echo of a Proxy-Authorization, as a careless proxy writes it: the header, and its decoding.
const echo = (header: string) => {
  const decoded = Buffer.from(header.replace(/^basic\s+/i, ""), "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  return `Proxy-Authorization: ${header}; user ${decoded.slice(0, colon)}, password ${decoded.slice(colon + 1)}`
}

const respond = (socket: Net.Socket, status: number, type: string, body: string) =>
  socket.end(
    `HTTP/1.1 ${status} Echo\r\ncontent-type: ${type}\r\ncontent-length: ${
      Buffer.byteLength(body)
    }\r\nconnection: close\r\n\r\n${body}`
  )

// Reads one HTTP head from the socket, then calls `onHead` with its lines.
const readHead = (socket: Net.Socket, onHead: (lines: ReadonlyArray<string>) => void) => {
  let head = Buffer.alloc(0)
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk])
    const end = head.indexOf("\r\n\r\n")
    if (end === -1) return void (head.length > 16384 && socket.destroy())
    socket.off("data", onData)
    onHead(head.subarray(0, end).toString("latin1").split("\r\n"))
  }
  socket.on("data", onData)
}

/**
 * A CONNECT proxy on 127.0.0.1 that wants `Basic base64(user:password)`: a wrong or missing one
 * gets a 407 whose body echoes what came; the right one opens the tunnel, in which the proxy
 * answers the request itself (`inside`), echoing the header again.
 */
const echoProxy = (inside: Inside): Effect.Effect<EchoProxy, never, Scope.Scope> =>
  Effect.gen(function*() {
    const authorizations: Array<string> = []
    const sockets = new Set<Net.Socket>()
    const server = Net.createServer((client) => {
      sockets.add(client)
      client.on("close", () => sockets.delete(client))
      client.on("error", () => client.destroy())
      readHead(client, (lines) => {
        const header = lines.find((line) => /^proxy-authorization:/i.test(line))?.slice(20).trim() ?? ""
        authorizations.push(header)
        if (!(lines[0] ?? "").startsWith("CONNECT ")) return void respond(client, 501, "text/plain", "")
        if (header !== `Basic ${basic}`) {
          return void respond(client, 407, "application/json", JSON.stringify({ Message: echo(header) }))
        }
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
        readHead(
          client,
          () => respond(client, inside.status, "application/json", JSON.stringify(inside.body(echo(header))))
        )
      })
    })
    // Listening for the scope; closing ends the open tunnels first (close waits for them).
    yield* Effect.acquireRelease(
      Effect.promise(() => once(server.listen(0, "127.0.0.1"), "listening")),
      () =>
        Effect.promise(() => {
          sockets.forEach((socket) => socket.destroy())
          return new Promise((closed) => server.close(closed))
        })
    )
    return { port: (server.address() as Net.AddressInfo).port, authorizations: Effect.sync(() => [...authorizations]) }
  })

// An upstream the library proxies; the proxy answers for it, nothing listens there.
const credentialsUri = `http://${ProxiedUpstream.host}:8080/credentials?token=uri-token-1`
const stsEndpoint = `http://${ProxiedUpstream.host}:8081`

const role = (proxy: string | Redacted.Redacted<string>) =>
  RamRoleArn.make({
    source: AccessKey.make(accessKey),
    roleArn,
    stsEndpoint,
    roleSessionName: "proxy-secrets",
    retrySchedule: retryNow(0),
    proxy
  }).pipe(Effect.provide(HttpTransport.layer()))

const uri = (proxy: string) =>
  CredentialsUri.make({ credentialsUri, retrySchedule: retryNow(0), proxy }).pipe(
    Effect.provide(HttpTransport.layer())
  )

describe("ProxySecrets: the Effect API", () => {
  it.scoped("an error answer inside the tunnel echoing Proxy-Authorization: the password, user:password and base64 are scrubbed", () =>
    Effect.gen(function*() {
      for (const status of [403, 407, 502]) {
        const proxy = yield* echoProxy(errorAnswer(status))
        const error = yield* Effect.flip(uri(proxyUrl(proxy.port)))
        // the header was sent, and echoed: the proxy saw the right one
        expect(yield* proxy.authorizations).toEqual([`Basic ${basic}`])
        expect(error).toMatchObject({ _tag: "UpstreamError", status })
        expect(error.message).toContain("<redacted>")
        expect(error.message).toContain(`user ${user}`)
        expectNoProxySecret(shown(error))
      }
    }))

  it.scoped("STS through the proxy (the URL as Redacted too): the echo in Code, Message and RequestId is scrubbed", () =>
    Effect.gen(function*() {
      const proxy = yield* echoProxy(errorAnswer(400))
      for (const url of [proxyUrl(proxy.port), Redacted.make(proxyUrl(proxy.port))]) {
        const error = yield* Effect.flip(role(url))
        expect(error).toMatchObject({ _tag: "UpstreamError", status: 400, requestId: "<redacted>;" })
        expectNoProxySecret(shown(error))
      }
    }))

  it.scoped("a 200 whose Code (a refusal) echoes the header: scrubbed", () =>
    Effect.gen(function*() {
      // (a body that fails to decode is described by its field, never quoted: nothing to echo there)
      const refusing = yield* echoProxy({
        status: 200,
        body: (echo) => ({
          Code: echo,
          AccessKeyId: "STS.proxied",
          AccessKeySecret: "s",
          SecurityToken: "t",
          Expiration: "2030-01-01T00:00:00Z"
        })
      })
      const refused = yield* Effect.flip(uri(proxyUrl(refusing.port)))
      expect(refused).toMatchObject({ _tag: "UpstreamError", status: 200 })
      expect(refused.message).toContain("<redacted>")
      expectNoProxySecret(shown(refused))
    }))

  it.scoped("a 407 to CONNECT echoing other credentials: the error names the proxy, never the password", () =>
    Effect.gen(function*() {
      const proxy = yield* echoProxy(errorAnswer(403))
      const url = `http://${user}:${encodeURIComponent(`${password}-wrong`)}@127.0.0.1:${proxy.port}`
      const error = yield* Effect.flip(uri(url))
      expect(error).toMatchObject({ _tag: "UpstreamError", status: 407, code: "ProxyAuthenticationRequired" })
      expect(error.message).toContain(`127.0.0.1:${proxy.port}`)
      expectNoProxySecret(shown(error))
      for (const text of shown(error)) expect(text).not.toContain(`${password}-wrong`)
    }))

  it("the proxy's secrets: its password and user:password, decoded and as written; none without a password", () => {
    expect(proxySecrets(Redacted.make("http://me:a%2Fb@127.0.0.1:1"))).toEqual([
      "a/b",
      "me:a/b",
      "a%2Fb",
      "me:a%2Fb"
    ])
    expect(proxySecrets(Redacted.make("http://token-as-user@127.0.0.1:1"))).toEqual([])
    expect(proxySecrets(Redacted.make("http://127.0.0.1:1"))).toEqual([])
    expect(proxySecrets(undefined)).toEqual([])
    // a malformed escape is kept as written, never a throw
    expect(proxySecrets(Redacted.make("http://me:%zz-pass@127.0.0.1:1"))).toContain("%zz-pass")
  })
})

// The facade's calls, bounded so that a hang fails the test rather than timing it out.
const promise = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as Error & { cause?: unknown } }).pipe(
    Effect.timeoutFail({
      duration: Duration.seconds(10),
      onTimeout: () => new Error("test timeout") as Error & { cause?: unknown }
    })
  )

// Every way a facade error is shown (its cause is the Effect API's error).
const shownFacade = (error: Error & { cause?: unknown }) => [
  error.message,
  String(error),
  inspect(error),
  inspect(error.cause),
  JSON.stringify(error),
  JSON.stringify(error.cause)
]

describe("ProxySecrets: the Promise facade", () => {
  it.scopedLive("a Credential and a provider through an echoing proxy: the rejection holds none of the proxy's secrets", () =>
    Effect.gen(function*() {
      const proxy = yield* echoProxy(errorAnswer(403))
      const credential = yield* Effect.acquireRelease(
        Effect.sync(() =>
          new Credential(
            new Config({ type: "credentials_uri", credentialsURI: credentialsUri, proxy: proxyUrl(proxy.port) })
          )
        ),
        (c) => Effect.promise(() => c.close())
      )
      const error = yield* Effect.flip(promise(() => credential.getCredential()))
      expect(error.cause).toMatchObject({ _tag: "UpstreamError", status: 403 })
      expectNoProxySecret(shownFacade(error))
      const provider = yield* Effect.acquireRelease(
        Effect.sync(() =>
          URICredentialsProvider.builder().withCredentialsURI(credentialsUri).withProxy(proxyUrl(proxy.port)).build()
        ),
        (p) => Effect.promise(() => p.close())
      )
      const rejected = yield* Effect.flip(promise(() => provider.getCredentials()))
      expect(rejected.cause).toMatchObject({ _tag: "UpstreamError", status: 403 })
      expectNoProxySecret(shownFacade(rejected))
      expect((yield* proxy.authorizations).length).toBeGreaterThanOrEqual(2)
    }))

  it("Config renders the proxy URL without its user info, and its secrets masked; the values stay as given", () => {
    const config = new Config({
      type: "credentials_uri",
      credentialsURI: "http://127.0.0.1:1/credentials",
      proxy: "http://u:p4ssw0rd@127.0.0.1:1"
    })
    const nested = { nested: [config] }
    for (const text of [inspect(config), inspect(nested, { showHidden: true }), JSON.stringify(nested), `${config}`]) {
      expect(text).not.toContain("p4ssw0rd")
      expect(text).toContain("http://<redacted>@127.0.0.1:1")
    }
    expect(config.proxy).toBe("http://u:p4ssw0rd@127.0.0.1:1")
    expect(JSON.parse(JSON.stringify(config))).toEqual({
      type: "credentials_uri",
      credentialsURI: "http://127.0.0.1:1/credentials",
      proxy: "http://<redacted>@127.0.0.1:1"
    })
    // the other secrets as the model masks them
    const keys = new Config({
      type: "access_key",
      accessKeyId: "LTAI5tProxySecrets01",
      accessKeySecret: "ak-S3cret-01"
    })
    expect(`${inspect(keys)} ${JSON.stringify(keys)} ${String(keys)}`).not.toContain("ak-S3cret-01")
    expect(keys.accessKeySecret).toBe("ak-S3cret-01")
  })

  it("Config: the forms of a proxy URL whose user info cannot be told apart are masked whole", () => {
    const render = (proxy: string | false) => JSON.parse(JSON.stringify(new Config({ type: "credentials_uri", proxy })))
    expect(render("http://127.0.0.1:3128").proxy).toBe("http://127.0.0.1:3128")
    expect(render(false).proxy).toBe(false)
    expect(render("u:p4ssw0rd@127.0.0.1:1").proxy).toBe("http://<redacted>@127.0.0.1:1")
    expect(render("http://token-p4ssw0rd@127.0.0.1:1").proxy).toBe("http://<redacted>@127.0.0.1:1")
    // an unencoded / or # in the password: the URL parser reads part of it as the host
    for (const proxy of ["http://u:12/p4ssw0rd@127.0.0.1:1", "http://u:12#p4ssw0rd@h:1", "http://u:p4ssw0rd/@h:1"]) {
      expect(render(proxy).proxy).toBe("<redacted>")
    }
    // a space is percent-encoded by the parser: still user info
    expect(render("http://u:p4ss w0rd@h:1").proxy).toBe("http://<redacted>@h:1")
  })

  // As the builders' AccessKey secret: not enumerable (util.inspect's showHidden, a debugging
  // option, shows both).
  it("the builders hold the proxy out of their renderings, and still use it", () => {
    const builders = [
      URICredentialsProvider.builder().withCredentialsURI("http://127.0.0.1:1/x").withProxy(
        "http://u:p4ssw0rd@127.0.0.1:1"
      ),
      RAMRoleARNCredentialsProvider.builder().withRoleArn(roleArn).withProxy("http://u:p4ssw0rd@127.0.0.1:1")
    ]
    for (const builder of builders) {
      expect(`${inspect(builder)} ${inspect({ builder })} ${JSON.stringify(builder)} ${inspect({ ...builder })}`).not
        .toContain("p4ssw0rd")
      expect(builder.proxy).toBe("http://u:p4ssw0rd@127.0.0.1:1")
    }
  })
})
