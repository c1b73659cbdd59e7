/**
 * A file cache of STS sessions for short-lived processes (a command-line tool, a cron job): off by
 * default, turned on per source with its `cache` option (`RamRoleArn.make({ ..., cache: {} })`,
 * `OidcRoleArn.make({ ..., cache: {} })`).
 *
 * A session is stored in `~/.alibabacloud/cache/` (or `directory`), one file per session, named by
 * the SHA-256 of what identifies it (the API, the role ARN, the source identity: the signer's
 * AccessKey ID or the OIDC provider ARN; the policy, the external ID, the STS endpoint, the session
 * duration, a role session name given explicitly). No secret is ever part of the name. The file
 * records that identity and is used only for it; it is written atomically (a new file, mode 600,
 * renamed over it).
 *
 * The folder is checked as ssh checks `~/.ssh`: owned by the process's user, not writable by group
 * or others, not a symbolic link, its parents only the user's or root's (made with mode 700 when
 * missing; in a shared sticky folder such as /tmp, a private subfolder `alibabacloud-cache-<uid>`
 * is used). A file is opened without following links and used only if it is a regular file of the
 * user's with mode 600. Anything else (a refused folder, a planted or shared file, a malformed one,
 * another identity's) is a miss and a warning, never an error of the credential.
 *
 * A fetch reads the file first (through the bounded reader): a session with more than `staleWindow`
 * left (default 15 minutes, the refresh engine's) is used without a request. Otherwise the fetch
 * takes a lock file, reads the file again (another process may have just written it), asks STS and
 * writes the answer. A process that finds a live lock (a well-formed, recent record of a running
 * process) polls for the session for at most `lockWait`, then takes the lock over; any other lock
 * (empty, garbage, future-dated, older than `staleLock`, of a process that is gone) is taken over at
 * once. Any failure of the cache itself (a folder that cannot be made, a full disk) is a warning: the
 * fetch goes upstream as it would without the cache. See docs/session-cache.md for the threat model.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/files/sessionCache.js"

/**
 * Where the cache lives and how long its sessions and locks count: `directory` (default
 * `~/.alibabacloud/cache`), `staleWindow` (default 15 minutes, the refresh engine's), `lockWait`
 * (default 20 seconds), `staleLock` (default 60 seconds). Each field's own documentation says more.
 *
 * @example
 * ```ts
 * import { AccessKey, RamRoleArn, type SessionCache } from "@effect-alicloud/credentials"
 *
 * const cache: SessionCache.Options = { directory: "/var/cache/my-tool", staleWindow: "20 minutes" }
 * const source = RamRoleArn.make({
 *   source: AccessKey.make({ accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s3cr3t-value" }),
 *   roleArn: "acs:ram::1234567890123456:role/deployer",
 *   cache
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Options = internal.Options

/**
 * The cache folder under the home directory: `.alibabacloud/cache`.
 *
 * @example
 * ```ts
 * import { SessionCache } from "@effect-alicloud/credentials"
 * import * as Os from "node:os"
 * import * as Path from "node:path"
 *
 * const folder = Path.join(Os.homedir(), SessionCache.DEFAULT_DIRECTORY) // e.g. to clear the cache
 * assert.strictEqual(SessionCache.DEFAULT_DIRECTORY, ".alibabacloud/cache")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_DIRECTORY: string = internal.DEFAULT_DIRECTORY

/**
 * The name of the cache file of a session key (a SHA-256 hex digest and `.json`): pure, so a test or
 * a tool can find a file. The key holds identifiers only, never a secret.
 *
 * @example
 * ```ts
 * import { SessionCache } from "@effect-alicloud/credentials"
 *
 * const name = SessionCache.fileName({ api: "AssumeRole", roleArn: "acs:ram::1234567890123456:role/deployer" })
 * assert.match(name, /^[0-9a-f]{64}\.json$/)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const fileName: (key: Readonly<Record<string, string | number | undefined>>) => string = internal.fileName
