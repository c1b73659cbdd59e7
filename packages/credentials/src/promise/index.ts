// The folder as a module, for tools that import `src/promise` as a directory: docgen compiles the
// examples' `@effect-alicloud/credentials/promise` as `src/promise`. The package's `./promise`
// entry is `./entry.ts` (package.json `exports`).
export * from "./entry.js"
export { default } from "./entry.js"
