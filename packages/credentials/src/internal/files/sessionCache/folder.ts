// The cache folder's checks, as ssh does for ~/.ssh: the folder holds secrets, so only this
// process's user (or root) may be able to put, rename or remove an entry in it.
//
// - The folder itself (`lstat`, not followed): a directory, not a symbolic link, owned by the
//   process's user, not writable by group or others. Made with mode 700 when missing.
// - A shared parent given as the folder (writable by others but sticky: /tmp, /var/tmp): a private
//   subfolder `alibabacloud-cache-<uid>` inside it is made and held to the same rules (as tmux's
//   /tmp/tmux-<uid>). The sticky bit keeps other users from renaming or removing it.
// - Every folder above it (its real path): owned by root or the user, and not writable by group or
//   others unless sticky. Otherwise another user could rename the checked folder away and put their
//   own in its place between the check and the use.
//
// A folder that fails is refused: `UnsafeFolder` names the path, what is wrong and the fix. The
// caller logs it and fetches without the cache; nothing is ever written in a refused folder.
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodePath from "node:path"
import * as Posix from "./posix.js"

/** The cache folder cannot be trusted (or used): not caching. */
export class UnsafeFolder extends Data.TaggedError("UnsafeFolder")<{
  readonly path: string
  readonly reason: string
  readonly fix: string
}> {
  override get message(): string {
    return `session cache: the folder ${this.path} ${this.reason}; not caching. Fix: ${this.fix}`
  }
}

/** The private subfolder made inside a shared sticky folder (/tmp). */
const privateSubfolder = (parent: string, uid: number): string => NodePath.join(parent, `alibabacloud-cache-${uid}`)

const OWN_FOLDER_FIX = "choose a folder of your own for cache.directory (or leave it out for ~/.alibabacloud/cache)"

const cannotUse = (path: string) => (error: Posix.FsError) =>
  new UnsafeFolder({
    path,
    reason: `cannot be used (${error.message})`,
    fix: "check its permissions, or " + OWN_FOLDER_FIX
  })

/** `lstat`, making the folder (mode 700) first when it is missing. */
const lstatOrMake = (path: string, recursive: boolean) =>
  Posix.lstat(path).pipe(
    Effect.catchIf((error) => error.code === "ENOENT", () =>
      Posix.makeDirectory(path, recursive).pipe(
        Effect.catchIf((error) => error.code === "EEXIST", () => Effect.void),
        Effect.zipRight(Posix.lstat(path))
      )),
    Effect.mapError(cannotUse(path))
  )

const checkOwnFolder = (path: string, info: Posix.Stats, uid: number): Effect.Effect<void, UnsafeFolder> => {
  const refuse = (reason: string, fix: string) => Effect.fail(new UnsafeFolder({ path, reason, fix }))
  if (info.isSymbolicLink()) {
    return refuse(
      "is a symbolic link (another user could point it elsewhere)",
      "give the real folder as cache.directory, or " + OWN_FOLDER_FIX
    )
  }
  if (!info.isDirectory()) return refuse(`is ${Posix.kindOf(info)}, not a folder`, OWN_FOLDER_FIX)
  if (info.uid !== uid) {
    return refuse(`is owned by uid ${info.uid}, not by this process's user (uid ${uid})`, OWN_FOLDER_FIX)
  }
  if (Posix.sharedWritable(info)) {
    return refuse(
      `is writable by group or others (mode ${Posix.octal(info.mode)})`,
      `chmod 700 ${path}, or ${OWN_FOLDER_FIX}`
    )
  }
  return Effect.void
}

