// ESLint rule `unkai/layers`: dependencies between the planes of src/ point one way (ARCHITECTURE.md
// "Folders"). An import is resolved to the plane it lands in, so `../../services/x.js` from
// src/engine/sandbox/ and `../services/x.js` from src/engine/ are the same violation.
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file's parent folder), whatever directory eslint runs from. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Plane → the other planes it may import. A plane always imports itself; anything unlisted is refused. */
export const ALLOWED = {
  core: [],
  store: ["core"],
  protocol: ["core"],
  engine: ["core", "store"],
  functions: ["core", "store", "engine"],
  "api-mapping": ["core", "protocol"],
  async: ["core", "store", "engine", "functions"],
  sources: ["core", "store", "engine", "functions", "async"],
  auth: ["core", "store", "engine", "protocol"],
  services: ["core", "store", "engine", "functions", "protocol", "api-mapping", "async", "sources", "auth"],
  server: ["core", "store", "engine", "functions", "protocol", "api-mapping", "async", "sources", "auth", "services"],
  cli: ["core", "store", "engine", "functions", "protocol", "api-mapping", "async", "sources", "auth", "services", "server"],
};

const SRC = "src";

/** `src/<plane>/…` of a repo-relative path, or undefined outside src/ (tests, bench, packages). */
function planeOf(path) {
  const parts = path.split(sep);
  return parts[0] === SRC && parts.length > 2 ? parts[1] : undefined;
}

const rule = {
  meta: {
    type: "problem",
    docs: { description: "Dependencies between src/ planes point inward (ARCHITECTURE.md)." },
    schema: [],
    messages: {
      upward: "{{from}} may not import {{to}} ({{target}}): planes import only {{allowed}} (ARCHITECTURE.md, scripts/eslint-layers.js).",
      runtimes: "Host code never imports src/runtimes: that code runs inside a sandbox.",
      unknown: "src/{{plane}} is not a plane scripts/eslint-layers.js knows: add it to ALLOWED (and to ARCHITECTURE.md's map).",
    },
  },
  create(context) {
    const file = relative(ROOT, context.filename);
    const from = planeOf(file);
    if (from === undefined || from === "runtimes") return {};
    if (!(from in ALLOWED)) return { Program: (node) => context.report({ node, messageId: "unknown", data: { plane: from } }) };
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== "string" || !specifier.startsWith(".")) return;
      const target = relative(ROOT, resolve(dirname(context.filename), specifier));
      const to = planeOf(target);
      if (to === undefined || to === from) return;
      if (to === "runtimes") return context.report({ node: node.source, messageId: "runtimes" });
      if (!(to in ALLOWED)) return context.report({ node: node.source, messageId: "unknown", data: { plane: to } });
      if (ALLOWED[from].includes(to)) return;
      const allowed = [from, ...ALLOWED[from]].map((p) => `src/${p}`).join(", ");
      context.report({ node: node.source, messageId: "upward", data: { from: `src/${from}`, to: `src/${to}`, target, allowed } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { layers: rule } };
