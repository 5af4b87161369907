/** The service registry: every module names an error table documented in docs/errors.md and a compatibility page that exists. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pino } from "pino";
import { loadConfig } from "../src/server/config.js";
import { startUnkai } from "../src/server/unkai.js";
import type { ServiceModule } from "../src/services/module.js";
import { SERVICE_MODULES } from "../src/services/registry.js";
import { REPO_ROOT } from "./helpers/paths.js";

/** GitHub's anchor for a heading: lower-cased, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-");

/** A problem with `path[#anchor]` (repo-relative), or undefined when the page and its heading exist. */
function missingPage(ref: string): string | undefined {
  const [path = "", anchor] = ref.split("#");
  const file = join(REPO_ROOT, path);
  if (!path.endsWith(".md") || !existsSync(file)) return `${ref}: no such page`;
  const text = readFileSync(file, "utf8");
  if (text.trim().length === 0) return `${ref}: the page is empty`;
  if (anchor === undefined) return undefined;
  const headings = [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? ""));
  return headings.includes(anchor) ? undefined : `${ref}: no heading with that anchor`;
}

/** Everything wrong with the registered modules, as sentences (none when the registry is sound). */
function registryProblems(modules: readonly ServiceModule[]): string[] {
  const problems: string[] = [];
  const errorsDoc = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");
  const names = new Set<string>();
  for (const module of modules as readonly Partial<ServiceModule>[]) {
    const name = module.name ?? "(unnamed)";
    if (names.has(name)) problems.push(`${name} is registered twice`);
    names.add(name);
    if (typeof module.create !== "function") problems.push(`${name} has no create()`);
    if (typeof module.compatibility !== "string") problems.push(`${name} names no compatibility doc`);
    else {
      const missing = missingPage(module.compatibility);
      if (missing) problems.push(`${name}'s compatibility doc ${missing}`);
    }
    const errors = module.errors;
    if (errors === undefined) problems.push(`${name} has no error table`);
    else if (errors.kind === "answers") {
      const missing = missingPage(errors.doc);
      if (missing) problems.push(`${name}'s answers doc ${missing}`);
    } else {
      if (Object.keys(errors.table).length === 0) problems.push(`${name}'s error table is empty`);
      if (!errorsDoc.includes(`\n${errors.heading}\n`)) problems.push(`${name}'s error heading "${errors.heading}" is not in docs/errors.md`);
    }
  }
  return problems;
}

describe("service registry", () => {
  it("gives every registered module an error table (in docs/errors.md) and a compatibility page", () => {
    assert.deepEqual(registryProblems(SERVICE_MODULES), []);
  });

  it("refuses a module registered without an error table or compatibility doc", () => {
    const sound = SERVICE_MODULES[0] as ServiceModule;
    const bare = { name: "bare", create: sound.create } as unknown as ServiceModule;
    const lost = { ...sound, name: "lost", compatibility: "docs/compatibility/no-such-service.md" };
    const undocumented = { ...sound, name: "undocumented", errors: { kind: "xml", table: { Oops: 400 }, heading: "## Undocumented errors" } } as const;
    const badAnchor = { ...sound, name: "anchored", compatibility: "docs/gateway.md#no-such-heading" };
    assert.deepEqual(registryProblems([bare, lost, undocumented, badAnchor]), [
      "bare names no compatibility doc",
      "bare has no error table",
      "lost's compatibility doc docs/compatibility/no-such-service.md: no such page",
      `undocumented's error heading "## Undocumented errors" is not in docs/errors.md`,
      "anchored's compatibility doc docs/gateway.md#no-such-heading: no heading with that anchor",
    ]);
    assert.deepEqual(registryProblems([sound, sound]), [`${sound.name} is registered twice`]);
  });

  it("registers every service folder: a folder under src/services/ with an index.ts is a module in the list", () => {
    const dir = join(REPO_ROOT, "src", "services");
    const folders = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "index.ts"))).map((d) => d.name);
    const registered = new Set(SERVICE_MODULES.map((m) => m.name));
    assert.deepEqual(folders.filter((f) => !registered.has(f)), [], "service folders missing from src/services/registry.ts");
  });

  it("creates every module's Service under the module's own name, in the registry's order", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-registry-"));
    const unkai = await startUnkai(loadConfig({ dataDir, port: "0", sandbox: "process", deployExample: "false", prestartPerRuntime: "0" }, {}), pino({ level: "silent" }));
    try {
      assert.deepEqual(unkai.serviceNames, SERVICE_MODULES.map((m) => m.name));
    } finally {
      await unkai.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

});
