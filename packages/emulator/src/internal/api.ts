/**
 * A generic signed API: `/api` (and any path under it, for ROA-style paths) accepts any `Action` of
 * any `Version`, in ACS3 (`Authorization: ACS3-…`, action in `x-acs-action`) or RPC (`Action`,
 * `Signature`… parameters), and checks it as STS checks its own calls (the same code): signature,
 * security token and expiry of an issued key, nonce, timestamp. It answers the caller's identity
 * and what it received, so that a client's signing can be tested against any product.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Reply from "./reply.js"
import type { RequestContext } from "./request.js"
import type { State } from "./state.js"
import * as Sts from "./sts.js"

/** @internal */
export const prefix = "/api"

/** @internal */
export const matches = (path: string): boolean => path === prefix || path.startsWith(`${prefix}/`)

// The endpoint's clock offset per emulator (its state), in milliseconds.
const skews = new WeakMap<State, number>()

/** @internal */
export const setClockSkew = (
  state: State,
  skew: Duration.DurationInput,
  direction: "ahead" | "behind" = "ahead"
): Effect.Effect<void> =>
  Effect.sync(() => {
    const millis = Duration.toMillis(Duration.decode(skew))
    skews.set(state, direction === "ahead" ? millis : -millis)
  })

const withDate = (reply: Reply.Reply, now: number): Reply.Reply => ({
  ...reply,
  headers: { ...reply.headers, date: new Date(now).toUTCString() }
})

const missing = (ctx: RequestContext, name: string) =>
  Sts.errorReply(ctx, { status: 400, code: `Missing${name}`, message: `${name} is mandatory for this action.` })

/** @internal */
export const handle = (state: State, ctx: RequestContext): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const now = (yield* Clock.currentTimeMillis) + (skews.get(state) ?? 0)
    const action = ctx.params["Action"] ?? ctx.headers["x-acs-action"]
    if (action === undefined || action === "") return withDate(missing(ctx, "Action"), now)
    const version = ctx.params["Version"] ?? ctx.headers["x-acs-version"]
    if (version === undefined || version === "") return withDate(missing(ctx, "Version"), now)
    const authenticated = yield* Sts.authenticate(state, ctx, now)
    if (Either.isLeft(authenticated)) return withDate(Sts.errorReply(ctx, authenticated.left), now)
    return withDate(
      Reply.json(200, {
        RequestId: Reply.requestId(),
        Action: action,
        Version: version,
        Caller: Sts.callerIdentity(authenticated.right.identity),
        Method: ctx.method,
        Path: ctx.path,
        BodyBytes: ctx.rawBytes?.length ?? Buffer.byteLength(ctx.rawBody)
      }),
      now
    )
  })
