/** The layering lint rule fails on a new upward import and has no exceptions left. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./helpers/paths.js";

interface LintResult {
  readonly filePath: string;
  readonly messages: readonly { readonly ruleId: string | null; readonly message: string }[];
}

/** Probe files written into the tree for one eslint run, then removed. */
const PROBES: Record<string, string> = {
  // core imports nothing of Unkai's outside core.
  "src/core/layer-probe.ts": 'import { LAMBDA_ERRORS } from "../services/lambda/errors.js";\nimport { COMMON_ERRORS } from "./errors.js";\nexport const probe = [LAMBDA_ERRORS, COMMON_ERRORS];\n',
  // Depth does not matter: ../../ from a sub-folder lands in the same plane.
  "src/engine/sandbox/layer-probe.ts": 'import type { RunningUnkai } from "../../server/unkai.js";\nexport type Probe = RunningUnkai;\n',
  // An event source reaches functions through src/functions, never through Lambda's wire layer.
  "src/sources/layer-probe.ts": 'import type { FunctionRegistry } from "../functions/registry.js";\nimport { LAMBDA_ERRORS } from "../services/lambda/errors.js";\nexport type Probe = FunctionRegistry;\nexport const probe = LAMBDA_ERRORS;\n',
  // The function registry sits below the services: it may not reach up into them.
  "src/functions/layer-probe.ts": 'import type { Platform } from "../services/module.js";\nexport type Probe = Platform;\n',
  // A plane the rule does not know is refused until it is placed in the map.
  "src/registry-probe/layer-probe.ts": 'import { COMMON_ERRORS } from "../core/errors.js";\nexport const probe = COMMON_ERRORS;\n',
};

describe("layering lint rule", () => {
  it("fails on deliberate upward imports and passes today's tree", () => {
    mkdirSync(join(REPO_ROOT, "src", "registry-probe"), { recursive: true });
    try {
      for (const [path, source] of Object.entries(PROBES)) writeFileSync(join(REPO_ROOT, path), source);
      const run = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "eslint"), ["--format", "json", ...Object.keys(PROBES), "src/async/worker.ts"], { cwd: REPO_ROOT, encoding: "utf8" });
      assert.equal(run.status, 1, `eslint should fail:\n${run.stderr}`);
      const results = JSON.parse(run.stdout) as LintResult[];
      const layerMessages = (file: string) =>
        results.find((r) => r.filePath === join(REPO_ROOT, file))?.messages.filter((m) => m.ruleId === "unkai/layers").map((m) => m.message) ?? [];

      assert.deepEqual(layerMessages("src/core/layer-probe.ts").length, 1, "one upward import, the sibling import passes");
      assert.match(layerMessages("src/core/layer-probe.ts")[0] ?? "", /^src\/core may not import src\/services \(src\/services\/lambda\/errors\.js\)/);
      assert.match(layerMessages("src/engine/sandbox/layer-probe.ts")[0] ?? "", /^src\/engine may not import src\/server/);
      assert.equal(layerMessages("src/sources/layer-probe.ts").length, 1, "the src/functions import passes, the services import does not");
      assert.match(layerMessages("src/sources/layer-probe.ts")[0] ?? "", /^src\/sources may not import src\/services \(src\/services\/lambda\/errors\.js\)/);
      assert.match(layerMessages("src/functions/layer-probe.ts")[0] ?? "", /^src\/functions may not import src\/services/);
      assert.match(layerMessages("src/registry-probe/layer-probe.ts")[0] ?? "", /src\/registry-probe is not a plane/);
      assert.deepEqual(layerMessages("src/async/worker.ts"), [], "the async worker imports the function registry from src/functions, no exception needed");
    } finally {
      for (const path of Object.keys(PROBES)) rmSync(join(REPO_ROOT, path), { force: true });
      rmSync(join(REPO_ROOT, "src", "registry-probe"), { recursive: true, force: true });
    }
  });
});
