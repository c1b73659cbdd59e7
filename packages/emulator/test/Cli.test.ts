import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Cli from "../src/internal/cli.js"

describe("alicloud-emulator arguments", () => {
  it("parses every option, in both --name value and --name=value forms", () => {
    const parsed = Cli.parseArgs([
      "--port",
      "8080",
      "--host=127.0.0.1",
      "--metadata-mode",
      "v2-required",
      "--role-name",
      "r",
      "--credentials-path=/c",
      "--access-key",
      "AK1:S1",
      "--access-key=AK2:S2:TOKEN:WITH:COLONS",
      "--oidc-token",
      "t"
    ])
    expect(parsed).toEqual(Either.right({
      _tag: "Run",
      options: {
        port: 8080,
        host: "127.0.0.1",
        metadataMode: "v2-required",
        roleName: "r",
        credentialsPath: "/c",
        accessKeys: [
          { accessKeyId: "AK1", accessKeySecret: "S1" },
          { accessKeyId: "AK2", accessKeySecret: "S2", securityToken: "TOKEN:WITH:COLONS" }
        ],
        oidcTokens: ["t"]
      }
    }))
    expect(Cli.parseArgs([])).toEqual(Either.right({ _tag: "Run", options: {} }))
    expect(Cli.parseArgs(["--help"])).toEqual(Either.right({ _tag: "Help" }))
    expect(Cli.parseArgs(["--tls-key", "k.pem", "--tls-cert", "c.pem"])).toEqual(
      Either.right({ _tag: "Run", options: {}, tlsFiles: { key: "k.pem", cert: "c.pem" } })
    )
  })

  it("rejects bad input without echoing secrets", () => {
    for (
      const argv of [["--port", "x"], ["--port"], ["--metadata-mode", "v3"], ["--nope", "1"], ["stray"], [
        "--tls-key",
        "k"
      ]]
    ) {
      expect(Either.isLeft(Cli.parseArgs(argv))).toBe(true)
    }
    const bad = Cli.parseArgs(["--access-key", "IDONLY-SECRETISH"])
    expect(Either.isLeft(bad) && bad.left.message).not.toContain("IDONLY-SECRETISH")
  })
})
