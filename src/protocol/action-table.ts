/**
 * Authorization tables for REST services: `METHOD /path/{param}` → the IAM permissions that request
 * needs, matched the way Router matches routes, so a service's table and its router can be compared
 * key for key (`unmappedRoutes`).
 */
import type { ActionRequest } from "../core/iam-policy/index.js";
import type { UnkaiRequest } from "./http.js";

/** What a table entry computes its permissions from: the request and the decoded `{param}` segments. */
export type ActionResolver = (request: UnkaiRequest, params: readonly string[]) => readonly ActionRequest[];

interface Entry {
  readonly method: string;
  readonly pattern: RegExp;
  readonly resolve: ActionResolver;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Compiles a table keyed like Router routes (`POST /2015-03-31/functions/{name}/invocations`). */
export function restActions(table: Readonly<Record<string, ActionResolver>>): (request: UnkaiRequest) => readonly ActionRequest[] {
  const entries: Entry[] = Object.entries(table).map(([key, resolve]) => {
    const [method = "", path = ""] = key.split(" ");
    return { method, pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, "([^/]+)")}/?$`), resolve };
  });
  return (request) => {
    for (const entry of entries) {
      if (entry.method !== request.method) continue;
      const match = entry.pattern.exec(request.path);
      if (match) return entry.resolve(request, match.slice(1).map(decode));
    }
    // No operation here: the service answers with its own unknown-operation error, which reveals nothing.
    return [];
  };
}

/** Routes a table does not map (a service checks this when it is built, so a new route cannot ship unmapped). */
export function unmappedRoutes(routeKeys: readonly string[], table: Readonly<Record<string, unknown>>): string[] {
  return routeKeys.filter((key) => !(key in table));
}
