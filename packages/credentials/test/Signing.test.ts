// The pure signers against the official utilities: their published vectors, and a property test that
// signs random requests with ours and with `@alicloud/openapi-core` / `@alicloud/openapi-util` for the
// same date and nonce (identical signatures, both algorithms).
import { OpenApiUtil as Core } from "@alicloud/openapi-core"
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import * as fc from "fast-check"
import { createRequire } from "node:module"
import * as Acs3 from "../src/internal/signing/acs3.js"
import { encodePath, percentEncode } from "../src/internal/signing/encode.js"
import * as Rpc from "../src/internal/signing/rpc.js"
import * as Signing from "../src/Signing.js"

// CommonJS with `exports.default = Client`: read through require, as the SDKs do.
const Util = (createRequire(import.meta.url)("@alicloud/openapi-util") as typeof import("@alicloud/openapi-util"))
  .default

const secret = "kSeCrEt-0000-property"
const longTerm: Signing.SigningCredential = {
  type: "access_key",
  accessKeyId: "LTAI5tPropertyKey",
  accessKeySecret: Redacted.make(secret)
}
const sts: Signing.SigningCredential = {
  type: "sts",
  accessKeyId: "STS.NPropertyKey",
  accessKeySecret: Redacted.make(secret),
  securityToken: Redacted.make("CAIS-token/+=with reserved chars")
}

describe("Signing: the official utilities' published vectors", () => {
  it("RPC: { test: ok } with secret accessKeySecret", () => {
    expect(Rpc.sign("accessKeySecret", Rpc.stringToSign("", { test: "ok" }))).toBe("jHx/oHoHNrbVfhncHEvPdHXZwHU=")
    expect(Util.getRPCSignature({ test: "ok" }, "", "accessKeySecret")).toBe("jHx/oHoHNrbVfhncHEvPdHXZwHU=")
  })

  it("ACS3: hashes of `test` (SHA-256, SM3)", () => {
    expect(Acs3.hashHex("ACS3-HMAC-SHA256", "test")).toBe(
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    )
    expect(Acs3.hashHex("ACS3-HMAC-SM3", "test")).toBe(
      "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
    )
  })

  // openapi-core's getAuthorization test: no method and no path set, so the canonical request
  // starts with "undefined\n\n"; two header names equal but for case are merged.
  const authorization = (method: string, query: Record<string, string>, headers: Record<string, string>) => {
    const canonical = Acs3.canonicalRequest(
      method,
      "",
      query,
      headers,
      "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
    )
    const signature = Acs3.sign(
      "ACS3-HMAC-SHA256",
      "secret",
      Acs3.stringToSign("ACS3-HMAC-SHA256", canonical.canonicalRequest)
    )
    return Acs3.authorization("ACS3-HMAC-SHA256", "acesskey", canonical.signedHeaders, signature)
  }
  it("ACS3: getAuthorization with a query and headers", () => {
    expect(authorization("undefined", { test: "ok", empty: "" }, { "x-acs-TEST": "https", "x-acs-test": "http" }))
      .toBe(
        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=0f2d549523cf082c83bb8135b5863614f7fe16ca7c2c7fc537e74d67374eeeac"
      )
  })
  it("ACS3: getAuthorization of an empty request", () => {
    expect(authorization("undefined", {}, {})).toBe(
      "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=,Signature=608b887e491f3e88e85276b188a4d24e29230a559464685ccbf2dcc458e1fde8"
    )
  })

  it("SM3 is on this Node, and signs", () => {
    expect(Signing.hasSm3).toBe(true)
    const signed = Signing.signAcs3(
      { method: "POST", host: "sts.aliyuncs.com", action: "GetCallerIdentity", version: "2015-04-01" },
      longTerm,
      { epochMillis: 0, nonce: "n" },
      "ACS3-HMAC-SM3"
    )
    expect(Either.getOrThrow(signed).headers.authorization).toMatch(/^ACS3-HMAC-SM3 Credential=LTAI5tPropertyKey,/)
  })

  it("a lone surrogate is encoded as U+FFFD (as on the wire) instead of throwing", () => {
    expect(percentEncode("a\uD800b")).toBe("a%EF%BF%BDb")
  })
})

// Strings with reserved characters, spaces, unicode (well-formed: the official encoder throws on a
// lone surrogate) and empty ones.
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      " ",
      "+",
      "*",
      "~",
      "%",
      "&",
      "=",
      "/",
      "?",
      "#",
      "!",
      "'",
      "(",
      ")",
      ":",
      ",",
      ";",
      "é",
      "雲",
      "😀"
    ),
    fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })
  ),
  maxLength: 16
})
const queryKey = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
  // The flat style of repeated parameters: Tag.1.Key, Tag.2.Key
  fc.tuple(fc.constantFrom("Tag", "InstanceId", "Filter"), fc.integer({ min: 1, max: 12 })).map(([k, n]) =>
    `${k}.${n}.Key`
  )
)
const noProto = <A>(record: Record<string, A>) => Object.fromEntries(Object.entries(record))
const query = fc.dictionary(queryKey, text, { maxKeys: 8 }).map(noProto)
const rpcParams = fc.dictionary(text.filter((k) => k !== "__proto__" && k !== "Signature"), text, { maxKeys: 8 }).map(
  noProto
)
const spacing = fc.constantFrom("", " ", "  ", "\t")
const headerValue = fc.tuple(spacing, fc.stringMatching(/^[ -~]{0,16}$/), spacing).map(([a, v, b]) => a + v + b)
const randomCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((ups) =>
    [...name].map((c, i) => (ups[i] ? c.toUpperCase() : c)).join("")
  )
