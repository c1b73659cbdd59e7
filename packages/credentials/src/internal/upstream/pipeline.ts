// The one pipeline every exchange with an upstream goes through (STS, the metadata service, the
// credentials URI, CloudSSO, OAuth). Sources say what they send and how to read the answer; the
// pipeline owns, once for all of them:
//
// - the option block and its decoding, once per fetch (policy.ts): connect and read timeouts, the
//   time budget, the retry schedule, the body cap, trace propagation, the proxy;
// - one fetch (fetch.ts): the budget of a `get` of a source, retries included, on top of the
//   per-request timeouts; a retry starts only if the budget left allows a whole attempt;
// - one exchange (exchange.ts): the body read under a cap (past it the exchange fails at once,
//   memory bounded), decoding that cannot die (decode/json.ts: JSON depth bounded before
//   anything is parsed), one schema for every service's error answer;
// - scrubbing (scrub.ts): the request's secrets cut out of whatever comes back, raw,
//   percent-encoded, base64 or JSON-escaped, and control characters escaped before text reaches a message;
// - the typed errors, and how many attempts a failure took; a transport's failure read from the
//   TransportFailure it gives (transportError.ts, transport.ts);
// - the proxy of each request (proxy.ts: the `proxy` option, else HTTPS_PROXY / HTTP_PROXY /
//   NO_PROXY; never for the metadata service, loopback or link-local targets).
//
// It runs on any platform's HttpClient. The Node transport (HttpTransport.ts) reads each request's
// timeouts and proxy from transport.ts, and gives back its failures typed; other transports are
// bounded by the Clock deadlines here (and proxy as they are configured).
//
// This module is what the sources import (`import * as Upstream from ".../pipeline.js"`).
export { displayUrl, type Exchange, exchange, json, Refused } from "./exchange.js"
export { isTransient, run } from "./fetch.js"
export {
  defaultRetry,
  type Defaults,
  httpUrl,
  metadataDefaults,
  type Options,
  pick,
  type Policy,
  policy,
  serviceDefaults
} from "./policy.js"
export { scrubber } from "./scrub.js"
