// External output read as the official tool reads it: every shape below is printed by the same
// helper (test/fixtures/external/print.mjs) and read both by the official package's External
// provider (`@alicloud/credentials` 2.4.7) and by ours; their outcomes are compared: accepted or
// not, the credential's type (STS when it has a security token), its values, and its expiration
// instant (unix seconds, as the official keeps it). The few shapes where ours deliberately differs
// assert both outcomes, and docs/config-files.md (External) lists them with the reason.
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { compare, type Outcome } from "./externalCompare.js"

// An outcome, or the part of one that a case asserts.
type Expected = Readonly<Record<string, unknown>>

const id = "LTAI-compare"
const secret = "SECRET-compare"
const token = "SECRET-token"
const ak = { access_key_id: id, access_key_secret: secret }
const akOutcome = {
  ok: true,
  type: "access_key",
  accessKeyId: id,
  accessKeySecret: secret,
  securityToken: undefined,
  expiresAt: 0
}
const stsOutcome = { ...akOutcome, type: "sts", securityToken: token }
const rejected = { ok: false }
const y2030 = Date.UTC(2030, 0, 1) / 1000

// Unix seconds of a wall-clock time in this process's zone (what `new Date("2030-01-01 00:00:00")` means).
const local = (...parts: [number, number, number, number?, number?, number?]) =>
  Math.floor(new Date(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0).getTime() / 1000)

