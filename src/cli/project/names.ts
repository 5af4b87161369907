/** Project-local function names: inside a unkai.json project, `hello` means `<project>_hello`. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findProjectRoot, PROJECT_FILE } from "./project-file.js";

export function resolveName(name: string): string {
  const root = findProjectRoot(process.cwd());
  if (!root || !existsSync(join(root, "functions", name))) return name;
  try {
    const project = JSON.parse(readFileSync(join(root, PROJECT_FILE), "utf8")) as { name?: unknown };
    return typeof project.name === "string" ? `${project.name}_${name}` : name;
  } catch {
    return name;
  }
}
