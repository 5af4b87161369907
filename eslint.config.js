// Lint rules: typescript-eslint strict on host code; planes of src/ import only inward
// (scripts/eslint-layers.js); in-sandbox runtimes may only import built-ins.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import layers from "./scripts/eslint-layers.js";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".cache/**", "test/fixtures/**", ".unkai/**", "coverage/**"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] }] },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
    },
  },
  {
    // No upward imports between planes: core ← store ← engine ← … ← services ← server ← cli.
    files: ["src/**/*.ts"],
    plugins: { unkai: layers },
    rules: { "unkai/layers": "error" },
  },
  {
    // Code that runs inside a sandbox never imports host code or packages.
    files: ["src/runtimes/**/*.mjs", "src/runtimes/**/*.js"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^(?!node:|\\./)", message: "Runtimes import only node: built-ins and their siblings." }] }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: globals.node },
  },
  {
    // The web console runs in the browser.
    files: ["console/**/*.js"],
    languageOptions: { globals: globals.browser },
  },
);
