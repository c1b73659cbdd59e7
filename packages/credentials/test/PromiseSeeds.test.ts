// The Node samples of the product documentation (shared/seeds/000_...: "Manage access credentials"),
// run as they are written, against the emulator, with only the import of @alicloud/credentials
// changed (test/fixtures/seeds/node-samples.json holds them). What the harness does, and only this:
// - fills the documentation's placeholders (`'<RoleArn>'`...) with the emulator's values, as a user
//   fills them, and sets the environment variables the samples read;
// - hands the samples their modules through `require`: ours for the facade, the real
//   @alicloud/openapi-client and @alicloud/tea-util, @alicloud/sts20150401 with its endpoint moved to
//   the emulator, and two stand-ins for the product SDKs the repo does not install
//   (@alicloud/ecs20140526, @alicloud/ccc20200701) whose call signs GetCallerIdentity with the
//   sample's credential through the real official client, at the emulator;
// - gives every client the emulator's endpoints (STS, metadata, credentials URI) as options when the
//   sample sets none: nothing leaves the loopback.
// The one ESM sample ("Switch between credentials") has its `import` line read as the equivalent
// `require`. Two samples (Method 7 and 8, "const credentialClient = new Credential(config)") call
// the module object as a constructor: they throw a TypeError with the official package too; the
// test checks that ours throws the same. Method 3's call example passes the AssumeRoleRequest class
// for a request: the STS SDK rejects it before any credential is read ("request.validate is not a
// function"), whichever package; the test checks that this is the only thing that goes wrong.
import { Emulator } from "@effect-alicloud/emulator"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Facade from "./facade.js"
import samplesFile from "./fixtures/seeds/node-samples.json" with { type: "json" }

const require = createRequire(import.meta.url)
const Sts20150401 = require("@alicloud/sts20150401") as typeof import("@alicloud/sts20150401")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")
const TeaUtil = require("@alicloud/tea-util") as unknown
const Official = require("@alicloud/credentials") as unknown

const key = { accessKeyId: "LTAI5tFacadeTestKey001", accessKeySecret: "facade-secret-0001" } as const
const roleArn = "acs:ram::1234567890123456:role/seed-role"
const dir = mkdtempSync(join(tmpdir(), "facade-seeds-"))
const oidcTokenFile = join(dir, "oidc-token")
writeFileSync(oidcTokenFile, "eyJhbGciOi.seed-token\n")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Sample {
  readonly section: string
  readonly kind: "client" | "call example"
  readonly code: string
}
const samples: ReadonlyArray<Sample> = (samplesFile as { readonly samples: ReadonlyArray<Sample> }).samples

const loopback = (url: string) => /^(https?:\/\/)?(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url)

interface Run {
  readonly logs: Array<string>
  readonly errors: Array<unknown>
  readonly clients: Array<Facade.default>
  readonly calls: Array<Promise<unknown>>
  /** Resolves at the sample's first output (a log line or an error). */
  readonly printed: Promise<void>
}

// Runs one sample in a function scope with its `require`, `process` and `console`.
const runSample = (emulator: Emulator.EmulatorShape, sample: Sample, credentials: unknown): Run => {
  let printedNow: () => void = () => {}
  const printed = new Promise<void>((resolve) => (printedNow = resolve))
  const run: Run = { logs: [], errors: [], clients: [], calls: [], printed }
  const endpoints = {
    stsEndpoint: emulator.stsUrl,
    metadataUrl: emulator.metadataUrl,
    credentialsUri: emulator.credentialsUri
  }
  class Credential extends Facade.default {
    constructor(config?: Facade.Config | null, provider?: Facade.CredentialsProvider | null) {
      if (config) {
        config.stsEndpoint ??= endpoints.stsEndpoint
        config.metadataUrl ??= endpoints.metadataUrl
        if (!loopback(config.stsEndpoint) || !loopback(config.metadataUrl)) throw new Error("not loopback")
      }
      super(config, provider, config ? undefined : endpoints)
      run.clients.push(this)
    }
  }
  // The official SDKs call this with the sample's credential: GetCallerIdentity at the emulator.
  const signedCall = (config: { credential: unknown }) => {
    const call = new Sts20150401.default(
      new OpenApi.Config({
        credential: config.credential,
        endpoint: emulator.stsEndpoint,
        protocol: "http",
        connectTimeout: 2000,
        readTimeout: 2000
      })
    ).getCallerIdentity()
    run.calls.push(call)
    return call
  }
  const modules: Record<string, unknown> = {
    "@effect-alicloud/credentials/promise": credentials === "ours" ? { ...Facade, default: Credential } : credentials,
    "@alicloud/openapi-client": OpenApi,
    "@alicloud/tea-util": TeaUtil,
    "@alicloud/sts20150401": {
      ...Sts20150401,
      default: class extends Sts20150401.default {
        constructor(config: InstanceType<typeof OpenApi.Config>) {
          config.endpoint = emulator.stsEndpoint
          config.protocol = "http"
          super(config)
        }
      }
    },
    "@alicloud/ecs20140526": {
      DescribeRegionsRequest: class {},
      default: class {
        constructor(readonly config: { credential: unknown }) {}
        async describeRegionsWithOptions() {
          await signedCall(this.config)
          return { body: { regions: { region: [{ regionId: "cn-hangzhou" }] } } }
        }
      }
    },
    "@alicloud/ccc20200701": {
      GetInstanceRequest: class {
        constructor(readonly map: unknown) {}
      },
      default: class {
        constructor(readonly config: { credential: unknown }) {}
        async getInstanceWithOptions() {
          // GetCallerIdentity does not take a bearer token: the emulator records the signature.
          await signedCall(this.config).catch(() => undefined)
          return { body: { instance: { instanceId: "ccc-test" } } }
        }
      }
    }
  }
  const sampleRequire = (name: string) => {
    if (!(name in modules)) throw new Error(`the sample requires ${name}`)
    return modules[name]
  }
  const sampleConsole = {
    log: (...args: Array<unknown>) => {
      run.logs.push(args.map(String).join(" "))
      printedNow()
    },
    error: (error: unknown) => {
      run.errors.push(error)
      printedNow()
    }
  }
  const code = fill(sample.code, emulator).replace(
    /^import (\w+), \{ (\w+) \} from ('[^']+');$/m,
    "const { default: $1, $2 } = require($3);"
  )
  new Function("require", "process", "console", code)(sampleRequire, process, sampleConsole)
  return run
}

