// The lock `<entry>.lock`: one process fetches while the others wait for its session, for at most
// `lockWait` whatever the lock holds.
//
// Taken by writing the record `{ id, pid, host, at }` to a private temporary file and hard-linking
// it to the lock's name: `link` is atomic and fails when anything (a link included) is there, so a
// lock is never seen half-written. A lock is waited for only while it is *live*: read as a private
// file (see privateFile.ts), a well-formed record, dated no later than now (1 second of skew
// allowed), younger than `staleLock`, and, when taken on this host, its process still running. Any
// other lock (empty, garbage, future-dated, planted, a FIFO, a link, its process gone) is stale at
// once: taken over (see `takeOver`: moved aside and judged again, so a taker never removes another
// taker's fresh lock). A live lock held past `lockWait` is taken over too. Released (if
// still ours) when the fetch's scope closes, interrupted or not.
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as NodeOs from "node:os"
import * as Posix from "./posix.js"
import { createPrivateFile, readPrivateFile } from "./privateFile.js"

const POLL = Duration.millis(100)
/** A record is a few dozen bytes. */
const LOCK_MAX_BYTES = 1024
/** Clocks of hosts sharing a folder may differ a little; more ahead than this is a forged date. */
const FUTURE_SKEW_MILLIS = 1000

const LockRecord = Schema.parseJson(Schema.Struct({
  id: Schema.String,
  pid: Schema.Int.pipe(Schema.positive()),
  host: Schema.String,
  at: Schema.Number.pipe(Schema.finite())
}))

export interface LockOptions<A> {
  readonly entryPath: string
  readonly source: string
  readonly waitMillis: number
  readonly staleMillis: number
  /** The session, if the holder has stored it meanwhile (then waiting stops and it is used as read). */
  readonly sessionReady: Effect.Effect<Option.Option<A>>
}

const warn = (message: string, fields: Record<string, string>) =>
  Effect.logWarning(message).pipe(Effect.annotateLogs(fields))

/** Signal 0 tests a pid without touching it; EPERM means it runs as another user. */
const isRunning = (pid: number) =>
  Effect.sync(() => {
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return Predicate.hasProperty(error, "code") && error.code === "EPERM"
    }
  })

type LockState = { readonly _tag: "Free" } | { readonly _tag: "Live"; readonly id: string } | {
  readonly _tag: "Stale"
  readonly reason: string
}

const stale = (reason: string): LockState => ({ _tag: "Stale", reason })

/** What the lock at `lockPath` is, by the rule above. */
const lockState = (lockPath: string, staleMillis: number): Effect.Effect<LockState> =>
  Effect.gen(function*() {
    const text = yield* Effect.either(readPrivateFile(lockPath, LOCK_MAX_BYTES))
    if (text._tag === "Left") return stale(text.left.reason)
    if (Option.isNone(text.right)) return { _tag: "Free" } as const
    const record = yield* Effect.option(Schema.decodeUnknown(LockRecord)(text.right.value))
    if (Option.isNone(record)) return stale("does not hold a lock record")
    const now = yield* Clock.currentTimeMillis
    const { at, host, pid } = record.value
    if (at > now + FUTURE_SKEW_MILLIS) return stale("is dated in the future")
    if (now - at > staleMillis) return stale("is older than staleLock")
    if (host === NodeOs.hostname() && !(yield* isRunning(pid))) return stale(`its process (pid ${pid}) is gone`)
    return { _tag: "Live", id: record.value.id } as const
  })

/**
 * Takes the lock of `entryPath`, waiting (bounded) for a live holder. Returns the session when the
 * holder stored it meanwhile (as `sessionReady` read it: the caller does not read it again), none
 * otherwise: with the lock, or without it when no lock can be made (a warning). Scoped: the lock is
 * released when the scope closes.
 */
