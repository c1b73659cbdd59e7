// ESLint for the repo's TypeScript (`pnpm lint`, part of `pnpm check`). Formatting is dprint's job
// (`pnpm format`), so the Effect plugin's dprint rule is not used here. Only syntactic rules: no
// type-aware typescript-eslint configs, so a lint needs no TypeScript program and stays fast.
import effect from "@effect/eslint-plugin"
import js from "@eslint/js"
import { defineConfig } from "eslint/config"
import tseslint from "typescript-eslint"

export default defineConfig(
  { ignores: ["**/dist/**", "**/node_modules/**", "bench/results/**"] },
  {
    files: ["**/*.{ts,mts,cts}"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // As in Effect's own config: a leading `_` marks a binding as unused on purpose (an ignored
      // constructor argument, a property dropped by `const { a: _, ...rest } = o`).
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        caughtErrorsIgnorePattern: "^_",
        destructuredArrayIgnorePattern: "^_"
      }],
      // The code writes `Array<A>` / `ReadonlyArray<A>` throughout, as Effect does; keep it so.
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      // Types that belong to a value live in a `declare namespace` merged with it, as Effect's
      // `Effect.Effect.Success` (here `Credentials.Service`); runtime namespaces stay banned.
      "@typescript-eslint/no-namespace": ["error", { allowDeclarations: true }]
    }
  },
  {
    // Library and tool sources import each module by its path ("effect/Effect"), never the barrel
    // ("effect"), so that a bundle takes only the modules it uses. Tests and examples may use the
    // barrels: they are not shipped, and the examples show the import style users will write.
    files: ["packages/*/src/**/*.{ts,mts,cts}", "bench/src/**/*.{ts,mts,cts}"],
    plugins: { "@effect": effect },
    rules: {
      "@effect/no-import-from-barrel-package": ["error", {
        packageNames: ["effect", "@effect/platform", "@effect/platform-node", "@effect/cli"]
      }]
    }
  },
  {
    // The packages report through Effect (Console, the logger), never the global console. Tests and
    // the bench print on purpose (soak reports, the secret guard).
    files: ["packages/*/src/**/*.{ts,mts,cts}"],
    rules: { "no-console": "error" }
  }
)
