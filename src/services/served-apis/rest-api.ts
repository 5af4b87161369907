/** Serves REST APIs (apigateway v1): the stage's deployed resources, Lambda proxy integrations with payload 1.0, access logs. */
import { functionArnOfIntegration, type RestApi, type RestDeployment, type RestMethod, type RestResource } from "../../core/api-definitions.js";
import { payloadV1 } from "../../api-mapping/events.js";
import { failureResponse } from "../../api-mapping/failures.js";
import { headerValue } from "../../api-mapping/request-parts.js";
import { responseV1, type HttpResult } from "../../api-mapping/responses.js";
import { compileRoute, matchRoute, type CompiledRoute } from "../../api-mapping/routes.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { writeAccessLog } from "./access-log.js";
import { invokeIntegration } from "./integration.js";
import { authorizeRestMethod, restApiRefusal, type RestAuthorizedRequest } from "./rest-api-authorizer.js";
import type { Located } from "./locate.js";
import { fits, servedRequest, send, type ServingDeps } from "./serving.js";
import { limitRefusal } from "./limit-refusals.js";

interface ResourceMethod {
  readonly resource: RestResource;
  readonly method: RestMethod;
}

const compiled = new WeakMap<RestDeployment, CompiledRoute<ResourceMethod>[]>();

function routesOf(deployment: RestDeployment): CompiledRoute<ResourceMethod>[] {
  let routes = compiled.get(deployment);
  if (!routes) {
    routes = deployment.resources.flatMap((resource) =>
      Object.values(resource.methods).map((method) => compileRoute(method.httpMethod, resource.path, { resource, method })));
    compiled.set(deployment, routes);
  }
  return routes;
}

/** Whether a request body goes to the function base64: its content type is one of the API's binaryMediaTypes. */
function isBinary(api: RestApi, contentType: string | undefined): boolean {
  if (api.binaryMediaTypes.length === 0) return false;
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return api.binaryMediaTypes.some((pattern) => {
    const [major, minor] = pattern.toLowerCase().split("/");
    const [tMajor, tMinor] = type.split("/");
    return (major === "*" || major === tMajor) && (minor === "*" || minor === tMinor);
  });
}

/** The stage a REST API request names (its first path segment), the path after it, and the deployed method it reaches, if any. */
export function selectRestMethod(api: RestApi, method: string, locatedPath: string) {
  const match = /^\/([^/]+)(\/.*)?$/.exec(locatedPath);
  const stage = match?.[1] ? api.stages.find((s) => s.stageName === match[1]) : undefined;
  const deployment = stage ? api.deployments.find((d) => d.id === stage.deploymentId) : undefined;
  if (!stage || !deployment) return undefined;
  const path = match?.[2] ?? "/";
  return { stage, deployment, path, route: matchRoute(routesOf(deployment), method, path) };
}

/** What the API's resource policy, evaluated before the method's authorization (index.ts), says of the call. */
export interface RestPolicyOutcome {
  /** It explicitly allows the call: a CUSTOM method's authorizer policy that is silent on it does not refuse. */
  readonly allows: boolean;
}

export async function serveRestApi(deps: ServingDeps, api: RestApi, request: UnkaiRequest, located: Located, policy: RestPolicyOutcome): Promise<UnkaiResponse> {
  const selected = selectRestMethod(api, request.method, located.path);
  if (!selected) return send(failureResponse("rest-api", "no-route"));
  const { stage, route } = selected;
  const gw = servedRequest(request, located, selected.path);
  const extra = { "x-amz-apigw-id": request.requestId.slice(0, 16) };
  const finish = async (result: HttpResult, resourcePath: string, latency: number | undefined, error: string | undefined): Promise<UnkaiResponse> => {
    await writeAccessLog(deps.logs, {
      apiId: api.id, stage: stage.stageName, requestId: gw.requestId, sourceIp: gw.sourceIp, receivedAt: gw.receivedAt,
      method: gw.method, path: gw.path, routeKey: `${gw.method} ${resourcePath}`, status: result.status, responseLength: result.body.length,
      integrationLatencyMs: latency, integrationError: error,
    });
    return send(result, extra);
  };
  const integration = route?.value.method.integration;
  const fn = integration?.type === "AWS_PROXY" ? functionArnOfIntegration(integration.uri) : undefined;
  if (!route || !integration || !fn) return finish(failureResponse("rest-api", "no-route"), route?.value.resource.path ?? "-", undefined, undefined);
  const { resource, method } = route.value;
  if (!deps.stageThrottles.restAllows(api.id, stage, resource.path, gw.method, [gw.method, method.httpMethod])) {
    return finish(limitRefusal("throttled"), resource.path, undefined, "throttled by the stage's method settings");
  }
  const binary = isBinary(api, headerValue(gw.rawHeaders, "content-type"));
  let context: RestAuthorizedRequest["context"] = {
    accountId: deps.account.accountId,
    apiId: api.id,
    stage: stage.stageName,
    routeKey: `${gw.method} ${resource.path}`,
    pathParameters: route.pathParameters,
    stageVariables: Object.keys(stage.variables).length > 0 ? stage.variables : undefined,
    resourcePath: resource.path,
    resourceId: resource.id,
    requestContextPath: `/${stage.stageName}${gw.path}`,
  };
  let usageIdentifierKey: string | undefined;
  if (method.authorizationType === "CUSTOM") {
    const authorizer = selected.deployment.authorizers?.find((a) => a.id === method.authorizerId);
    if (!authorizer) return finish(restApiRefusal("failed"), resource.path, undefined, "the method's authorizer is not deployed");
    const methodArn = `arn:aws:execute-api:${deps.account.region}:${deps.account.accountId}:${api.id}/${stage.stageName}/${gw.method}${gw.path}`;
    const started = Date.now();
    const verdict = await authorizeRestMethod(deps.authorizers, authorizer, { request: gw, context, binary, methodArn, resourcePolicyAllows: policy.allows });
    if (verdict.kind === "refuse") return finish(restApiRefusal(verdict.refusal), resource.path, undefined, verdict.error);
    context = { ...context, authorizer: { ...verdict.context, ...(verdict.principalId !== undefined ? { principalId: verdict.principalId } : {}), integrationLatency: Date.now() - started } };
    usageIdentifierKey = verdict.usageIdentifierKey;
  }
  let apiKey: { readonly id: string; readonly value: string } | undefined;
  if (method.apiKeyRequired) {
    const presented = api.apiKeySource === "AUTHORIZER" ? usageIdentifierKey : headerValue(request.rawHeaders, "x-api-key");
    const gate = await deps.apiKeyGate.check({ apiId: api.id, stage: stage.stageName, resourcePath: resource.path, method: method.httpMethod }, presented);
    if (gate.kind !== "admit") return finish(limitRefusal(gate.kind), resource.path, undefined, gate.why);
    apiKey = { id: gate.key.id, value: gate.key.value };
  }
  const event = Buffer.from(JSON.stringify(payloadV1(gw, apiKey ? { ...context, apiKey } : context, binary)));
  if (!fits(event)) return finish(failureResponse("rest-api", "too-large"), resource.path, undefined, "payload too large");
  const { outcome, latency } = await invokeIntegration(deps, fn, integration.timeoutInMillis, gw.rawHeaders, event);
  if (outcome.kind !== "response") return finish(failureResponse("rest-api", outcome.kind), resource.path, latency, outcome.kind);
  const mapped = responseV1(outcome.payload);
  if (!mapped) return finish(failureResponse("rest-api", "malformed"), resource.path, latency, "Malformed Lambda proxy response");
  return finish(mapped, resource.path, latency, undefined);
}