export const acquireLock = <A>(options: LockOptions<A>): Effect.Effect<Option.Option<A>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const lockPath = `${options.entryPath}.lock`
    const id = `${(yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)}${
      (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    }`
    const host = NodeOs.hostname()
    const tries = Math.max(1, Math.ceil(options.waitMillis / Duration.toMillis(POLL)))
    const take = Effect.gen(function*() {
      const at = yield* Clock.currentTimeMillis
      const temporary = `${lockPath}.${id}.tmp`
      yield* createPrivateFile(temporary, new TextEncoder().encode(JSON.stringify({ id, pid: process.pid, host, at })))
      yield* Posix.link(temporary, lockPath).pipe(Effect.ensuring(Effect.ignore(Posix.unlink(temporary))))
    })
    const cannotRemove = (reason: string) =>
      Effect.as(
        warn("session cache: a stale lock cannot be removed; fetching without it", {
          source: options.source,
          reason
        }),
        false
      )
    // Whether the lock judged stale (or held past lockWait) is out of the way; false (a warning) when
    // it cannot be removed. Between the judgement and the removal another taker may have replaced it
    // with its own fresh lock: removing the name blindly would remove that one (and both would
    // fetch). So the lock is first moved to a name of this taker's own (rename is atomic: whatever
    // was there at that instant, nobody else's from then on) and judged again there: removed only if
    // it is still `isTheJudged` one, otherwise linked back (`link` never replaces: if yet another
    // lock was taken meanwhile, that one stays) and the loop reads the lock again. Uninterruptible:
    // a few bounded calls, and an interruption between the move and the link back would lose a lock.
    const takeOver = (reason: string, isTheJudged: (state: LockState) => boolean) =>
      Effect.uninterruptible(Effect.gen(function*() {
        const info = yield* Effect.either(Posix.lstat(lockPath))
        if (info._tag === "Left") {
          return info.left.code === "ENOENT" || (yield* cannotRemove(`${reason}; ${info.left.message}`))
        }
        // A folder planted as the lock cannot be unlinked; left where it is.
        if (info.right.isDirectory()) return yield* cannotRemove(`${reason}; it is a directory`)
        const moved = `${lockPath}.${id}.stale`
        const renamed = yield* Effect.either(Posix.rename(lockPath, moved))
        if (renamed._tag === "Left") {
          return renamed.left.code === "ENOENT" || (yield* cannotRemove(`${reason}; ${renamed.left.message}`))
        }
        const state = yield* lockState(moved, options.staleMillis)
        if (!isTheJudged(state)) {
          yield* Effect.ignore(Posix.link(moved, lockPath))
          yield* Effect.ignore(Posix.unlink(moved))
          return true
        }
        const removed = yield* Effect.either(Posix.unlink(moved))
        if (removed._tag === "Left") return yield* cannotRemove(`${reason}; ${removed.left.message}`)
        yield* warn("session cache: a stale lock was removed", { source: options.source, reason })
        return true
      }))
    const isStale = (state: LockState) => state._tag === "Stale"
    // The id of the live lock waited for: only that one is taken over after lockWait.
    let waitedFor: string | undefined
    let owned = false
    // At most `tries` waits of POLL: the whole wait stays within lockWait, whatever the lock holds.
    for (let i = 0; i <= tries; i++) {
      const result = yield* Effect.either(take)
      if (result._tag === "Right") {
        owned = true
        break
      }
      if (result.left.code !== "EEXIST") {
        yield* warn("session cache: the lock file cannot be made; fetching without it", {
          source: options.source,
          reason: result.left.message
        })
        return Option.none()
      }
      const state = yield* lockState(lockPath, options.staleMillis)
      if (state._tag === "Stale") {
        // A lock that cannot be removed (a folder planted in its place) would fail every try.
        if (!(yield* takeOver(state.reason, isStale))) return Option.none()
        continue
      }
      if (state._tag === "Free" || i === tries) continue
      waitedFor = state.id
      yield* Effect.sleep(POLL)
      // The holder may have stored the session meanwhile: stop waiting as soon as it is there.
      const ready = yield* options.sessionReady
      if (Option.isSome(ready)) return ready
    }
    if (!owned) {
      const heldTooLong = (state: LockState) => isStale(state) || (state._tag === "Live" && state.id === waitedFor)
      if (!(yield* takeOver("held longer than lockWait", heldTooLong))) return Option.none()
      owned = (yield* Effect.either(take))._tag === "Right"
      if (!owned) return Option.none()
    }
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const text = yield* Effect.option(readPrivateFile(lockPath, LOCK_MAX_BYTES))
        const record = Option.flatMap(
          Option.flatten(text),
          (t) => Option.getRight(Schema.decodeUnknownEither(LockRecord)(t))
        )
        if (Option.isSome(record) && record.value.id === id) yield* Effect.ignore(Posix.unlink(lockPath))
      })
    )
    return Option.none()
  })
