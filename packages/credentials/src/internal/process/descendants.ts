// The processes a command started, read from Linux's /proc: what a kill of the command's process
// group misses. A child that called `setsid` (or was spawned detached) leads a session and a group
// of its own, so `kill(-pgid)` of the command's group does not reach it; while the command runs it
// is still the command's descendant, found here by parent pid. Once the command has exited, its
// children belong to init (or a subreaper) and no link back is left: nothing finds them then.
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { readTextFile } from "../files/boundedFile.js"

/** A process found under the command: its pid, and its group (it leads one when they are equal). */
export interface Descendant {
  readonly pid: number
  readonly pgid: number
}

// A process table read has a bound, like every other read: the first 65 536 entries, each stat
// line through the bounded reader (a real one is a few hundred bytes), for at most a second (a kill
// waits on it: what is not read by then is not found).
const maxEntries = 65_536
const scanTime = Duration.seconds(1)
const statOptions = { source: "process_command", maxBytes: 4096 }

// `/proc/<pid>/stat`: "pid (comm) state ppid pgrp ...". The command name may hold spaces and
// parentheses: the fields after it are read from the last ")".
const parse = (stat: string): { readonly ppid: number; readonly pgid: number } | undefined => {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ppid = Number(fields[1])
  const pgid = Number(fields[2])
  return Number.isSafeInteger(ppid) && Number.isSafeInteger(pgid) ? { ppid, pgid } : undefined
}

/**
 * Every descendant of `root` (children, their children...) in the process table now, as far as it
 * was read within `within`. Empty where there is no /proc (macOS, Windows) or it cannot be read; a
 * process gone meanwhile is skipped.
 */
export const descendantsOf = (
  root: number,
  within: Duration.DurationInput = scanTime
): Effect.Effect<ReadonlyArray<Descendant>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (process.platform !== "linux") return []
    const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(within)
    const fs = yield* FileSystem.FileSystem
    const names = yield* fs.readDirectory("/proc").pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const pids = names.filter((name) => /^\d+$/.test(name)).slice(0, maxEntries)
    const children = new Map<number, Array<Descendant>>()
    for (const name of pids) {
      if ((yield* Clock.currentTimeMillis) >= deadline) break
      const stat = yield* readTextFile(`/proc/${name}/stat`, statOptions).pipe(Effect.orElseSucceed(() => ""))
      const entry = parse(stat)
      if (entry === undefined) continue
      const siblings = children.get(entry.ppid) ?? []
      siblings.push({ pid: Number(name), pgid: entry.pgid })
      children.set(entry.ppid, siblings)
    }
    const found: Array<Descendant> = []
    const seen = new Set<number>([root])
    const queue = [root]
    while (queue.length > 0) {
      for (const child of children.get(queue.shift()!) ?? []) {
        if (seen.has(child.pid)) continue
        seen.add(child.pid)
        found.push(child)
        queue.push(child.pid)
      }
    }
    return found
  })
