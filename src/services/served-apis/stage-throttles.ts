/**
 * Stage throttling as API Gateway applies it: an HTTP API stage's `DefaultRouteSettings`, overridden per
 * route by its `RouteSettings` (member by member); a REST API stage's method settings (`<resourcePath>/<METHOD>`, else `*\/*`).
 * Each route or method of a stage has its own token bucket (`throttlingRateLimit` a second, bursts of
 * `throttlingBurstLimit`); a limit of 0 refuses every call, as users set it to switch a route off. No rate
 * set: not throttled. The buckets are this process's own, as the usage plans' are (api-key-gate.ts).
 */
import type { HttpApi, RestMethodSetting, RestStage } from "../../core/api-definitions.js";
import { TokenBuckets } from "../../core/token-buckets.js";

type HttpStage = HttpApi["stages"][number];

export class StageThrottles {
  private readonly buckets = new TokenBuckets();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether an HTTP API route's call may go on (false: 429). */
  httpAllows(apiId: string, stage: HttpStage, routeKey: string): boolean {
    const own = stage.routeSettings && Object.hasOwn(stage.routeSettings, routeKey) ? stage.routeSettings[routeKey] : undefined;
    const all = stage.defaultRouteSettings;
    const rateLimit = own?.throttlingRateLimit ?? all?.throttlingRateLimit;
    if (rateLimit === undefined) return true;
    const burstLimit = own?.throttlingBurstLimit ?? all?.throttlingBurstLimit;
    return this.buckets.take(`http/${apiId}/${stage.stageName}/${routeKey}`, { rateLimit, burstLimit }, this.now());
  }

  /**
   * Whether a REST API method's call may go on (false: 429). `resourcePath` is the resource's (`/pets/{id}`);
   * `methods` the names a setting may give the method by (the request's, and `ANY` when that method serves it).
   */
  restAllows(apiId: string, stage: RestStage, resourcePath: string, method: string, methods: readonly string[] = [method]): boolean {
    const settings = stage.methodSettings;
    if (!settings) return true;
    let own: RestMethodSetting | undefined;
    for (const [key, setting] of Object.entries(settings)) if (methods.some((m) => namesMethod(key, resourcePath, m))) own = setting;
    const all = Object.hasOwn(settings, "*/*") ? settings["*/*"] : undefined;
    const rateLimit = own?.throttlingRateLimit ?? all?.throttlingRateLimit;
    if (rateLimit === undefined) return true;
    const burstLimit = own?.throttlingBurstLimit ?? all?.throttlingBurstLimit;
    return this.buckets.take(`rest/${apiId}/${stage.stageName}/${resourcePath}/${method}`, { rateLimit, burstLimit }, this.now());
  }
}

/** Whether a method setting's key (`pets/GET`, `~1pets~1{id}/GET`, as UpdateStage stored it) names this resource and method. */
function namesMethod(key: string, resourcePath: string, method: string): boolean {
  const slash = key.lastIndexOf("/");
  if (slash < 0 || key === "*/*") return false;
  const path = key.slice(0, slash).replace(/~1/g, "/").replace(/~0/g, "~");
  return (path.startsWith("/") ? path : `/${path}`) === resourcePath && key.slice(slash + 1).toUpperCase() === method.toUpperCase();
}
