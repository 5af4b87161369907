/**
 * Lambda's operations → IAM actions and resources (Service Authorization Reference, "Actions defined
 * by AWS Lambda"). Keys are the router's route keys; lambdaService refuses to build if a route is
 * missing here. Qualified requests (`name:alias`, `?Qualifier=`) name the qualified function ARN,
 * so `arn:…:function:f` does not cover `f:prod` unless a policy says `f:*`.
 */
import { functionArn, parseFunctionRef, type Account } from "../../core/arn.js";
import { passRole, requestTagKeys, type ActionRequest } from "../../core/iam-policy/index.js";
import { layerNameIn } from "../../core/layer.js";
import type { ActionResolver } from "../../protocol/action-table.js";
import type { UnkaiRequest } from "../../protocol/http.js";

/** The function ARN a request names; a name Lambda would refuse still yields an ARN (the handler refuses it). */
function targetArn(account: Account, request: UnkaiRequest, raw: string, qualified: boolean): string {
  try {
    const ref = parseFunctionRef(raw, request.query.get("Qualifier") ?? undefined, account);
    return functionArn(account, ref.name, qualified ? ref.qualifier : undefined);
  } catch {
    return functionArn(account, raw);
  }
}

function bodyJson(request: UnkaiRequest): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(request.body.toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Code from S3 (`S3Bucket`/`S3Key` in `code`): Lambda reads the object as the caller, so the caller needs
 * s3:GetObject on it (s3:GetObjectVersion for a given `S3ObjectVersion`).
 */
function s3CodeNeeds(code: unknown): ActionRequest[] {
  if (typeof code !== "object" || code === null) return [];
  const { S3Bucket: bucket, S3Key: key, S3ObjectVersion: version } = code as Record<string, unknown>;
  if (typeof bucket !== "string" || typeof key !== "string") return [];
  return [{ action: version === undefined ? "s3:GetObject" : "s3:GetObjectVersion", resource: `arn:aws:s3:::${bucket}/${key}` }];
}

const layerArn = (account: Account, name: string, version?: string) =>
  `arn:aws:lambda:${account.region}:${account.accountId}:layer:${name}${version === undefined ? "" : `:${version}`}`;

/** The table for one account. */
export function lambdaActions(account: Account): Record<string, ActionResolver> {
  const on = (action: string, qualified = false): ActionResolver => (request, [raw = ""]) => [
    { action: `lambda:${action}`, resource: targetArn(account, request, raw, qualified) },
  ];
  const anywhere = (action: string): ActionResolver => () => [{ action: `lambda:${action}`, resource: "*" }];
  const mapping = (action: string): ActionResolver => (_request, [uuid = ""]) => [
    { action: `lambda:${action}`, resource: `arn:aws:lambda:${account.region}:${account.accountId}:event-source-mapping:${uuid}` },
  ];
  /** An action on the layer version a path names, by the layer's name or its ARN. */
  const onLayerVersion = (action: string): ActionResolver => (_request, [name = "", version = ""]) => [
    { action: `lambda:${action}`, resource: layerArn(account, layerNameIn(name), version) },
  ];

  /** A function that names layers reads them: lambda:GetLayerVersion on each version (AWS's "Layer permissions"). */
  const layerNeeds = (layers: readonly string[]): ActionRequest[] => layers.map((arn) => ({ action: "lambda:GetLayerVersion", resource: arn }));
  /** CreateFunction also passes the execution role to Lambda: iam:PassRole on that role. */
  const createFunction: ActionResolver = (request) => {
    const body = bodyJson(request);
    const name = typeof body.FunctionName === "string" ? body.FunctionName : "";
    const layers = Array.isArray(body.Layers) ? body.Layers.filter((l): l is string => typeof l === "string") : [];
    const keys = { "lambda:Layer": layers, ...requestTagKeys({ Tags: body.Tags }) };
    const needs: ActionRequest[] = [{ action: "lambda:CreateFunction", resource: targetArn(account, request, name, false), keys }];
    return [...needs, ...passRole([body.Role], "lambda.amazonaws.com"), ...layerNeeds(layers), ...s3CodeNeeds(body.Code)];
  };
  const updateCode: ActionResolver = (request, [raw = ""]) => [
    { action: "lambda:UpdateFunctionCode", resource: targetArn(account, request, raw, false) }, ...s3CodeNeeds(bodyJson(request)),
  ];
  const updateConfiguration: ActionResolver = (request, [raw = ""]) => {
    const body = bodyJson(request);
    const layers = Array.isArray(body.Layers) ? body.Layers.filter((l): l is string => typeof l === "string") : [];
    const needs: ActionRequest[] = [{ action: "lambda:UpdateFunctionConfiguration", resource: targetArn(account, request, raw, false), ...(layers.length > 0 ? { keys: { "lambda:Layer": layers } } : {}) }];
    return [...needs, ...passRole([body.Role], "lambda.amazonaws.com"), ...layerNeeds(layers)];
  };
  const addPermission: ActionResolver = (request, [raw = ""]) => {
    const principal = bodyJson(request).Principal;
    const keys: Record<string, string> = typeof principal === "string" ? { "lambda:Principal": principal } : {};
    return [{ action: "lambda:AddPermission", resource: targetArn(account, request, raw, true), keys }];
  };
  /** TagResource carries tags in its body, UntagResource their keys in `tagKeys` query parameters: aws:RequestTag/<key>, aws:TagKeys. */
  const tags = (action: string): ActionResolver => (request, [arn = ""]) => {
    const keys = action === "TagResource" ? requestTagKeys({ Tags: bodyJson(request).Tags })
      : action === "UntagResource" ? requestTagKeys({ TagKeys: request.query.getAll("tagKeys") }) : undefined;
    return [{ action: `lambda:${action}`, resource: arn, ...(keys ? { keys } : {}) }];
  };

  return {
    "POST /2015-03-31/functions": createFunction,
    "GET /2015-03-31/functions": anywhere("ListFunctions"),
    "GET /2015-03-31/functions/{name}": on("GetFunction", true),
    "GET /2015-03-31/functions/{name}/configuration": on("GetFunctionConfiguration", true),
    "PUT /2015-03-31/functions/{name}/code": updateCode,
    "PUT /2015-03-31/functions/{name}/configuration": updateConfiguration,
    "DELETE /2015-03-31/functions/{name}": on("DeleteFunction", true),
    "POST /2015-03-31/functions/{name}/invocations": on("InvokeFunction", true),
    // InvokeWithResponseStream is authorized as lambda:InvokeFunction, as on AWS.
    "POST /2021-11-15/functions/{name}/response-streaming-invocations": on("InvokeFunction", true),
    "POST /2015-03-31/functions/{name}/versions": on("PublishVersion"),
    "GET /2015-03-31/functions/{name}/versions": on("ListVersionsByFunction"),
    "PUT /2017-10-31/functions/{name}/concurrency": on("PutFunctionConcurrency"),
    "GET /2019-09-30/functions/{name}/concurrency": on("GetFunctionConcurrency"),
    "PUT /2019-09-30/functions/{name}/provisioned-concurrency": on("PutProvisionedConcurrencyConfig", true),
    // List shares Get's path: `List=ALL` names the function, Get a qualifier of it.
    "GET /2019-09-30/functions/{name}/provisioned-concurrency": (request, params) => request.query.get("List") !== null
      ? on("ListProvisionedConcurrencyConfigs")(request, params) : on("GetProvisionedConcurrencyConfig", true)(request, params),
    "DELETE /2019-09-30/functions/{name}/provisioned-concurrency": on("DeleteProvisionedConcurrencyConfig", true),
    "DELETE /2017-10-31/functions/{name}/concurrency": on("DeleteFunctionConcurrency"),
    "GET /2020-06-30/functions/{name}/code-signing-config": on("GetFunctionCodeSigningConfig"),
    "GET /2016-08-19/account-settings": anywhere("GetAccountSettings"),
    "POST /2015-03-31/functions/{name}/policy": addPermission,
    "GET /2015-03-31/functions/{name}/policy": on("GetPolicy", true),
    "DELETE /2015-03-31/functions/{name}/policy/{sid}": on("RemovePermission", true),
    "PUT /2019-09-25/functions/{name}/event-invoke-config": on("PutFunctionEventInvokeConfig", true),
    "POST /2019-09-25/functions/{name}/event-invoke-config": on("UpdateFunctionEventInvokeConfig", true),
    "GET /2019-09-25/functions/{name}/event-invoke-config": on("GetFunctionEventInvokeConfig", true),
    "DELETE /2019-09-25/functions/{name}/event-invoke-config": on("DeleteFunctionEventInvokeConfig", true),
    "GET /2019-09-25/functions/{name}/event-invoke-config/list": on("ListFunctionEventInvokeConfigs"),
    "POST /2021-10-31/functions/{name}/url": on("CreateFunctionUrlConfig", true),
    "GET /2021-10-31/functions/{name}/url": on("GetFunctionUrlConfig", true),
    "PUT /2021-10-31/functions/{name}/url": on("UpdateFunctionUrlConfig", true),
    "DELETE /2021-10-31/functions/{name}/url": on("DeleteFunctionUrlConfig", true),
    "GET /2021-10-31/functions/{name}/urls": on("ListFunctionUrlConfigs"),
    "POST /2015-03-31/functions/{name}/aliases": on("CreateAlias"),
    "GET /2015-03-31/functions/{name}/aliases": on("ListAliases"),
    "GET /2015-03-31/functions/{name}/aliases/{alias}": on("GetAlias"),
    "PUT /2015-03-31/functions/{name}/aliases/{alias}": on("UpdateAlias"),
    "DELETE /2015-03-31/functions/{name}/aliases/{alias}": on("DeleteAlias"),
    "POST /2018-10-31/layers/{name}/versions": (request, [name = ""]) => [{ action: "lambda:PublishLayerVersion", resource: layerArn(account, name) }, ...s3CodeNeeds(bodyJson(request).Content)],
    "GET /2018-10-31/layers/{name}/versions/{version}": (_request, [name = "", version = ""]) => [{ action: "lambda:GetLayerVersion", resource: layerArn(account, name, version) }],
    // GetLayerVersionByArn shares ListLayers' path: it reads one layer version, as GetLayerVersion does.
    "GET /2018-10-31/layers": (request) => request.query.get("find") === "LayerVersion"
      ? [{ action: "lambda:GetLayerVersion", resource: request.query.get("Arn") ?? "" }]
      : [{ action: "lambda:ListLayers", resource: "*" }],
    "GET /2018-10-31/layers/{name}/versions": anywhere("ListLayerVersions"),
    "DELETE /2018-10-31/layers/{name}/versions/{version}": (_request, [name = "", version = ""]) => [{ action: "lambda:DeleteLayerVersion", resource: layerArn(account, name, version) }],
    "POST /2018-10-31/layers/{name}/versions/{version}/policy": onLayerVersion("AddLayerVersionPermission"),
    "GET /2018-10-31/layers/{name}/versions/{version}/policy": onLayerVersion("GetLayerVersionPolicy"),
    "DELETE /2018-10-31/layers/{name}/versions/{version}/policy/{sid}": onLayerVersion("RemoveLayerVersionPermission"),
    "POST /2017-03-31/tags/{arn}": tags("TagResource"),
    "DELETE /2017-03-31/tags/{arn}": tags("UntagResource"),
    "GET /2017-03-31/tags/{arn}": tags("ListTags"),
    // Event source mappings: Create and List name no resource; the others the mapping's own ARN.
    ...Object.fromEntries(["/2015-03-31/event-source-mappings", "/2015-03-31/event-source-mappings/"].flatMap((base) => [
      [`POST ${base}`, anywhere("CreateEventSourceMapping")],
      [`GET ${base}`, anywhere("ListEventSourceMappings")],
    ])),
    "GET /2015-03-31/event-source-mappings/{uuid}": mapping("GetEventSourceMapping"),
    "PUT /2015-03-31/event-source-mappings/{uuid}": mapping("UpdateEventSourceMapping"),
    "DELETE /2015-03-31/event-source-mappings/{uuid}": mapping("DeleteEventSourceMapping"),
  };
}
