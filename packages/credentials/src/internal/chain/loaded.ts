// Modules loaded when a composite source first needs them (the default chain's sources, the CLI
// profile's modes): an application pays only for what its chain reaches.
import * as Effect from "effect/Effect"
import type { Source } from "../../Source.js"

/**
 * What `load` gives, loaded at the first run and kept: later runs (refreshes) neither load nor
 * make it again. Concurrent first runs share one load, so what it makes (a source's memory) is
 * made once. A module that fails to load is a broken install, a defect, not a credential error.
 */
export const loadedOnce = <A>(load: () => Promise<A>): Effect.Effect<A> => {
  let loading: Promise<A> | undefined
  let loaded: Effect.Effect<A> | undefined
  return Effect.suspend(() =>
    loaded ?? Effect.tap(Effect.promise(() => (loading ??= load())), (value) => {
      loaded = Effect.succeed(value)
    })
  )
}

/** A source made when it first runs, from a module loaded then; the made source is kept. */
export const loadedWhenReached = <R>(load: () => Promise<Source<R>>): Source<R> => Effect.flatten(loadedOnce(load))
