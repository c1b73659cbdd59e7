// The emulator's test-only certificate for 127.0.0.1 (packages/emulator/test/fixtures): the key
// pair an https emulator serves, and the certificate file a child process trusts through
// NODE_EXTRA_CA_CERTS. This test process does not trust it.
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"

const fixtures = fileURLToPath(new URL("../../emulator/test/fixtures/", import.meta.url))

/** The certificate, as a file. */
export const certFile = `${fixtures}loopback-test-only.crt`

/** What `Emulator.make({ tls })` serves. */
export const tls = {
  key: Fs.readFileSync(`${fixtures}loopback-test-only.key`, "utf8"),
  cert: Fs.readFileSync(certFile, "utf8")
}
