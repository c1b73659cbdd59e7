// A byte stream read whole, up to a bound, in one pass: more than the bound fails as the caller
// says (a hostile answer, a body longer than it claimed) as soon as the chunk that crosses it comes.
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { concatBytes } from "./bytes.js"

export const readAtMost = <E, E2>(
  stream: Stream.Stream<Uint8Array, E>,
  maxBytes: number,
  tooLarge: () => E2
): Effect.Effect<Uint8Array, E | E2> =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return stream.pipe(
      Stream.runForEach((chunk) => {
        size += chunk.length
        if (size > maxBytes) return Effect.fail(tooLarge())
        chunks.push(chunk)
        return Effect.void
      }),
      Effect.map(() => concatBytes(chunks, size))
    )
  })
