/** Kumo's own endpoints under /_kumo/: health, invocation records, code downloads (GetFunction's Code.Location). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { json, type Service } from "../../protocol/http.js";
import type { InvocationStore } from "../../store/ports.js";

export interface KumoServiceDeps {
  readonly codeRoot: string;
  readonly health: () => Record<string, unknown>;
  readonly invocations: InvocationStore;
}

export function kumoService({ codeRoot, health, invocations }: KumoServiceDeps): Service {
  return {
    name: "kumo",
    matches: (request) => request.path.startsWith("/_kumo/"),
    async handle(request) {
      if (request.method === "GET" && request.path === "/_kumo/health") return json(200, health());
      const records = /^\/_kumo\/functions\/([a-zA-Z0-9_-]{1,64})\/invocations$/.exec(request.path);
      if (request.method === "GET" && records?.[1]) {
        const limit = Math.min(1000, Math.max(1, Number(request.query.get("limit") ?? "100") || 100));
        return json(200, { invocations: invocations.recent(records[1], limit) });
      }
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
