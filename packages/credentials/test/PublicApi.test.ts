// The public API of `@effect-alicloud/credentials`, pinned. The runtime test lists every name the
// barrel reaches (modules, their members, the tag's static members): a name added or removed fails
// it, so the API widens only on purpose. The type tests are checked by `tsc` (`pnpm check` runs it
// over test/); at run time `expectTypeOf` does nothing.
import * as Api from "@effect-alicloud/credentials"
import {
  AccessKey,
  Bearer,
  Chain,
  Changes,
  CliProfile,
  Credential,
  Credentials,
  CredentialsError,
  CredentialsLive,
  CredentialsUri,
  DefaultChain,
  EcsRamRole,
  Environment,
  HttpTransport,
  IniProfile,
  OidcRoleArn,
  RamRoleArn,
  Refresh,
  SessionCache,
  type Source,
  Sts
} from "@effect-alicloud/credentials"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import type { Config, ConfigError, Context, DateTime, Duration, Layer, Queue, Redacted, Scope, Stream } from "effect"
import { Effect } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"

const expected = [
  "AccessKey.make",
  "Bearer.make",
  "Chain.explain",
  "Changes.changes",
  "Changes.of",
  "Chain.make",
  "Chain.orElse",
  "CliProfile.CLI_PROFILE_DISABLED",
  "CliProfile.PROFILE",
  "CliProfile.make",
  "Credential.Credential",
  "Credential.isCacheable",
  "Credential.isValidAt",
  "Credential.make",
  "Credential.maskAccessKeyId",
  "Credential.remainingMillis",
  "Credential.uncached",
  "Credential.withProviderName",
  "Credentials",
  "Credentials.authErrorCode",
  "Credentials.isAuthError",
  "Credentials.layer",
  "Credentials.layerChain",
  "Credentials.layerConfig",
  "Credentials.layerCredential",
  "Credentials.layerDefault",
  "Credentials.layerTest",
  "Credentials.retryOnAuthError",
  "CredentialsError.ChainExhausted",
  "CredentialsError.CommandFailed",
  "CredentialsError.InvalidConfiguration",
  "CredentialsError.MalformedResponse",
  "CredentialsError.NetworkError",
  "CredentialsError.NotConfigured",
  "CredentialsError.Timeout",
  "CredentialsError.TypeId",
  "CredentialsError.UpstreamError",
  "CredentialsError.isCredentialsError",
  "CredentialsLive",
  "CredentialsUri.CREDENTIALS_URI",
  "CredentialsUri.make",
  "DefaultChain.explain",
  "DefaultChain.layer",
  "DefaultChain.sources",
  "EcsRamRole.ECS_METADATA",
  "EcsRamRole.ECS_METADATA_DISABLED",
  "EcsRamRole.IMDSV1_DISABLED",
  "EcsRamRole.make",
  "EcsRamRole.refreshOptions",
  "Environment.ACCESS_KEY_ID",
  "Environment.ACCESS_KEY_SECRET",
  "Environment.SECURITY_TOKEN",
  "Environment.make",
  "HttpTransport.layer",
  "HttpTransport.layerNode",
  "HttpTransport.layerNodeSystem",
  "IniProfile.CREDENTIALS_FILE",
  "IniProfile.make",
  "OidcRoleArn.OIDC_PROVIDER_ARN",
  "OidcRoleArn.OIDC_TOKEN_FILE",
  "OidcRoleArn.make",
  "RamRoleArn.make",
  "Refresh.make",
  "SdkCredential.make",
  "SignedHttpClient.SignedHttpClient",
  "SignedHttpClient.action",
  "SignedHttpClient.layer",
  "SignedHttpClient.make",
  "Signing.SigningError",
  "Signing.hasSm3",
  "Signing.rpcSignature",
  "Signing.signAcs3",
  "Signing.signRoa",
  "Signing.signRpc",
  "Identity.Tag",
  "IdentityPool.IdentityPoolFull",
  "IdentityPool.make",
  "RequestBudget.DEFAULT_PER_SECOND",
  "RequestBudget.RequestBudget",
  "RequestBudget.layer",
  "RequestBudget.layerDisabled",
  "RequestBudget.make",
  "SessionCache.DEFAULT_DIRECTORY",
  "SessionCache.fileName",
  "Source",
  "Sts.make"
]

