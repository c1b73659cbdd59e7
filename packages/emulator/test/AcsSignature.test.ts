import { describe, expect, it } from "@effect/vitest"
import * as Crypto from "node:crypto"
import { createRequire } from "node:module"
import * as AcsSignature from "../src/AcsSignature.js"

// A known answer computed once with the official `@alicloud/openapi-util` 0.3.3 `getAuthorization`
// (the signer behind `@alicloud/openapi-client` 0.4.15), over this exact request.
const body = "RoleArn=acs%3Aram%3A%3A1%3Arole%2Fr&RoleSessionName=s%20x"
const baseHeaders = {
  host: "sts.aliyuncs.com",
  "x-acs-action": "GetCallerIdentity",
  "x-acs-version": "2015-04-01",
  "x-acs-date": "2024-01-01T00:00:00Z",
  "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
  accept: "application/json",
  "user-agent": "x",
  "content-type": "application/x-www-form-urlencoded"
}
const query = { B: "a b*", A: "1" }
const secret = "testAccessKeySecret"
const expectedSha256 = "856777eabf606152a5974bb58f919f825c9104fdf6adcfa3af58be6e75426fcf"
const expectedSm3 = "5dc95582451ddc67c5ee94b9481eb5a25ba977360f0ba01fcf0d53cfcad8cbf8"
const signedList = [
  "content-type",
  "host",
  "x-acs-action",
  "x-acs-content-sha256",
  "x-acs-date",
  "x-acs-signature-nonce",
  "x-acs-version"
]

const sign = (algorithm: AcsSignature.Algorithm) =>
  AcsSignature.signRequest({
    algorithm,
    method: "POST",
    path: "/",
    query,
    headers: baseHeaders,
    body,
    accessKeyId: "testAccessKeyId",
    accessKeySecret: secret
  })

