// The default chain: the official order source by source, ECS off-cloud, explain, its Node layers
// (Credentials.layerDefault, Credentials.layerConfig).
// Every test points the metadata source at the emulator, at a closed loopback port, or disables it.
import { Fault } from "@effect-alicloud/emulator"
import type { Emulator } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Config, Duration, Effect, Fiber, TestClock } from "effect"
import { createServer } from "node:net"
import { Credentials } from "../src/Credentials.js"
import * as DefaultChain from "../src/DefaultChain.js"
import { refreshDelayMillis } from "../src/internal/refresh/timing.js"
import { layerOptions } from "../src/sources/internal/defaultChain.js"
import { retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

const run = <A, E, R>(body: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E, R>) =>
  withEmulator(body).pipe(Effect.provide(NodeContext.layer))

// A temp HOME with both files, and an OIDC token file.
const setUp = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  yield* fs.makeDirectory(`${dir}/.aliyun`)
  yield* fs.makeDirectory(`${dir}/.alibabacloud`)
  yield* fs.writeFileString(`${dir}/token`, "oidc-token")
  const writeCli = fs.writeFileString(
    `${dir}/.aliyun/config.json`,
    JSON.stringify({
      current: "default",
      profiles: [{ name: "default", mode: "AK", access_key_id: "LTAI-cli-profile", access_key_secret: "s" }]
    })
  )
  const writeIni = fs.writeFileString(
    `${dir}/.alibabacloud/credentials`,
    "[default]\ntype = access_key\naccess_key_id = LTAI-ini-profile\naccess_key_secret = s\n"
  )
  return {
    dir,
    writeCli,
    writeIni,
    removeCli: fs.remove(`${dir}/.aliyun/config.json`),
    removeIni: fs.remove(`${dir}/.alibabacloud/credentials`)
  }
})

const options = (emulator: Emulator.EmulatorShape): DefaultChain.Options => ({
  stsEndpoint: emulator.stsUrl,
  metadataUrl: emulator.metadataUrl,
  retrySchedule: retryNow(0)
})

const resolve = (opts: DefaultChain.Options) =>
  Effect.flatMap(Credentials, (c) => c.get).pipe(Effect.provide(DefaultChain.layer(opts)))

// A loopback port where nothing listens: connections are refused.
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 9))
    })
  })
)