// A module namespace lists its members; the tag (a class) its static members; a layer is a leaf.
const isModule = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.prototype.toString.call(value) === "[object Module]"

const runtimeNames = (): Array<string> =>
  Object.entries(Api).flatMap(([name, value]) =>
    isModule(value)
      ? Object.keys(value).length === 0 ? [name] : Object.keys(value).map((member) => `${name}.${member}`)
      : typeof value === "function"
      ? [
        name,
        ...Object.getOwnPropertyNames(value).filter((k) => !["length", "name", "prototype"].includes(k))
          .map((member) => `${name}.${member}`)
      ]
      : [name]
  ).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

describe("public API", () => {
  it("the barrel's runtime names are exactly the documented ones", () => {
    expect(runtimeNames()).toEqual([...expected].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
  })

  it("the barrel holds modules, the tag and CredentialsLive, nothing loose", () => {
    expect(Object.keys(Api).sort()).toEqual([
      "AccessKey",
      "Bearer",
      "Chain",
      "Changes",
      "CliProfile",
      "Credential",
      "Credentials",
      "CredentialsError",
      "CredentialsLive",
      "CredentialsUri",
      "DefaultChain",
      "EcsRamRole",
      "Environment",
      "HttpTransport",
      "Identity",
      "IdentityPool",
      "IniProfile",
      "OidcRoleArn",
      "RamRoleArn",
      "Refresh",
      "RequestBudget",
      "SdkCredential",
      "SessionCache",
      "SignedHttpClient",
      "Signing",
      "Source",
      "Sts"
    ])
  })

  it("types: the model, the errors and a source", () => {
    expectTypeOf<Source.Source>().toEqualTypeOf<
      Effect.Effect<Credential.Credential, CredentialsError.CredentialsError>
    >()
    expectTypeOf<Source.Source<HttpClient.HttpClient>>().toEqualTypeOf<
      Effect.Effect<Credential.Credential, CredentialsError.CredentialsError, HttpClient.HttpClient>
    >()
    expectTypeOf<Credential.CredentialType>().toEqualTypeOf<"access_key" | "sts" | "bearer">()
    expectTypeOf<Credential.CachePolicy>().toEqualTypeOf<"none">()
    expectTypeOf<Credential.Credential>().toMatchTypeOf<Credential.CredentialFields>()
    expectTypeOf<Credential.Credential["accessKeySecret"]>().toEqualTypeOf<Redacted.Redacted<string>>()
    expectTypeOf<Credential.Credential["securityToken"]>().toEqualTypeOf<Redacted.Redacted<string> | undefined>()
    expectTypeOf<Credential.Credential["bearerToken"]>().toEqualTypeOf<Redacted.Redacted<string> | undefined>()
    expectTypeOf<Credential.Credential["expiration"]>().toEqualTypeOf<DateTime.Utc | undefined>()
    expectTypeOf(Credential.make).toEqualTypeOf<(fields: Credential.CredentialFields) => Credential.Credential>()
    expectTypeOf(Credential.withProviderName).toEqualTypeOf<
      (self: Credential.Credential, providerName: string) => Credential.Credential
    >()
    expectTypeOf(Credential.uncached).toEqualTypeOf<(self: Credential.Credential) => Credential.Credential>()
    expectTypeOf(Credential.isCacheable).toEqualTypeOf<(self: Credential.Credential) => boolean>()
    expectTypeOf(Credential.isValidAt).toEqualTypeOf<(self: Credential.Credential, nowMillis: number) => boolean>()
    expectTypeOf(Credential.remainingMillis).toEqualTypeOf<
      (self: Credential.Credential, nowMillis: number) => number
    >()

    expectTypeOf<CredentialsError.CredentialsError>().toEqualTypeOf<
      | CredentialsError.NotConfigured
      | CredentialsError.InvalidConfiguration
      | CredentialsError.UpstreamError
      | CredentialsError.MalformedResponse
      | CredentialsError.Timeout
      | CredentialsError.NetworkError
      | CredentialsError.CommandFailed
      | CredentialsError.ChainExhausted
    >()
    expectTypeOf<CredentialsError.CredentialsError["_tag"]>().toEqualTypeOf<
      | "NotConfigured"
      | "InvalidConfiguration"
      | "UpstreamError"
      | "MalformedResponse"
      | "Timeout"
      | "NetworkError"
      | "CommandFailed"
      | "ChainExhausted"
    >()
    expectTypeOf<CredentialsError.CredentialsError["source"]>().toEqualTypeOf<string>()
    expectTypeOf<CredentialsError.CredentialsError["message"]>().toEqualTypeOf<string>()
    expectTypeOf<CredentialsError.Tried>().toEqualTypeOf<{
      readonly attempts: number
      readonly elapsed: Duration.Duration
      readonly throttled?: number | undefined
    }>()
    expectTypeOf(CredentialsError.isCredentialsError).guards.toEqualTypeOf<CredentialsError.CredentialsError>()
    expectTypeOf<CredentialsError.TypeId>().toEqualTypeOf<typeof CredentialsError.TypeId>()
    expectTypeOf<CredentialsError.NotConfigured>().toMatchTypeOf<{ readonly reason: string; readonly fix: string }>()
    expectTypeOf<CredentialsError.ChainExhausted["failures"]>().toEqualTypeOf<
      ReadonlyArray<Exclude<CredentialsError.CredentialsError, CredentialsError.ChainExhausted>>
    >()
  })

  it("types: the service and its layers", () => {
    expectTypeOf<Context.Tag.Service<Credentials>>().toEqualTypeOf<Credentials.Service>()
    expectTypeOf<Credentials.Service>().toEqualTypeOf<{
      readonly get: Effect.Effect<Credential.Credential, CredentialsError.CredentialsError>
      readonly subscribe: Effect.Effect<Queue.Dequeue<Credential.Credential>, never, Scope.Scope>
      readonly refresh: Effect.Effect<Credential.Credential, CredentialsError.CredentialsError>
      readonly invalidate: Effect.Effect<void>
    }>()
    expectTypeOf(Changes.changes).toEqualTypeOf<Stream.Stream<Credential.Credential, never, Credentials>>()
    expectTypeOf(Changes.of).toEqualTypeOf<(credentials: Credentials.Service) => Stream.Stream<Credential.Credential>>()
    expectTypeOf<Credentials.RetryOnAuthErrorOptions<Error>>().toEqualTypeOf<{
      readonly isAuthError?: ((error: Error) => boolean) | undefined
    }>()
    expectTypeOf(CredentialsLive).toEqualTypeOf<Layer.Layer<Credentials>>()
    expectTypeOf(Credentials.layer(AccessKey.make({ accessKeyId: "id", accessKeySecret: "s" }))).toEqualTypeOf<
      Layer.Layer<Credentials>
    >()
    expectTypeOf(Credentials.layer(CredentialsUri.make(), { jitter: 0 })).toEqualTypeOf<
      Layer.Layer<Credentials, never, HttpClient.HttpClient>
    >()
    expectTypeOf(Credentials.layerChain([Environment.make(), EcsRamRole.make()], { name: "mine" })).toEqualTypeOf<
      Layer.Layer<Credentials, never, HttpClient.HttpClient>
    >()
    expectTypeOf(Credentials.layerCredential).toEqualTypeOf<
      (credential: Credential.Credential) => Layer.Layer<Credentials>
    >()
    expectTypeOf(Credentials.layerTest).parameter(0).toEqualTypeOf<
      readonly [
        Credential.Credential | CredentialsError.CredentialsError,
        ...ReadonlyArray<Credential.Credential | CredentialsError.CredentialsError>
      ]
    >()
    expectTypeOf(Credentials.layerTest).returns.toEqualTypeOf<Layer.Layer<Credentials>>()
    expectTypeOf(Credentials.layerDefault).toEqualTypeOf<(options?: DefaultChain.Options) => Layer.Layer<Credentials>>()
    expectTypeOf(Credentials.layerConfig).toEqualTypeOf<
      (config: Config.Config.Wrap<DefaultChain.Options>) => Layer.Layer<Credentials, ConfigError.ConfigError>
    >()
    const signed: Effect.Effect<number, Error, Scope.Scope> = Effect.fail(new Error("refused"))
    expectTypeOf(Credentials.retryOnAuthError(signed)).toEqualTypeOf<
      Effect.Effect<number, Error | CredentialsError.CredentialsError, Scope.Scope | Credentials>
    >()
    expectTypeOf(signed.pipe(Credentials.retryOnAuthError({ isAuthError: (e) => e.message === "" }))).toEqualTypeOf<
      Effect.Effect<number, Error | CredentialsError.CredentialsError, Scope.Scope | Credentials>
    >()
    expectTypeOf(Credentials.isAuthError).toEqualTypeOf<(error: unknown) => boolean>()
    expectTypeOf(Credentials.authErrorCode).toEqualTypeOf<(error: unknown) => string | undefined>()
  })

  it("types: the sources, each a make with its options", () => {
    expectTypeOf(AccessKey.make).toEqualTypeOf<(options: AccessKey.Options) => Source.Source>()
    expectTypeOf<AccessKey.Options>().toEqualTypeOf<{
      readonly accessKeyId: string
      readonly accessKeySecret: string | Redacted.Redacted<string>
    }>()
    expectTypeOf(Bearer.make).toEqualTypeOf<(options: Bearer.Options) => Source.Source>()
    expectTypeOf(Sts.make).toEqualTypeOf<(options: Sts.Options) => Source.Source>()
    expectTypeOf(Environment.make).toEqualTypeOf<() => Source.Source>()
    expectTypeOf(CredentialsUri.make).toEqualTypeOf<
      (options?: CredentialsUri.Options) => Source.Source<HttpClient.HttpClient>
    >()
    expectTypeOf(EcsRamRole.make).toEqualTypeOf<
      (options?: EcsRamRole.Options) => Source.Source<HttpClient.HttpClient>
    >()
    expectTypeOf(EcsRamRole.refreshOptions).toEqualTypeOf<Refresh.Options>()
    expectTypeOf(IniProfile.make).toEqualTypeOf<
      (options?: IniProfile.Options) => Source.Source<HttpClient.HttpClient | FileSystem.FileSystem>
    >()
    expectTypeOf(CliProfile.make).toEqualTypeOf<
      (
        options?: CliProfile.Options
      ) => Source.Source<HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor>
    >()
    expectTypeOf<IniProfile.Options>().toMatchTypeOf<CliProfile.NetworkOptions>()
    const signer = AccessKey.make({ accessKeyId: "id", accessKeySecret: "s" })
    expectTypeOf(RamRoleArn.make({ source: signer, roleArn: "acs:ram::1:role/r" })).toEqualTypeOf<
      Source.Source<HttpClient.HttpClient>
    >()
    expectTypeOf(RamRoleArn.make({ source: signer, roleArn: "acs:ram::1:role/r", cache: {} })).toEqualTypeOf<
      Source.Source<HttpClient.HttpClient | FileSystem.FileSystem>
    >()
    expectTypeOf<RamRoleArn.CachedOptions<never>>().toMatchTypeOf<RamRoleArn.Options<never>>()
    expectTypeOf(OidcRoleArn.make()).toEqualTypeOf<Source.Source<HttpClient.HttpClient | FileSystem.FileSystem>>()
    expectTypeOf<OidcRoleArn.Options>().toMatchTypeOf<{ readonly roleArn?: string | undefined }>()
    expectTypeOf<SessionCache.Options>().toEqualTypeOf<{
      readonly directory?: string | undefined
      readonly staleWindow?: Duration.DurationInput | undefined
      readonly lockWait?: Duration.DurationInput | undefined
      readonly staleLock?: Duration.DurationInput | undefined
    }>()
    expectTypeOf(SessionCache.fileName).toEqualTypeOf<
      (key: Readonly<Record<string, string | number | undefined>>) => string
    >()
    for (
      const constant of [
        CliProfile.PROFILE,
        CliProfile.CLI_PROFILE_DISABLED,
        CredentialsUri.CREDENTIALS_URI,
        EcsRamRole.ECS_METADATA,
        EcsRamRole.ECS_METADATA_DISABLED,
        EcsRamRole.IMDSV1_DISABLED,
        Environment.ACCESS_KEY_ID,
        Environment.ACCESS_KEY_SECRET,
        Environment.SECURITY_TOKEN,
        IniProfile.CREDENTIALS_FILE,
        OidcRoleArn.OIDC_PROVIDER_ARN,
        OidcRoleArn.OIDC_TOKEN_FILE,
        SessionCache.DEFAULT_DIRECTORY
      ]
    ) expectTypeOf(constant).toBeString()
  })

  it("types: chains, the default chain, the refresh engine and the Node transport", () => {
    const a: Source.Source = Environment.make()
    const b: Source.Source<HttpClient.HttpClient> = CredentialsUri.make()
    expectTypeOf(a.pipe(Chain.orElse(b))).toEqualTypeOf<Source.Source<HttpClient.HttpClient>>()
    expectTypeOf(Chain.orElse(a, b, { onError: "stop" })).toEqualTypeOf<Source.Source<HttpClient.HttpClient>>()
    expectTypeOf(Chain.make([a, b], { name: "mine" })).toEqualTypeOf<
      Effect.Effect<Source.Source<HttpClient.HttpClient>>
    >()
    expectTypeOf(Chain.explain([["env", a], ["uri", b]])).toEqualTypeOf<
      Effect.Effect<ReadonlyArray<Chain.Step>, never, HttpClient.HttpClient>
    >()
    expectTypeOf<Chain.OnError>().toEqualTypeOf<"continue" | "stop">()
    expectTypeOf<Chain.Step["_tag"]>().toEqualTypeOf<"Picked" | "Skipped" | "NotTried">()

    expectTypeOf<DefaultChain.Requirements>().toEqualTypeOf<
      HttpClient.HttpClient | FileSystem.FileSystem | CommandExecutor.CommandExecutor
    >()
    expectTypeOf(DefaultChain.layer).toEqualTypeOf<
      (options?: DefaultChain.Options) => Layer.Layer<Credentials, never, DefaultChain.Requirements>
    >()
    expectTypeOf(DefaultChain.explain).toEqualTypeOf<
      (options?: DefaultChain.Options) => Effect.Effect<ReadonlyArray<Chain.Step>, never, DefaultChain.Requirements>
    >()
    expectTypeOf(DefaultChain.sources()).toHaveProperty("env").toEqualTypeOf<Source.Source>()
    expectTypeOf(Object.keys(DefaultChain.sources()) as Array<keyof ReturnType<typeof DefaultChain.sources>>)
      .toEqualTypeOf<Array<"env" | "oidc_role_arn" | "cli_profile" | "profile" | "ecs_ram_role" | "credentials_uri">>()
    expectTypeOf<DefaultChain.Options>().toMatchTypeOf<CliProfile.NetworkOptions>()

    expectTypeOf(Refresh.make(b)).toEqualTypeOf<
      Effect.Effect<Refresh.Refreshing, never, HttpClient.HttpClient | Scope.Scope>
    >()
    expectTypeOf<Refresh.Refreshing>().toEqualTypeOf<Credentials.Service>()

    expectTypeOf(HttpTransport.layer).toEqualTypeOf<
      (options?: HttpTransport.Options) => Layer.Layer<HttpClient.HttpClient>
    >()
    expectTypeOf(HttpTransport.layerNode).returns.toEqualTypeOf<
      Layer.Layer<HttpClient.HttpClient | CommandExecutor.CommandExecutor | Path.Path | FileSystem.FileSystem>
    >()
    expectTypeOf(HttpTransport.layerNodeSystem).toEqualTypeOf<
      Layer.Layer<CommandExecutor.CommandExecutor | Path.Path | FileSystem.FileSystem>
    >()
  })
})