// Both tools agree: the outcome of each (for a rejection, `ours` is the detail of our error).
const same: ReadonlyArray<readonly [string, unknown, Expected, string?]> = [
  // mode: only exactly "StsToken" is looked at; the type follows the token.
  ["mode AK", { mode: "AK", ...ak }, akOutcome],
  ["no mode", ak, akOutcome],
  ["mode \"ststoken\" (another case), no token: AK", { mode: "ststoken", ...ak }, akOutcome],
  ["mode \"RamRoleArn\": AK", { mode: "RamRoleArn", ...ak }, akOutcome],
  ["mode null", { mode: null, ...ak }, akOutcome],
  ["mode a number", { mode: 1, ...ak }, akOutcome],
  ["mode an object", { mode: { a: 1 }, ...ak }, akOutcome],
  ["mode StsToken with a token", { mode: "StsToken", ...ak, sts_token: token }, stsOutcome],
  [
    "mode AK with a token: STS (the token is attached in every mode)",
    { mode: "AK", ...ak, sts_token: token },
    stsOutcome
  ],
  ["no mode with a token: STS", { ...ak, sts_token: token }, stsOutcome],
  ["mode \"ststoken\" with a token: STS", { mode: "ststoken", ...ak, sts_token: token }, stsOutcome],
  ["mode AK, sts_token \"\": AK", { mode: "AK", ...ak, sts_token: "" }, akOutcome],
  ["sts_token null: AK", { ...ak, sts_token: null }, akOutcome],
  ["sts_token false: AK", { ...ak, sts_token: false }, akOutcome],
  ["sts_token 0: AK", { ...ak, sts_token: 0 }, akOutcome],
  ["extra fields are ignored", { ...ak, region: "cn-hangzhou", nested: { a: [1] } }, akOutcome],
  [
    "mode StsToken, no token",
    { mode: "StsToken", ...ak },
    rejected,
    "sts_token is missing or empty (mode is StsToken)"
  ],
  [
    "mode StsToken, sts_token \"\"",
    { mode: "StsToken", ...ak, sts_token: "" },
    rejected,
    "sts_token is missing or empty (mode is StsToken)"
  ],
  [
    "mode StsToken, sts_token null",
    { mode: "StsToken", ...ak, sts_token: null },
    rejected,
    "sts_token is missing or empty (mode is StsToken)"
  ],
  // The keys.
  ["no access_key_id", { access_key_secret: secret }, rejected, "access_key_id is missing"],
  ["access_key_id \"\"", { ...ak, access_key_id: "" }, rejected, "access_key_id is empty"],
  ["access_key_id null", { ...ak, access_key_id: null }, rejected, "access_key_id has the wrong type"],
  ["access_key_id 0", { ...ak, access_key_id: 0 }, rejected, "access_key_id has the wrong type"],
  ["access_key_id false", { ...ak, access_key_id: false }, rejected, "access_key_id has the wrong type"],
  ["no access_key_secret", { access_key_id: id }, rejected, "access_key_secret is missing"],
  ["access_key_secret \"\"", { ...ak, access_key_secret: "" }, rejected, "access_key_secret is empty"],
  // The document.
  ["not JSON", "SECRET-not json", rejected, "the output is not valid JSON"],
  ["empty output", "", rejected, "the output is not valid JSON"],
  ["null", "null", rejected, "the output has the wrong type"],
  ["an array", [ak], rejected, "the output has the wrong type"],
  ["a string", "\"SECRET-string\"", rejected, "the output has the wrong type"],
  ["a number", "42", rejected, "the output has the wrong type"],
  ["whitespace around the document", `\n ${JSON.stringify(ak)}\r\n`, akOutcome],
  // expiration: "none" for the falsy values, as the official.
  ["expiration null", { ...ak, expiration: null }, akOutcome],
  ["expiration \"\"", { ...ak, expiration: "" }, akOutcome],
  ["expiration false", { ...ak, expiration: false }, akOutcome],
  ["expiration 0", { ...ak, expiration: 0 }, akOutcome],
  // With an offset: that instant, whatever this process's zone.
  ["expiration …Z", { ...ak, expiration: "2030-01-01T00:00:00Z" }, { ...akOutcome, expiresAt: y2030 }],
  ["expiration …z, t", { ...ak, expiration: "2030-01-01t00:00:00z" }, { ...akOutcome, expiresAt: y2030 }],
  ["expiration with milliseconds", { ...ak, expiration: "2030-01-01T00:00:01.999Z" }, {
    ...akOutcome,
    expiresAt: y2030 + 1
  }],
  ["expiration with nanoseconds (Go's RFC 3339)", { ...ak, expiration: "2030-01-01T08:00:00.123456789+08:00" }, {
    ...akOutcome,
    expiresAt: y2030
  }],
  ["expiration +08:00", { ...ak, expiration: "2030-01-01T08:00:00+08:00" }, { ...akOutcome, expiresAt: y2030 }],
  ["expiration -0530", { ...ak, expiration: "2029-12-31T18:30:00-0530" }, { ...akOutcome, expiresAt: y2030 }],
  ["expiration with a space, Z", { ...ak, expiration: "2030-01-01 00:00:00Z" }, { ...akOutcome, expiresAt: y2030 }],
  ["expiration as `date \"+%F %T %z\"` prints it", { ...ak, expiration: "2030-01-01 08:00:00 +0800" }, {
    ...akOutcome,
    expiresAt: y2030
  }],
  ["expiration with a space, UTC", { ...ak, expiration: "2030-01-01 00:00:00 UTC" }, {
    ...akOutcome,
    expiresAt: y2030
  }],
  ["expiration with a space, GMT", { ...ak, expiration: "2030-01-01 00:00 GMT" }, { ...akOutcome, expiresAt: y2030 }],
  ["expiration a date alone: UTC midnight", { ...ak, expiration: "2030-01-01" }, { ...akOutcome, expiresAt: y2030 }],
  // Without an offset: local time, as `new Date`.
  ["expiration \"2030-01-01 00:00:00\": local", { ...ak, expiration: "2030-01-01 00:00:00" }, {
    ...akOutcome,
    expiresAt: local(2030, 1, 1)
  }],
  ["expiration \"2030-01-01T00:00:00\": local", { ...ak, expiration: "2030-01-01T00:00:00" }, {
    ...akOutcome,
    expiresAt: local(2030, 1, 1)
  }],
  ["expiration \"2030-01-01T00:00\": local", { ...ak, expiration: "2030-01-01T00:00" }, {
    ...akOutcome,
    expiresAt: local(2030, 1, 1)
  }],
  ["expiration Python's isoformat(): local", { ...ak, expiration: "2030-06-01T12:30:45.123456" }, {
    ...akOutcome,
    expiresAt: local(2030, 6, 1, 12, 30, 45)
  }],
  // A number: milliseconds since 1970, as `new Date(number)`; unix seconds fall in January 1970.
  ["expiration in milliseconds", { ...ak, expiration: y2030 * 1000 + 999 }, { ...akOutcome, expiresAt: y2030 }],
  ["expiration in seconds: read as milliseconds", { ...ak, expiration: y2030 }, {
    ...akOutcome,
    expiresAt: Math.floor(y2030 / 1000)
  }],
  // A full STS answer.
  [
    "StsToken with an expiration",
    { mode: "StsToken", ...ak, sts_token: token, expiration: "2030-01-01T00:00:00Z" },
    { ...stsOutcome, expiresAt: y2030 }
  ]
]

