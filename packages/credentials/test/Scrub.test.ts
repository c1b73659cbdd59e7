// The scrubber of upstream text runs on the error path: it must cut a secret in every echoed form
// and never throw, whatever the secret holds (a lone UTF-16 surrogate made `encodeURIComponent`
// throw: a defect in place of the upstream's typed error).
import { describe, expect, it } from "@effect/vitest"
import { percentEncode } from "../src/internal/signing/encode.js"
import { scrubber } from "../src/internal/upstream/scrub.js"

describe("scrubber", () => {
  it("a secret with a lone surrogate: cut raw and percent-encoded, no throw", () => {
    const secret = "tok\uD800en(1)*"
    const scrub = scrubber([secret])
    const echoed = `raw=${secret} encoded=${percentEncode(secret)} uri=${percentEncode(secret).replace("%28", "(")}`
    const text = scrub(echoed)
    expect(text).not.toContain("tok\uD800en")
    expect(text).not.toContain(percentEncode(secret))
  })

  it("encodeURIComponent's form and the RFC 3986 form of an ordinary secret are both cut", () => {
    const secret = "a b!c'(d)*e/f"
    const text = scrubber([secret])(`${encodeURIComponent(secret)} ${percentEncode(secret)} ${secret}`)
    expect(text).not.toContain(encodeURIComponent(secret))
    expect(text).not.toContain(percentEncode(secret))
    expect(text).not.toContain(secret)
  })
})
