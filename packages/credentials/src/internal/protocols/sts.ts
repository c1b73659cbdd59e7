// The STS protocol: AssumeRole (signed) and AssumeRoleWithOIDC (anonymous), as the official Node
// tool sends them (POST, signing parameters in the query, the others in a form body), and their
// answers decoded with Schema.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"
import * as Credential from "../../Credential.js"
import { type CredentialsError, InvalidConfiguration } from "../../CredentialsError.js"
import { decodeJson } from "../decode/json.js"
import { formatTimestamp } from "../signing/encode.js"
import { signRpc } from "../signing/sign.js"
import * as Upstream from "../upstream/pipeline.js"

const NonEmpty = Schema.String.pipe(Schema.minLength(1))

const StsCredentials = Schema.Struct({
  Credentials: Schema.Struct({
    AccessKeyId: NonEmpty,
    AccessKeySecret: Schema.Redacted(NonEmpty),
    SecurityToken: Schema.Redacted(NonEmpty),
    Expiration: Schema.DateTimeUtc
  })
})

// What to do about the service's error codes that mean the configuration is wrong.
const fixes: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /^InvalidAccessKeyId/,
    "the AccessKey ID that signs the request does not exist or is disabled: check the source credential"
  ],
  [/^SignatureDoesNotMatch$/, "the AccessKey secret of the source credential does not match its ID"],
  [/^InvalidSecurityToken/, "the source credential's security token is invalid or expired"],
  [/^NoPermission$/, "grant the caller AliyunSTSAssumeRoleAccess and check the role's trust policy"],
  [/^EntityNotExist\.Role$/, "the role ARN names no existing role: check roleArn"],
  [/^InvalidParameter\.RoleSessionName/, "roleSessionName must be 2-64 characters of letters, digits and . @ - _"],
  [/^InvalidParameter\.DurationSeconds/, "roleSessionExpiration exceeds the role's maximum session duration"],
  [/^AuthenticationFail\.OIDCToken/, "the OIDC token is invalid or expired: check the token file"],
  [/^Throttling/, "STS throttled the request: it is retried; lower the request rate if it persists"]
]

const fixFor = (_status: number, code: string | undefined) =>
  code === undefined ? undefined : fixes.find(([re]) => re.test(code))?.[1]

/** Reads an STS answer's credential. */
const decodeCredential = (providerName: string) => (body: string) =>
  Either.map(decodeJson(StsCredentials, body), ({ Credentials }) =>
    Credential.make({
      type: "sts",
      accessKeyId: Credentials.AccessKeyId,
      accessKeySecret: Credentials.AccessKeySecret,
      securityToken: Credentials.SecurityToken,
      expiration: Credentials.Expiration,
      providerName
    }))

export interface Call {
  readonly source: string
  /** The STS URL, e.g. `https://sts.aliyuncs.com/`. */
  readonly url: string
  readonly upstream: Upstream.Policy
  readonly providerName: string
}

export interface AssumeRoleParams {
  readonly roleArn: string
  readonly roleSessionName: string
  readonly durationSeconds: number
  readonly policy?: string | undefined
  readonly externalId?: string | undefined
}

const defined = (record: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined))

const send = (
  call: Call,
  query: Readonly<Record<string, string>>,
  body: Record<string, string>,
  headers: Record<string, string>,
  secrets: ReadonlyArray<string>
) =>
  Upstream.exchange(call.source, call.upstream, {
    request: HttpClientRequest.post(call.url).pipe(
      HttpClientRequest.setUrlParams(query),
      HttpClientRequest.bodyUrlParams(body),
      HttpClientRequest.setHeaders(headers)
    ),
    secrets,
    decode: decodeCredential(call.providerName),
    fix: fixFor
  })

/** AssumeRole, signed with `signer` (a fresh nonce and timestamp on every call, so retries re-sign). */
export const assumeRole = (
  call: Call,
  signer: Credential.Credential,
  params: AssumeRoleParams
): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    if (signer.type === "bearer") {
      return yield* new InvalidConfiguration({
        source: call.source,
        field: "source",
        reason: "is a bearer token, which cannot sign AssumeRole",
        fix: "give the role an AccessKey or STS source credential"
      })
    }
    const body = defined({
      RoleArn: params.roleArn,
      Policy: params.policy,
      ExternalId: params.externalId,
      RoleSessionName: params.roleSessionName,
      DurationSeconds: String(params.durationSeconds)
    })
    // The signer of `Signing.ts` (the RPC style: signing parameters in the query, the rest in the form)
    const { query } = signRpc(
      { method: "POST", action: "AssumeRole", version: "2015-04-01", form: body },
      signer,
      { epochMillis: yield* Clock.currentTimeMillis, nonce: randomBytes(16).toString("hex") }
    )
    const secrets = [Redacted.value(signer.accessKeySecret)]
    if (signer.securityToken !== undefined) secrets.push(Redacted.value(signer.securityToken))
    return yield* send(call, query, body, { "x-acs-credentials-provider": signer.providerName }, secrets)
  })

export interface OidcParams {
  readonly roleArn: string
  readonly oidcProviderArn: string
  readonly oidcToken: Redacted.Redacted<string>
  readonly roleSessionName: string
  readonly durationSeconds: number
  readonly policy?: string | undefined
}

/** AssumeRoleWithOIDC: anonymous, the token in the body. */
export const assumeRoleWithOidc = (
  call: Call,
  params: OidcParams
): Effect.Effect<Credential.Credential, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const query = {
      Version: "2015-04-01",
      Action: "AssumeRoleWithOIDC",
      Format: "JSON",
      Timestamp: formatTimestamp(yield* Clock.currentTimeMillis)
    }
    const body = defined({
      OIDCProviderArn: params.oidcProviderArn,
      OIDCToken: Redacted.value(params.oidcToken),
      RoleArn: params.roleArn,
      Policy: params.policy,
      RoleSessionName: params.roleSessionName,
      DurationSeconds: String(params.durationSeconds)
    })
    return yield* send(call, query, body, {}, [Redacted.value(params.oidcToken)])
  })

/** The STS URL as the official tool derives it: an explicit endpoint, else from the region and VPC flag. */
export const stsUrl = (options: {
  readonly stsEndpoint?: string | undefined
  readonly stsRegionId?: string | undefined
  readonly enableVpc?: boolean | undefined
}): string => {
  if (options.stsEndpoint !== undefined && options.stsEndpoint.length > 0) {
    // a host[:port] as in the official tool (https), or a whole URL (tests: http://127.0.0.1:port)
    const url = options.stsEndpoint.includes("://") ? options.stsEndpoint : `https://${options.stsEndpoint}`
    return url.endsWith("/") ? url : `${url}/`
  }
  if (options.stsRegionId !== undefined && options.stsRegionId.length > 0) {
    return `https://${options.enableVpc === true ? "sts-vpc" : "sts"}.${options.stsRegionId}.aliyuncs.com/`
  }
  return "https://sts.aliyuncs.com/"
}
