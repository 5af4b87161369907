/** A function's triggers through the public APIs: its Function URLs, the HTTP and REST API routes that target it, the S3 buckets that notify it. */
import { GetResourcesCommand, GetRestApisCommand, GetStagesCommand as GetRestStagesCommand } from "@aws-sdk/client-api-gateway";
import { GetApisCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand } from "@aws-sdk/client-apigatewayv2";
import { CreateFunctionUrlConfigCommand, DeleteFunctionUrlConfigCommand, ListFunctionUrlConfigsCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand, ListBucketsCommand, PutBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { apis, lambda, restApis, s3 } from "./api.js";
import { allowService } from "./service-permission.js";

/** A Lambda function ARN inside an integration URI (plain, or API Gateway's `…/functions/<arn>/invocations`), without its qualifier. */
const FUNCTION_ARN = /arn:[^:]+:lambda:[^:]+:\d+:function:[A-Za-z0-9_-]+/;
export const unqualified = (arn) => FUNCTION_ARN.exec(arn ?? "")?.[0];

/** Follows `NextToken`/`NextMarker` style paging of one list call. */
export async function allPages(send, items, tokenOut = "NextToken", tokenIn = "NextToken") {
  const all = [];
  let token;
  do {
    const page = await send(token === undefined ? {} : { [tokenIn]: token });
    all.push(...(page[items] ?? []));
    token = page[tokenOut];
  } while (token);
  return all;
}

export const listFunctionUrls = (name) =>
  allPages((p) => lambda().send(new ListFunctionUrlConfigsCommand({ FunctionName: name, ...p })), "FunctionUrlConfigs", "NextMarker", "Marker");

/** The URL's id (first label of its host name), for the path-based address `/_aws/lambda-url/<id>/`. */
export const urlId = (functionUrl) => new URL(functionUrl).hostname.split(".")[0];

export async function addFunctionUrl(name, authType, origins) {
  const cors = origins.length > 0 ? { AllowOrigins: origins } : undefined;
  return lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: authType, Cors: cors }));
}

/** `FunctionArn` of a URL config is qualified for an alias: delete that alias's URL, not $LATEST's. */
export function deleteFunctionUrl(name, config) {
  const qualifier = /:function:[^:]+:([^:]+)$/.exec(config.FunctionArn ?? "")?.[1];
  return lambda().send(new DeleteFunctionUrlConfigCommand({ FunctionName: name, Qualifier: qualifier }));
}

/** Where a route of an HTTP API is invoked: the path-based address, through `$default` or else the first stage. */
function invokeUrl(apiId, stages, routeKey) {
  const path = routeKey === "$default" ? "/" : routeKey.split(" ")[1] ?? "/";
  const stage = stages.some((s) => s.StageName === "$default") ? "" : stages[0]?.StageName ? `/${stages[0].StageName}` : "";
  return `${location.origin}/_aws/execute-api/${apiId}${stage}${path}`;
}

/** Every route, in every HTTP API, whose integration invokes this function (any qualifier). */
export async function listApiRoutes(functionArn) {
  const target = unqualified(functionArn);
  const found = [];
  const all = await allPages((p) => apis().send(new GetApisCommand(p)), "Items");
  for (const api of all) {
    const integrations = await allPages((p) => apis().send(new GetIntegrationsCommand({ ApiId: api.ApiId, ...p })), "Items");
    const ours = new Map(integrations.filter((i) => unqualified(i.IntegrationUri) === target).map((i) => [i.IntegrationId, i]));
    if (ours.size === 0) continue;
    const [routes, stages] = await Promise.all([
      allPages((p) => apis().send(new GetRoutesCommand({ ApiId: api.ApiId, ...p })), "Items"),
      allPages((p) => apis().send(new GetStagesCommand({ ApiId: api.ApiId, ...p })), "Items"),
    ]);
    for (const route of routes) {
      const integration = ours.get(/^integrations\/(.+)$/.exec(route.Target ?? "")?.[1]);
      if (!integration) continue;
      found.push({ apiId: api.ApiId, apiName: api.Name, kind: `${api.ProtocolType} API`, routeKey: route.RouteKey, integrationUri: integration.IntegrationUri, url: invokeUrl(api.ApiId, stages, route.RouteKey) });
    }
  }
  return found;
}

