import { describe, expect, it } from "@effect/vitest"
import * as RpcSignature from "../src/RpcSignature.js"

// Known-answer vectors from spec/sts.md 1.5, computed by running @alicloud/credentials 2.4.7.
const common = {
  Version: "2015-04-01",
  Action: "AssumeRole",
  Format: "JSON",
  Timestamp: "2024-01-01T00:00:00Z",
  SignatureMethod: "HMAC-SHA1",
  SignatureVersion: "1.0",
  SignatureNonce: "fixed-nonce-0001",
  AccessKeyId: "testAccessKeyId",
  RoleArn: "acs:ram::1234567890123456:role/test-role",
  RoleSessionName: "test-session",
  DurationSeconds: "3600"
}
const secret = "testAccessKeySecret"

const vectorAStringToSign =
  "POST&%2F&AccessKeyId%3DtestAccessKeyId%26Action%3DAssumeRole%26DurationSeconds%3D3600%26Format%3DJSON%26RoleArn%3Dacs%253Aram%253A%253A1234567890123456%253Arole%252Ftest-role%26RoleSessionName%3Dtest-session%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dfixed-nonce-0001%26SignatureVersion%3D1.0%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3D2015-04-01"

describe("RpcSignature", () => {
  it("vector A: string to sign and signature", () => {
    expect(RpcSignature.stringToSign("POST", common)).toBe(vectorAStringToSign)
    expect(RpcSignature.sign(vectorAStringToSign, secret)).toBe("6ZnJ6MeRVf7Z0oP2f/prqGgGfD8=")
  })

  it("vector B: STS source with SecurityToken", () => {
    const params = { ...common, SecurityToken: "testSecurityToken" }
    expect(RpcSignature.stringToSign("POST", params)).toBe(
      vectorAStringToSign.replace(
        "RoleSessionName%3Dtest-session%26",
        "RoleSessionName%3Dtest-session%26SecurityToken%3DtestSecurityToken%26"
      )
    )
    expect(RpcSignature.signParams("POST", params, secret)).toBe("CTvWTIWUIXqbWWOMRjv4g/hOZEE=")
  })

  it("vector C: Policy and ExternalId with special characters", () => {
    const params = {
      ...common,
      Policy: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]} (a!b'c~)`,
      ExternalId: "ext id+1"
    }
    const canonical = RpcSignature.canonicalize(params)
    expect(canonical).toContain("ExternalId=ext%20id%2B1")
    expect(canonical).toContain(
      "Policy=%7B%22Version%22%3A%221%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D%20%28a%21b%27c~%29"
    )
    expect(canonical.split("&").map((pair) => pair.split("=")[0])).toEqual([
      "AccessKeyId",
      "Action",
      "DurationSeconds",
      "ExternalId",
      "Format",
      "Policy",
      "RoleArn",
      "RoleSessionName",
      "SignatureMethod",
      "SignatureNonce",
      "SignatureVersion",
      "Timestamp",
      "Version"
    ])
    expect(RpcSignature.signParams("POST", params, secret)).toBe("njEbZUxlUzxf74HAxJPeHxeK4U8=")
  })

  it("percentEncode keeps only unreserved characters", () => {
    expect(RpcSignature.percentEncode("a-_.~ !'()*+/=é")).toBe("a-_.~%20%21%27%28%29%2A%2B%2F%3D%C3%A9")
    // A lone surrogate does not throw (encodeURIComponent would): it is U+FFFD.
    expect(RpcSignature.percentEncode("\ud800")).toBe("%EF%BF%BD")
  })

  it("canonicalize ignores Signature", () => {
    expect(RpcSignature.canonicalize({ b: "2", a: "1", Signature: "x" })).toBe("a=1&b=2")
  })

  it("verify accepts the right signature and rejects others", () => {
    const ok = RpcSignature.verify({
      method: "POST",
      params: { ...common, Signature: "6ZnJ6MeRVf7Z0oP2f/prqGgGfD8=" },
      accessKeySecret: secret,
      signature: "6ZnJ6MeRVf7Z0oP2f/prqGgGfD8="
    })
    expect(ok).toEqual({ valid: true, stringToSign: vectorAStringToSign })
    expect(
      RpcSignature.verify({
        method: "POST",
        params: common,
        accessKeySecret: "wrong",
        signature: "6ZnJ6MeRVf7Z0oP2f/prqGgGfD8="
      })
        .valid
    ).toBe(false)
    expect(RpcSignature.verify({ method: "GET", params: common, accessKeySecret: secret, signature: "short" }).valid)
      .toBe(false)
  })
})