// The documentation's placeholders, filled as a user fills them.
const fill = (code: string, emulator: Emulator.EmulatorShape) =>
  code
    .replaceAll("'<RoleArn>'", `'${roleArn}'`)
    .replaceAll("'<RoleSessionName>'", "'seed-session'")
    .replaceAll("'<Policy>'", `'{"Statement":[{"Action":["*"],"Effect":"Allow","Resource":["*"]}],"Version":"1"}'`)
    .replaceAll("'<RoleName>'", "'EcsRamRole'")
    .replaceAll("'<OidcProviderArn>'", "'acs:ram::1234567890123456:oidc-provider/ack'")
    .replaceAll("'<OidcTokenFilePath>'", `'${oidcTokenFile}'`)
    .replaceAll("'<CredentialsUri>'", `'${emulator.credentialsUri}'`)
    .replaceAll("'<BearerToken>'", "'bearer-token-seed'")

const env = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret
}
const saved = { ...process.env }
afterAll(() => {
  process.env = saved
})

const settle = (run: Run, sample: Sample) =>
  Effect.promise(async () => {
    // A call example ends by printing (or by main().catch printing the error).
    if (sample.kind === "call example") await run.printed
    await Promise.allSettled(run.calls)
    const models = await Promise.all(run.clients.map((client) => client.getCredential()))
    await Promise.all(run.clients.map((client) => client.close()))
    return models
  }).pipe(Effect.timeout(Duration.seconds(15)))

// Method 3's call example gives AssumeRole the request class, not an instance
// (`const assumeRoleRequest = Sts20150401.AssumeRoleRequest;`): the STS SDK rejects it before any
// credential is read, with the official package as with ours.
const wrongRequest = (sample: Sample) =>
  sample.code.includes("const assumeRoleRequest = Sts20150401.AssumeRoleRequest;")

const broken = (sample: Sample) =>
  /const credentialClient = new Credential\(config\);/.test(sample.code) && sample.kind === "client"

describe("the documentation's Node samples, through the facade", () => {
  for (const sample of samples) {
    const name = `${sample.section}: ${sample.kind}`
    if (broken(sample)) {
      it.scopedLive(`${name}: calls the module as a constructor, a TypeError with the official package too`, () =>
        Effect.gen(function*() {
          const emulator = yield* Emulator.make({ accessKeys: [key] })
          Object.assign(process.env, env)
          const theirs = Effect.try(() => runSample(emulator, sample, Official))
          const ours = Effect.try(() => runSample(emulator, sample, "ours"))
          const [a, b] = [yield* Effect.flip(theirs), yield* Effect.flip(ours)]
          expect((a.error as Error).message).toBe("Credential is not a constructor")
          expect((b.error as Error).message).toBe("Credential is not a constructor")
        }))
      continue
    }
    it.scopedLive(name, () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ accessKeys: [key] })
        Object.assign(process.env, env)
        // The samples that read a security token from the environment get one.
        if (sample.code.includes("process.env.ALIBABA_CLOUD_SECURITY_TOKEN")) {
          process.env.ALIBABA_CLOUD_SECURITY_TOKEN = "SECRET-seed-token"
        } else delete process.env.ALIBABA_CLOUD_SECURITY_TOKEN
        const run = runSample(emulator, sample, "ours")
        if (wrongRequest(sample)) {
          yield* settle(run, sample)
          expect(run.errors).toMatchObject([{ message: "request.validate is not a function" }])
          return
        }
        const models = yield* settle(run, sample)
        expect(run.errors).toEqual([])
        expect(run.clients.length).toBeGreaterThan(0)
        for (const model of models) expect(model.accessKeyId || model.bearerToken).toBeTruthy()
        if (sample.kind === "call example") {
          expect(run.logs.length).toBe(1)
          const request = Option.getOrThrow(yield* emulator.lastRequest("sts"))
          expect(request.params.Action ?? request.headers["x-acs-action"]).toBeDefined()
          const counters = yield* emulator.counters("sts")
          if (!sample.section.startsWith("Method 8")) expect(counters.failed).toBe(0)
        }
      }))
  }
})