describe("DefaultChain", () => {
  it.scoped("the official order: each source wins when the ones before it are not configured", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* setUp
        yield* home.writeCli
        yield* home.writeIni
        const env: Record<string, string> = {
          HOME: home.dir,
          ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI-env",
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s",
          ALIBABA_CLOUD_ROLE_ARN: roleArn,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "acs:ram::1:oidc-provider/p",
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: `${home.dir}/token`,
          ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri
        }
        const winner = () => resolve(options(emulator)).pipe(withEnv(env), Effect.map((c) => c.providerName))
        expect(yield* winner()).toBe("default/env")
        delete env.ALIBABA_CLOUD_ACCESS_KEY_ID
        expect(yield* winner()).toBe("default/oidc_role_arn")
        delete env.ALIBABA_CLOUD_OIDC_TOKEN_FILE
        delete env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN
        delete env.ALIBABA_CLOUD_ROLE_ARN
        expect(yield* winner()).toBe("default/cli_profile/static_ak")
        yield* home.removeCli
        expect(yield* winner()).toBe("default/profile/static_ak")
        yield* home.removeIni
        expect(yield* winner()).toBe("default/ecs_ram_role")
        env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true"
        expect(yield* winner()).toBe("default/credentials_uri")
        delete env.ALIBABA_CLOUD_CREDENTIALS_URI
        const error = yield* Effect.flip(resolve(options(emulator)).pipe(withEnv(env)))
        expect(error._tag).toBe("ChainExhausted")
        expect(error.message.split("\n").slice(1).map((line) => line.trim().split(":")[0])).toEqual([
          "- env",
          "- oidc_role_arn",
          "- cli_profile",
          "- profile",
          "- ecs_ram_role",
          "- credentials_uri"
        ])
      })
    ))

  // Off ECS, with the defaults as shipped (no retry or timeout overrides): the metadata source
  // ends at once when refused, and within its 2 s budget when the address never answers, with no
  // retry and no IMDSv1 request after a token request that got no answer.
  const shipped = (emulator: Emulator.EmulatorShape, metadataUrl = emulator.metadataUrl): DefaultChain.Options => ({
    stsEndpoint: emulator.stsUrl,
    metadataUrl
  })

  it.scoped("off ECS, metadata refused: the chain moves on at once (defaults as shipped)", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const start = yield* Clock.currentTimeMillis
        const credential = yield* resolve(shipped(emulator, `http://127.0.0.1:${port}`)).pipe(
          withEnv({ ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri })
        )
        expect(credential.providerName).toBe("default/credentials_uri")
        expect((yield* Clock.currentTimeMillis) - start).toBe(0)
      })
    ))

  it.scoped("off ECS, metadata accepts connections but never answers: the chain moves on within 2 s, one request, no v1 fallback (defaults as shipped)", () =>
    run((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setFault("metadata-token", Fault.hang)
        const start = yield* Clock.currentTimeMillis
        const fiber = yield* Effect.fork(
          resolve(shipped(emulator)).pipe(
            Effect.zip(Clock.currentTimeMillis),
            withEnv({ ALIBABA_CLOUD_CREDENTIALS_URI: emulator.credentialsUri })
          )
        )
        yield* emulator.awaitRequests("metadata-token", 1)
        yield* TestClock.adjust("2 seconds")
        const [credential, end] = yield* Fiber.join(fiber)
        expect(credential.providerName).toBe("default/credentials_uri")
        expect(end - start).toBeLessThanOrEqual(2000)
        expect((yield* emulator.counters("metadata-token")).received).toBe(1)
        expect((yield* emulator.counters("metadata-role")).received).toBe(0)
      })
    ))

  it.scoped("on ECS, a socks5 HTTPS_PROXY exported for other tools does not stop the chain: the metadata service is never proxied", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const home = yield* fs.makeTempDirectoryScoped()
        const credential = yield* resolve(options(emulator)).pipe(
          withEnv({ HOME: home, HTTPS_PROXY: "socks5://127.0.0.1:1080", HTTP_PROXY: "socks5://127.0.0.1:1080" })
        )
        expect(credential.providerName).toBe("default/ecs_ram_role")
      })
    ))

  it.scoped("explain: each source with why it was skipped, the winner, and those not tried", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const home = yield* setUp
        yield* home.writeIni
        const steps = yield* DefaultChain.explain(options(emulator)).pipe(withEnv({ HOME: home.dir }))
        expect(steps.map((s) => [s.name, s._tag])).toEqual([
          ["env", "Skipped"],
          ["oidc_role_arn", "Skipped"],
          ["cli_profile", "Skipped"],
          ["profile", "Picked"],
          ["ecs_ram_role", "NotTried"],
          ["credentials_uri", "NotTried"]
        ])
        const skipped = steps[2]!
        expect(skipped._tag === "Skipped" && skipped.error.message).toContain(".aliyun/config.json does not exist")
        expect((yield* emulator.counters("metadata-token")).received).toBe(0)
      })
    ))

  it.scoped("users build their own chain from the default sources", () =>
    run((emulator) =>
      Effect.gen(function*() {
        const d = DefaultChain.sources(options(emulator))
        const credential = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(Credentials.layerChain([d.credentials_uri, d.env], { name: "mine" })),
          withEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI-env", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s" })
        )
        expect(credential.providerName).toBe("mine/env")
      })
    ))

  it.scoped("Credentials.layerDefault: the default chain with the Node platform, options as a plain object", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const credential = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(Credentials.layerDefault({ ...options(emulator), credentialsUri: emulator.credentialsUri })),
          withEnv({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" })
        )
        expect(credential.providerName).toBe("default/credentials_uri")
      })
    ))

  it.scoped("Credentials.layerConfig: the same, options read through Config when the layer is built", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const layer = Credentials.layerConfig({
          stsEndpoint: Config.succeed(emulator.stsUrl),
          metadataUrl: Config.succeed(emulator.metadataUrl),
          retrySchedule: Config.succeed(retryNow(0)),
          credentialsUri: Config.string("APP_CREDENTIALS_URI"),
          connectTimeout: Config.duration("APP_CONNECT_TIMEOUT").pipe(Config.withDefault(Duration.seconds(2)))
        })
        const credential = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
          Effect.provide(layer),
          withEnv({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", APP_CREDENTIALS_URI: emulator.credentialsUri })
        )
        expect(credential.providerName).toBe("default/credentials_uri")
        // A missing value fails the layer with its ConfigError, before any source is asked.
        const error = yield* Effect.flip(
          Effect.flatMap(Credentials, (c) => c.get).pipe(Effect.provide(layer), withEnv({}))
        )
        expect(error._tag).toBe("ConfigError")
        expect(String(error)).toContain("APP_CREDENTIALS_URI")
      })
    ))

  // The official timing: ECS credentials refreshed 1 hour ahead, the others at the 15-minute stale
  // window. That a credential is an ECS one is data the ECS source attaches, kept through the
  // renames of the chain and the profile; a role assumed with it is not an ECS credential.
  const writeProfiles = (dir: string, profiles: ReadonlyArray<Record<string, string>>) =>
    Effect.flatMap(
      FileSystem.FileSystem,
      (fs) => fs.writeFileString(`${dir}/.aliyun/config.json`, JSON.stringify({ current: profiles[0]!.name, profiles }))
    )

  const ecsProfile = { name: "ecs", mode: "EcsRamRole", ram_role_name: "EcsRamRole" }

  it.scoped("an ECS credential, from the chain or through a CLI profile, is refreshed 1 hour ahead", () =>
    run((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setExpiry("metadata-credentials", "6 hours")
        const home = yield* setUp
        const refreshedAtFiveHours = (providerName: string) =>
          Effect.gen(function*() {
            const before = (yield* emulator.counters("metadata-credentials")).received
            const credentials = yield* Credentials
            expect((yield* credentials.get).providerName).toBe(providerName)
            yield* TestClock.adjust("299 minutes")
            expect((yield* emulator.counters("metadata-credentials")).received).toBe(before + 1)
            yield* TestClock.adjust("1 minute")
            yield* emulator.awaitRequests("metadata-credentials", before + 2)
          }).pipe(
            Effect.provide(DefaultChain.layer({ ...options(emulator), refresh: { jitter: 0 } })),
            withEnv({ HOME: home.dir })
          )
        yield* refreshedAtFiveHours("default/ecs_ram_role")
        yield* writeProfiles(home.dir, [ecsProfile])
        yield* refreshedAtFiveHours("default/cli_profile/ecs_ram_role")
      })
    ))

  it.scoped("the refresh lead by credential: ECS 1 hour, a role assumed with an ECS credential the stale window", () =>
    run((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setExpiry("metadata-credentials", "2 hours")
        const home = yield* setUp
        const chainOptions = { ...options(emulator), refresh: { jitter: 0 } }
        // When the default chain's refresh engine refreshes the credential it got, in minutes from now.
        const dueInMinutes = Effect.gen(function*() {
          const credential = yield* Effect.flatMap(Credentials, (c) => c.get).pipe(
            Effect.provide(DefaultChain.layer(chainOptions)),
            withEnv({ HOME: home.dir })
          )
          const delay = refreshDelayMillis(credential, yield* Clock.currentTimeMillis, layerOptions(chainOptions), 0)
          return [credential.providerName, delay! / 60_000] as const
        })
        expect(yield* dueInMinutes).toEqual(["default/ecs_ram_role", 60])
        yield* writeProfiles(home.dir, [ecsProfile])
        expect(yield* dueInMinutes).toEqual(["default/cli_profile/ecs_ram_role", 60])
        // A 1-hour session: due 15 minutes before its end. Read from its provider name, whose last
        // word is the signer's, it was due an hour ahead (halfway, at 30 minutes).
        yield* writeProfiles(home.dir, [
          { name: "role", mode: "ChainableRamRoleArn", source_profile: "ecs", ram_role_arn: roleArn },
          ecsProfile
        ])
        expect(yield* dueInMinutes).toEqual(["default/cli_profile/ram_role_arn/ecs_ram_role", 45])
      })
    ))
})
