// The bridge from an Effect program's `Credentials` to the official SDKs: an object of the official
// `Credential` shape (`getCredential()` and the getters) whose every call runs the service's `get`
// on the program's runtime. The SDK client and the program then share one cache, one refresh fiber
// and one AssumeRole per rotation. A Promise edge, like the rest of this folder.
import * as Runtime from "effect/Runtime"
import type { Credentials } from "../Credentials.js"
import { type Answer, keep, type Kept, settle } from "./answer.js"
import { CredentialModel, type ICredential } from "./model.js"

const what = "the SDK credential bridge"

export class SdkCredential implements ICredential {
  readonly #service: Credentials["Type"]
  readonly #runtime: Runtime.Runtime<never>
  #kept: Kept | undefined

  constructor(service: Credentials["Type"], runtime: Runtime.Runtime<never>) {
    this.#service = service
    this.#runtime = runtime
  }

  async #answer(): Promise<Answer> {
    const exit = await Runtime.runPromiseExit(this.#runtime)(this.#service.get)
    this.#kept = keep(this.#kept, settle(exit, what))
    return this.#kept.answer
  }

  async getAccessKeyId(): Promise<string> {
    return (await this.#answer()).accessKeyId
  }

  async getAccessKeySecret(): Promise<string> {
    return (await this.#answer()).accessKeySecret
  }

  // As the official declares it: `string`, `undefined` when there is no token.
  async getSecurityToken(): Promise<string> {
    return (await this.#answer()).securityToken as string
  }

  // As the official declares it: synchronous; the last bearer token handed out.
  getBearerToken(): string {
    return this.#kept?.answer.bearerToken as string
  }

  // The official types: `access_key`, `sts`, `bearer` (the SDKs sign unless it is `bearer`).
  getType(): string {
    return this.#kept?.answer.kind ?? "default"
  }

  async getCredential(): Promise<CredentialModel> {
    const answer = await this.#answer()
    return new CredentialModel({
      accessKeyId: answer.accessKeyId,
      accessKeySecret: answer.accessKeySecret,
      securityToken: answer.securityToken,
      bearerToken: answer.bearerToken,
      type: answer.kind,
      providerName: answer.providerName,
      expiration: answer.expiration
    })
  }
}
