// OAuth profiles never lose a token: the refresh token rotates at every renewal, and the service
// refuses a spent one (`invalid_grant`). The tokens a source got are kept in memory first, so that
// the process goes on with them whatever happens to the file; then they go to the file: renamed
// over it where possible, in place where the rename cannot work (EBUSY, EXDEV: a bind-mounted
// file), through a symbolic link to its target, its mode kept. A failed write is a warning.
//
// Real files in temporary directories; a rename (and an in-place write) made to fail as the kernel
// would, by wrapping the Node FileSystem (mounting needs privileges). The emulator records every
// refresh token it is sent.
import { Emulator, Fault } from "@effect-alicloud/emulator"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { SystemError } from "@effect/platform/Error"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option, Ref, TestClock } from "effect"
import * as CliProfile from "../src/sources/CliProfile.js"
import { retryNow, withEmulator } from "./withEmulator.js"

const systemError = (code: string, method: string, path: string) =>
  new SystemError({
    reason: code === "EBUSY" ? "Busy" : code === "EACCES" ? "PermissionDenied" : "Unknown",
    module: "FileSystem",
    method,
    pathOrDescriptor: path,
    syscall: method,
    cause: Object.assign(new Error(code), { code })
  })

type Refusal = "rename" | "rename and in place" | "temporary file"

// The Node file system, with some writes refused as a bind mount or a read-only mount refuses them.
const fileSystem = (refuse?: Refusal) =>
  refuse === undefined ? NodeContext.layer : Layer.merge(
    NodeContext.layer,
    Layer.effect(
      FileSystem.FileSystem,
      Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
        ...fs,
        rename: (from, to) =>
          refuse === "temporary file" ? fs.rename(from, to) : Effect.fail(systemError("EBUSY", "rename", from)),
        open: (path, options) =>
          refuse === "rename and in place" && options?.flag === "w"
            ? Effect.fail(systemError("EROFS", "open", path))
            : refuse === "temporary file" && options?.flag === "wx"
            ? Effect.fail(systemError("EACCES", "open", path))
            : fs.open(path, options)
      }))
    ).pipe(Layer.provide(NodeContext.layer))
  )

const run = <A, E, R>(
  refuse: Refusal | undefined,
  body: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E, R>
) =>
  withEmulator(body, { oauthRefreshTokens: [{ refreshToken: "SECRET-refresh-0" }] }).pipe(
    Effect.provide(fileSystem(refuse))
  )

interface Written {
  readonly profiles: ReadonlyArray<Record<string, unknown>>
}

const oauthProfile = {
  name: "oauth",
  mode: "OAuth",
  oauth_site_type: "CN",
  oauth_refresh_token: "SECRET-refresh-0",
  oauth_access_token: "SECRET-access-old",
  oauth_access_token_expire: 0,
  region_id: "cn-hangzhou"
}

const configFile = (dir: string, profile: Record<string, unknown> = oauthProfile) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = `${dir}/config.json`
    yield* fs.writeFileString(path, JSON.stringify({ current: "oauth", profiles: [profile] }, null, 4))
    yield* fs.chmod(path, 0o640)
    return path
  })

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())
const readJson = (path: string) =>
  Effect.map(
    Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)),
    (text) => JSON.parse(text) as Written
  )

// One source, made once: what a Credentials layer holds for the life of the process.
const source = (emulator: Emulator.EmulatorShape, path: string) =>
  CliProfile.make({
    path,
    oauthBaseUrl: emulator.oauthBaseUrl,
    stsEndpoint: emulator.stsUrl,
    retrySchedule: retryNow(0)
  })

// The renewed access token lives 1 hour; it is renewed once less than 20 minutes are left.
const untilRenewal = "41 minutes"

const refreshTokensSent = (emulator: Emulator.EmulatorShape) =>
  Effect.map(emulator.requests("oauth-token"), (requests) => requests.map((r) => r.body["refresh_token"]))

const captureWarnings = Effect.gen(function*() {
  const lines = yield* Ref.make<ReadonlyArray<string>>([])
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    const text = `${logLevel.label} ${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`
    Ref.update(lines, (all) => [...all, text]).pipe(Effect.runSync)
  })
  return { lines: Ref.get(lines), layer: Logger.replace(Logger.defaultLogger, logger) }
})

