// The facade's `Config` and builders read by the configuration rules every input follows
// (src/promise/config.ts over src/internal/config/rules.ts), against the emulator, on the live clock
// (the facade's runtime runs on it):
// - `enableVpc: "true"` (the official package declares a string) sends AssumeRole to
//   `sts-vpc.<region>.aliyuncs.com`, and `"false"` to `sts.<region>`; an upper-case region is
//   folded. Shown without a DNS lookup or a packet outside the loopback: the `proxy` option points
//   at the suite's loopback CONNECT proxy, which records the target host and refuses it unopened;
// - empty (or blank) optional strings are "not set": no Policy, no ExternalId, the generated session
//   name; an empty roleArn, roleSessionName or stsRegionId takes its variable, as the official does;
// - numbers given as their decimal strings are read as the numbers;
// - a value that is refused names the Config key (or the builder's field), and nothing is sent.
import { Emulator } from "@effect-alicloud/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { inspect } from "node:util"
import Credential, {
  Config,
  type ConfigOptions,
  RAMRoleARNCredentialsProvider,
  StaticAKCredentialsProvider
} from "./facade.js"
import * as LoopbackProxy from "./loopbackProxy.js"

const key = { accessKeyId: "LTAI5tConfigModelKey01", accessKeySecret: "config-model-secret-01" } as const
const roleArn = "acs:ram::1234567890123456:role/config-model"

const promise = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as Error & { cause?: unknown } }).pipe(
    Effect.timeoutFail({
      duration: Duration.seconds(10),
      onTimeout: () => new Error("test timeout") as Error & { cause?: unknown }
    })
  )

const closing = <A extends { close: () => Promise<void> }>(make: () => A) =>
  Effect.acquireRelease(Effect.sync(make), (a) => Effect.promise(() => a.close()))

// Nothing of the machine's environment may pick a host, a proxy or a role for these clients.
const saved = { ...process.env }
beforeAll(() => {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("ALIBABA_CLOUD_") || /^(https?|no|all)_proxy$/i.test(name)) delete process.env[name]
  }
})
afterAll(() => {
  process.env = saved
})

const withEnv = (vars: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => Object.assign(process.env, vars)),
    () => Effect.sync(() => Object.keys(vars).forEach((name) => delete process.env[name]))
  )

// A ram_role_arn client signed by `key`, at the emulator's STS, closed with the test.
const roleClient = (emulator: Emulator.EmulatorShape, options: Record<string, unknown>) =>
  closing(() =>
    new Credential(new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl, ...options }))
  )

// A RAMRoleARNCredentialsProvider signed by `key`, configured by `configure`, closed with the test.
const roleProvider = (configure: (builder: ReturnType<typeof RAMRoleARNCredentialsProvider.builder>) => void) =>
  closing(() => {
    const builder = RAMRoleARNCredentialsProvider.builder()
      .withCredentialsProvider(
        StaticAKCredentialsProvider.builder().withAccessKeyId(key.accessKeyId).withAccessKeySecret(key.accessKeySecret)
          .build()
      )
      .withRoleArn(roleArn)
    configure(builder)
    return builder.build()
  })

// The host a ram_role_arn client sends AssumeRole to: its one CONNECT through a fresh loopback
// proxy, which refuses any target but 127.0.0.1 without dialling it (so the call fails).
const stsHostOf = (options: ConfigOptions) =>
  Effect.gen(function*() {
    const proxy = yield* LoopbackProxy.make
    const client = yield* closing(() =>
      new Credential(
        new Config({
          type: "ram_role_arn",
          ...key,
          roleArn,
          timeout: 1000,
          connectTimeout: 1000,
          ...options,
          proxy: proxy.url
        })
      )
    )
    yield* Effect.flip(promise(() => client.getCredential()))
    const targets = yield* proxy.targets
    expect(new Set(targets).size).toBe(1)
    return targets[0]
  })

