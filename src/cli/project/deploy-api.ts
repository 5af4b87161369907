/** Deploys a unkai.json project's `api`: one HTTP API per project (tagged), an integration per function, routes reconciled, a `$default` stage. */
import {
  CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, DeleteRouteCommand, GetApisCommand,
  GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand, UpdateApiCommand, UpdateRouteCommand, type ApiGatewayV2Client,
} from "@aws-sdk/client-apigatewayv2";
import { GetFunctionConfigurationCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { Project, ProjectApi } from "./project-file.js";

const PROJECT_TAG = "unkai:project";

export interface ApiOutcome {
  readonly apiId: string;
  readonly endpoint: string;
  readonly routes: readonly string[];
}

/** Creates or updates the project's API so its routes are exactly unkai.json's, each to its function (or the alias, when deploying one). */
export async function deployApi(
  apis: ApiGatewayV2Client,
  lambda: LambdaClient,
  project: Project & { readonly api: ProjectApi },
  alias: string | undefined,
): Promise<ApiOutcome> {
  const existing = (await apis.send(new GetApisCommand({}))).Items?.find((api) => api.Tags?.[PROJECT_TAG] === project.name);
  const cors = project.api.cors
    ? {
      AllowOrigins: project.api.cors.allowOrigins, AllowMethods: project.api.cors.allowMethods, AllowHeaders: project.api.cors.allowHeaders,
      ExposeHeaders: project.api.cors.exposeHeaders, MaxAge: project.api.cors.maxAge, AllowCredentials: project.api.cors.allowCredentials,
    }
    : undefined;
  const api = existing
    ? await apis.send(new UpdateApiCommand({ ApiId: existing.ApiId, Name: project.name, ...(cors ? { CorsConfiguration: cors } : {}) }))
    : await apis.send(new CreateApiCommand({ Name: project.name, ProtocolType: "HTTP", Tags: { [PROJECT_TAG]: project.name }, ...(cors ? { CorsConfiguration: cors } : {}) }));
  const apiId = api.ApiId ?? "";

  const integrations = (await apis.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
  const targetOf = new Map<string, string>();
  for (const folder of new Set(Object.values(project.api.routes))) {
    const fn = project.functions.find((f) => f.localName === folder);
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn?.name }));
    const uri = alias ? `${config.FunctionArn}:${alias}` : (config.FunctionArn ?? "");
    const found = integrations.find((i) => i.IntegrationUri === uri);
    const id = found?.IntegrationId
      ?? (await apis.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: uri, PayloadFormatVersion: "2.0" }))).IntegrationId;
    targetOf.set(folder, `integrations/${id}`);
  }

  const routes = (await apis.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
  for (const route of routes) {
    if (route.RouteKey && !(route.RouteKey in project.api.routes)) await apis.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: route.RouteId }));
  }
  for (const [routeKey, folder] of Object.entries(project.api.routes)) {
    const target = targetOf.get(folder);
    const route = routes.find((r) => r.RouteKey === routeKey);
    if (!route) await apis.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: target }));
    else if (route.Target !== target) await apis.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, Target: target }));
  }
  const stages = (await apis.send(new GetStagesCommand({ ApiId: apiId }))).Items ?? [];
  if (!stages.some((s) => s.StageName === "$default")) await apis.send(new CreateStageCommand({ ApiId: apiId, StageName: "$default", AutoDeploy: true }));
  return { apiId, endpoint: api.ApiEndpoint ?? "", routes: Object.keys(project.api.routes) };
}