describe("AcsSignature (signature v3)", () => {
  it("canonical pieces", () => {
    expect(AcsSignature.canonicalQueryString(query)).toBe("A=1&B=a%20b%2A")
    expect(AcsSignature.canonicalQueryString({})).toBe("")
    expect(AcsSignature.canonicalUri("/a+b*/%7E")).toBe("/a%20b%2A/~")
    expect(AcsSignature.canonicalUri("")).toBe("/")
    expect(AcsSignature.headersToSign({ Host: "h", "X-Acs-Date": "d", Accept: "a", "Content-Type": "t" }))
      .toEqual(["content-type", "host", "x-acs-date"])
    expect(
      AcsSignature.canonicalHeaders({ Host: " h ", "x-acs-b": "2", "x-acs-a": "1" }, ["x-acs-b", "host", "x-acs-a"])
    )
      .toBe("host:h\nx-acs-a:1\nx-acs-b:2\n")
    expect(AcsSignature.hash("ACS3-HMAC-SHA256", "")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
  })

  it("the canonical request layout", () => {
    const headers = sign("ACS3-HMAC-SHA256")
    const canonical = AcsSignature.canonicalRequest({
      method: "post",
      path: "/",
      query,
      headers,
      signedHeaders: signedList,
      hashedPayload: headers["x-acs-content-sha256"] ?? ""
    })
    const payloadHash = Crypto.createHash("sha256").update(body).digest("hex")
    expect(canonical).toBe(
      [
        "POST",
        "/",
        "A=1&B=a%20b%2A",
        "content-type:application/x-www-form-urlencoded\nhost:sts.aliyuncs.com\nx-acs-action:GetCallerIdentity\n" +
        `x-acs-content-sha256:${payloadHash}\nx-acs-date:2024-01-01T00:00:00Z\n` +
        "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\nx-acs-version:2015-04-01\n",
        signedList.join(";"),
        payloadHash
      ].join("\n")
    )
  })

  it("signRequest matches the official signer's known answers (SHA-256 and SM3)", () => {
    const sha = AcsSignature.parseAuthorization(sign("ACS3-HMAC-SHA256")["authorization"] ?? "")
    expect(sha).toEqual({
      algorithm: "ACS3-HMAC-SHA256",
      accessKeyId: "testAccessKeyId",
      signedHeaders: signedList,
      signature: expectedSha256
    })
    const sm3 = AcsSignature.parseAuthorization(sign("ACS3-HMAC-SM3")["authorization"] ?? "")
    expect(sm3?.signature).toBe(expectedSm3)
  })

  it("agrees with the official signer over many requests", () => {
    const officialRequire = createRequire(createRequire(import.meta.url).resolve("@alicloud/openapi-client"))
    const official = (officialRequire("@alicloud/openapi-util") as {
      readonly default: {
        readonly getAuthorization: (
          request: {
            method: string
            pathname: string
            query: Record<string, string>
            headers: Record<string, string>
          },
          algorithm: string,
          payload: string,
          accessKeyId: string,
          secret: string
        ) => string
      }
    }).default
    const values = ["", "a", "a b", "~!*'()", "é中", "x=y&z", "100%", "+/?", " padded "]
    let n = 0
    for (const a of values) {
      for (const b of values) {
        n++
        const q = { Action: "GetCallerIdentity", [`K${n}`]: a, Z: b }
        const accessKeySecret = `secret-${b}`
        const headers = AcsSignature.signRequest({
          method: "POST",
          path: "/",
          query: q,
          headers: { ...baseHeaders, "x-acs-security-token": `t${a}` },
          body: `${a}${b}`,
          accessKeyId: "ak",
          accessKeySecret
        })
        const { authorization, ...rest } = headers
        const expected = official.getAuthorization(
          { method: "POST", pathname: "/", query: q, headers: rest },
          "ACS3-HMAC-SHA256",
          rest["x-acs-content-sha256"] ?? "",
          "ak",
          accessKeySecret
        )
        expect(authorization).toBe(expected)
      }
    }
  })

  it("verify accepts the signature and reports the string to sign; any change breaks it", () => {
    const headers = sign("ACS3-HMAC-SHA256")
    const auth = AcsSignature.parseAuthorization(headers["authorization"] ?? "")!
    const check = (over: { headers?: Record<string, string>; body?: string; secret?: string; path?: string }) =>
      AcsSignature.verify({
        algorithm: "ACS3-HMAC-SHA256",
        method: "POST",
        path: over.path ?? "/",
        query,
        headers: over.headers ?? headers,
        body: over.body ?? body,
        signedHeaders: auth.signedHeaders,
        signature: auth.signature,
        accessKeySecret: over.secret ?? secret
      })
    const ok = check({})
    expect(ok.valid).toBe(true)
    expect(ok.stringToSign).toMatch(/^ACS3-HMAC-SHA256\n[0-9a-f]{64}$/)
    expect(check({ secret: "wrong" }).valid).toBe(false)
    expect(check({ body: body + "&x=1" }).valid).toBe(false)
    expect(check({ headers: { ...headers, "x-acs-date": "2024-01-01T00:00:01Z" } }).valid).toBe(false)
    expect(check({ path: "/other" }).valid).toBe(false)
    // unsigned headers do not matter
    expect(check({ headers: { ...headers, "user-agent": "other" } }).valid).toBe(true)
  })

  it("parseAuthorization rejects malformed headers", () => {
    expect(AcsSignature.parseAuthorization("Bearer abc")).toBeUndefined()
    expect(AcsSignature.parseAuthorization("ACS3-HMAC-SHA256")).toBeUndefined()
    expect(AcsSignature.parseAuthorization("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host")).toBeUndefined()
    expect(AcsSignature.parseAuthorization("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=x"))
      .toBeUndefined()
    expect(
      AcsSignature.parseAuthorization(" ACS3-HMAC-SHA256 Credential=ak, SignedHeaders=Host;x-acs-date, Signature=ab ")
    )
      .toEqual({
        algorithm: "ACS3-HMAC-SHA256",
        accessKeyId: "ak",
        signedHeaders: ["host", "x-acs-date"],
        signature: "ab"
      })
  })
})