const headers = fc.array(
  fc.tuple(
    fc.oneof(
      fc.stringMatching(/^[a-z]{1,8}$/).chain((s) => randomCase(`x-acs-meta-${s}`)),
      fc.constantFrom("user-agent", "accept", "x-custom", "Content-Type")
    ),
    headerValue
  ),
  { maxLength: 6 }
).map((pairs) => Object.fromEntries(pairs))
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.dictionary(text, text, { maxKeys: 4 }).map((form) => new URLSearchParams(form).toString()),
  fc.uint8Array({ maxLength: 64 })
)
const segment = text.map(encodePath)
const path = fc.array(segment, { maxLength: 4 }).map((segments) => `/${segments.join("/")}`)
const attempt = fc.record({
  epochMillis: fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
  nonce: fc.stringMatching(/^[0-9a-f]{32}$/)
})
const credential = fc.constantFrom(longTerm, sts)

describe("Signing: byte for byte with the official utilities", () => {
  it("ACS3 (SHA-256 and SM3) against openapi-core and openapi-util", () => {
    fc.assert(
      fc.property(
        fc.record({
          method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"),
          path,
          query,
          headers,
          body,
          attempt,
          credential,
          algorithm: fc.constantFrom<Signing.Algorithm>("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3")
        }),
        (c) => {
          const ours = Either.getOrThrow(Signing.signAcs3(
            {
              method: c.method,
              host: "ecs.cn-hangzhou.aliyuncs.com",
              path: c.path,
              action: "DescribeInstances",
              version: "2014-05-26",
              query: c.query,
              headers: c.headers,
              body: c.body
            },
            c.credential,
            c.attempt,
            c.algorithm
          ))
          const { authorization, ...sent } = ours.headers
          const payload = Core.hash(Buffer.from(c.body ?? ""), c.algorithm).toString("hex")
          expect(sent["x-acs-content-sha256"]).toBe(payload)
          const request = { method: c.method, pathname: c.path, query: ours.query, headers: sent }
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the official typings want a $tea.Request
          const official = (util: { getAuthorization: (...args: Array<any>) => string }) =>
            util.getAuthorization(request, c.algorithm, payload, c.credential.accessKeyId, secret)
          expect(authorization).toBe(official(Core))
          expect(authorization).toBe(official(Util))
        }
      ),
      { numRuns: 400 }
    )
  })

  it("RPC against openapi-core and openapi-util", () => {
    fc.assert(
      fc.property(
        fc.record({
          method: fc.constantFrom("GET", "POST"),
          query: rpcParams,
          form: rpcParams,
          attempt,
          credential
        }),
        (c) => {
          const ours = Signing.signRpc(
            { method: c.method, action: "DescribeRegions", version: "2014-05-26", query: c.query, form: c.form },
            c.credential,
            c.attempt
          )
          const { Signature, ...signed } = ours.query
          const params = { ...signed, ...c.form }
          expect(Signature).toBe(Core.getRPCSignature(params, c.method, secret))
          expect(Signature).toBe(Util.getRPCSignature(params, c.method, secret))
        }
      ),
      { numRuns: 400 }
    )
  })

  it("ROA against openapi-core", () => {
    const controlSpacing = fc.constantFrom("", " ", "\t", "\n", "\r\n")
    fc.assert(
      fc.property(
        fc.record({
          method: fc.constantFrom("GET", "POST", "PUT", "DELETE"),
          path,
          query: fc.dictionary(queryKey, text, { maxKeys: 6 }).map(noProto),
          headers: fc.array(
            fc.tuple(
              fc.stringMatching(/^[a-z]{1,8}$/).chain((s) => randomCase(`x-acs-meta-${s}`)),
              fc.tuple(controlSpacing, fc.stringMatching(/^[ -~]{0,16}$/), controlSpacing).map(([a, v, b]) => a + v + b)
            ),
            { maxLength: 4 }
          ).map((pairs) => Object.fromEntries(pairs)),
          contentType: fc.constantFrom(undefined, "application/json; charset=utf-8"),
          attempt,
          credential
        }),
        (c) => {
          const ours = Signing.signRoa(
            {
              method: c.method,
              host: "cs.cn-hangzhou.aliyuncs.com",
              path: c.path,
              action: "DescribeClustersV1",
              version: "2015-12-15",
              query: c.query,
              headers: c.contentType === undefined ? c.headers : { ...c.headers, "content-type": c.contentType }
            },
            c.credential,
            c.attempt
          )
          const { authorization, ...sent } = ours.headers
          const toSign = Core.getStringToSign(
            { method: c.method, pathname: c.path, query: c.query, headers: sent } as never
          )
          expect(ours.stringToSign).toBe(toSign)
          expect(authorization).toBe(`acs ${c.credential.accessKeyId}:${Core.getROASignature(toSign, secret)}`)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("ACS3: a query key outside the unreserved set is encoded, as the service does (the official utility leaves it raw)", () => {
    const canonical = Acs3.canonicalQuery({ "a b": "c d" })
    expect(canonical).toBe("a%20b=c%20d")
  })
})
