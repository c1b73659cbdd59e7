// The suite is hermetic: it runs the same whatever the calling shell exports. The library reads
// the environment (through the default ConfigProvider: the Promise facade, the CLI, the default
// chain), so a developer's `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` (as the CLI's README advises
// off ECS), `ALIBABA_CLOUD_PROFILE`, or a CI runner's `HTTPS_PROXY` would change what a test sees
// (a source skipped, a profile selected, requests to the emulators sent through a proxy). Every
// `ALIBABA_CLOUD_*` variable and every proxy variable, in any case, is removed before the tests
// run; a test that needs one sets it itself, through `ConfigProvider.fromMap` (test/withEmulator.ts's
// `withEnv`) or in the `env` it gives a child process. Child processes that inherit `process.env`
// inherit this cleared one. The other packages' setup files load this one.
const foreign = /^(?:alibaba_cloud_.*|(?:https?|all|no)_proxy)$/i

for (const name of Object.keys(process.env)) {
  if (foreign.test(name)) delete process.env[name]
}
