// Imported first by every child script of the benchmarks: it stops the child unless the network
// guard (./guard.mjs) was loaded before it. A child run by hand without `--import guard.mjs` could
// otherwise reach the ECS metadata address or a host off loopback (a default chain with nothing
// configured asks 100.100.100.200).
if (globalThis[Symbol.for("@effect-alicloud/bench/networkGuard")] !== true) {
  process.stderr.write(
    "this benchmark child runs only behind the network guard: node --import <repo>/bench/src/guard.mjs ...\n"
  )
  process.exit(2)
}
