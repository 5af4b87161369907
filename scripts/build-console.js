#!/usr/bin/env node
// Bundles the web console (console/) into dist/console/ with esbuild: one app.js (+ source map), app.css, index.html.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "console");
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(root, "console", "main.js") },
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  legalComments: "eof",
  logLevel: "warning",
});
await copyFile(join(root, "console", "index.html"), join(out, "index.html"));
await copyFile(join(root, "console", "styles.css"), join(out, "app.css"));
