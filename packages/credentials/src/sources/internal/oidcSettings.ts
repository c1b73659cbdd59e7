// The OIDC source's three variables and what it says when none is set. Shared by OidcRoleArn.ts
// and the default chain, which checks them before loading that source: its module brings the STS
// exchange, the upstream pipeline and Schema (~18 modules of ours), and on most machines the chain
// only passes by it.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { NotConfigured } from "../../CredentialsError.js"
import { env, ROLE_ARN } from "../../internal/config/variables.js"

export const OIDC_PROVIDER_ARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
export const OIDC_TOKEN_FILE = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"

export const source = "oidc_role_arn"

export const notConfigured = (): NotConfigured =>
  new NotConfigured({
    source,
    reason: `${ROLE_ARN}, ${OIDC_PROVIDER_ARN} and ${OIDC_TOKEN_FILE} are not set`,
    fix: "set all three (on ACK, enable RRSA for the pod's service account)"
  })

/** Whether the environment sets none of the three (a blank one is unset, as the source reads it). */
export const unsetInEnvironment: Effect.Effect<boolean> = Effect.map(
  Effect.all([env(ROLE_ARN), env(OIDC_PROVIDER_ARN), env(OIDC_TOKEN_FILE)]),
  (values) => values.every(Option.isNone)
)
