/**
 * Zips a fixture function together with npm packages from the repo's node_modules (and everything
 * they depend on), as a user's build would bundle them: the function then runs unmodified from its zip.
 */
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipDirectory } from "../../src/store/code/zip-directory.js";
import { FIXTURES, REPO_ROOT } from "./paths.js";

const NODE_MODULES = join(REPO_ROOT, "node_modules");

export async function fixtureZipWithPackages(fixture: string, packages: readonly string[]): Promise<Buffer> {
  const staging = await mkdtemp(join(tmpdir(), "unkai-bundle-"));
  try {
    await cp(join(FIXTURES, fixture), staging, { recursive: true });
    for (const name of await dependencyClosure(packages)) {
      await cp(join(NODE_MODULES, name), join(staging, "node_modules", name), { recursive: true, dereference: true });
    }
    return await zipDirectory(staging);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The packages plus their transitive dependencies that npm hoisted to the top-level node_modules. */
async function dependencyClosure(roots: readonly string[]): Promise<string[]> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (seen.has(name)) continue;
    const dir = join(NODE_MODULES, name);
    if (!existsSync(dir)) throw new Error(`${name} is not installed in ${NODE_MODULES}`);
    seen.add(name);
    const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      // A dependency nested under the package's own node_modules travels with the package's folder.
      if (!existsSync(join(dir, "node_modules", dependency))) pending.push(dependency);
    }
  }
  return [...seen].sort();
}
