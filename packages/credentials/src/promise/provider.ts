// What the facade's providers share: the class every provider of `./providers.ts` is made from,
// given its description (its official name, its builder's setters, how its Effect source is
// built); the official `SessionCredentialProvider` members of the session providers; and the
// recipe of any provider, to sign a role with it.
import * as Duration from "effect/Duration"
import * as Rules from "../internal/config/rules.js"
import { STALE_WINDOW } from "../internal/refresh/timing.js"
import { formatTimestamp } from "../internal/signing/encode.js"
import { type Answer, type Engine } from "./answer.js"
import { type Builder, builderClass, configOf, fieldOf, type Fields, type Setters } from "./builders.js"
import type { Type } from "./config.js"
import { type ConfigOptions, Credentials, type CredentialsProvider, Session } from "./model.js"
import * as Recipe from "./recipe.js"
import { effectEngine } from "./runtime.js"
import { providerSource } from "./static.js"

const recipes = new WeakMap<object, Recipe.Recipe>()

/** The recipe of one of our providers; `undefined` for any other (a custom provider). */
export const recipeOf = (provider: object): Recipe.Recipe | undefined => recipes.get(provider)

/** The recipe of any provider: ours as they are, a custom one asked on every call. */
const anyRecipe = (provider: CredentialsProvider): Recipe.Recipe =>
  recipeOf(provider) ?? { _tag: "Static", source: providerSource(provider), cached: true }

/** One official provider, described once. */
export interface Description<S extends Setters> {
  /** What `getProviderName()` answers. */
  readonly name: string | ((builder: Fields<S>) => string)
  /** Its builder's setters, as the official declares them. */
  readonly setters: S
  /** The `Config` type its builder's options make (their errors name the builder's fields), or its own recipe. */
  readonly source: Type | ((builder: Fields<S>) => Recipe.Recipe)
  /** The provider that signs its role (`ram_role_arn`). */
  readonly signer?: ((builder: Fields<S>) => CredentialsProvider) | undefined
  /** What `build()` checks first, as the official builder does. */
  readonly check?: ((builder: Fields<S>) => void) | undefined
}

const recipeOfBuilder = <S extends Setters>(description: Description<S>, builder: Fields<S>): Recipe.Recipe => {
  const { setters, source } = description
  if (typeof source === "function") return source(builder)
  const signer = description.signer?.(builder)
  return Recipe.ofConfig(configOf(source, setters, builder) as ConfigOptions & { readonly type: Type }, {
    signer: signer === undefined || signer === null ? undefined : anyRecipe(signer),
    naming: (key) => Rules.option(fieldOf(setters, key))
  })
}

const credentialsOf = (answer: Answer): Credentials => {
  const builder = Credentials.builder().withAccessKeyId(answer.accessKeyId).withAccessKeySecret(answer.accessKeySecret)
  if (answer.securityToken !== undefined) builder.withSecurityToken(answer.securityToken)
  if (answer.providerName !== undefined) builder.withProviderName(answer.providerName)
  return builder.build()
}

/**
 * What every provider of ours is: its name, the recipe, the engine, `getCredentials()`,
 * `refresh()` and `close()`.
 */
export class Provider implements CredentialsProvider {
  readonly #name: () => string
  readonly #engine: Engine
  #last: Answer | undefined

  constructor(name: () => string, recipe: Recipe.Recipe) {
    this.#name = name
    recipes.set(this, recipe)
    this.#engine = effectEngine(recipe, "the credentials provider")
  }

  /** The answer itself (for the session methods). */
  protected async answer(): Promise<Answer> {
    const answer = await this.#engine.get()
    this.#last = answer
    return answer
  }

  protected get last(): Answer | undefined {
    return this.#last
  }

  async getCredentials(): Promise<Credentials> {
    return credentialsOf(await this.answer())
  }

  /**
   * Ours: fetches new credentials now, whatever the state of the cached ones (calls made meanwhile
   * share the one fetch), and answers them; later calls get them. For credentials the service
   * refused before their time (a revoked session, a rotated key). A failure rejects and leaves the
   * cached credentials as they were.
   */
  async refresh(): Promise<Credentials> {
    return credentialsOf(await this.refreshed())
  }

  /** A forced fetch (for `refresh()` and the session methods). */
  protected async refreshed(): Promise<Answer> {
    const answer = await this.#engine.refresh()
    this.#last = answer
    return answer
  }

  getProviderName(): string {
    return this.#name()
  }

  /** Ours: stops the provider's background refresh (a forgotten `close()` does not hold the process). */
  close(): Promise<void> {
    return this.#engine.close()
  }
}

/**
 * The public members of the official `SessionCredentialProvider`, for the providers that extend
 * it. The refresh itself is ours (in the background, ahead of expiry): these read its state.
 */
export class SessionProvider extends Provider {
  /** The official refresher: here, the current session. */
  refresher: () => Promise<Session> = () => this.getSession()

  async getSession(): Promise<Session> {
    const answer = await this.answer()
    return new Session(
      answer.accessKeyId,
      answer.accessKeySecret,
      answer.securityToken ?? "",
      // the official Session: the expiration as the RPC timestamp form (seconds, Z)
      answer.expiration === undefined ? "" : formatTimestamp(answer.expiration)
    )
  }

  /** The official method: fetches a new session now (as the official refresher does). */
  async refreshSession(): Promise<void> {
    await this.refreshed()
  }

  /** The official hook; our engine keeps its own timestamps. */
  refreshTimestamp(): void {}

  maxStaleFailureJitter(): number {
    return 10
  }

  jitterTime(time: number, jitterStart: number, jitterEnd: number): number {
    return time + jitterStart + Math.abs(Math.floor(Math.random() * (jitterEnd - jitterStart)))
  }

  /** Whether the next call refreshes: no session yet, or 15 minutes or less left. */
  needUpdateCredential(): boolean {
    const expiration = this.last?.expiration
    return expiration === undefined || Date.now() >= expiration - Duration.toMillis(STALE_WINDOW)
  }

  shouldPrefetchCredential(): boolean {
    return false
  }
}

/** A provider class made from a description: `builder()`, the constructor from a builder, its name. */
export interface ProviderClass<S extends Setters, I> {
  new(builder: Fields<S>): I
  builder<T>(this: new(builder: Fields<S>) => T): Builder<S, T>
}

/** The class of a described provider, on `base` (`Provider`, or `SessionProvider` for the session providers). */
export function providerClass<S extends Setters>(
  description: Description<S>,
  base: typeof SessionProvider
): ProviderClass<S, SessionProvider>
export function providerClass<S extends Setters>(
  description: Description<S>,
  base: typeof Provider
): ProviderClass<S, Provider>
export function providerClass<S extends Setters>(
  description: Description<S>,
  base: typeof Provider
): ProviderClass<S, Provider> {
  const OfficialBuilder = builderClass<S>(description.setters, description.check)
  const { name } = description
  return class extends base {
    static builder<T>(this: new(builder: Fields<S>) => T): Builder<S, T> {
      // Named as the official builders are: `StaticAKCredentialsProviderBuilder`...
      Object.defineProperty(OfficialBuilder, "name", { value: `${this.name}Builder`, configurable: true })
      return new OfficialBuilder((builder) => new this(builder))
    }

    constructor(builder: Fields<S>) {
      super(typeof name === "string" ? () => name : () => name(builder), recipeOfBuilder(description, builder))
    }
  }
}
