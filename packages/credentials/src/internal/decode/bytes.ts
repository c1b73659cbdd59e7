// Bytes without Node's Buffer: the upstream pipeline runs on any platform's HttpClient.

/** The chunks, joined into one array of `size` bytes. */
export const concatBytes = (chunks: Iterable<Uint8Array>, size: number): Uint8Array => {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/** The UTF-8 bytes of `text` in base64 (standard alphabet, padded). */
export const base64OfText = (text: string): string => {
  let binary = ""
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}
