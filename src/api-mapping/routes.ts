/** Route keys (`GET /items/{id}`, `ANY /{proxy+}`, `$default`): validation and AWS's most-specific-first matching. */
import { setOwn } from "../core/own-keys.js";

export const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;

type Segment = { readonly kind: "literal"; readonly text: string } | { readonly kind: "param" | "greedy"; readonly name: string };

export interface CompiledRoute<T> {
  readonly method: string;
  /** Undefined for `$default`. */
  readonly segments: readonly Segment[] | undefined;
  readonly value: T;
}

export interface RouteMatch<T> {
  readonly value: T;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
}

/** Why a route key is invalid, or undefined when it is valid. */
export function routeKeyProblem(routeKey: string): string | undefined {
  if (routeKey === "$default") return undefined;
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  if (!match?.[1] || !match[2]) return `Route key '${routeKey}' must be '$default' or a method and a path such as 'GET /items/{id}'.`;
  if (!(ROUTE_METHODS as readonly string[]).includes(match[1])) return `Route key '${routeKey}' has method ${match[1]}; use one of ${ROUTE_METHODS.join(", ")}.`;
  return pathProblem(match[2]);
}

/** Why a resource path is invalid (shared with REST API resources), or undefined. */
export function pathProblem(path: string): string | undefined {
  const parts = path === "/" ? [] : path.slice(1).split("/");
  for (const [index, part] of parts.entries()) {
    if (part === "") return `Path '${path}' has an empty segment.`;
    if (/^\{[A-Za-z0-9._-]+\+\}$/.test(part) && index !== parts.length - 1) return `Greedy path variable ${part} in '${path}' must be the last segment.`;
    if (/[{}]/.test(part) && !/^\{[A-Za-z0-9._-]+\+?\}$/.test(part)) return `Path segment '${part}' in '${path}' must be literal text or a whole {variable}.`;
  }
  return undefined;
}

export function compileRoute<T>(method: string, path: string | undefined, value: T): CompiledRoute<T> {
  if (path === undefined) return { method, segments: undefined, value };
  const parts = path === "/" ? [] : path.slice(1).split("/");
  const segments = parts.map((part): Segment => {
    const variable = /^\{(.+?)(\+?)\}$/.exec(part);
    if (!variable?.[1]) return { kind: "literal", text: part };
    return { kind: variable[2] ? "greedy" : "param", name: variable[1] };
  });
  return { method, segments, value };
}

/** Compiles an HTTP API route key (already validated). */
export function compileRouteKey<T>(routeKey: string, value: T): CompiledRoute<T> {
  if (routeKey === "$default") return compileRoute("ANY", undefined, value);
  const space = routeKey.indexOf(" ");
  return compileRoute(routeKey.slice(0, space), routeKey.slice(space + 1), value);
}

/** The most specific route for `method` and the percent-encoded `path`: literal beats variable beats greedy, a method beats ANY, `$default` last. */
export function matchRoute<T>(routes: readonly CompiledRoute<T>[], method: string, path: string): RouteMatch<T> | undefined {
  const parts = path === "/" || path === "" ? [] : path.replace(/^\//, "").split("/");
  let best: { match: RouteMatch<T>; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== "ANY" && route.method !== method) continue;
    const methodScore = route.method === "ANY" ? 0 : 1;
    if (route.segments === undefined) {
      if (!best) best = { match: { value: route.value, pathParameters: undefined }, score: [-1] };
      continue;
    }
    const matched = matchSegments(route.segments, parts);
    if (!matched) continue;
    const score = [...matched.score, methodScore];
    if (!best || compareScores(score, best.score) > 0) best = { match: { value: route.value, pathParameters: matched.params }, score };
  }
  return best?.match;
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): { params: Record<string, string> | undefined; score: number[] } | undefined {
  // Variable names are the API's own (`{__proto__}` too): setOwn keeps each one an entry.
  const params: Record<string, string> = {};
  const score: number[] = [];
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === "greedy") {
      const rest = parts.slice(index);
      if (rest.length === 0) return undefined;
      setOwn(params, segment.name, decode(rest.join("/")));
      score.push(1);
      return { params, score };
    }
    const part = parts[index];
    if (part === undefined) return undefined;
    if (segment.kind === "literal") {
      if (decode(part) !== segment.text) return undefined;
      score.push(3);
    } else {
      if (part === "") return undefined;
      setOwn(params, segment.name, decode(part));
      score.push(2);
    }
  }
  if (parts.length !== segments.length) return undefined;
  return { params: Object.keys(params).length > 0 ? params : undefined, score: [...score, 4] };
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
