// The session file cache, through RamRoleArn / OidcRoleArn's `cache` option, against the emulator:
// real files in a temp folder, time on the TestClock.
import { FileSystem } from "@effect/platform"
import { NodeContext, NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Option, Redacted, Ref, TestClock } from "effect"
import { execFileSync } from "node:child_process"
import { hostname } from "node:os"
import * as SessionCache from "../src/SessionCache.js"
import * as CliProfile from "../src/sources/CliProfile.js"
import * as OidcRoleArn from "../src/sources/OidcRoleArn.js"
import * as RamRoleArn from "../src/sources/RamRoleArn.js"
import { cacheDir, cacheFiles, captureWarnings, role, signer } from "./sessionCacheHelpers.js"
import { accessKey, retryNow, roleArn, withEmulator, withEnv } from "./withEmulator.js"

describe("SessionCache (the cache option) against the emulator", () => {
  it.scoped("the same role twice: the second fetch reads the file, one AssumeRole", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dir = yield* cacheDir
        const first = yield* role(emulator.stsUrl, dir)
        const second = yield* role(emulator.stsUrl, dir)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        expect(second.accessKeyId).toBe(first.accessKeyId)
        expect(Redacted.value(second.securityToken!)).toBe(Redacted.value(first.securityToken!))
        expect(second.expiration).toEqual(first.expiration)
        expect(second.providerName).toBe("ram_role_arn/static_ak")
        // Without the cache, every fetch is a request.
        yield* RamRoleArn.make({ source: signer, roleArn, stsEndpoint: emulator.stsUrl })
        expect((yield* emulator.counters("sts")).received).toBe(2)
        // Another policy is another session, another file.
        yield* role(emulator.stsUrl, dir).pipe(Effect.andThen(() =>
          RamRoleArn.make({
            source: signer,
            roleArn,
            stsEndpoint: emulator.stsUrl,
            policy: "{\"Version\":\"1\"}",
            cache: { directory: dir }
          })
        ))
        expect((yield* emulator.counters("sts")).received).toBe(3)
        expect((yield* cacheFiles(dir)).length).toBe(2)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the file has mode 600, its folder 700; its name is a SHA-256 and holds no secret nor identifier", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        const credential = yield* role(emulator.stsUrl, dir)
        const files = yield* cacheFiles(dir)
        expect(files).toHaveLength(1)
        const name = files[0]!
        expect(name).toMatch(/^[0-9a-f]{64}\.json$/)
        for (
          const text of [
            accessKey.accessKeySecret,
            accessKey.accessKeyId,
            Redacted.value(credential.accessKeySecret),
            Redacted.value(credential.securityToken!),
            "test-role"
          ]
        ) {
          expect(name).not.toContain(text)
        }
        expect((yield* fs.stat(`${dir}/${name}`)).mode & 0o777).toBe(0o600)
        expect((yield* fs.stat(dir)).mode & 0o777).toBe(0o700)
        // No temporary file or lock is left behind.
        expect(yield* fs.readDirectory(dir)).toEqual([name])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a malformed cache file is deleted with a warning, never trusted, and the session fetched anew", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        const warnings = yield* captureWarnings
        yield* role(emulator.stsUrl, dir)
        const [name] = yield* cacheFiles(dir)
        for (
          const bad of [
            "{not json SECRET-IN-FILE",
            "{\"version\":1,\"accessKeyId\":\"STS.x\",\"accessKeySecret\":\"SECRET-IN-FILE\"}",
            "[]"
          ]
        ) {
          yield* fs.writeFileString(`${dir}/${name}`, bad)
          const before = (yield* emulator.counters("sts")).received
          const credential = yield* role(emulator.stsUrl, dir).pipe(Effect.provide(warnings.layer))
          expect(credential.type).toBe("sts")
          expect((yield* emulator.counters("sts")).received).toBe(before + 1)
          // Rewritten with the new session: the next fetch reads it.
          yield* role(emulator.stsUrl, dir)
          expect((yield* emulator.counters("sts")).received).toBe(before + 1)
        }
        const lines = yield* Ref.get(warnings.lines)
        expect(lines.filter((l) => l.includes("malformed cache file was removed"))).toHaveLength(3)
        expect(lines.join("\n")).not.toContain("SECRET-IN-FILE")
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a cached session with less than the stale window left is not used", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dir = yield* cacheDir
        const first = yield* role(emulator.stsUrl, dir) // 1 hour
        yield* TestClock.adjust("44 minutes") // 16 minutes left: used
        expect((yield* role(emulator.stsUrl, dir)).accessKeyId).toBe(first.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        yield* TestClock.adjust("2 minutes") // 14 minutes left: below the 15-minute stale window
        const second = yield* role(emulator.stsUrl, dir)
        expect(second.accessKeyId).not.toBe(first.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(2)
        // A wider window, set per source.
        yield* TestClock.adjust("10 minutes") // 50 minutes left on the second session
        yield* role(emulator.stsUrl, dir, { staleWindow: "55 minutes" })
        expect((yield* emulator.counters("sts")).received).toBe(3)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("two concurrent fetches: the lock lets one ask STS, the other reads its session", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        const fibers = yield* Effect.all([role(emulator.stsUrl, dir), role(emulator.stsUrl, dir)], { concurrency: 2 })
          .pipe(Effect.fork)
        yield* emulator.awaitRequests("sts", 1)
        // The holder stores the session and removes its lock; the waiter polls on the clock.
        for (let i = 0; i < 1000 && Option.isNone(yield* Fiber.poll(fibers)); i++) {
          const locked = (yield* fs.readDirectory(dir)).some((n) => n.endsWith(".lock"))
          if (!locked) yield* TestClock.adjust("100 millis")
        }
        const [a, b] = yield* Fiber.join(fibers)
        expect(a.accessKeyId).toBe(b.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        expect((yield* fs.readDirectory(dir)).filter((n) => n.endsWith(".lock"))).toEqual([])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a stale lock (its process gone) is taken over at once", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        const first = yield* role(emulator.stsUrl, dir)
        const [name] = yield* cacheFiles(dir)
        yield* fs.remove(`${dir}/${name}`)
        yield* fs.writeFileString(`${dir}/${name}.lock`, JSON.stringify({ id: "gone", at: Date.UTC(2024, 0, 1) }))
        yield* TestClock.adjust("2 minutes")
        const second = yield* role(emulator.stsUrl, dir)
        expect(second.accessKeyId).not.toBe(first.accessKeyId)
        expect((yield* emulator.counters("sts")).received).toBe(2)
        expect((yield* fs.readDirectory(dir)).sort()).toEqual([name])
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a fresh lock held too long: waited for (bounded), then taken over", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        yield* role(emulator.stsUrl, dir)
        const [name] = yield* cacheFiles(dir)
        yield* fs.remove(`${dir}/${name}`)
        // A live lock: a well-formed record of a running process (this one), taken now, mode 600.
        const start = yield* Clock.currentTimeMillis
        yield* fs.writeFileString(
          `${dir}/${name}.lock`,
          JSON.stringify({ id: "busy", pid: process.pid, host: hostname(), at: start }),
          { mode: 0o600 }
        )
        const fiber = yield* Effect.fork(role(emulator.stsUrl, dir, { lockWait: "1 second" }))
        for (let i = 0; i < 1000 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
          if ((yield* emulator.counters("sts")).received < 2) yield* TestClock.adjust("100 millis")
          else yield* fs.exists(dir)
        }
        yield* Fiber.join(fiber)
        expect((yield* emulator.counters("sts")).received).toBe(2)
        // It was waited for: the fetch came once lockWait had passed on the clock.
        expect((yield* Clock.currentTimeMillis) - start).toBeGreaterThanOrEqual(1000)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped(
    "a lock that is a FIFO or a link to /dev/zero: read as no lock (bounded), the wait stays within lockWait",
    () =>
      withEmulator((emulator) =>
        Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* cacheDir
          yield* role(emulator.stsUrl, dir)
          const [name] = yield* cacheFiles(dir)
          for (const plant of ["fifo", "zero"] as const) {
            yield* fs.remove(`${dir}/${name}`)
            const lock = `${dir}/${name}.lock`
            yield* Effect.ignore(fs.remove(lock))
            if (plant === "fifo") execFileSync("mkfifo", [lock])
            else yield* fs.symlink("/dev/zero", lock)
            const before = (yield* emulator.counters("sts")).received
            const fiber = yield* Effect.fork(role(emulator.stsUrl, dir, { lockWait: "1 second" }))
            for (let i = 0; i < 1000 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
              if ((yield* emulator.counters("sts")).received === before) yield* TestClock.adjust("100 millis")
              else yield* fs.exists(dir)
            }
            const credential = yield* Fiber.join(fiber)
            expect(credential.providerName).toBe("ram_role_arn/static_ak")
            expect((yield* emulator.counters("sts")).received).toBe(before + 1)
          }
        })
      ).pipe(Effect.provide(NodeFileSystem.layer)),
    30_000
  )

  it.scoped("oidc_role_arn: a cached session is used without reading the token", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dir = yield* cacheDir
        const reads = yield* Ref.make(0)
        const oidcToken = Ref.updateAndGet(reads, (n) => n + 1).pipe(Effect.as("token"))
        const source = OidcRoleArn.make({
          roleArn,
          oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/ci",
          oidcToken,
          stsEndpoint: emulator.stsUrl,
          cache: { directory: dir }
        })
        const first = yield* source
        const second = yield* source
        expect(second.accessKeyId).toBe(first.accessKeyId)
        expect(yield* Ref.get(reads)).toBe(1)
        expect((yield* emulator.counters("sts")).received).toBe(1)
        expect((yield* emulator.requests("sts"))[0]!.query.Action).toBe("AssumeRoleWithOIDC")
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the default folder is ~/.alibabacloud/cache under HOME (through Config)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const home = yield* fs.makeTempDirectoryScoped()
        const source = RamRoleArn.make({ source: signer, roleArn, stsEndpoint: emulator.stsUrl, cache: {} })
        yield* source.pipe(withEnv({ HOME: home }))
        yield* source.pipe(withEnv({ HOME: home }))
        expect((yield* emulator.counters("sts")).received).toBe(1)
        expect(yield* cacheFiles(`${home}/${SessionCache.DEFAULT_DIRECTORY}`)).toHaveLength(1)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("cli_profile CloudSSO: the cache option keeps its session; the access token is not in the name", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* cacheDir
        const config = `${yield* fs.makeTempDirectoryScoped()}/config.json`
        yield* emulator.addCloudSsoToken({
          accessToken: "sso-token-secret",
          accountId: "123",
          accessConfigurationId: "ac-1"
        })
        yield* fs.writeFileString(
          config,
          JSON.stringify({
            current: "sso",
            profiles: [{
              name: "sso",
              mode: "CloudSSO",
              cloud_sso_sign_in_url: emulator.cloudSsoSignInUrl,
              cloud_sso_account_id: "123",
              cloud_sso_access_config: "ac-1",
              access_token: "sso-token-secret",
              cloud_sso_access_token_expire: Math.floor(Date.UTC(2024, 0, 1) / 1000) + 3600
            }]
          })
        )
        const source = CliProfile.make({ path: config, retrySchedule: retryNow(0), cache: { directory: dir } })
        const first = yield* source
        const second = yield* source
        expect(second.accessKeyId).toBe(first.accessKeyId)
        expect(second.providerName).toBe("cli_profile/cloud_sso")
        expect((yield* emulator.counters("cloud-sso")).received).toBe(1)
        const files = yield* cacheFiles(dir)
        expect(files).toHaveLength(1)
        expect(files[0]).not.toContain("sso-token-secret")
        // Without the option, every fetch asks CloudSSO.
        yield* CliProfile.make({ path: config, retrySchedule: retryNow(0) })
        expect((yield* emulator.counters("cloud-sso")).received).toBe(2)
      })
    ).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a bad cache option: InvalidConfiguration naming it, and no request", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const dir = yield* cacheDir
        const stale = yield* Effect.flip(role(emulator.stsUrl, dir, { staleWindow: "banana" as never }))
        expect(stale).toMatchObject({
          _tag: "InvalidConfiguration",
          source: "ram_role_arn",
          field: "cache.staleWindow"
        })
        const folder = yield* Effect.flip(
          RamRoleArn.make({ source: signer, roleArn, stsEndpoint: emulator.stsUrl, cache: { directory: " " } })
        )
        expect(folder).toMatchObject({ _tag: "InvalidConfiguration", field: "cache.directory" })
        expect((yield* emulator.counters("sts")).received).toBe(0)
      })
    ).pipe(Effect.provide(NodeFileSystem.layer)))
})