/** Every folder above `path` (its real path) must be one only root or the user can change. */
const checkAncestors = (path: string, uid: number): Effect.Effect<void, UnsafeFolder> =>
  Effect.gen(function*() {
    let current = yield* Effect.mapError(Posix.realpath(NodePath.dirname(path)), cannotUse(path))
    // Bounded by the depth of the path: dirname reaches the root.
    for (;;) {
      const info = yield* Effect.mapError(Posix.stat(current), cannotUse(path))
      const ownerOk = info.uid === 0 || info.uid === uid
      if (!ownerOk || (Posix.sharedWritable(info) && !Posix.sticky(info))) {
        return yield* new UnsafeFolder({
          path,
          reason: `is inside ${current}, which ${
            ownerOk
              ? `is writable by group or others (mode ${Posix.octal(info.mode)})`
              : `is owned by uid ${info.uid}`
          }: another user could replace the cache folder`,
          fix: "choose a folder whose parents only you or root can change"
        })
      }
      const parent = NodePath.dirname(current)
      if (parent === current) return
      current = parent
    }
  })

/** The folder to use and its `lstat` as checked (the subfolder's in a shared sticky folder). */
interface Checked {
  readonly folder: string
  readonly info: Posix.Stats
}

const checkFolder = (path: string): Effect.Effect<Checked, UnsafeFolder> =>
  Effect.gen(function*() {
    const info = yield* lstatOrMake(path, true)
    const uid = Posix.currentUid()
    if (uid === undefined) {
      // Windows: no uid nor mode bits; the folder's ACL (the profile's, by default) protects it.
      if (info.isSymbolicLink() || !info.isDirectory()) {
        return yield* new UnsafeFolder({ path, reason: `is ${Posix.kindOf(info)}`, fix: OWN_FOLDER_FIX })
      }
      return { folder: path, info }
    }
    if (info.isDirectory() && Posix.sharedWritable(info) && Posix.sticky(info)) {
      // A shared folder such as /tmp: checked with its parents (root's or ours, sticky if shared).
      const own = privateSubfolder(path, uid)
      yield* checkAncestors(own, uid)
      const ownInfo = yield* lstatOrMake(own, false)
      yield* checkOwnFolder(own, ownInfo, uid)
      return { folder: own, info: ownInfo }
    }
    yield* checkOwnFolder(path, info, uid)
    yield* checkAncestors(path, uid)
    return { folder: path, info }
  })

// The folders that passed the checks in this process, by the `directory` asked for. Whether a
// folder and the folders above it may be trusted depends on their owner and mode, which only their
// owner or root can change (chmod, chown), and on who may rename them, which the parents' owner and
// mode decide. Another local user (the threat model) can change none of these once they passed, so
// the whole walk is done once per folder per process; each later use `lstat`s the folder itself
// (one call) and walks again if it is no longer the same folder with the same owner and mode (the
// user, root or a cleaner of /tmp removed, replaced or chmod'ed it). The entries are still checked
// on their descriptor at every read.
const checkedFolders = new Map<string, Checked>()
/** Distinct cache folders of one process are a handful; a bound all the same. */
const MAX_CHECKED_FOLDERS = 64

// The same folder, owner and mode, and still this process's user (a process may setuid).
const unchanged = (before: Posix.Stats, now: Posix.Stats): boolean =>
  !now.isSymbolicLink() && now.isDirectory() && now.dev === before.dev && now.ino === before.ino &&
  now.uid === before.uid && now.mode === before.mode && now.uid === Posix.currentUid()

/**
 * The folder to keep the cache files in: `path` when it passes the checks, its private subfolder
 * when `path` is a shared sticky folder, or `UnsafeFolder`. Checked in full once per process (see
 * `checkedFolders`), then by one `lstat` of the folder.
 */
export const secureFolder = (path: string): Effect.Effect<string, UnsafeFolder> =>
  Effect.gen(function*() {
    const known = checkedFolders.get(path)
    if (known !== undefined) {
      const now = yield* Effect.option(Posix.lstat(known.folder))
      if (Option.isSome(now) && unchanged(known.info, now.value)) return known.folder
      checkedFolders.delete(path)
    }
    const checked = yield* checkFolder(path)
    if (Posix.currentUid() !== undefined) {
      if (checkedFolders.size >= MAX_CHECKED_FOLDERS) checkedFolders.clear()
      checkedFolders.set(path, checked)
    }
    return checked.folder
  })
