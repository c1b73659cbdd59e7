// Schema errors described by path and kind only. Schema's own messages (and its formatters, which
// build them) print the input: the input here holds secrets, and a value nested deep enough
// overflows the stack while it is printed. The issue tree is walked instead; its depth is the
// schema's, not the input's.
import type * as ParseResult from "effect/ParseResult"

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
