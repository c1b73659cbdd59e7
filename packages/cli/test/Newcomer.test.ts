// Issue 18, item 12: the command line as a newcomer meets it. `--connect-timeout 3s` is accepted
// (a number with a unit, or bare milliseconds), anything else refused naming the flag; `--help`
// prints no colour codes into a pipe, nor under NO_COLOR on a terminal; with nothing configured, a
// host without a route to the metadata address hears "no source is configured", not the metadata
// source's network error (classified at the unit level: 100.100.100.200 is never contacted).
import { CredentialsError } from "@effect-alicloud/credentials"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Console, Duration, Effect } from "effect"
import * as Color from "../src/Color.js"
import * as Failure from "../src/Failure.js"
import { envFor, makeHome, run } from "./helpers.js"

const envCredential = { ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tNewcomerKey001", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s3cr3t" }

describe.concurrent("the command line", () => {
  it.scopedLive("--connect-timeout 3s and --read-timeout 500ms are accepted; 3x is refused naming the flag", () =>
    Effect.gen(function*() {
      const home = yield* makeHome()
      const ok = yield* run(
        ["resolve", "--connect-timeout", "3s", "--read-timeout", "500ms"],
        envFor(home, envCredential)
      )
      expect(ok.code, ok.stderr).toBe(0)
      expect(ok.stdout).toContain("default/env")
      const bad = yield* run(["resolve", "--connect-timeout", "3x"], envFor(home, envCredential))
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain("--connect-timeout: \"3x\" is not a duration: write e.g. 3s, 500ms, 2m or 5000")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("--help into a pipe: no colour codes", () =>
    Effect.gen(function*() {
      const home = yield* makeHome()
      for (const args of [["--help"], ["resolve", "--help"]]) {
        const help = yield* run(args, envFor(home))
        expect(help.code).toBe(0)
        expect(help.stdout).toContain("alicloud-credentials")
        expect(help.stdout + help.stderr).not.toContain("\u001b")
      }
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("Color.onlyForTerminals", () => {
  const coloured = "\u001b[0;1mUSAGE\u001b[0m"
  // What the program prints on each stream, through a console that records it.
  const printed = (terminals: Color.Terminals, env: Record<string, string>) =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const recording = yield* Console.consoleWith((current) =>
        Effect.succeed({
          ...current,
          log: (...args: ReadonlyArray<unknown>) => Effect.sync(() => lines.push(`out:${args.join(" ")}`)),
          error: (...args: ReadonlyArray<unknown>) => Effect.sync(() => lines.push(`err:${args.join(" ")}`))
        })
      )
      yield* Effect.zipRight(Console.log(coloured), Console.error(coloured)).pipe(
        Color.onlyForTerminals(terminals),
        Console.withConsole(recording),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
      )
      return lines
    })

  it.effect("colour on a terminal; none on a stream that is not one; none anywhere under NO_COLOR", () =>
    Effect.gen(function*() {
      expect(yield* printed({ stdout: true, stderr: true }, {})).toEqual([`out:${coloured}`, `err:${coloured}`])
      expect(yield* printed({ stdout: false, stderr: true }, {})).toEqual(["out:USAGE", `err:${coloured}`])
      expect(yield* printed({ stdout: true, stderr: true }, { NO_COLOR: "1" })).toEqual(["out:USAGE", "err:USAGE"])
      // an empty NO_COLOR is not set (no-color.org)
      expect(yield* printed({ stdout: true, stderr: true }, { NO_COLOR: "" })).toEqual([
        `out:${coloured}`,
        `err:${coloured}`
      ])
    }))
})

describe("nothing configured, the metadata address out of reach", () => {
  const names = ["env", "oidc_role_arn", "cli_profile", "profile"]
  const notConfigured = names.map((source) =>
    new CredentialsError.NotConfigured({ source, reason: "nothing set", fix: "set it" })
  )
  const uriNotConfigured = new CredentialsError.NotConfigured({
    source: "credentials_uri",
    reason: "ALIBABA_CLOUD_CREDENTIALS_URI is not set",
    fix: "set it"
  })
  // The metadata source's error as the transport words it (HttpTransport's failures).
  const metadata = (detail: string) =>
    new CredentialsError.NetworkError({
      source: "ecs_ram_role",
      endpoint: "http://100.100.100.200/latest/api/token",
      detail
    })
  const chain = (ecs: ConstructorParameters<typeof CredentialsError.ChainExhausted>[0]["failures"][number]) =>
    new CredentialsError.ChainExhausted({ source: "default", failures: [...notConfigured, ecs, uriNotConfigured] })

  for (const detail of ["network unreachable (ENETUNREACH)", "host unreachable (EHOSTUNREACH)"]) {
    it(`${detail}: the line leads with "no source is configured" and points at explain`, () => {
      const line = Failure.summary(chain(metadata(detail)))
      expect(line).toBe(
        "no credential: no source of the default chain is configured (env, oidc_role_arn, cli_profile, profile, " +
          `ecs_ram_role, credentials_uri) and the ECS metadata service cannot be reached (${detail}: not an ECS ` +
          "instance?); run `alicloud-credentials explain` to see how to configure each"
      )
      expect(Failure.exitCodeOf(chain(metadata(detail)))).toBe(1)
    })
  }

  it("a connect timeout to it: the same", () => {
    const timeout = new CredentialsError.Timeout({
      source: "ecs_ram_role",
      endpoint: "http://100.100.100.200/latest/api/token",
      phase: "connect",
      after: Duration.seconds(1)
    })
    expect(Failure.summary(chain(timeout))).toMatch(
      /^no credential: no source of the default chain is configured \(.*\) and the ECS metadata service cannot be reached \(no answer to a connection: not an ECS instance\?\); run `alicloud-credentials explain`/
    )
  })

  it("a metadata service that answers with an error, or refuses the connection: still the line that matters", () => {
    expect(Failure.summary(chain(metadata("connection refused (ECONNREFUSED)")))).toMatch(
      /^ecs_ram_role: cannot reach .*ECONNREFUSED.*\(other sources: 5 not configured; see `alicloud-credentials explain`\)$/
    )
  })
})
