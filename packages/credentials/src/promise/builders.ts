// The official builders, made from their setters: each setter (`withRoleArn`) writes one field
// (`roleArn`) and returns the builder. A provider's description lists its setters once; the
// builder's class, its declared fields and methods (as the official declarations have them), and
// how its fields read as the official `Config` keys all come from that list.
import type { ConfigOptions } from "./model.js"
import { defineSecret } from "./model.js"

/**
 * One setter of an official builder: the field it writes, the `Config` key that field stands for
 * (`durationSeconds` is the Config's `roleSessionExpiration`; none for a field that is not an
 * option, such as the signer), and whether it holds a secret (a property that is not enumerable,
 * masked in renderings). `declared` is never set: it carries the field's declared type, and whether
 * the official declaration makes it optional.
 */
export interface Setter<Field extends string, Value, Optional extends boolean> {
  readonly field: Field
  readonly configKey: keyof ConfigOptions | undefined
  readonly secret: boolean
  readonly declared?: { readonly value: Value; readonly optional: Optional }
}

/** The setters of a builder, by method name. */
export type Setters = { readonly [method: string]: Setter<string, unknown, boolean> }

type ValueOf<S> = S extends Setter<string, infer V, boolean> ? V : never

/** The fields a builder holds, as the official declares them (some optional). */
export type Fields<S extends Setters> =
  & { -readonly [M in keyof S as S[M] extends Setter<infer F, unknown, false> ? F : never]: ValueOf<S[M]> }
  & { -readonly [M in keyof S as S[M] extends Setter<infer F, unknown, true> ? F : never]?: ValueOf<S[M]> }

/** A builder: its fields, a setter for each (returning the builder it is called on), and `build()`. */
export type Builder<S extends Setters, P> =
  & Fields<S>
  & { readonly [M in keyof S]: <B>(this: B, value: ValueOf<S[M]>) => B }
  & { build(): P }

/** A setter of an option of the official `Config` (by default, the key of the field's name). */
export const option =
  <Value, Optional extends boolean = false>() =>
  <Field extends string>(field: Field, configKey?: keyof ConfigOptions): Setter<Field, Value, Optional> => ({
    field,
    configKey: configKey ?? (field as keyof ConfigOptions),
    secret: false
  })

/** A setter of a secret option (an AccessKey secret, a security token). */
export const secret = <Field extends keyof ConfigOptions & string>(field: Field): Setter<Field, string, false> => ({
  field,
  configKey: field,
  secret: true
})

/** A setter of a field that is not an option of the `Config` (the signer, a profile name). */
export const own = <Value>() => <Field extends string>(field: Field): Setter<Field, Value, false> => ({
  field,
  configKey: undefined,
  secret: false
})

/**
 * The builder class of `setters`: made with the provider it builds, whose `build()` runs `check`
 * first (the official builders check what they must).
 */
export const builderClass = <S extends Setters>(
  setters: S,
  check: ((builder: Fields<S>) => void) | undefined
): new<P>(make: (builder: Fields<S>) => P) => Builder<S, P> => {
  const Class = class {
    readonly #make: (builder: Fields<S>) => unknown

    constructor(make: (builder: Fields<S>) => unknown) {
      this.#make = make
    }

    build(): unknown {
      const builder = this as unknown as Fields<S>
      check?.(builder)
      return this.#make(builder)
    }
  }
  for (const [method, { field, secret }] of Object.entries(setters)) {
    Object.defineProperty(Class.prototype, method, {
      value: function(this: object, value: unknown) {
        if (secret) defineSecret(this, field, value)
        else Reflect.set(this, field, value)
        return this
      },
      writable: true,
      configurable: true
    })
  }
  return Class as unknown as new<P>(make: (builder: Fields<S>) => P) => Builder<S, P>
}

/** What a builder holds, read as the official `Config` of `type`. */
export const configOf = <S extends Setters>(type: string, setters: S, builder: Fields<S>): ConfigOptions => {
  const config: { [key: string]: unknown } = { type }
  for (const { configKey, field } of Object.values(setters)) {
    const value: unknown = Reflect.get(builder, field)
    if (configKey !== undefined && value !== undefined && value !== null) config[configKey] = value
  }
  return config
}

/** The builder's field that stands for a `Config` key (to name it in errors). */
export const fieldOf = (setters: Setters, configKey: string): string =>
  Object.values(setters).find((setter) => setter.configKey === configKey)?.field ?? configKey
