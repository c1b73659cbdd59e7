// Loopback only, enforced: every TCP connection, DNS look-up and UDP send of the test process to
// anything outside 127.0.0.0/8, ::1 and `localhost` is refused before a packet leaves (the
// benchmarks' guard, bench/src/guard.mjs). A test that reaches for a default endpoint (the metadata
// address, *.aliyuncs.com) gets ECONNREFUSED / ENOTFOUND instead of the Internet.
import "../../../../bench/src/guard.mjs"
