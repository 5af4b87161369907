/** Kumo's own endpoints under /_kumo/: health and code downloads (GetFunction's Code.Location). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { json, type Service } from "../../protocol/http.js";

export interface KumoServiceDeps {
  readonly codeRoot: string;
  readonly health: () => Record<string, unknown>;
}

export function kumoService({ codeRoot, health }: KumoServiceDeps): Service {
  return {
    name: "kumo",
    matches: (request) => request.path.startsWith("/_kumo/"),
    async handle(request) {
      if (request.method === "GET" && request.path === "/_kumo/health") return json(200, health());
      const code = /^\/_kumo\/code\/([0-9a-f]{64})\.zip$/.exec(request.path);
      if (request.method === "GET" && code) {
        try {
          const body = await readFile(join(codeRoot, `${code[1]}.zip`));
          return { status: 200, headers: { "Content-Type": "application/zip" }, body };
        } catch {
          return json(404, { message: "No code package with that hash." });
        }
      }
      return json(404, { message: `No Kumo endpoint at ${request.method} ${request.path}.` });
    },
  };
}
