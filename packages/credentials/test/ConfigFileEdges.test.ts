// The file edge of config.json and the ini file: what is at the path may be a FIFO, a device, a
// huge file, JSON nested 200 000 levels deep, or a symbolic link of a dotfile manager. Each gives a
// credential or a typed error, promptly and in bounded memory; the write-back never loses a
// credential already obtained. Real files in temporary directories.
import * as NodeContext from "@effect/platform-node/NodeContext"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, FastCheck as fc, Layer, Option, Redacted, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { inspect } from "node:util"
import type { InvalidConfiguration, NotConfigured } from "../src/CredentialsError.js"
import * as HttpTransport from "../src/HttpTransport.js"
import { maxDepth as MAX_JSON_DEPTH } from "../src/internal/decode/json.js"
import { DEFAULT_MAX_BYTES } from "../src/internal/files/boundedFile.js"
import { readCliConfig, selectProfile, tooDeep, updateProfile } from "../src/internal/files/cliConfig.js"
import { readIniProfile } from "../src/internal/files/iniFile.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import { layerOneFile } from "./oneFile.js"

const SECRET = "SECRET-edge-0123456789"

const withEnv = (env: Record<string, string> = {}) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

type Body = (
  dir: string
) => Effect.Effect<void, unknown, FileSystem.FileSystem | CommandExecutor.CommandExecutor | Scope.Scope>

// Live clock: "promptly" is a real deadline. Some tests start real processes (mkfifo, a Node
// process_command): a generous test limit, so that a loaded machine does not fail them.
const test = (name: string, body: Body) =>
  it.live(name, () =>
    Effect.scoped(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* body(yield* fs.makeTempDirectoryScoped())
    })).pipe(withEnv(), Effect.provide(NodeContext.layer)), 60_000)

const promptly = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(effect, { duration: "2 seconds", onTimeout: () => new Error("did not finish promptly") })

const write = (path: string, content: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(path, content))

const expectNoSecret = (error: unknown) => {
  for (const view of [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]) {
    expect(view).not.toContain(SECRET)
  }
}

const readProfile = (path: string, name?: string) =>
  Effect.flatMap(readCliConfig(path), (config) => selectProfile(config, name))

// JSON nested `depth` levels: [[[ ... ]]].
const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

const akProfile = { name: "default", mode: "AK", access_key_id: "LTAI-edge", access_key_secret: SECRET }

