/** A small method + path-pattern router for REST-style AWS services. */
import { UnkaiError } from "../core/errors.js";
import type { UnkaiRequest, UnkaiResponse } from "./http.js";

export type RouteHandler = (request: UnkaiRequest, params: readonly string[]) => Promise<UnkaiResponse>;

interface Route {
  readonly method: string;
  /** The pattern as written (`/2015-03-31/functions/{name}`), for tables keyed by route. */
  readonly path: string;
  readonly pattern: RegExp;
  readonly handler: RouteHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** `path` uses `{name}` for one percent-encoded segment, e.g. `/2015-03-31/functions/{name}`. */
  on(method: string, path: string, handler: RouteHandler): this {
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, "([^/]+)")}/?$`);
    this.routes.push({ method, path, pattern, handler });
    return this;
  }

  /** Every route as `METHOD path-pattern`, in registration order. */
  routeKeys(): string[] {
    return this.routes.map((route) => `${route.method} ${route.path}`);
  }

  matchesPath(path: string): boolean {
    return this.routes.some((route) => route.pattern.test(path));
  }

  async handle(request: UnkaiRequest): Promise<UnkaiResponse> {
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== request.method) continue;
      return route.handler(request, match.slice(1).map(decodeSegment));
    }
    throw new UnkaiError(
      "UnknownOperationException",
      pathMatched ? `Method ${request.method} is not allowed on ${request.path}.` : `No operation matches ${request.method} ${request.path}.`,
    );
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
