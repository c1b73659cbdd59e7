// The credential body that the ECS metadata service and a credentials URI both answer:
// `{ Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration }`, with `Code: "Success"`.
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Credential from "../Credential.js"
import { type CredentialsError, MalformedResponse, UpstreamError } from "../CredentialsError.js"
import { decodeJson } from "./decode.js"

const CodedCredentials = Schema.Struct({
  Code: Schema.String,
  AccessKeyId: Schema.String.pipe(Schema.minLength(1)),
  AccessKeySecret: Schema.Redacted(Schema.String.pipe(Schema.minLength(1))),
  SecurityToken: Schema.Redacted(Schema.String.pipe(Schema.minLength(1))),
  Expiration: Schema.DateTimeUtc
})

/** Decodes the body; a `Code` other than `Success` is an UpstreamError with `fix`. */
export const decodeCodedCredentials = (options: {
  readonly source: string
  readonly endpoint: string
  readonly providerName: string
  readonly body: string
  readonly fix: string
}): Effect.Effect<Credential.Credential, CredentialsError> =>
  decodeJson(CodedCredentials, options.body, (detail) =>
    new MalformedResponse({ source: options.source, endpoint: options.endpoint, detail })).pipe(
      Effect.flatMap((decoded) =>
        decoded.Code === "Success"
          ? Effect.succeed(Credential.make({
            type: "sts",
            accessKeyId: decoded.AccessKeyId,
            accessKeySecret: decoded.AccessKeySecret,
            securityToken: decoded.SecurityToken,
            expiration: decoded.Expiration,
            providerName: options.providerName
          }))
          : Effect.fail(
            new UpstreamError({
              source: options.source,
              endpoint: options.endpoint,
              status: 200,
              code: decoded.Code,
              fix: options.fix
            })
          )
      )
    )