describe("what is at the path", () => {
  const readers: ReadonlyArray<
    readonly [
      string,
      (path: string) => Effect.Effect<unknown, NotConfigured | InvalidConfiguration, FileSystem.FileSystem>
    ]
  > = [
    ["config.json", (path) => readProfile(path)],
    ["the ini file", (path) => readIniProfile(path, "default")]
  ]
  for (const [what, read] of readers) {
    test(`a FIFO as ${what}: InvalidConfiguration naming the path, promptly (never opened)`, (dir) =>
      Effect.gen(function*() {
        const path = `${dir}/file`
        execFileSync("mkfifo", [path])
        const error = yield* Effect.flip(promptly(read(path)))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: path })
        expect(error.message).toContain(`${path} is a FIFO (named pipe), not a regular file`)
      }))

    test(`/dev/zero as ${what} (directly and through a link): InvalidConfiguration, memory bounded`, (dir) =>
      Effect.gen(function*() {
        if (!existsSync("/dev/zero")) return
        const fs = yield* FileSystem.FileSystem
        yield* fs.symlink("/dev/zero", `${dir}/file`)
        const before = process.memoryUsage().rss
        for (const path of ["/dev/zero", `${dir}/file`]) {
          const error = yield* Effect.flip(promptly(read(path)))
          expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: path })
          expect(error.message).toContain("is a character device, not a regular file")
        }
        expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024)
      }))

    test(`${what} over the 10 MiB cap: InvalidConfiguration, nothing read`, (dir) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = `${dir}/file`
        // Sparse: the size says 10 MiB + 1, no data is written.
        yield* Effect.scoped(
          Effect.flatMap(fs.open(path, { flag: "w" }), (file) => file.truncate(DEFAULT_MAX_BYTES + 1))
        )
        const error = yield* Effect.flip(promptly(read(path)))
        expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: path })
        expect(error.message).toContain("is larger than 10 MiB")
      }))
  }

  test("a FIFO as config.json through the source: InvalidConfiguration, not NotConfigured", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/config.json`
      execFileSync("mkfifo", [path])
      const error = yield* Effect.flip(promptly(CliProfile.make({ path })))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", source: "cli_profile", field: path })
    }).pipe(Effect.provide(HttpTransport.layer())))
})

describe("config.json nested deeply", () => {
  const depth = 200_000

  it("tooDeep: the path to the first value past the limit; any depth or width is safe", () => {
    expect(MAX_JSON_DEPTH).toBe(64)
    expect(tooDeep(JSON.parse(`{"a": {"b": [1, ${deepArray(61)}]}}`))).toBeUndefined() // 64 levels
    expect(tooDeep(JSON.parse(`{"a": {"b": [1, ${deepArray(62)}]}}`))).toEqual(["a", "b", 1])
    expect(tooDeep(JSON.parse(`{"x": ${deepArray(depth)}}`))).toEqual(["x", 0, 0])
    expect(tooDeep(new Array(1_000_000).fill(1))).toBeUndefined()
    expect(tooDeep("text")).toBeUndefined()
  })

  test("a deep unrelated key next to a valid profile: the profile still works", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/config.json`
      yield* write(path, `{"x": ${deepArray(depth)}, "current": "default", "profiles": [${JSON.stringify(akProfile)}]}`)
      const profile = yield* readProfile(path)
      expect(profile).toMatchObject({ _tag: "AK", accessKeyId: "LTAI-edge" })
    }))

  test("deep `profiles`, deep `current`: a typed InvalidConfiguration, never a defect", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/config.json`
      yield* write(path, `{"current": "default", "profiles": ${deepArray(depth)}}`)
      const profiles = yield* Effect.flip(readProfile(path))
      expect(profiles).toMatchObject({ _tag: "InvalidConfiguration", field: path })
      expect(profiles.message).toContain("profiles[0] must be a JSON object")
      yield* write(path, `{"current": ${deepArray(depth)}, "profiles": [${JSON.stringify(akProfile)}]}`)
      const current = yield* Effect.flip(readProfile(path))
      expect(current.message).toContain("current must be a string")
    }))

  test("a deep value inside the selected profile: InvalidConfiguration naming the key; other profiles work", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/config.json`
      const deep = `{"name": "deep", "mode": "AK", "access_key_id": "id", "access_key_secret": "${SECRET}", "extra": ${
        deepArray(depth)
      }}`
      yield* write(path, `{"current": "default", "profiles": [${JSON.stringify(akProfile)}, ${deep}]}`)
      expect(yield* readProfile(path)).toMatchObject({ _tag: "AK", name: "default" })
      const error = yield* Effect.flip(readProfile(path, "deep"))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: "profiles[\"deep\"].extra" })
      expect(error.message).toContain("deeper than 64 levels")
      expectNoSecret(error)
      // A deep value of a field that is read: its own type error, no printing of the value.
      yield* write(
        path,
        `{"current": "d", "profiles": [{"name": "d", "mode": "AK", "access_key_id": ${
          deepArray(30)
        }, "access_key_secret": "s"}]}`
      )
      const field = yield* Effect.flip(readProfile(path))
      expect(field).toMatchObject({ _tag: "InvalidConfiguration", field: "profiles[\"d\"].access_key_id" })
      expect(field.message).toContain("must be a string, got an array")
    }))

  test("updateProfile on a file with a deep unrelated key: a typed error, the file untouched", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${dir}/config.json`
      const text = `{"x": ${deepArray(depth)}, "current": "default", "profiles": [${JSON.stringify(akProfile)}]}`
      yield* write(path, text)
      const exit = yield* Effect.exit(updateProfile(path, "default", { accessKeyId: "STS.new" }))
      if (Exit.isSuccess(exit)) return expect.unreachable()
      const error = yield* Effect.flip(exit)
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: path })
      expect(error.message).toContain("nests arrays or objects deeper than 64 levels (under x[0][0])")
      expect(error.message).toContain("it is not rewritten")
      expectNoSecret(error)
      expect(yield* fs.readFileString(path)).toBe(text)
      expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
    }))

  test("External, with a deep unrelated key in config.json: the credential is not lost", (dir) =>
    Effect.gen(function*() {
      const path = `${dir}/config.json`
      const script = `${dir}/creds.mjs`
      yield* write(
        script,
        `process.stdout.write(JSON.stringify({ mode: "AK", access_key_id: "LTAI-ext", access_key_secret: "ext-secret" }))`
      )
      const profile = { name: "ext", mode: "External", process_command: `${process.execPath} ${script}` }
      yield* write(path, `{"deep": ${deepArray(depth)}, "current": "ext", "profiles": [${JSON.stringify(profile)}]}`)
      const credential = yield* CliProfile.make({ path })
      expect(credential).toMatchObject({ accessKeyId: "LTAI-ext", providerName: "cli_profile/external" })
      expect(Redacted.value(credential.accessKeySecret)).toBe("ext-secret")
    }).pipe(Effect.provide(HttpTransport.layer())))
})

describe("write-back through a symbolic link", () => {
  const config = {
    current: "ext",
    profiles: [{ name: "ext", mode: "External", process_command: "x", access_key_id: "" }]
  }

  test("updateProfile writes the target, keeps the link and the target's mode", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* fs.makeDirectory(`${dir}/dotfiles`)
      yield* fs.makeDirectory(`${dir}/.aliyun`)
      const target = `${dir}/dotfiles/config.json`
      const link = `${dir}/.aliyun/config.json`
      yield* write(target, JSON.stringify(config))
      yield* fs.chmod(target, 0o640)
      yield* fs.symlink("../dotfiles/config.json", link)
      yield* updateProfile(link, "ext", { accessKeyId: "STS.new", accessKeySecret: Redacted.make("new") })
      expect(yield* fs.readLink(link)).toBe("../dotfiles/config.json")
      expect((yield* fs.stat(target)).mode & 0o777).toBe(0o640)
      const written = JSON.parse(yield* fs.readFileString(target)) as typeof config
      expect(written.profiles[0]).toMatchObject({ access_key_id: "STS.new", access_key_secret: "new" })
      // Nothing left behind: no temporary file beside the target or the link.
      expect(yield* fs.readDirectory(`${dir}/dotfiles`)).toEqual(["config.json"])
      expect(yield* fs.readDirectory(`${dir}/.aliyun`)).toEqual(["config.json"])
    }))

  test("a dangling link: NotConfigured, nothing created", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* fs.symlink(`${dir}/gone.json`, `${dir}/config.json`)
      const error = yield* Effect.flip(updateProfile(`${dir}/config.json`, "ext", { accessKeyId: "x" }))
      expect(error._tag).toBe("NotConfigured")
      expect(yield* fs.exists(`${dir}/gone.json`)).toBe(false)
    }))

  test("a link to a FIFO: InvalidConfiguration naming the link, promptly", (dir) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      execFileSync("mkfifo", [`${dir}/fifo`])
      yield* fs.symlink(`${dir}/fifo`, `${dir}/config.json`)
      const error = yield* Effect.flip(promptly(updateProfile(`${dir}/config.json`, "ext", { accessKeyId: "x" })))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: `${dir}/config.json` })
      expect(error.message).toContain(`which is a FIFO (named pipe), not a regular file`)
    }))
})

// A bind-mounted file cannot be replaced by a rename (EBUSY, or EXDEV across mounts). Mounting needs
// privileges, so the real file system is used with only its `rename` failing as the kernel would.
describe("write-back when the rename cannot work", () => {
  const systemError = (code: string, method: string, path: string) =>
    new SystemError({
      reason: code === "EBUSY" ? "Busy" : "Unknown",
      module: "FileSystem",
      method,
      pathOrDescriptor: path,
      syscall: method,
      cause: Object.assign(new Error(code), { code })
    })

  // `inPlace: false` also refuses to open the target for writing (a read-only mount).
  const failingRename = (code: "EXDEV" | "EBUSY", inPlace = true) =>
    Layer.effect(
      FileSystem.FileSystem,
      Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
        ...fs,
        rename: (from) => Effect.fail(systemError(code, "rename", from)),
        open: (path, options) =>
          !inPlace && options?.flag === "w" ? Effect.fail(systemError("EROFS", "open", path)) : fs.open(path, options)
      }))
    ).pipe(Layer.provide(NodeContext.layer))

  const config = { current: "ext", profiles: [{ name: "ext", mode: "External", process_command: "x" }] }

  // A config.json open to every user (644), in a scoped temp folder.
  const openConfig = Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    const path = `${dir}/config.json`
    yield* fs.writeFileString(path, JSON.stringify(config))
    yield* fs.chmod(path, 0o644)
    return { fs, dir, path }
  })

  for (const code of ["EXDEV", "EBUSY"] as const) {
    it.live(`${code}: the target is written in place (same inode), no temporary file left; a 644 file becomes 600`, () =>
      Effect.scoped(Effect.gen(function*() {
        const { dir, fs, path } = yield* openConfig
        const before = yield* fs.stat(path)
        yield* updateProfile(path, "ext", { accessKeyId: "STS.in-place" })
        const after = yield* fs.stat(path)
        expect(after.ino).toEqual(before.ino)
        // open to every user, it now holds secrets: the owner's only (test/WriteBackMode.test.ts)
        expect(after.mode & 0o777).toBe(0o600)
        expect(JSON.parse(yield* fs.readFileString(path)).profiles[0]).toMatchObject({ access_key_id: "STS.in-place" })
        expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
      })).pipe(withEnv(), Effect.provide(failingRename(code))))
  }

  it.live("in place, a 644 file is made 600 before the secret is written into it, not after", () =>
    Effect.scoped(Effect.gen(function*() {
      const { path } = yield* openConfig
      // the target's mode at the moment it is opened to be written
      const modesAtOpen: Array<number> = []
      const recording = Layer.effect(
        FileSystem.FileSystem,
        Effect.map(FileSystem.FileSystem, (inner): FileSystem.FileSystem => ({
          ...inner,
          open: (target, options) =>
            target === path && options?.flag === "w"
              ? Effect.zipRight(
                Effect.map(inner.stat(target), (info) => modesAtOpen.push(info.mode & 0o777)),
                inner.open(target, options)
              )
              : inner.open(target, options)
        }))
      ).pipe(Layer.provide(failingRename("EXDEV")))
      yield* updateProfile(path, "ext", { accessKeyId: "STS.in-place" }).pipe(Effect.provide(recording))
      expect(modesAtOpen).toEqual([0o600])
    })).pipe(withEnv(), Effect.provide(NodeContext.layer)))

  it.live("the rename and the in-place write both fail: a typed error, nothing left behind", () =>
    Effect.scoped(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/config.json`
      const text = JSON.stringify(config)
      yield* fs.writeFileString(path, text)
      const error = yield* Effect.flip(updateProfile(path, "ext", { accessKeyId: "x" }))
      expect(error).toMatchObject({ _tag: "InvalidConfiguration", field: path })
      expect(error.message).toContain(
        "cannot be written (the rename over it: a cross-device link (a bind-mounted file?); writing it in place: the file system is read-only)"
      )
      expect(yield* fs.readFileString(path)).toBe(text)
      expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])
    })).pipe(withEnv(), Effect.provide(failingRename("EXDEV", false))))
})

