// Counts the files of packages/credentials/src that a cold credential `get` enters, in the order
// they are first entered, for three scenarios against the emulator on 127.0.0.1 (`pnpm count-files`;
// how to read the output: docs/testing.md). Runs the TypeScript sources through tsx with the
// `@effect-alicloud/source` condition, so the paths are src paths, never the bundle's.
//
// One file, three roles:
// - the driver (no argument): starts the emulator, writes a temp HOME per scenario, runs each
//   scenario in a child process with a scrubbed environment, prints the lists;
// - a scenario child (`--scenario <name>`): builds the layer (or the facade's client), then runs
//   the first `get` between two markers and reports what ran;
// - the tracer, a worker thread of the child, attached to the child's main thread through the
//   inspector (`connectToMainThread`).
//
// Which files: V8 precise coverage with call counts, reset right before the `get` and read right
// after it. A file counts when one of its functions ran in that window; a module first evaluated in
// the window counts by its top-level code. This is exact, but has no order.
// In which order: the tracer puts a breakpoint on the first statement of every function of every
// src script (positions from V8's own break locations, functions from TypeScript's parser run on
// the very JavaScript V8 compiled). Each hit pauses the main thread; the tracer notes the file and
// resumes. A src module compiled during the window is caught before it runs: the child's own
// same-thread inspector session receives `scriptParsed` synchronously and asks for a pause, which
// lands at the next JavaScript statement, before the module's evaluation; the tracer then
// instruments the new script. No sampling: every entry is seen. The tracer's counts are checked
// against coverage; a function that ran but was never seen entering is reported.
import { fork } from "node:child_process"
import * as Fs from "node:fs"
import { Session } from "node:inspector"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"

