// A `process_command` split into argv, with the POSIX rules of the official Node tool
// (`src/utils/command.ts`): the External mode runs it without a shell.
import * as Either from "effect/Either"

/**
 * Splits a command line into argv with the POSIX rules of the official tool: whitespace separates;
 * `'...'` is literal; in `"..."` a backslash escapes only `"`, `\`, `$` and backquote; outside
 * quotes it escapes any character; backslash-newline is removed outside single quotes; `''` and
 * `""` are kept as empty arguments. Left is the reason the command is rejected.
 */
export const splitCommand = (command: string): Either.Either<ReadonlyArray<string>, string> => {
  // Trimmed first, as the official tool: a trailing "\ " is a trailing backslash, not an escaped space.
  const input = command.trim()
  const args: Array<string> = []
  let current = ""
  // A word has started even if it is still empty, so `tool "" x` keeps its empty argument.
  let inWord = false
  let quote: "'" | "\"" | undefined
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!
    const next = input[i + 1]
    if (quote === "'") {
      if (c === "'") quote = undefined
      else current += c
    } else if (quote === "\"") {
      if (c === "\"") quote = undefined
      else if (c === "\\" && next === "\n") i++
      else if (c === "\\" && next !== undefined && "\"\\$`".includes(next)) {
        current += next
        i++
      } else current += c
    } else if (c === "\\") {
      if (next === undefined) return Either.left("ends with a backslash")
      i++
      if (next !== "\n") {
        current += next
        inWord = true
      }
    } else if (c === "'" || c === "\"") {
      quote = c
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current)
      current = ""
      inWord = false
    } else {
      current += c
      inWord = true
    }
  }
  if (quote !== undefined) return Either.left("has an unclosed quote")
  if (inWord) args.push(current)
  // An empty program name is "empty" too (the official tool says so; spawning "" cannot work).
  return args.length === 0 || args[0] === "" ? Either.left("is empty") : Either.right(args)
}