describe("OAuth write-back never loses a token", () => {
  it.scoped("the file cannot be written at all (rename EBUSY, in place refused): a warning, and the next fetches renew with the tokens in memory, never the spent one", () =>
    run("rename and in place", (emulator) =>
      Effect.gen(function*() {
        const path = yield* configFile(yield* tempDir)
        const before = yield* readJson(path)
        const logs = yield* captureWarnings
        const cli = source(emulator, path)

        const first = yield* cli.pipe(Effect.provide(logs.layer))
        expect(first.providerName).toBe("cli_profile/oauth")
        expect(yield* readJson(path)).toEqual(before) // the file still holds the spent token
        const warnings = (yield* logs.lines).filter((line) => line.startsWith("WARN"))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toContain("keeps using them from memory")
        expect(warnings[0]).not.toContain("SECRET-")

        yield* TestClock.adjust(untilRenewal)
        const second = yield* cli
        yield* TestClock.adjust(untilRenewal)
        const third = yield* cli
        expect(new Set([first.accessKeyId, second.accessKeyId, third.accessKeyId]).size).toBe(3)
        const sent = yield* refreshTokensSent(emulator)
        expect(sent).toHaveLength(3)
        expect(new Set(sent).size).toBe(3) // never a spent token again
        expect(sent[0]).toBe("SECRET-refresh-0")
        expect((yield* emulator.counters("oauth-token")).failed).toBe(0)

        // Between renewals the access token in memory is used: no renewal, only an exchange.
        yield* cli
        expect(yield* refreshTokensSent(emulator)).toHaveLength(3)

        // What the warning says: a new process reads the spent token from the file.
        const error = yield* Effect.flip(source(emulator, path))
        expect(error._tag).toBe("UpstreamError")
        expect(error.message).toContain("sign in again")
      })))

  it.scoped("the rename fails with EBUSY (a bind-mounted file): written in place, same inode, mode kept; the next fetch sends the new refresh token", () =>
    run("rename", (emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const path = yield* configFile(dir)
        const inode = (yield* fs.stat(path)).ino
        const cli = source(emulator, path)
        yield* cli
        const written = (yield* readJson(path)).profiles[0]!
        const sent = yield* refreshTokensSent(emulator)
        expect(written.oauth_refresh_token).not.toBe("SECRET-refresh-0")
        expect(written.region_id).toBe("cn-hangzhou")
        expect((yield* fs.stat(path)).ino).toEqual(inode)
        expect((yield* fs.stat(path)).mode & 0o777).toBe(0o640)
        expect(yield* fs.readDirectory(dir)).toEqual(["config.json"])

        yield* TestClock.adjust(untilRenewal)
        yield* cli
        expect(yield* refreshTokensSent(emulator)).toEqual([...sent, written.oauth_refresh_token])
        // and a new process (a new source on the file) too, once renewal is due
        yield* TestClock.adjust(untilRenewal)
        yield* source(emulator, path)
        expect((yield* emulator.counters("oauth-token")).failed).toBe(0)
      })))

  it.scoped("no temporary file can be made beside it (EACCES on the directory): written in place", () =>
    run("temporary file", (emulator) =>
      Effect.gen(function*() {
        const path = yield* configFile(yield* tempDir)
        yield* source(emulator, path)
        expect((yield* readJson(path)).profiles[0]!.oauth_refresh_token).not.toBe("SECRET-refresh-0")
      })))

  it.scoped("a symlinked config.json (a dotfile manager's): the link stays a link, its target gets the tokens, its mode kept", () =>
    run(undefined, (emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        yield* fs.makeDirectory(`${dir}/dotfiles`)
        const target = yield* configFile(`${dir}/dotfiles`)
        yield* fs.makeDirectory(`${dir}/.aliyun`)
        const link = `${dir}/.aliyun/config.json`
        yield* fs.symlink(target, link)
        yield* source(emulator, link)
        expect(yield* fs.readLink(link)).toBe(target)
        expect((yield* fs.stat(target)).mode & 0o777).toBe(0o640)
        expect((yield* readJson(target)).profiles[0]!.oauth_refresh_token).not.toBe("SECRET-refresh-0")
        expect(yield* fs.readDirectory(`${dir}/.aliyun`)).toEqual(["config.json"])
        expect(yield* fs.readDirectory(`${dir}/dotfiles`)).toEqual(["config.json"])
      })))

  it.scoped("the exchange fails after the renewal: the renewed tokens are kept (memory and file), the old refresh token is not sent again", () =>
    run(undefined, (emulator) =>
      Effect.gen(function*() {
        const path = yield* configFile(yield* tempDir)
        const cli = source(emulator, path)
        yield* emulator.setFault("oauth-exchange", Fault.serviceUnavailable, { times: 1 })
        const error = yield* Effect.flip(cli)
        expect(error._tag).toBe("UpstreamError")
        const renewed = (yield* readJson(path)).profiles[0]!
        expect(renewed.oauth_refresh_token).not.toBe("SECRET-refresh-0")
        expect(renewed.oauth_access_token).not.toBe("SECRET-access-old")
        // the next fetch exchanges the renewed access token: no second renewal
        const credential = yield* cli
        expect(credential.providerName).toBe("cli_profile/oauth")
        expect(yield* refreshTokensSent(emulator)).toEqual(["SECRET-refresh-0"])
        expect((yield* readJson(path)).profiles[0]!.access_key_id).toBe(credential.accessKeyId)
      })))

  it.scoped("a new sign-in written to the file is taken over the tokens in memory", () =>
    run("rename and in place", (emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* configFile(yield* tempDir)
        const cli = source(emulator, path)
        yield* cli.pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
        // `aliyun configure --mode OAuth` again: a new refresh token in the file
        yield* emulator.addOAuthRefreshToken({ refreshToken: "SECRET-refresh-new" })
        yield* fs.writeFileString(
          path,
          JSON.stringify({
            current: "oauth",
            profiles: [{ ...oauthProfile, oauth_refresh_token: "SECRET-refresh-new" }]
          })
        )
        yield* cli.pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
        const sent = yield* refreshTokensSent(emulator)
        expect(sent).toEqual(["SECRET-refresh-0", "SECRET-refresh-new"])
      })))

  it.scoped("concurrent fetches of one source renew once: a refresh token is spent once", () =>
    run(undefined, (emulator) =>
      Effect.gen(function*() {
        const path = yield* configFile(yield* tempDir)
        const cli = source(emulator, path)
        const credentials = yield* Effect.all([cli, cli, cli], { concurrency: "unbounded" })
        expect(credentials).toHaveLength(3)
        expect(yield* refreshTokensSent(emulator)).toEqual(["SECRET-refresh-0"])
        expect(Option.isSome(yield* emulator.lastRequest("oauth-exchange"))).toBe(true)
      })))
})