const packageRoot = Path.resolve(import.meta.dirname, "..")
const srcUrl = pathToFileURL(Path.join(packageRoot, "src")).href + "/"
const isSrc = (url) => url.startsWith(srcUrl)
const srcPath = (url) => "src/" + url.slice(srcUrl.length).replace(/[?#].*$/, "")

const key = { accessKeyId: "LTAI5tCountFilesKey0001", accessKeySecret: "count-files-secret" }
const roleArn = "acs:ram::1234567890123456:role/count-files"

// The three scenarios: what the driver prepares (a HOME), what the child builds before counting,
// and the `get` that is counted. Only their public imports name the library's modules.
const scenarios = [
  {
    name: "ram-role-arn",
    title: "Credentials.layer(RamRoleArn.make({ source: AccessKey.make(…), roleArn, stsEndpoint })) "
      + "+ HttpTransport.layer(): the first get",
    prepare: () => {},
    build: async (emulator) => {
      const { AccessKey, Credentials, HttpTransport, RamRoleArn } = await import("@effect-alicloud/credentials")
      const { Layer } = await import("effect")
      const source = RamRoleArn.make({ source: AccessKey.make(key), roleArn, stsEndpoint: emulator.stsUrl })
      return effectSubject(Credentials, Credentials.layer(source).pipe(Layer.provide(HttpTransport.layer())))
    }
  },
  {
    name: "default-chain",
    title: "CredentialsLive (the default chain), ~/.aliyun/config.json in RamRoleArn mode: the first get",
    prepare: (home, emulator) => {
      Fs.mkdirSync(Path.join(home, ".aliyun"))
      Fs.writeFileSync(
        Path.join(home, ".aliyun", "config.json"),
        JSON.stringify({
          current: "count",
          profiles: [{
            name: "count",
            mode: "RamRoleArn",
            access_key_id: key.accessKeyId,
            access_key_secret: key.accessKeySecret,
            ram_role_arn: roleArn,
            ram_session_name: "count-files",
            sts_endpoint: emulator.stsUrl
          }]
        })
      )
    },
    build: async () => {
      const { Credentials, CredentialsLive } = await import("@effect-alicloud/credentials")
      return effectSubject(Credentials, CredentialsLive)
    }
  },
  {
    name: "promise-facade",
    title: "Promise facade: new Credential(new Config({ type: \"ram_role_arn\", … })), the first getCredential()",
    prepare: () => {},
    build: async (emulator) => {
      const { default: Credential, Config } = await import("@effect-alicloud/credentials/promise")
      const client = new Credential(new Config({ type: "ram_role_arn", ...key, roleArn, stsEndpoint: emulator.stsUrl }))
      return {
        get: () => client.getCredential(),
        providerName: (model) => model.providerName,
        close: () => client.close()
      }
    }
  }
]

// A built layer, its `get`, and its closing.
const effectSubject = async (Credentials, layer) => {
  const { Effect, ManagedRuntime } = await import("effect")
  const runtime = ManagedRuntime.make(layer)
  await runtime.runtime()
  const get = Effect.flatMap(Credentials, (credentials) => credentials.get)
  return {
    get: () => runtime.runPromise(get),
    providerName: (credential) => credential.providerName,
    close: () => runtime.dispose()
  }
}

// ---------------------------------------------------------------------------------------------
// The driver

const driver = async () => {
  const started = Date.now()
  const { Effect, Exit, Scope } = await import("effect")
  const { Emulator } = await import("@effect-alicloud/emulator")
  const scope = Effect.runSync(Scope.make())
  const tempRoot = Fs.mkdtempSync(Path.join(Os.tmpdir(), "count-files-"))
  let failed = false
  try {
    const emulator = await Effect.runPromise(Scope.extend(Emulator.make({ accessKeys: [key] }), scope))
    console.log("count-files: the files of packages/credentials/src that a cold `get` enters, in order of first entry")
    console.log(`against the emulator on ${emulator.baseUrl}. Which files: V8 precise coverage over the get. Order:`)
    console.log("a breakpoint on the first statement of every src function, no sampling: calls into a file are seen,")
    console.log("returns into it are not (how to read this: docs/testing.md)")
    for (const [index, scenario] of scenarios.entries()) {
      const home = Fs.mkdtempSync(Path.join(tempRoot, `${scenario.name}-`))
      scenario.prepare(home, emulator)
      const before = (await Effect.runPromise(emulator.counters("sts"))).succeeded
      const report = await runChild(scenario.name, home, { stsUrl: emulator.stsUrl })
      const stsAnswers = (await Effect.runPromise(emulator.counters("sts"))).succeeded - before
      console.log(`\n== ${index + 1}. ${scenario.title}`)
      if (report.error !== undefined) {
        failed = true
        console.log(`   failed: ${report.error}`)
        continue
      }
      print(report, stsAnswers)
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    Fs.rmSync(tempRoot, { recursive: true, force: true })
  }
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`)
  process.exitCode = failed ? 1 : 0
}

// The child inherits this process's node flags (tsx, the source condition); the environment has
// no ALIBABA_CLOUD_* or proxy variable but the metadata switch, and HOME is the scenario's.
const runChild = (name, home, emulator) =>
  new Promise((resolve) => {
    const inherited = Object.entries(process.env).filter(([name]) => !/^(ALIBABA_CLOUD_|ALICLOUD_)|_proxy$/i.test(name))
    const env = { ...Object.fromEntries(inherited), HOME: home, USERPROFILE: home }
    env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true"
    const child = fork(fileURLToPath(import.meta.url), ["--scenario", name, JSON.stringify(emulator)], {
      env,
      cwd: packageRoot,
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let report = { error: "the child ended without a report" }
    const timer = setTimeout(() => child.kill(), 50_000)
    child.on("message", (message) => (report = message))
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (code !== 0 && report.error === undefined) report = { error: `the child exited with ${signal ?? code}` }
      resolve(report)
    })
  })

const print = (report, stsAnswers) => {
  const number = new Map(report.files.map((file, index) => [file, index + 1]))
  const width = String(report.files.length).length
  const note = (file) => (report.moduleOnly.includes(file) ? "  (module code only: first evaluated here)" : "")
  report.files.forEach((file, index) => console.log(`   ${String(index + 1).padStart(width)}. ${file}${note(file)}`))
  for (const file of report.unordered) console.log(`   ${"?".padStart(width)}. ${file} (ran, entry not seen)`)
  const total = report.files.length + report.unordered.length
  console.log(`   total: ${total} files`)
  console.log(
    `   got: ${report.providerName} (${stsAnswers} STS answer${stsAnswers === 1 ? "" : "s"} from the emulator)`
  )
  const visits = report.visits.map((file) => number.get(file))
  const again = report.files.filter((file) => report.visits.filter((visit) => visit === file).length > 1)
  console.log(`   entries, by the numbers above (${visits.length - 1} cross-file): ${visits.join(" ")}`)
  console.log(
    again.length === 0
      ? "   back-and-forth: none, each file entered once"
      : `   back-and-forth: ${again.length} files entered again after another file: ${
        again.map((file) => `${number.get(file)} (${report.visits.filter((visit) => visit === file).length}×)`)
          .join(", ")
      }`
  )
  console.log(
    report.missed.length === 0
      ? `   check: all ${report.ranFunctions} functions that ran (coverage) were seen entering`
      : `   check: ${report.missed.length} of ${report.ranFunctions} functions that ran were not seen entering: ${
        report.missed.slice(0, 5).join(", ")
      }${report.missed.length > 5 ? ", …" : ""}`
  )
}

// ---------------------------------------------------------------------------------------------
// A scenario child

// Refuses any connection that would leave loopback, before the library is loaded: belt and braces
// for the rule that nothing here talks to anything but the emulator.
const loopbackOnly = () => {
  const loopback = (host) => host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)
  const connect = Net.Socket.prototype.connect
  Net.Socket.prototype.connect = function(...args) {
    // net.connect hands over its normalized arguments as an array: [options, callback]
    const first = Array.isArray(args[0]) ? args[0][0] : args[0]
    const options = typeof first === "object" && first !== null ? first : { port: first, host: args[1] }
    if (options.path === undefined && !loopback(options.host ?? "localhost")) {
      throw new Error(`count-files: refused a connection to ${options.host}: loopback only`)
    }
    return connect.apply(this, args)
  }
}

// The window's markers: the tracer records the entries between their two `debugger` pauses.
function countFilesStart() {
  debugger
}
function countFilesEnd() {
  debugger
}

const scenarioChild = async (name, emulator) => {
  loopbackOnly()
  const session = new Session()
  session.connect()
  // A same-thread session answers synchronously.
  const call = (method, params) => {
    let answer
    session.post(method, params, (error, result) => (answer = { error, result }))
    if (answer.error) throw answer.error
    return answer.result
  }
  call("Profiler.enable")
  call("Profiler.startPreciseCoverage", { callCount: true, detailed: true })
  call("Debugger.enable")
  let armed = false
  session.on("Debugger.scriptParsed", ({ params }) => {
    if (armed && isSrc(params.url)) call("Debugger.pause")
  })

  const tracer = new Worker(fileURLToPath(import.meta.url), { workerData: { tracer: true }, execArgv: [] })
  tracer.unref()
  const ask = (message) =>
    new Promise((resolve, reject) => {
      tracer.once("message", resolve)
      tracer.once("error", reject)
      tracer.postMessage(message)
    })
  await ask("ready")

  const subject = await scenarios.find((scenario) => scenario.name === name).build(emulator)
  armed = true
  await ask("arm")
  call("Profiler.takePreciseCoverage") // resets the counts: only the get's are read below
  countFilesStart()
  const answer = await subject.get()
  countFilesEnd()
  const coverage = call("Profiler.takePreciseCoverage").result
  armed = false
  const trace = await ask("report")
  await subject.close()
  await tracer.terminate()
  return summarize(coverage, trace, subject.providerName(answer))
}

// Joins coverage (which files, exact) with the tracer's entries (in which order). A function seen
// entering is the innermost of coverage's functions around the start the debugger gave for it.
const summarize = (coverage, trace, providerName) => {
  const ran = new Set()
  const called = new Set() // files with a function run beyond their module code (and class definitions)
  const missed = []
  let ranFunctions = 0
  for (const script of coverage.filter((script) => isSrc(script.url))) {
    const ranges = script.functions.map(({ functionName, ranges: [range] }) => ({ functionName, ...range }))
    const innermost = (offset) =>
      ranges.filter((range) => range.startOffset <= offset && offset < range.endOffset)
        .reduce(
          (inner, range) => (inner === undefined || range.startOffset >= inner.startOffset ? range : inner),
          undefined
        )
    const seen = new Set(trace.seen.filter(([url]) => url === script.url).map(([, offset]) => innermost(offset)))
    for (const range of ranges) {
      if (range.count === 0) continue
      ran.add(srcPath(script.url))
      if (range.functionName === "__name") continue // esbuild's helper, called by its own file only
      if (range.startOffset > 0 && range.functionName !== "<static_initializer>") called.add(srcPath(script.url))
      ranFunctions++
      if (!seen.has(range)) {
        missed.push(`${srcPath(script.url)}:${range.functionName || `(anonymous at ${range.startOffset})`}`)
      }
    }
  }
  const visits = trace.entries.map(srcPath).filter((file, index, all) => index === 0 || all[index - 1] !== file)
  const files = [...new Set(visits)].filter((file) => ran.has(file))
  const unordered = [...ran].filter((file) => !files.includes(file)).sort()
  const moduleOnly = [...ran].filter((file) => !called.has(file))
  return {
    files,
    unordered,
    moduleOnly,
    visits: visits.filter((file) => ran.has(file)),
    missed,
    ranFunctions,
    providerName
  }
}

// ---------------------------------------------------------------------------------------------
// The tracer (a worker of the child)

const tracerWorker = async () => {
  const typescript = import("typescript") // loads while the main thread builds the layer
  const session = new Session()
  session.connectToMainThread()
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => error ? reject(error) : resolve(result))
    )

  const pending = [] // src scripts parsed and not yet instrumented
  const scripts = new Map() // scriptId -> { url, lineStarts }
  const entryLocations = new Set() // "scriptId:line:column" of every function's first statement
  const entries = [] // the url of each function entry, in order
  const seen = new Map() // "url@offset" -> [url, offset]: the functions seen entering, by their start
  let armed = false
  let recording = false
  let instrumenting = Promise.resolve()

  session.on("Debugger.scriptParsed", ({ params }) => {
    if (isSrc(params.url)) pending.push(params)
  })
  session.on("Debugger.paused", ({ params }) => {
    onPause(params).finally(() => session.post("Debugger.resume"))
  })

  const instrumentPending =
    () => (instrumenting = instrumenting.then(() => Promise.all(pending.splice(0).map(instrument))))

  // One breakpoint per function, on its first break location as V8 itself assigns locations to
  // functions (asked from a position inside the function and outside any nested one).
  const instrument = async ({ scriptId, url }) => {
    const [{ default: ts }, { scriptSource }] = await Promise.all([
      typescript,
      post("Debugger.getScriptSource", { scriptId })
    ])
    const lineStarts = lineStartsOf(scriptSource)
    scripts.set(scriptId, { url, lineStarts })
    const firsts = await Promise.all(
      insidePositions(ts, scriptSource).map(async (offset) => {
        const start = { scriptId, ...locationAt(lineStarts, offset) }
        const { locations } = await post("Debugger.getPossibleBreakpoints", { start, restrictToFunction: true })
        return locations[0]
      })
    )
    const unique = new Map(
      firsts.filter((first) => first !== undefined).map((first) => [locationKey(first), first])
    )
    await Promise.all([...unique].map(async ([key, location]) => {
      await post("Debugger.setBreakpoint", { location })
      entryLocations.add(key)
    }))
  }

  const onPause = async ({ callFrames }) => {
    if (armed) await instrumentPending()
    const top = callFrames[0]
    if (top.functionName === "countFilesStart") recording = true
    else if (top.functionName === "countFilesEnd") recording = false
    // On a function's first statement: its breakpoint, or a pause asked for a module just compiled
    // (which lands on the module's first statement before that breakpoint exists).
    else if (recording && entryLocations.has(locationKey(top.location))) {
      const { lineStarts, url } = scripts.get(top.location.scriptId)
      entries.push(url)
      const offset = offsetOf(lineStarts, top.functionLocation)
      seen.set(`${url}@${offset}`, [url, offset])
    }
  }

  parentPort.on("message", async (message) => {
    if (message === "ready") {
      await post("Debugger.enable")
      parentPort.postMessage("ready")
    } else if (message === "arm") {
      armed = true
      await instrumentPending()
      parentPort.postMessage("armed")
    } else if (message === "report") {
      parentPort.postMessage({ entries, seen: [...seen.values()] })
    }
  })
}

// A position inside each function of a script and outside its nested functions (the body's `{`, an
// arrow's `=>`, a class's first instance field for the fields' initializer), and the top level's 0.
// TypeScript parses the very JavaScript V8 compiled; esbuild's helpers (`__name`) are left out.
const insidePositions = (ts, source) => {
  const file = ts.createSourceFile("script.js", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS)
  const positions = [0]
  const isHelper = (node) =>
    ts.isVariableDeclaration(node.parent) && node.parent.name.getText(file).startsWith("__")
    && ts.isSourceFile(node.parent.parent.parent.parent)
  const visit = (node) => {
    if (ts.isArrowFunction(node) && !isHelper(node)) positions.push(node.equalsGreaterThanToken.getStart(file))
    else if ((ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) && node.body && !isHelper(node)) {
      positions.push(node.body.getStart(file))
    } else if (ts.isClassLike(node)) {
      const field = node.members.find((member) =>
        ts.isPropertyDeclaration(member) && !member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)
      )
      if (field !== undefined) positions.push(field.getStart(file))
    }
    ts.forEachChild(node, visit)
  }
  ts.forEachChild(file, visit)
  return positions
}

const lineStartsOf = (source) => {
  const starts = [0]
  for (let at = source.indexOf("\n"); at !== -1; at = source.indexOf("\n", at + 1)) starts.push(at + 1)
  return starts
}
const locationAt = (lineStarts, offset) => {
  let line = lineStarts.length - 1
  while (lineStarts[line] > offset) line--
  return { lineNumber: line, columnNumber: offset - lineStarts[line] }
}
const offsetOf = (lineStarts, location) => lineStarts[location.lineNumber] + location.columnNumber
const locationKey = (location) => `${location.scriptId}:${location.lineNumber}:${location.columnNumber}`

// ---------------------------------------------------------------------------------------------

const sourceCondition = "--conditions=@effect-alicloud/source"

if (!isMainThread && workerData?.tracer) {
  await tracerWorker()
} else if (process.argv[2] === "--scenario") {
  try {
    process.send(await scenarioChild(process.argv[3], JSON.parse(process.argv[4])))
  } catch (error) {
    process.send({ error: error instanceof Error ? error.message : String(error) })
  }
  process.disconnect()
} else if (!process.execArgv.includes(sourceCondition)) {
  // Run as `node count-files.mjs`: again, with tsx and the source condition (the children inherit them).
  const flags = ["--import", import.meta.resolve("tsx"), sourceCondition]
  const again = fork(fileURLToPath(import.meta.url), process.argv.slice(2), { execArgv: flags })
  again.on("exit", (code) => (process.exitCode = code ?? 1))
} else {
  await driver()
}
