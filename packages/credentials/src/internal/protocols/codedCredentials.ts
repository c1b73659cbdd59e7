// The credential body that the ECS metadata service and a credentials URI both answer:
// `{ Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration }`, with `Code: "Success"`.
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Credential from "../../Credential.js"
import { decodeJson } from "../decode/json.js"
import * as Upstream from "../upstream/pipeline.js"

const CodedCredentials = Schema.Struct({
  Code: Schema.String,
  AccessKeyId: Schema.String.pipe(Schema.minLength(1)),
  AccessKeySecret: Schema.Redacted(Schema.String.pipe(Schema.minLength(1))),
  SecurityToken: Schema.Redacted(Schema.String.pipe(Schema.minLength(1))),
  Expiration: Schema.DateTimeUtc
})

/** Decodes the body; a `Code` other than `Success` is the service refusing, with `fix`. */
export const decodeCodedCredentials = (options: {
  readonly providerName: string
  readonly body: string
  readonly fix: string
}): Either.Either<Credential.Credential, string | Upstream.Refused> =>
  Either.flatMap(
    decodeJson(CodedCredentials, options.body),
    (decoded): Either.Either<Credential.Credential, string | Upstream.Refused> =>
      decoded.Code === "Success"
        ? Either.right(Credential.make({
          type: "sts",
          accessKeyId: decoded.AccessKeyId,
          accessKeySecret: decoded.AccessKeySecret,
          securityToken: decoded.SecurityToken,
          expiration: decoded.Expiration,
          providerName: options.providerName
        }))
        : Either.left(new Upstream.Refused(decoded.Code, options.fix))
  )
