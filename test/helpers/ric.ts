/** A function package whose bootstrap runs AWS's own Node.js runtime interface client (aws-lambda-ric from npm). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { zipFiles } from "../../src/store/code/zip-directory.js";
import { REPO_ROOT } from "./paths.js";

/** Zips `index.js` (the handler module) with the RIC as `bootstrap`, for `provided.*` runtimes. */
export function ricPackage(indexJs: string): Promise<Buffer> {
  // Built by scripts/install-test-deps.sh (part of the README's test command).
  const ric = join(REPO_ROOT, ".cache", "aws-lambda-ric", "node_modules", "aws-lambda-ric");
  return zipFiles({
    bootstrap: { content: '#!/bin/sh\nexec node "$LAMBDA_TASK_ROOT/node_modules/aws-lambda-ric/index.mjs" "$_HANDLER"\n', mode: 0o100755 },
    "index.js": indexJs,
    "node_modules/aws-lambda-ric/package.json": readFileSync(join(ric, "package.json")),
    "node_modules/aws-lambda-ric/index.mjs": readFileSync(join(ric, "index.mjs")),
    "node_modules/aws-lambda-ric/rapid-client.node": { content: readFileSync(join(ric, "rapid-client.node")), mode: 0o100755 },
  });
}
