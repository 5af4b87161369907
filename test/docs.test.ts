/** Docs stay true: docs/errors.md lists exactly the error table, and runtimes import only built-ins. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ERROR_SPECS } from "../src/core/errors.js";
import { REPO_ROOT } from "./helpers/paths.js";

describe("docs and boundaries", () => {
  it("docs/errors.md matches ERROR_SPECS row for row", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");
    const section = doc.slice(0, doc.indexOf("## Function errors"));
    const rows = new Map<string, { status: number; messageKey: string }>();
    for (const line of section.split("\n")) {
      const cells = line.split("|").map((cell) => cell.trim());
      if (cells.length < 5 || !/^[A-Z][A-Za-z]+$/.test(cells[1] ?? "") || !/^\d+$/.test(cells[2] ?? "")) continue;
      rows.set(cells[1] ?? "", { status: Number(cells[2]), messageKey: cells[3] ?? "" });
    }
    const table = new Map(Object.entries(ERROR_SPECS).map(([code, spec]) => [code, { status: spec.status, messageKey: spec.messageKey }]));
    assert.deepEqual(rows, table);
  });

  it("keeps in-sandbox runtime code free of host imports", () => {
    const dir = join(REPO_ROOT, "src", "runtimes", "node");
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const match of source.matchAll(/(?:from\s+|import\()\s*["']([^"']+)["']/g)) {
        const specifier = match[1] ?? "";
        assert.ok(specifier.startsWith("node:") || specifier.startsWith("./"), `${file} imports ${specifier}`);
      }
    }
    const python = readFileSync(join(REPO_ROOT, "src", "runtimes", "python", "bootstrap.py"), "utf8");
    const names = execFileSync("/usr/bin/python3", ["-c", "import sys, json; print(json.dumps(sorted(sys.stdlib_module_names)))"], { encoding: "utf8" });
    const stdlib = new Set(JSON.parse(names) as string[]);
    for (const match of python.matchAll(/^\s*(?:import|from)\s+([a-zA-Z_][\w]*)/gm)) {
      assert.ok(stdlib.has(match[1] ?? ""), `bootstrap.py imports ${match[1]}`);
    }
  });
});
