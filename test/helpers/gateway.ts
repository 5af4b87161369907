/** Sets up gateway front doors the way users do, with the real AWS CLI v2: HTTP API quick create, a REST `{proxy+}` API, a Function URL. */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { aws, signedFetch } from "./clients.js";

export const ACCOUNT = "000000000000";
export const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

async function cli(url: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const run = await aws(url, args);
  assert.equal(run.code, 0, `aws ${args.join(" ")} failed:\n${run.stderr}`);
  return run.stdout.trim() === "" ? {} : (JSON.parse(run.stdout) as Record<string, unknown>);
}

/** `aws apigatewayv2 create-api --target`: returns the API id and its path-based base URL. */
export async function quickCreateHttpApi(url: string, functionName: string): Promise<{ apiId: string; base: string; endpoint: string }> {
  const api = await cli(url, ["apigatewayv2", "create-api", "--name", `${functionName}-api`, "--protocol-type", "HTTP", "--target", fnArn(functionName)]);
  const apiId = String(api.ApiId);
  return { apiId, base: `${url}/_aws/execute-api/${apiId}`, endpoint: String(api.ApiEndpoint) };
}

/** A REST API with ANY on `/` and on `/{proxy+}` (`authorizationType` on the proxy), Lambda proxy integrations, deployed to `stage`. */
export async function restProxyApi(
  url: string, functionName: string, stage: string, extra: readonly string[] = [], authorizationType: "NONE" | "AWS_IAM" = "NONE",
): Promise<{ apiId: string; base: string }> {
  const api = await cli(url, ["apigateway", "create-rest-api", "--name", `${functionName}-rest`, ...extra]);
  const apiId = String(api.id);
  // As the classic tutorial does (older CLIs do not show rootResourceId): the root is the resource at "/".
  const resources = await cli(url, ["apigateway", "get-resources", "--rest-api-id", apiId]);
  const root = String((resources.items as { id: string; path: string }[]).find((r) => r.path === "/")?.id);
  const proxy = await cli(url, ["apigateway", "create-resource", "--rest-api-id", apiId, "--parent-id", root, "--path-part", "{proxy+}"]);
  const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn(functionName)}/invocations`;
  for (const resourceId of [root, String(proxy.id)]) {
    const type = resourceId === root ? "NONE" : authorizationType;
    await cli(url, ["apigateway", "put-method", "--rest-api-id", apiId, "--resource-id", resourceId, "--http-method", "ANY", "--authorization-type", type]);
    await cli(url, ["apigateway", "put-integration", "--rest-api-id", apiId, "--resource-id", resourceId, "--http-method", "ANY",
      "--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", uri]);
  }
  await cli(url, ["apigateway", "create-deployment", "--rest-api-id", apiId, "--stage-name", stage]);
  return { apiId, base: `${url}/_aws/execute-api/${apiId}/${stage}` };
}

/** `aws lambda create-function-url-config`: returns the config and the path-based base URL. */
export async function createFunctionUrl(
  url: string,
  functionName: string,
  extra: readonly string[] = [],
  authType: "NONE" | "AWS_IAM" = "NONE",
): Promise<{ urlId: string; base: string; config: Record<string, unknown> }> {
  const config = await cli(url, ["lambda", "create-function-url-config", "--function-name", functionName, "--auth-type", authType, ...extra]);
  const match = /^http:\/\/([0-9a-z]{32})\.lambda-url\.us-east-1\.localhost:\d+\/$/.exec(String(config.FunctionUrl));
  assert.ok(match?.[1], `FunctionUrl has the host-based form: ${String(config.FunctionUrl)}`);
  return { urlId: match[1], base: `${url}/_aws/lambda-url/${match[1]}`, config };
}

export { cli };

/** A GET with an explicit Host header (fetch cannot set one), for the host-based addresses. */
export function getWithHost(url: string, host: string, path: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: response.headers }));
    });
    request.on("error", reject);
    request.end();
  });
}

/** How many invocation records Unkai holds for a function. */
export async function invocationCount(url: string, functionName: string): Promise<number> {
  const response = await signedFetch(`${url}/_unkai/functions/${functionName}/invocations?limit=1000`);
  return ((await response.json()) as { invocations: unknown[] }).invocations.length;
}