/** Every method of every REST API whose integration invokes this function, invoked through the API's first stage. */
export async function listRestRoutes(functionArn) {
  const target = unqualified(functionArn);
  const found = [];
  const all = await allPages((p) => restApis().send(new GetRestApisCommand(p)), "items", "position", "position");
  for (const api of all) {
    const resources = await allPages((p) => restApis().send(new GetResourcesCommand({ restApiId: api.id, embed: ["methods"], ...p })), "items", "position", "position");
    const ours = resources.flatMap((r) => Object.values(r.resourceMethods ?? {})
      .filter((m) => unqualified(m.methodIntegration?.uri) === target).map((m) => ({ path: r.path, method: m })));
    if (ours.length === 0) continue;
    const stage = (await restApis().send(new GetRestStagesCommand({ restApiId: api.id }))).item?.[0]?.stageName;
    for (const { path, method } of ours) {
      const url = stage ? `${location.origin}/_aws/execute-api/${api.id}/${stage}${path}` : undefined;
      found.push({ apiId: api.id, apiName: api.name, kind: "REST API", routeKey: `${method.httpMethod} ${path}`, integrationUri: method.methodIntegration.uri, url });
    }
  }
  return found;
}

const filterValue = (config, name) =>
  config.Filter?.Key?.FilterRules?.find((r) => r.Name?.toLowerCase() === name)?.Value;

/** The bucket notifications that invoke this function, with their bucket. */
export async function listS3Triggers(functionArn) {
  const target = unqualified(functionArn);
  const buckets = (await s3().send(new ListBucketsCommand({}))).Buckets ?? [];
  const found = [];
  for (const bucket of buckets) {
    const config = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket.Name }));
    for (const c of config.LambdaFunctionConfigurations ?? []) {
      if (unqualified(c.LambdaFunctionArn) !== target) continue;
      found.push({ bucket: bucket.Name, id: c.Id, events: c.Events ?? [], prefix: filterValue(c, "prefix"), suffix: filterValue(c, "suffix") });
    }
  }
  return { buckets: buckets.map((b) => b.Name), triggers: found };
}

/** The bucket's whole notification configuration (every kind of destination), ready to be put back. */
async function notificationsOf(bucket) {
  const answer = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const { TopicConfigurations, QueueConfigurations, LambdaFunctionConfigurations, EventBridgeConfiguration } = answer;
  return { TopicConfigurations, QueueConfigurations, LambdaFunctionConfigurations, EventBridgeConfiguration };
}

/** Adds one Lambda notification to the bucket's configuration, keeping the others; creates the bucket first if asked. */
export async function addS3Trigger({ bucket, create, functionArn, events, prefix, suffix }) {
  if (create) await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  const config = await notificationsOf(bucket);
  const rules = [["prefix", prefix], ["suffix", suffix]].filter(([, v]) => v).map(([Name, Value]) => ({ Name, Value }));
  const id = `unkai-console-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  config.LambdaFunctionConfigurations = [...(config.LambdaFunctionConfigurations ?? []), {
    Id: id, LambdaFunctionArn: functionArn, Events: events, Filter: rules.length > 0 ? { Key: { FilterRules: rules } } : undefined,
  }];
  // As the AWS console does: S3 must be allowed to invoke the function for this bucket before it accepts the configuration.
  await allowService(functionArn, "s3.amazonaws.com", `arn:aws:s3:::${bucket}`);
  await s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: config }));
  return id;
}

/** Removes one notification (by its Id) from the bucket's configuration, keeping the others. */
export async function removeS3Trigger(bucket, id) {
  const config = await notificationsOf(bucket);
  config.LambdaFunctionConfigurations = (config.LambdaFunctionConfigurations ?? []).filter((c) => c.Id !== id);
  await s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: config }));
}
