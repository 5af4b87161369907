#!/usr/bin/env node
// The `unkai` command: compiled TypeScript lives in dist/ (built by `npm install` via the prepare script).
// The AWS SDK warns on every run that its 2027 releases need Node 22; Unkai pins its SDK version.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import("../dist/src/cli/main.js").then(
  (cli) => cli.main(process.argv.slice(2)),
  (error) => {
    console.error(`unkai: cannot load the compiled CLI (${error.message}). Run \`npm install\` (or \`npm run build\`) first.`);
    process.exit(1);
  },
);