// Where ours deliberately differs (docs/config-files.md, External, says why).
const differs: ReadonlyArray<readonly [string, unknown | Uint8Array, Expected, Expected]> = [
  // Garbage is never "no expiration": the official reads it as none, so re-runs the command at every call.
  ["expiration not a date", { ...ak, expiration: "SECRET-soon" }, akOutcome, {
    ok: false,
    error: "expiration is not a date"
  }],
  ["expiration 30 February (rolled over by `Date`)", { ...ak, expiration: "2030-02-30T00:00:00Z" }, {
    ...akOutcome,
    expiresAt: Date.UTC(2030, 2, 2) / 1000
  }, { ok: false, error: "expiration is not a date" }],
  ["expiration hour 24", { ...ak, expiration: "2030-01-01T24:00:00Z" }, { ...akOutcome, expiresAt: y2030 + 86400 }, {
    ok: false,
    error: "expiration is not a date"
  }],
  ["expiration in words", { ...ak, expiration: "Jan 1 2030" }, { ...akOutcome, expiresAt: local(2030, 1, 1) }, {
    ok: false,
    error: "expiration is not a date"
  }],
  ["expiration with slashes", { ...ak, expiration: "2030/01/01 00:00:00" }, {
    ...akOutcome,
    expiresAt: local(2030, 1, 1)
  }, {
    ok: false,
    error: "expiration is not a date"
  }],
  ["expiration true (1 ms after 1970)", { ...ak, expiration: true }, akOutcome, {
    ok: false,
    error: "expiration has the wrong type"
  }],
  ["expiration an object", { ...ak, expiration: {} }, akOutcome, { ok: false, error: "expiration has the wrong type" }],
  [
    "expiration beyond any date",
    `{"access_key_id":"${id}","access_key_secret":"${secret}","expiration":1e999}`,
    akOutcome,
    {
      ok: false,
      error: "expiration is not a date"
    }
  ],
  // Keys and tokens are strings: the official hands a number on unconverted (above 2^53 not even
  // the digits printed).
  ["access_key_id a number", { ...ak, access_key_id: 12345 }, { ...akOutcome, accessKeyId: 12345 }, {
    ok: false,
    error: "access_key_id has the wrong type"
  }],
  ["access_key_secret an object", { ...ak, access_key_secret: { a: "SECRET-x" } }, {
    ...akOutcome,
    accessKeySecret: { a: "SECRET-x" }
  }, {
    ok: false,
    error: "access_key_secret has the wrong type"
  }],
  ["sts_token a number", { mode: "StsToken", ...ak, sts_token: 42 }, { ...stsOutcome, securityToken: 42 }, {
    ok: false,
    error: "sts_token has the wrong type"
  }],
  ["sts_token true", { ...ak, sts_token: true }, { ...stsOutcome, securityToken: true }, {
    ok: false,
    error: "sts_token has the wrong type"
  }],
  // Bytes: a byte-order mark is dropped by ours (the official's JSON.parse fails on it); invalid
  // UTF-8 is refused by ours (the official reads U+FFFD in its place).
  ["a byte-order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(ak))]), {
    ok: false
  }, akOutcome],
  [
    "invalid UTF-8 in the id",
    Buffer.concat([
      Buffer.from(`{"access_key_id":"LTAI-`),
      Buffer.from([0xff]),
      Buffer.from(`","access_key_secret":"${secret}"}`)
    ]),
    { ...akOutcome, accessKeyId: "LTAI-\ufffd" },
    { ok: false, error: "the output is not valid UTF-8" }
  ]
]

// Each case runs two processes; a loaded machine gets time.
describe("External output, ours and the official tool's on the same helper", { timeout: 60_000 }, () => {
  for (const [name, output, expected, oursDetail] of same) {
    it(name, async () => {
      const { official, ours } = await compare(output)
      expect(official).toMatchObject(expected)
      expect(ours).toMatchObject(expected)
      if (official.ok) expect(ours).toEqual(official)
      else expect(ours).toEqual({ ok: false, error: oursDetail })
    })
  }

  for (const [name, output, officialExpected, oursExpected] of differs) {
    it(`differs on purpose: ${name}`, async () => {
      const { official, ours } = await compare(output)
      expect(official).toMatchObject(officialExpected)
      expect(ours).toMatchObject(oursExpected)
      if (ours.ok) expect(ours).toEqual(oursExpected)
    })
  }
})