describe("Promise facade: the Config read by the configuration rules", () => {
  it.scopedLive("enableVpc \"true\" with a region reaches sts-vpc.<region>; \"false\" the public sts.<region>; an upper-case region is folded", () =>
    Effect.gen(function*() {
      expect(yield* stsHostOf({ stsRegionId: "cn-hangzhou", enableVpc: "true" })).toBe(
        "sts-vpc.cn-hangzhou.aliyuncs.com:443"
      )
      // The official client takes any non-empty string as true: "false" is false here.
      expect(yield* stsHostOf({ stsRegionId: "cn-hangzhou", enableVpc: "false" })).toBe(
        "sts.cn-hangzhou.aliyuncs.com:443"
      )
      expect(yield* stsHostOf({ stsRegionId: "CN-Shanghai", enableVpc: true })).toBe(
        "sts-vpc.cn-shanghai.aliyuncs.com:443"
      )
    }))

  it.scopedLive("the builder's stsRegionId and enableVpc follow the same rules", () =>
    Effect.gen(function*() {
      const proxy = yield* LoopbackProxy.make
      const provider = yield* roleProvider((builder) =>
        builder
          .withStsRegionId("CN-Beijing")
          // What plain JavaScript passes from a variable or a file: the string form
          .withEnableVpc("TRUE" as unknown as boolean)
          .withReadTimeout(1000)
          .withConnectTimeout(1000)
          .withProxy(proxy.url)
      )
      yield* Effect.flip(promise(() => provider.getCredentials()))
      expect(new Set(yield* proxy.targets)).toEqual(new Set(["sts-vpc.cn-beijing.aliyuncs.com:443"]))
    }))

  it.scopedLive("an empty stsRegionId takes ALIBABA_CLOUD_STS_REGION, as the official client", () =>
    Effect.gen(function*() {
      yield* withEnv({ ALIBABA_CLOUD_STS_REGION: "cn-shenzhen" })
      expect(yield* stsHostOf({ stsRegionId: "" })).toBe("sts.cn-shenzhen.aliyuncs.com:443")
    }))

  it.scopedLive("empty optional strings are not set: no Policy, no ExternalId, the generated session name", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      const client = yield* roleClient(emulator, {
        roleSessionName: "",
        policy: "",
        externalId: "  ",
        stsRegionId: "",
        enableVpc: ""
      })
      expect((yield* promise(() => client.getCredential())).accessKeyId).toMatch(/^STS\./)
      const sent = Option.getOrThrow(yield* emulator.lastRequest("sts")).params
      expect(sent.Action).toBe("AssumeRole")
      expect(sent.RoleArn).toBe(roleArn)
      expect(sent.RoleSessionName).toMatch(/^credentials-nodejs-\d+$/)
      expect(Object.keys(sent)).not.toContain("Policy")
      expect(Object.keys(sent)).not.toContain("ExternalId")
    }))

  it.scopedLive("an empty roleArn or roleSessionName takes its variable, as the official client", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      yield* withEnv({ ALIBABA_CLOUD_ROLE_ARN: roleArn, ALIBABA_CLOUD_ROLE_SESSION_NAME: "from-the-variable" })
      const client = yield* roleClient(emulator, { roleArn: "", roleSessionName: "" })
      yield* promise(() => client.getCredential())
      const sent = Option.getOrThrow(yield* emulator.lastRequest("sts")).params
      expect(sent.RoleArn).toBe(roleArn)
      expect(sent.RoleSessionName).toBe("from-the-variable")
    }))

  it.scopedLive("numbers given as strings: roleSessionExpiration \"1800\" is sent as DurationSeconds 1800; string timeouts are read", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      const role = yield* roleClient(emulator, {
        roleSessionExpiration: "1800",
        timeout: "3000",
        connectTimeout: "2000"
      })
      yield* promise(() => role.getCredential())
      expect(Option.getOrThrow(yield* emulator.lastRequest("sts")).params.DurationSeconds).toBe("1800")
      const uri = yield* closing(() =>
        new Credential(
          new Config({ type: "credentials_uri", credentialsURI: emulator.credentialsUri, timeout: "2000" })
        )
      )
      expect((yield* promise(() => uri.getCredential())).accessKeyId).toMatch(/^STS\./)
    }))

  it.scopedLive("a refused value names the Config key or the builder's field; nothing is sent, no secret is shown", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      const refused = (options: Record<string, unknown>) =>
        Effect.gen(function*() {
          const client = yield* closing(() =>
            new Credential(
              new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl, ...options })
            )
          )
          const error = yield* Effect.flip(promise(() => client.getCredential()))
          expect(`${error.message} ${inspect(error.cause)}`).not.toContain(key.accessKeySecret)
          return error.cause
        })
      expect(yield* refused({ enableVpc: "yes" })).toMatchObject({
        _tag: "InvalidConfiguration",
        field: "Config.enableVpc"
      })
      expect(yield* refused({ stsRegionId: "cn hangzhou" })).toMatchObject({
        _tag: "InvalidConfiguration",
        field: "Config.stsRegionId"
      })
      expect(yield* refused({ roleSessionExpiration: "30 minutes" })).toMatchObject({
        _tag: "InvalidConfiguration",
        field: "Config.roleSessionExpiration"
      })
      expect(yield* refused({ accessKeySecret: 42 })).toMatchObject({
        _tag: "InvalidConfiguration",
        field: "Config.accessKeySecret"
      })
      const provider = yield* roleProvider((builder) =>
        builder.withStsEndpoint(emulator.stsUrl).withDurationSeconds("an hour" as unknown as number)
      )
      expect((yield* Effect.flip(promise(() => provider.getCredentials()))).cause).toMatchObject({
        _tag: "InvalidConfiguration",
        field: "durationSeconds"
      })
      expect((yield* emulator.counters("sts")).received).toBe(0)
    }))

  it.scopedLive("decoded when the client is made: the AccessKey variables are read then, as the official builders read them; keys the type does not read are not decoded", () =>
    Effect.gen(function*() {
      const fromEnv = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tFromTheVariable1",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "from-the-variable"
      }
      yield* withEnv(fromEnv)
      // A stray key of another type (an official Config may carry any) is not looked at.
      const client = yield* closing(() =>
        new Credential(new Config({ type: "access_key", accessKeyId: "", stsRegionId: 42, enableVpc: "yes" }))
      )
      for (const name of Object.keys(fromEnv)) delete process.env[name]
      const model = yield* promise(() => client.getCredential())
      expect(model.accessKeyId).toBe(fromEnv.ALIBABA_CLOUD_ACCESS_KEY_ID)
      expect(model.accessKeySecret).toBe(fromEnv.ALIBABA_CLOUD_ACCESS_KEY_SECRET)
    }))
})
