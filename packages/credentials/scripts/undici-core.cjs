// The part of undici the facade bundle uses (scripts/bundle.mjs aliases "undici" to this file):
// its dispatchers, connector and errors, without the fetch, WebSocket, cache and mock modules that
// undici's index also loads (three quarters of the ~117 ms its `require` takes). As in undici's
// index, the request API is installed on Dispatcher.prototype. undici is pinned, and the facade's
// tests load the bundle, so a change of these paths fails CI. Like undici's index, lib/global
// installs undici's global dispatcher (which Node's own fetch then uses) if none is installed.
"use strict"
const Dispatcher = require("undici/lib/dispatcher/dispatcher")
const api = require("undici/lib/api")
const { getGlobalDispatcher, setGlobalDispatcher } = require("undici/lib/global")

Object.assign(Dispatcher.prototype, api)

module.exports = {
  Dispatcher,
  Agent: require("undici/lib/dispatcher/agent"),
  Pool: require("undici/lib/dispatcher/pool"),
  ProxyAgent: require("undici/lib/dispatcher/proxy-agent"),
  buildConnector: require("undici/lib/core/connect"),
  errors: require("undici/lib/core/errors"),
  getGlobalDispatcher,
  setGlobalDispatcher
}
