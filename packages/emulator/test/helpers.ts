import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as AcsSignature from "../src/AcsSignature.js"
import type { EmulatorShape } from "../src/Emulator.js"
import * as RpcSignature from "../src/RpcSignature.js"

export const start2024 = Date.UTC(2024, 0, 1, 0, 0, 0)

/** Puts the TestClock on 2024-01-01T00:00:00Z. */
export const at2024 = TestClock.setTime(start2024)

export const formatTimestamp = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

let nonceCounter = 0
export const freshNonce = () => `nonce-${process.pid}-${++nonceCounter}`

export interface SignedOptions {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string
  readonly nonce?: string
  readonly timestamp?: string
  readonly body?: Readonly<Record<string, string>>
  readonly method?: "POST" | "GET"
  readonly tamper?: (query: Record<string, string>) => Record<string, string>
  /** The HTTP client to send with (default: fetch). */
  readonly client?: Layer.Layer<HttpClient.HttpClient>
}

export const roleArn = "acs:ram::1234567890123456:role/test-role"

/** Signs and sends AssumeRole like the official Node client (query + form body), or like Java (GET). */
export const assumeRole = (emulator: EmulatorShape, options: SignedOptions) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const query: Record<string, string> = {
      Version: "2015-04-01",
      Action: "AssumeRole",
      Format: "JSON",
      Timestamp: options.timestamp ?? formatTimestamp(now),
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: options.nonce ?? freshNonce(),
      AccessKeyId: options.accessKeyId,
      ...(options.securityToken === undefined ? {} : { SecurityToken: options.securityToken })
    }
    const body = options.body ?? { RoleArn: roleArn, RoleSessionName: "test-session", DurationSeconds: "3600" }
    const method = options.method ?? "POST"
    const signature = RpcSignature.signParams(method, { ...query, ...body }, options.accessKeySecret)
    const signed = (options.tamper ?? ((q) => q))({ ...query, Signature: signature })
    const client = yield* HttpClient.HttpClient
    const request = method === "POST" ?
      HttpClientRequest.post(emulator.stsUrl).pipe(
        HttpClientRequest.setUrlParams(signed),
        HttpClientRequest.bodyUrlParams(body)
      ) :
      HttpClientRequest.get(emulator.stsUrl).pipe(HttpClientRequest.setUrlParams({ ...signed, ...body }))
    return yield* client.execute(request)
  }).pipe(Effect.provide(options.client ?? FetchHttpClient.layer))

/** Anonymous AssumeRoleWithOIDC as the official client sends it. */
export const assumeRoleWithOidc = (emulator: EmulatorShape, body: Readonly<Record<string, string>>) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const client = yield* HttpClient.HttpClient
    return yield* client.execute(
      HttpClientRequest.post(emulator.stsUrl).pipe(
        HttpClientRequest.setUrlParams({
          Version: "2015-04-01",
          Action: "AssumeRoleWithOIDC",
          Format: "JSON",
          Timestamp: formatTimestamp(now)
        }),
        HttpClientRequest.bodyUrlParams(body)
      )
    )
  }).pipe(Effect.provide(FetchHttpClient.layer))

export const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request)).pipe(Effect.provide(FetchHttpClient.layer))

export const StsCredentials = Schema.Struct({
  AccessKeyId: Schema.String,
  AccessKeySecret: Schema.String,
  SecurityToken: Schema.String,
  Expiration: Schema.String
})

export const StsSuccess = Schema.Struct({
  RequestId: Schema.String,
  AssumedRoleUser: Schema.Struct({ Arn: Schema.String, AssumedRoleId: Schema.String }),
  Credentials: StsCredentials
})

export const StsError = Schema.Struct({
  RequestId: Schema.String,
  HostId: Schema.String,
  Code: Schema.String,
  Message: Schema.String,
  Recommend: Schema.String
})

export const MetadataCredentials = Schema.Struct({
  Code: Schema.Literal("Success"),
  AccessKeyId: Schema.String,
  AccessKeySecret: Schema.String,
  SecurityToken: Schema.String,
  Expiration: Schema.String,
  LastUpdated: Schema.String
})

export const UriCredentials = Schema.Struct({
  Code: Schema.Literal("Success"),
  AccessKeyId: Schema.String,
  AccessKeySecret: Schema.String,
  SecurityToken: Schema.String,
  Expiration: Schema.String
})

export const testKey = { accessKeyId: "testAccessKeyId", accessKeySecret: "testAccessKeySecret" } as const

export interface SignedV3Options {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string
  readonly action?: string
  readonly nonce?: string
  readonly date?: string
  readonly algorithm?: AcsSignature.Algorithm
  readonly query?: Readonly<Record<string, string>>
  /** Form body (signed through `x-acs-content-sha256`). */
  readonly body?: Readonly<Record<string, string>>
  /** Changes the headers after signing. */
  readonly tamper?: (headers: Record<string, string>) => Record<string, string>
  /** Changes the body after signing. */
  readonly tamperBody?: (body: string) => string
}

/** Signs and sends an STS call with signature v3, as `@alicloud/openapi-core` `doRequest` does. */
export const signedV3 = (emulator: EmulatorShape, options: SignedV3Options) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const body = options.body === undefined ? undefined : new URLSearchParams(options.body).toString()
    const headers = AcsSignature.signRequest({
      ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
      method: "POST",
      path: "/",
      query: options.query ?? {},
      headers: {
        host: emulator.stsEndpoint,
        "x-acs-action": options.action ?? "GetCallerIdentity",
        "x-acs-version": "2015-04-01",
        "x-acs-date": options.date ?? formatTimestamp(now),
        "x-acs-signature-nonce": options.nonce ?? freshNonce(),
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        ...(options.securityToken === undefined ? {} : { "x-acs-security-token": options.securityToken })
      },
      body,
      accessKeyId: options.accessKeyId,
      accessKeySecret: options.accessKeySecret
    })
    const { host: _, ...sent } = (options.tamper ?? ((h) => h))(headers)
    const sentBody = body === undefined ? undefined : (options.tamperBody ?? ((b) => b))(body)
    let request = HttpClientRequest.post(emulator.stsUrl).pipe(
      HttpClientRequest.setUrlParams(options.query ?? {}),
      HttpClientRequest.setHeaders(sent)
    )
    if (sentBody !== undefined) {
      request = HttpClientRequest.bodyText(request, sentBody, "application/x-www-form-urlencoded")
    }
    return yield* send(request)
  })

export const CallerIdentity = Schema.Struct({
  RequestId: Schema.String,
  AccountId: Schema.String,
  UserId: Schema.String,
  Arn: Schema.String,
  IdentityType: Schema.String,
  PrincipalId: Schema.String,
  RoleId: Schema.optional(Schema.String)
})
