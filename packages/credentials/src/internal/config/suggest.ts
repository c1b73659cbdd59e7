// "Did you mean ...?" for a name that is not one of the names a field takes (a credential type, a
// profile mode): the closest by edit distance, compared without case, when it is close enough to
// be a typo. One rule for the facade's `type`, config.json's `mode` and the ini file's `type`.

// Levenshtein distance, an adjacent swap counting as one edit ("acess" and "acces" are one typo
// each); both inputs are short names.
const distance = (a: string, b: string): number => {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, substitution)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      }
      rows[i]![j] = best
    }
  }
  return rows[a.length]![b.length]!
}

// Longer inputs are not compared: a name is short, and the table above is quadratic.
const maxLength = 64

/**
 * The known name closest to `given`, if it is within a typo's reach: at most 2 edits, and at most
 * a third of its length (so that "sts" does not suggest "ak").
 */
export const closest = (given: string, known: ReadonlyArray<string>): string | undefined => {
  if (given.length > maxLength) return undefined
  const folded = given.toLowerCase()
  let best: { readonly name: string; readonly edits: number } | undefined
  for (const name of known) {
    const edits = distance(folded, name.toLowerCase())
    if (best === undefined || edits < best.edits) best = { name, edits }
  }
  return best !== undefined && best.edits <= 2 && best.edits * 3 <= Math.max(given.length, best.name.length)
    ? best.name
    : undefined
}

/** ` (did you mean "access_key"?)`, or nothing. */
export const didYouMean = (given: string, known: ReadonlyArray<string>): string => {
  const name = closest(given, known)
  return name === undefined ? "" : ` (did you mean ${JSON.stringify(name)}?)`
}
