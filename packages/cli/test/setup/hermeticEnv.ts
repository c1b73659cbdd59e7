// The suite runs the same whatever the calling shell exports: every ALIBABA_CLOUD_* and proxy
// variable is removed before the tests run (why, and how a test sets one: the credentials
// package's setup file, loaded here).
import "../../../credentials/test/setup/hermeticEnv.js"
