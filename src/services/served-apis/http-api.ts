/** Serves HTTP APIs (apigatewayv2): stage and route selection, CORS, payload 1.0 or 2.0 to the integration, access logs. */
import { functionArnOfIntegration, type HttpApi, type HttpAuthorizer, type HttpIntegration } from "../../core/api-definitions.js";
import { preflight, withCors } from "../../api-mapping/cors.js";
import { payloadV1, payloadV2, type EventContext } from "../../api-mapping/events.js";
import { failureResponse } from "../../api-mapping/failures.js";
import { isTextContentType, headerValue } from "../../api-mapping/request-parts.js";
import { responseV1, responseV2, type HttpResult } from "../../api-mapping/responses.js";
import { compileRouteKey, matchRoute, type CompiledRoute } from "../../api-mapping/routes.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { writeAccessLog } from "./access-log.js";
import { invokeIntegration } from "./integration.js";
import { authorizeRoute } from "./http-api-authorizer.js";
import type { Located } from "./locate.js";
import { fits, servedRequest, send, type ServingDeps } from "./serving.js";

interface RouteTarget {
  readonly routeKey: string;
  readonly authorizationType: string;
  readonly integration: HttpIntegration | undefined;
  /** A CUSTOM route's Lambda authorizer, a JWT route's JWT authorizer, and the scopes it needs. */
  readonly authorizer: HttpAuthorizer | undefined;
  readonly scopes: readonly string[] | undefined;
}

const compiled = new WeakMap<HttpApi, CompiledRoute<RouteTarget>[]>();

function routesOf(api: HttpApi): CompiledRoute<RouteTarget>[] {
  let routes = compiled.get(api);
  if (!routes) {
    routes = api.routes.map((route) => compileRouteKey(route.routeKey, {
      routeKey: route.routeKey,
      authorizationType: route.authorizationType,
      integration: api.integrations.find((i) => `integrations/${i.integrationId}` === route.target),
      authorizer: route.authorizationType === "CUSTOM" || route.authorizationType === "JWT" ? api.authorizers?.find((a) => a.authorizerId === route.authorizerId) : undefined,
      scopes: route.authorizationScopes,
    }));
    compiled.set(api, routes);
  }
  return routes;
}

/** A named stage when the first segment names one, else `$default` with the whole path. */
export function stageOf(api: HttpApi, path: string): { stage: HttpApi["stages"][number]; path: string } | undefined {
  const match = /^\/([^/]+)(\/.*)?$/.exec(path);
  const named = match?.[1] ? api.stages.find((s) => s.stageName === match[1] && s.stageName !== "$default") : undefined;
  if (named) return { stage: named, path: match?.[2] ?? "/" };
  const fallback = api.stages.find((s) => s.stageName === "$default");
  return fallback ? { stage: fallback, path } : undefined;
}

/** The route a request reaches on a stage (`path` is the path after the stage's name). */
export function selectHttpRoute(api: HttpApi, path: string, method: string) {
  return matchRoute(routesOf(api), method, path);
}

export async function serveHttpApi(deps: ServingDeps, api: HttpApi, request: UnkaiRequest, located: Located): Promise<UnkaiResponse> {
  const staged = stageOf(api, located.path);
  if (!staged) return send(failureResponse("http-api", "no-route"));
  // As on AWS, a named stage stays in the path the function sees (rawPath, http.path); routes match the path after it.
  const gw = servedRequest(request, located, located.path);
  const extra = { "apigw-requestid": request.requestId };
  const finish = async (result: HttpResult, routeKey: string, latency: number | undefined, error: string | undefined): Promise<UnkaiResponse> => {
    const answered = api.cors ? withCors(api.cors, gw.rawHeaders, result) : result;
    await writeAccessLog(deps.logs, {
      apiId: api.apiId, stage: staged.stage.stageName, requestId: gw.requestId, sourceIp: gw.sourceIp, receivedAt: gw.receivedAt,
      method: gw.method, path: gw.path, routeKey, status: answered.status, responseLength: answered.body.length,
      integrationLatencyMs: latency, integrationError: error,
    });
    return send(answered, extra);
  };
  if (api.cors) {
    const answer = preflight(api.cors, gw.method, gw.rawHeaders);
    if (answer) return finish(answer, "-", undefined, undefined);
  }
  const match = selectHttpRoute(api, staged.path, gw.method);
  const integration = match?.value.integration;
  const fn = integration ? functionArnOfIntegration(integration.integrationUri) : undefined;
  if (!match || !integration || !fn) return finish(failureResponse("http-api", "no-route"), match?.value.routeKey ?? "-", undefined, undefined);
  if (!deps.stageThrottles.httpAllows(api.apiId, staged.stage, match.value.routeKey)) {
    return finish(failureResponse("http-api", "throttled"), match.value.routeKey, undefined, "throttled by the stage's route settings");
  }
  const v1 = integration.payloadFormatVersion === "1.0";
  let context: EventContext = {
    accountId: deps.account.accountId,
    apiId: api.apiId,
    stage: staged.stage.stageName,
    routeKey: match.value.routeKey,
    pathParameters: match.pathParameters,
    stageVariables: Object.keys(staged.stage.stageVariables).length > 0 ? staged.stage.stageVariables : undefined,
  };
  if (match.value.authorizationType === "CUSTOM" || match.value.authorizationType === "JWT") {
    const routeArn = `arn:aws:execute-api:${deps.account.region}:${deps.account.accountId}:${api.apiId}/${staged.stage.stageName}/${gw.method}${staged.path}`;
    const authorized = await authorizeRoute(deps, match.value, { request: gw, context, routeArn }, v1);
    if ("refused" in authorized) return finish(authorized.refused, match.value.routeKey, undefined, authorized.error);
    context = { ...context, authorizer: authorized.authorizer };
  }
  const resourcePath = match.value.routeKey === "$default" ? "$default" : match.value.routeKey.slice(match.value.routeKey.indexOf(" ") + 1);
  const event = Buffer.from(JSON.stringify(v1
    ? payloadV1(gw, { ...context, resourcePath, resourceId: match.value.routeKey, requestContextPath: gw.path }, !isTextContentType(headerValue(gw.rawHeaders, "content-type")))
    : payloadV2(gw, context, { functionUrl: false })));
  if (!fits(event)) return finish(failureResponse("http-api", "too-large"), match.value.routeKey, undefined, "payload too large");
  const { outcome, latency } = await invokeIntegration(deps, fn, integration.timeoutInMillis, gw.rawHeaders, event);
  if (outcome.kind !== "response") return finish(failureResponse("http-api", outcome.kind), match.value.routeKey, latency, outcome.kind);
  const mapped = v1 ? responseV1(outcome.payload) : responseV2(outcome.payload);
  if (!mapped) return finish(failureResponse("http-api", "malformed"), match.value.routeKey, latency, "malformed Lambda response");
  return finish(mapped, match.value.routeKey, latency, undefined);
}
