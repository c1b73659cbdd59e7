// The suite talks to emulators on 127.0.0.1. A developer's or a CI runner's proxy variables would
// send those requests through that proxy (the library honours them, through the default
// ConfigProvider): the suite runs without them. Proxy tests set them through ConfigProvider.fromMap.
for (
  const name of [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy"
  ]
) {
  delete process.env[name]
}
