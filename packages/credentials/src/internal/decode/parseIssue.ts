// Reading a Schema parse error without printing the input. Schema's formatters (TreeFormatter,
// ArrayFormatter, `ParseError.message`) print the offending value: a secret in a credentials file,
// or a value nested deep enough to overflow the stack while it is printed. These helpers follow
// the issue tree, whose depth is the schema's, and use only the messages our schemas annotate.
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as AST from "effect/SchemaAST"

export interface FirstIssue {
  /** The keys from the decoded value to the failing part, e.g. `["profiles", 1]`. */
  readonly path: ReadonlyArray<PropertyKey>
  /** The innermost message our schema gives for it, if any. */
  readonly message: string | undefined
}

const fromAnnotation = (out: unknown): string | undefined =>
  typeof out === "string"
    ? out
    : Predicate.hasProperty(out, "message") && typeof out.message === "string"
    ? out.message
    : undefined

// A message annotation (a function of the issue: ours only look at its shape), else the message a
// refinement or transformation of ours put on a `Type` issue.
const ownMessage = (issue: Exclude<ParseResult.ParseIssue, ParseResult.Pointer>): string | undefined => {
  switch (issue._tag) {
    case "Unexpected":
      return undefined
    case "Missing":
      return Option.match(AST.getMissingMessageAnnotation(issue.ast), {
        onNone: () => issue.message,
        onSome: (annotation) => fromAnnotation(annotation())
      })
    default: {
      const annotated = Option.flatMap(
        AST.getMessageAnnotation(issue.ast),
        (f) => Option.fromNullable(fromAnnotation(f(issue)))
      )
      return Option.getOrElse(annotated, () => (issue._tag === "Type" ? issue.message : undefined))
    }
  }
}

/** The path and message of the first issue (a Schema decoded with `errors: "first"` has one). */
export const firstIssue = (issue: ParseResult.ParseIssue): FirstIssue => {
  const path: Array<PropertyKey> = []
  let message: string | undefined = undefined
  let current: ParseResult.ParseIssue | undefined = issue
  while (current !== undefined) {
    if (current._tag === "Pointer") {
      if (Array.isArray(current.path)) path.push(...(current.path as ReadonlyArray<PropertyKey>))
      else path.push(current.path as PropertyKey)
      // A message above a pointer is about the container, not about the part that failed.
      message = undefined
      current = current.issue
      continue
    }
    message = ownMessage(current) ?? message
    switch (current._tag) {
      case "Composite":
        current = Array.isArray(current.issues)
          ? (current.issues as ReadonlyArray<ParseResult.ParseIssue>)[0]
          : current.issues as ParseResult.ParseIssue
        break
      case "Refinement":
      case "Transformation":
        current = current.issue
        break
      case "Missing":
        message = ownMessage(current) ?? "is missing"
        current = undefined
        break
      default:
        current = undefined
    }
  }
  return { path, message }
}

/** `profiles[1].name` from a path of keys. */
export const jsonPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`),
    ""
  )

/** "a string", "an array", "null": what a value is, never what it holds. */
export const describeValue = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value === "object"
    ? "an object"
    : `a ${typeof value}`

// ---------------------------------------------------------------------------------------------
// Every issue, by path and kind (wire bodies and helper output: no message of ours to give)
// ---------------------------------------------------------------------------------------------

type Leaf = "Type" | "Missing" | "Unexpected" | "Forbidden" | "Refinement" | "Transformation"

const reasons: Record<Leaf, string> = {
  Missing: "is missing",
  Type: "has the wrong type",
  Unexpected: "is not expected",
  Forbidden: "cannot be decoded",
  Refinement: "is invalid",
  Transformation: "cannot be read"
}

const leaves = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey>,
  out: Array<readonly [ReadonlyArray<PropertyKey>, Leaf]>
): void => {
  switch (issue._tag) {
    case "Pointer":
      return leaves(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])], out)
    case "Composite":
      for (const inner of Array.isArray(issue.issues) ? issue.issues : [issue.issues]) leaves(inner, path, out)
      return
    case "Refinement":
      return issue.kind === "From" ? leaves(issue.issue, path, out) : void out.push([path, "Refinement"])
    case "Transformation":
      return issue.kind === "Transformation" ? void out.push([path, "Transformation"]) : leaves(issue.issue, path, out)
    default:
      out.push([path, issue._tag])
  }
}

/** "Credentials.AccessKeyId is missing; Credentials.Expiration cannot be read". */
export const describeParseError = (error: ParseResult.ParseError, what = "the body"): string => {
  const found: Array<readonly [ReadonlyArray<PropertyKey>, Leaf]> = []
  leaves(error.issue, [], found)
  return found
    .map(([path, leaf]) => `${path.length === 0 ? what : path.map(String).join(".")} ${reasons[leaf]}`)
    .join("; ")
}
