// The official tool's inner client: what the public `credential` field of a `Credential` holds,
// what the official SDKs read their credential through, and what the client's methods delegate to.
// It turns an engine's answers into the official `CredentialModel`.
import type { Answer, Engine } from "./answer.js"
import { CredentialModel, type ICredential } from "./model.js"

/** The official `InnerCredentialsClient`, over one engine. */
export class InnerCredentialsClient implements ICredential {
  readonly #type: string
  readonly #engine: Engine
  readonly #bearerToken: string | undefined

  constructor(type: string, engine: Engine, bearerToken: string | undefined) {
    this.#type = type
    this.#engine = engine
    this.#bearerToken = bearerToken
  }

  async getAccessKeyId(): Promise<string> {
    return (await this.#engine.get()).accessKeyId
  }

  async getAccessKeySecret(): Promise<string> {
    return (await this.#engine.get()).accessKeySecret
  }

  // As the official declares it: `string`, `undefined` when there is no token.
  async getSecurityToken(): Promise<string> {
    return (await this.#engine.get()).securityToken as string
  }

  // As the official declares it: `string`, `undefined` except for a bearer client.
  getBearerToken(): string {
    return this.#bearerToken as string
  }

  getType(): string {
    return this.#type
  }

  async getCredential(): Promise<CredentialModel> {
    return this.#model(await this.#engine.get())
  }

  async refresh(): Promise<CredentialModel> {
    return this.#model(await this.#engine.refresh())
  }

  // The model built from the last answer, kept while the answer is the same (the credential has
  // not changed): its secrets are set once, which costs ~300 ns; each call then gets a fresh object
  // (callers may change theirs) in front of it, with the official model's own enumerable fields.
  #template: { readonly answer: Answer; readonly model: CredentialModel } | undefined

  #model(answer: Answer): CredentialModel {
    if (this.#template?.answer !== answer) this.#template = { answer, model: this.#build(answer) }
    const template = this.#template.model
    const model = Object.create(template) as CredentialModel
    if (template.accessKeyId !== undefined) model.accessKeyId = template.accessKeyId
    if (template.type !== undefined) model.type = template.type
    if (template.providerName !== undefined) model.providerName = template.providerName
    if (template.expiration !== undefined) model.expiration = template.expiration
    return model
  }

  #build(answer: Answer): CredentialModel {
    if (answer.kind === "bearer") {
      return new CredentialModel({
        accessKeyId: "",
        accessKeySecret: "",
        securityToken: "",
        bearerToken: answer.bearerToken ?? "",
        type: this.#type
      })
    }
    return new CredentialModel({
      accessKeyId: answer.accessKeyId,
      accessKeySecret: answer.accessKeySecret,
      securityToken: answer.securityToken,
      type: this.#type,
      providerName: answer.providerName,
      expiration: answer.expiration
    })
  }

  close(): Promise<void> {
    return this.#engine.close()
  }

  toString(): string {
    return `Credential(${this.#type})`
  }

  toJSON(): { readonly type: string } {
    return { type: this.#type }
  }
}

// Its name as `util.inspect` shows it (`credential: InnerCredentialsClient {}`, as the official's),
// in the minified bundle too (the entry names the exported classes: see ./entry.ts).
Object.defineProperty(InnerCredentialsClient, "name", { value: "InnerCredentialsClient", configurable: true })
