// The fault matrix: every network source × every emulator fault, with the library's default retry
// policy, against the real emulator on 127.0.0.1 and the real undici transport, in virtual time.
//
// Each cell is run twice: with the fault on every request ("persists") and on the first request
// only ("once"). A cell reads `<outcome> · <tries> tries · <requests> req · <virtual seconds> s`:
//   outcome   the typed error's _tag (UpstreamError with its status and code; Timeout with its phase)
//             or "success";
//   tries     tries of the source's retry loop (requests at the endpoint that starts a try: the STS
//             / URI / CloudSSO request; for ecs_ram_role the IMDSv2 token request);
//   requests  requests the faulted endpoint received (ecs_ram_role: the credential request, which a
//             failure with the token repeats once without it, the IMDSv1 fallback);
//   seconds   virtual time from the call to its outcome (jitter seeded, so exact).
// For a refused port nothing reaches the emulator: tries and requests are connection attempts.
//
// The same table is docs/reliability.md's; the last test keeps the two in step.
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { readFileSync } from "node:fs"
import {
  closedPort,
  describeResult,
  drive,
  Fault,
  type NetworkSource,
  type Outcome,
  sources,
  startEmulator
} from "./harness.js"

interface FaultRow {
  readonly name: string
  /** The fault, or "refused" for a closed loopback port. */
  readonly fault: Fault.Fault | "refused"
  /** For faults that keep a request waiting (hang, delay): how long, at most. */
  readonly park?: Duration.Duration
}

const faults: ReadonlyArray<FaultRow> = [
  { name: "HTTP 500 InternalError", fault: Fault.internalError },
  { name: "HTTP 503 ServiceUnavailable", fault: Fault.serviceUnavailable },
  { name: "HTTP 400 Throttling.User", fault: Fault.throttling(400) },
  { name: "HTTP 429 Throttling.User", fault: Fault.throttling(429) },
  { name: "HTTP 403 NoPermission", fault: Fault.httpError(403, "NoPermission") },
  { name: "malformed body (not JSON)", fault: Fault.malformedBody },
  { name: "truncated body", fault: Fault.truncatedBody },
  { name: "missing field SecurityToken", fault: Fault.missingField("SecurityToken") },
  { name: "headers after 20 s (> deadline)", fault: Fault.delay("20 seconds"), park: Duration.seconds(20) },
  { name: "headers after 1 s (< deadline)", fault: Fault.delay("1 second"), park: Duration.seconds(1) },
  { name: "hang", fault: Fault.hang, park: Duration.infinity },
  { name: "connection refused", fault: "refused" },
  { name: "connection reset (RST)", fault: Fault.reset },
  { name: "connection closed (FIN)", fault: Fault.close },
  { name: "JSON nested 200,000 deep", fault: Fault.deepJson() },
  { name: "100 MB body", fault: Fault.hugeBody(100 * 1024 * 1024) },
  { name: "endless body", fault: Fault.endlessBody }
]

type Cell = readonly [persists: string, once: string | null]

