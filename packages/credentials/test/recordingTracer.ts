// Records every span the program starts, through the default tracer (for assertions on spans).
import { Effect, Tracer } from "effect"

export const recording = Effect.gen(function*() {
  const spans: Array<Tracer.Span> = []
  const base = yield* Effect.tracer
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: base.context
  })
  return { spans, tracer }
})