// The child runs test/fixtures/external/zone.ts (both tools in one process) with `TZ` set from the
// start, so that `Date`, Intl and the zone ours reads all see it; this process keeps its own zone.
const zone = fileURLToPath(new URL("./fixtures/external/zone.ts", import.meta.url))
const inZone = (tz: string, expirations: ReadonlyArray<string>) =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", zone, JSON.stringify(expirations)], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      // Without a caller's NODE_OPTIONS, so that only `TZ` differs from a plain run.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "NODE_OPTIONS")), TZ: tz },
      encoding: "utf8",
      timeout: 50_000
    })
  ) as { zone: string; results: ReadonlyArray<{ expiration: string; official: Outcome; ours: Outcome }> }

const expiresAt = (iso: string) => Date.parse(iso) / 1000

describe("an expiration without an offset is local time, as the official reads it", { timeout: 60_000 }, () => {
  it("TZ=Asia/Shanghai (UTC+8): \"2030-01-01 00:00:00\" is 2029-12-31T16:00:00Z in both, not 8 hours later", () => {
    const { results, zone } = inZone("Asia/Shanghai", [
      "2030-01-01 00:00:00",
      "2030-01-01T00:00:00",
      "2030-01-01T00:00",
      "2030-01-01 00:00",
      "2030-01-01T00:00:00.5",
      "2030-01-01T00:00:00Z",
      "2030-01-01T08:00:00+08:00",
      "2030-01-01"
    ])
    expect(zone).toBe("Asia/Shanghai")
    const at = Object.fromEntries(results.map((r) => [r.expiration, r]))
    for (const r of results) {
      expect({ expiration: r.expiration, ours: r.ours }).toEqual({ expiration: r.expiration, ours: r.official })
    }
    const local = expiresAt("2029-12-31T16:00:00Z")
    for (
      const e of [
        "2030-01-01 00:00:00",
        "2030-01-01T00:00:00",
        "2030-01-01T00:00",
        "2030-01-01 00:00",
        "2030-01-01T00:00:00.5"
      ]
    ) {
      expect(at[e]!.ours).toMatchObject({ ok: true, expiresAt: local })
    }
    // What ours read before (UTC), 8 hours later than the official: no longer.
    expect(at["2030-01-01 00:00:00"]!.ours).not.toMatchObject({ expiresAt: local + 8 * 3600 })
    // With an offset, or a date alone (UTC midnight, as `new Date`): the zone does not matter.
    for (const e of ["2030-01-01T00:00:00Z", "2030-01-01T08:00:00+08:00", "2030-01-01"]) {
      expect(at[e]!.ours).toMatchObject({ ok: true, expiresAt: expiresAt("2030-01-01T00:00:00Z") })
    }
  })

  it("TZ=America/New_York: standard and summer time, a gap and an overlap resolved as `Date` does", () => {
    const { results, zone } = inZone("America/New_York", [
      "2030-01-01 00:00:00",
      "2030-07-01 00:00:00",
      // 02:30 does not exist that night: `Date` reads it as 03:30 EDT.
      "2030-03-10 02:30:00",
      // 01:30 happens twice: `Date` takes the first, EDT.
      "2030-11-03T01:30:00"
    ])
    expect(zone).toBe("America/New_York")
    for (const r of results) {
      expect({ expiration: r.expiration, ours: r.ours }).toEqual({ expiration: r.expiration, ours: r.official })
    }
    expect(results.map((r) => r.ours.ok && r.ours.expiresAt)).toEqual([
      expiresAt("2030-01-01T05:00:00Z"),
      expiresAt("2030-07-01T04:00:00Z"),
      expiresAt("2030-03-10T07:30:00Z"),
      expiresAt("2030-11-03T05:30:00Z")
    ])
  })

  it("TZ=UTC: local time is UTC", () => {
    const { results } = inZone("UTC", ["2030-01-01 00:00:00"])
    expect(results[0]!.ours).toMatchObject({ ok: true, expiresAt: expiresAt("2030-01-01T00:00:00Z") })
    expect(results[0]!.ours).toEqual(results[0]!.official)
  })
})