const matrix: Record<string, Record<string, Cell>> = {
  ram_role_arn: {
    "HTTP 500 InternalError": [
      "UpstreamError 500 InternalError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 503 ServiceUnavailable": [
      "UpstreamError 503 ServiceUnavailable \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 400 Throttling.User": [
      "UpstreamError 400 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 429 Throttling.User": [
      "UpstreamError 429 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 403 NoPermission": [
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "malformed body (not JSON)": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "truncated body": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "missing field SecurityToken": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "headers after 20 s (> deadline)": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "headers after 1 s (< deadline)": [
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s",
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s"
    ],
    "hang": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "connection refused": ["NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s", null],
    "connection reset (RST)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "connection closed (FIN)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "JSON nested 200,000 deep": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "100 MB body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "endless body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ]
  },
  oidc_role_arn: {
    "HTTP 500 InternalError": [
      "UpstreamError 500 InternalError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 503 ServiceUnavailable": [
      "UpstreamError 503 ServiceUnavailable \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 400 Throttling.User": [
      "UpstreamError 400 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 429 Throttling.User": [
      "UpstreamError 429 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 403 NoPermission": [
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "malformed body (not JSON)": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "truncated body": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "missing field SecurityToken": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "headers after 20 s (> deadline)": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "headers after 1 s (< deadline)": [
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s",
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s"
    ],
    "hang": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "connection refused": ["NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s", null],
    "connection reset (RST)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "connection closed (FIN)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "JSON nested 200,000 deep": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "100 MB body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "endless body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ]
  },
  ecs_ram_role: {
    "HTTP 500 InternalError": [
      "UpstreamError 500 InternalError \u00b7 3 tries \u00b7 6 req \u00b7 0.6 s",
      "success \u00b7 1 tries \u00b7 2 req \u00b7 0.0 s"
    ],
    "HTTP 503 ServiceUnavailable": [
      "UpstreamError 503 ServiceUnavailable \u00b7 3 tries \u00b7 6 req \u00b7 0.6 s",
      "success \u00b7 1 tries \u00b7 2 req \u00b7 0.0 s"
    ],
    "HTTP 400 Throttling.User": [
      "UpstreamError 400 Throttling.User \u00b7 3 tries \u00b7 6 req \u00b7 0.6 s",
      "success \u00b7 1 tries \u00b7 2 req \u00b7 0.0 s"
    ],
    "HTTP 429 Throttling.User": [
      "UpstreamError 429 Throttling.User \u00b7 3 tries \u00b7 6 req \u00b7 0.6 s",
      "success \u00b7 1 tries \u00b7 2 req \u00b7 0.0 s"
    ],
    "HTTP 403 NoPermission": [
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 2 req \u00b7 0.0 s",
      "success \u00b7 1 tries \u00b7 2 req \u00b7 0.0 s"
    ],
    "malformed body (not JSON)": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "truncated body": [
      "NetworkError \u00b7 3 tries \u00b7 3 req \u00b7 0.6 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "missing field SecurityToken": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "headers after 20 s (> deadline)": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 2.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 2.0 s"
    ],
    "headers after 1 s (< deadline)": [
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s",
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s"
    ],
    "hang": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 2.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 2.0 s"
    ],
    "connection refused": ["NetworkError \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s", null],
    "connection reset (RST)": [
      "NetworkError \u00b7 3 tries \u00b7 3 req \u00b7 0.6 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "connection closed (FIN)": [
      "NetworkError \u00b7 3 tries \u00b7 3 req \u00b7 0.6 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "JSON nested 200,000 deep": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "100 MB body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "endless body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ]
  },
  credentials_uri: {
    "HTTP 500 InternalError": [
      "UpstreamError 500 InternalError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 503 ServiceUnavailable": [
      "UpstreamError 503 ServiceUnavailable \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 400 Throttling.User": [
      "UpstreamError 400 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 429 Throttling.User": [
      "UpstreamError 429 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 403 NoPermission": [
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "malformed body (not JSON)": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "truncated body": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "missing field SecurityToken": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "headers after 20 s (> deadline)": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "headers after 1 s (< deadline)": [
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s",
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s"
    ],
    "hang": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "connection refused": ["NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s", null],
    "connection reset (RST)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "connection closed (FIN)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "JSON nested 200,000 deep": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "100 MB body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "endless body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ]
  },
  "cli_profile (CloudSSO)": {
    "HTTP 500 InternalError": [
      "UpstreamError 500 InternalError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 503 ServiceUnavailable": [
      "UpstreamError 503 ServiceUnavailable \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 400 Throttling.User": [
      "UpstreamError 400 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 429 Throttling.User": [
      "UpstreamError 429 Throttling.User \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "HTTP 403 NoPermission": [
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "UpstreamError 403 NoPermission \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "malformed body (not JSON)": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "truncated body": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "missing field SecurityToken": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "headers after 20 s (> deadline)": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "headers after 1 s (< deadline)": [
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s",
      "success \u00b7 1 tries \u00b7 1 req \u00b7 1.0 s"
    ],
    "hang": [
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s",
      "Timeout (total) \u00b7 1 tries \u00b7 1 req \u00b7 15.0 s"
    ],
    "connection refused": ["NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s", null],
    "connection reset (RST)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "connection closed (FIN)": [
      "NetworkError \u00b7 4 tries \u00b7 4 req \u00b7 1.3 s",
      "success \u00b7 2 tries \u00b7 2 req \u00b7 0.2 s"
    ],
    "JSON nested 200,000 deep": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "100 MB body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ],
    "endless body": [
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s",
      "MalformedResponse \u00b7 1 tries \u00b7 1 req \u00b7 0.0 s"
    ]
  }
}

const render = (outcome: Outcome): string =>
  `${describeResult(outcome.result)} · ${outcome.tries} tries · ${outcome.requests} req · ${
    (Duration.toMillis(outcome.elapsed) / 1000).toFixed(1)
  } s`

const runCell = (source: NetworkSource, row: FaultRow, times: number | undefined) =>
  Effect.gen(function*() {
    const emulator = yield* startEmulator
    const baseUrl = row.fault === "refused" ? `http://127.0.0.1:${yield* closedPort}` : emulator.baseUrl
    if (row.fault !== "refused") {
      yield* emulator.setFault(source.endpoint, row.fault, times === undefined ? {} : { times })
    }
    const outcome = yield* drive({
      source,
      target: { emulator, baseUrl },
      park: row.park === undefined ? undefined : Duration.min(row.park, source.deadline),
      times,
      countTries: row.fault === "refused"
    })
    // the time read is the client's own: the driver moved the clock only while the client waited
    expect(Duration.toMillis(outcome.moved)).toBe(Duration.toMillis(outcome.elapsed))
    return outcome
  })

describe("fault matrix", () => {
  for (const source of sources) {
    describe(source.name, () => {
      for (const row of faults) {
        it.scoped(row.name, () =>
          Effect.gen(function*() {
            const persists = render(yield* Effect.scoped(runCell(source, row, undefined)))
            // a refused port refuses every time: "once" does not apply
            const once = row.fault === "refused" ? null : render(yield* Effect.scoped(runCell(source, row, 1)))
            console.log(`MATRIX ${JSON.stringify([source.name, row.name, persists, once])}`)
            expect([persists, once]).toEqual(matrix[source.name]![row.name])
          }))
      }
    })
  }

  it("docs/reliability.md holds this table", () => {
    const doc = readFileSync(new URL("../../../../docs/reliability.md", import.meta.url), "utf8")
    expect(doc).toContain(markdown())
  })
})

/** The Markdown table of docs/reliability.md, from `matrix`. */
export const markdown = (): string => {
  const lines = ["| source | fault | fault on every request | fault on the first request only |", "|---|---|---|---|"]
  for (const source of sources) {
    for (const row of faults) {
      const [persists, once] = matrix[source.name]![row.name]!
      lines.push(`| ${source.name} | ${row.name} | ${persists} | ${once ?? "—"} |`)
    }
  }
  return lines.join("\n")
}
