const which = process.argv[2]
const C = which === "official" ? require("@alicloud/credentials").default : which === "bundle" ? require(process.argv[3]).default : require("@effect-alicloud/credentials/promise").default
const c = new C({ type: "access_key", accessKeyId: "AKID1234", accessKeySecret: "secret" })
c.getCredential().then((r) => { if (!r.accessKeyId) process.exit(3); if (c.close) return c.close() }).then(() => process.exit(0))
