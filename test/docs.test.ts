/** Docs stay true: docs/errors.md lists exactly each registered service's error table, and runtimes import only built-ins. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { COMMON_ERRORS, type ErrorTable } from "../src/core/errors.js";
import { SERVICE_MODULES } from "../src/services/registry.js";
import { REPO_ROOT } from "./helpers/paths.js";

describe("docs and boundaries", () => {
  it("docs/errors.md has one section per service, matching that service's table row for row", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");
    const common = tableRows(section(doc, "## Every JSON service"));
    assert.deepEqual(common, specRows(COMMON_ERRORS));
    let checked = 0;
    // Every registered module's table (src/services/registry.ts); modules sharing a table share its section.
    for (const module of SERVICE_MODULES) {
      const { errors } = module;
      if (errors.kind === "answers") continue;
      const rows = tableRows(section(doc, errors.heading));
      if (errors.kind === "json") {
        assert.deepEqual(new Map([...common, ...rows]), specRows(errors.table), `${errors.heading} vs the ${module.name} table`);
      } else {
        const statuses = Object.fromEntries([...rows].map(([code, row]) => [code, row.status]));
        assert.deepEqual(statuses, { ...errors.table }, `${errors.heading} vs the ${module.name} table`);
      }
      checked++;
    }
    assert.ok(checked >= 5, `only ${checked} modules have error tables: is the registry still read?`);
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

/** The text of `heading`'s section, up to the next `## `. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `docs/errors.md has no section ${heading}`);
  const end = doc.indexOf("\n## ", start + heading.length);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** `| Code | HTTP | Message member | When |` rows of a section. */
function tableRows(text: string): Rows {
  const rows: Rows = new Map();
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length < 5 || !/^[A-Z][A-Za-z0-9]+$/.test(cells[1] ?? "") || !/^\d+$/.test(cells[2] ?? "")) continue;
    rows.set(cells[1] ?? "", { status: Number(cells[2]), messageKey: cells[3] ?? "" });
  }
  return rows;
}

type Rows = Map<string, { status: number; messageKey: string }>;

const specRows = (table: ErrorTable): Rows => new Map(Object.entries(table).map(([code, spec]) => [code, { status: spec.status, messageKey: spec.messageKey }]));
