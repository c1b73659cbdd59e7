// Which of esbuild's chunks go into one file (scripts/bundle.mjs). esbuild splits the facade into a
// chunk per set of entry points (the facade, and each dynamic import: the network engine, each
// source, the Node platform) that reach a module: ~60 files, ~40 of which a process loads for its
// first role credential, each a file to resolve, read and wrap (~0.2 ms apiece on a loaded
// machine). But a dynamic import runs only after the code that makes it has loaded: a source is
// imported by the engine, so a chunk the engine and the source both reach is loaded with the
// engine, never with the source. Grouped by when they load, the chunks fit in a few files, each
// read once and all of whose chunks run when it is read.
//
// A load is the facade's import or a dynamic import. What is surely loaded when a dynamic import
// runs is what every chunk making it could have been loaded with (a fixpoint, from "everything"
// down); a load brings in its static closure less that. Chunks that arrive with the same loads
// share a file.

/** The chunks a chunk reaches through static imports, itself included. */
const closureOf = (staticImports) => {
  const memo = new Map()
  const closure = (name) => {
    let found = memo.get(name)
    if (found !== undefined) return found
    found = new Set([name])
    memo.set(name, found)
    for (const next of staticImports.get(name) ?? []) for (const reached of closure(next)) found.add(reached)
    return found
  }
  return closure
}

const intersect = (a, b) => (a === undefined ? new Set(b) : new Set([...a].filter((x) => b.has(x))))

const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x))

/**
 * The file of each chunk: `root` (the facade's entry) for the chunks its import loads, a dynamic
 * import's target for the chunks that only that import loads, `shared-<n>` for chunks that two or
 * more loads may bring in first. `staticImports` and `dynamicImports` map each chunk's name to the
 * chunks it imports.
 */
export const groupChunks = ({ root, staticImports, dynamicImports }) => {
  const closure = closureOf(staticImports)
  const loads = [root, ...new Set([...dynamicImports.values()].flat())]
  const all = new Set(staticImports.keys())
  // What is surely loaded when each load starts: nothing for the facade's import; for a dynamic
  // import, what every chunk making it was surely loaded with.
  const before = new Map(loads.map((load) => [load, load === root ? new Set() : all]))
  const loadedWith = (chunk) => {
    let surely
    for (const load of loads) {
      if (closure(load).has(chunk)) surely = intersect(surely, new Set([...before.get(load), ...closure(load)]))
    }
    return surely ?? new Set()
  }
  for (let changed = true; changed;) {
    changed = false
    for (const load of loads) {
      if (load === root) continue
      let surely
      for (const [chunk, targets] of dynamicImports) {
        if (targets.includes(load)) surely = intersect(surely, loadedWith(chunk))
      }
      const next = surely ?? new Set()
      if (!sameSet(next, before.get(load))) {
        before.set(load, next)
        changed = true
      }
    }
  }
  // Each chunk: the loads that may bring it in first; one file per distinct set of loads.
  const loadsOf = new Map()
  for (const load of loads) {
    for (const chunk of closure(load)) {
      if (before.get(load).has(chunk)) continue
      loadsOf.set(chunk, [...(loadsOf.get(chunk) ?? []), load])
    }
  }
  const shared = new Map()
  const fileOf = new Map()
  for (const [chunk, bringers] of loadsOf) {
    const key = bringers.sort().join(" ")
    if (bringers.length === 1) fileOf.set(chunk, bringers[0])
    else {
      if (!shared.has(key)) shared.set(key, `shared-${shared.size + 1}`)
      fileOf.set(chunk, shared.get(key))
    }
  }
  return fileOf
}