// The parsers behind the bounded reader, over random text (in memory: thousands of runs).
describe("random files through the bounded reader", () => {
  const typed = (exit: Exit.Exit<unknown, { readonly _tag: string; readonly message: string }>) => {
    if (Exit.isSuccess(exit)) return
    const failure = Cause.failureOption(exit.cause)
    expect(Option.isSome(failure), Cause.pretty(exit.cause)).toBe(true)
    const error = Option.getOrThrow(failure)
    expect(["InvalidConfiguration", "NotConfigured"]).toContain(error._tag)
    // The file was read: a fake that served nothing would make every case "does not exist".
    expect(error.message).not.toContain("does not exist")
  }
  const texts = fc.oneof(
    fc.json(),
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.tuple(fc.nat(200), fc.constantFrom("[", "{\"a\":")).map(([n, open]) =>
      `{"current":"p","profiles":${open.repeat(n)}`
    )
  )

  it.prop("readCliConfig + selectProfile: a profile or a typed error", [texts], ([text]) => {
    typed(Effect.runSyncExit(readProfile("/virtual/config.json").pipe(Effect.provide(layerOneFile(text)), withEnv())))
  }, { fastCheck: { numRuns: 500 } })

  it.prop("readIniProfile: a profile or a typed error", [fc.string({ unit: "binary", maxLength: 300 })], ([text]) => {
    typed(
      Effect.runSyncExit(
        readIniProfile("/virtual/credentials", "default").pipe(Effect.provide(layerOneFile(text)), withEnv())
      )
    )
  }, { fastCheck: { numRuns: 500 } })

  it.effect("the in-memory file is what the parsers read", () =>
    Effect.gen(function*() {
      const profile = yield* readProfile("/virtual/config.json").pipe(
        Effect.provide(layerOneFile(JSON.stringify({ current: "default", profiles: [akProfile] })))
      )
      expect(profile).toMatchObject({ _tag: "AK", accessKeyId: "LTAI-edge" })
    }).pipe(withEnv()))
})
