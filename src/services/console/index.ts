/** The web console's static files (built into dist/console/) at /console/, and / redirecting there. Served without authentication. */
import { readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { json, type UnkaiRequest, type Service } from "../../protocol/http.js";
import type { ServiceModule } from "../module.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json",
};
/** Flat file names only: nothing can climb out of the console folder. */
const FILE = /^\/console\/([A-Za-z0-9_-]+(?:\.[a-z]+)+)$/;

const isConsolePath = (request: UnkaiRequest) => request.path === "/" || request.path === "/console" || request.path.startsWith("/console/");
/**
 * Browsers never sign, so a signed request to `/` or `/console/…` is some API's (S3's ListBuckets, a bucket
 * named "console") and is left to that service.
 */
const isUnsigned = (request: UnkaiRequest) => request.headers.authorization === undefined && !request.query.has("X-Amz-Credential");

/** `root` is the built console folder (dist/console); `region` pre-fills the Credentials dialog. */
export function consoleService(root: string, region: string): Service {
  const safeRegion = region.replace(/[^a-z0-9-]/g, "");
  return {
    name: "console",
    matches: (request) => (request.method === "GET" || request.method === "HEAD") && isUnsigned(request) && isConsolePath(request),
    public: (request) => isUnsigned(request) && isConsolePath(request),
    async handle(request) {
      if (request.path === "/" || request.path === "/console") return { status: 302, headers: { Location: "/console/" } };
      const name = request.path === "/console/" ? "index.html" : FILE.exec(request.path)?.[1];
      const type = name === undefined ? undefined : TYPES[extname(name)];
      if (name === undefined || type === undefined) return json(404, { message: `The console has no file at ${request.path}.` });
      try {
        const path = join(root, name);
        const { size, mtimeMs } = await stat(path);
        // Revalidated on every load (no-cache), answered 304 while the build is unchanged.
        const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}-${safeRegion}"`;
        const headers = { "Content-Type": type, "Cache-Control": "no-cache", ETag: etag };
        if (request.headers["if-none-match"] === etag) return { status: 304, headers };
        const file = await readFile(path);
        const body = name === "index.html" ? file.toString("utf8").replace('content="us-east-1"', `content="${safeRegion}"`) : file;
        return { status: 200, headers, body: request.method === "HEAD" ? "" : body };
      } catch {
        const hint = name === "index.html" ? " The console is not built: run `npm run build`." : "";
        return json(404, { message: `The console has no file ${name}.${hint}` });
      }
    },
  };
}

/** The console's static files: a missing file is a JSON 404 (docs/console.md), not an API error. */
export const consoleModule: ServiceModule = {
  name: "console",
  errors: { kind: "answers", doc: "docs/console.md" },
  compatibility: "docs/console.md",
  create: (p) => consoleService(p.consoleDir, p.account.region),
};
