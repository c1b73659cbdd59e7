// Alibaba Cloud's authentication error codes, read from any error value: pure, with no import, so
// the Promise facade exports `isAuthError` without loading the refresh engine or the Effect API.

// Where a code sits: our `UpstreamError` and the official SDKs' errors (`code`), the services'
// bodies (`Code`), tagged errors (`_tag`), others' conventions (`errorCode`).
const codeFields = ["code", "Code", "_tag", "errorCode"] as const
// Where a wrapped error sits: Effect's `UnknownException` (`error`), `Error.cause`, the body of an
// official SDK's error (`data`).
const wrapperFields = ["error", "cause", "data"] as const

const isAuthCode = (code: string): boolean =>
  code === "SignatureDoesNotMatch" || code === "InvalidAccessKeySecret" ||
  /^(InvalidSecurityToken|InvalidAccessKeyId)(\..+)?$/.test(code)

/** The first authentication code found in `error` or the errors it wraps (3 levels deep). */
export const authErrorCode = (error: unknown): string | undefined => {
  const visit = (value: unknown, depth: number): string | undefined => {
    if (typeof value !== "object" || value === null || depth > 3) return undefined
    for (const field of codeFields) {
      const code: unknown = Reflect.get(value, field)
      if (typeof code === "string" && isAuthCode(code)) return code
    }
    for (const field of wrapperFields) {
      const inner: unknown = Reflect.get(value, field)
      if (inner !== value) {
        const code = visit(inner, depth + 1)
        if (code !== undefined) return code
      }
    }
    return undefined
  }
  // A user's value may have a getter (or be a Proxy) that throws: it carries no code, and the caller
  // (a retry decision, the facade's `isAuthError`) gets an answer rather than that exception.
  try {
    return visit(error, 0)
  } catch {
    return undefined
  }
}

/** Whether `error` (or an error it wraps) carries an authentication code. */
export const isAuthError = (error: unknown): boolean => authErrorCode(error) !== undefined
