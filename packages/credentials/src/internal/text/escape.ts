// Outside text made printable: every control character (C0, DEL, C1) and the Unicode line and
// paragraph separators as `\uXXXX`, so that an upstream's answer or ID cannot move the cursor,
// clear a terminal or forge a log line. A leaf with no import: the models use it too.
const controlCharacters = /[\p{Cc}\u2028\u2029]/gu

/** `text` with each control character written as its `\uXXXX` escape. */
export const escapeControlCharacters = (text: string): string =>
  text.replace(controlCharacters, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
