/**
 * API Gateway AWS_IAM methods (REST API v1) and routes (HTTP API v2) under `--iam enforce`, called with
 * each principal's own keys through SDK v3's SignatureV4 (service `execute-api`): unsigned, forged and
 * wrongly scoped calls are refused as API Gateway refuses them, and a signed call needs execute-api:Invoke
 * on `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`. NONE routes stay public.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { createFromFixture, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { cli, quickCreateHttpApi, restProxyApi } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import type { Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const BAD_SIGNATURE = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

describe("API Gateway AWS_IAM methods under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const iam = () => new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const user = async (name: string, statements: object[] = []): Promise<Keys> => {
    await iam().send(new CreateUserCommand({ UserName: name }));
    if (statements.length > 0) {
      await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: "inline", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
    }
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  };
  const call = async (url: string, keys?: Keys, options: { method?: string; service?: string } = {}) => {
    const response = keys
      ? await signedFetch(url, { method: options.method ?? "GET", service: options.service ?? "execute-api" }, keys)
      : await fetch(url, { method: options.method ?? "GET" });
    return { status: response.status, type: response.headers.get("x-amzn-errortype"), body: await response.text() };
  };
  const denied = (who: string, arn: string) => ({
    status: 403, type: "AccessDeniedException",
    body: JSON.stringify({ Message: `User: arn:aws:iam::${ACCOUNT}:user/${who} is not authorized to perform: execute-api:Invoke on resource: ${arn}` }),
  });

  before(async () => {
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam().send(new CreateRoleCommand({ RoleName: "api-fn", AssumeRolePolicyDocument: trust }));
  });

  it("an HTTP API's AWS_IAM route answers only signed callers allowed execute-api:Invoke on the route's ARN", async () => {
    await createFromFixture(suite.client, "iam-api", "gateway-echo", { Role: `arn:aws:iam::${ACCOUNT}:role/api-fn` });
    const { apiId, base } = await quickCreateHttpApi(suite.unkai.url, "iam-api");
    const routes = await cli(suite.unkai.url, ["apigatewayv2", "get-routes", "--api-id", apiId]);
    const routeId = String((routes.Items as { RouteId: string }[])[0]?.RouteId);
    const updated = await cli(suite.unkai.url, ["apigatewayv2", "update-route", "--api-id", apiId, "--route-id", routeId, "--authorization-type", "AWS_IAM"]);
    assert.equal(updated.AuthorizationType, "AWS_IAM");
    const integration = String((routes.Items as { Target: string }[])[0]?.Target);
    await cli(suite.unkai.url, ["apigatewayv2", "create-route", "--api-id", apiId, "--route-key", "GET /open/{x}", "--target", integration, "--authorization-type", "NONE"]);

    const arn = (method: string, path: string) => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/$default/${method}${path}`;
    const reader = await user("api-reader", [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/*/GET/x/*` }]);
    const stranger = await user("api-stranger");
    const fenced = await user("api-fenced", [
      { Effect: "Allow", Action: "*", Resource: "*" },
      { Effect: "Deny", Action: "execute-api:Invoke", Resource: arn("GET", "/x/plain") },
    ]);
    const hello = { status: 200, type: null, body: JSON.stringify({ hello: "world" }) };

    assert.deepEqual(await call(`${base}/x/plain`), { status: 403, type: "MissingAuthenticationTokenException", body: JSON.stringify({ message: "Missing Authentication Token" }) });
    assert.deepEqual(await call(`${base}/x/plain`, { ...reader, secretAccessKey: "forged" }), { status: 403, type: "InvalidSignatureException", body: JSON.stringify({ message: BAD_SIGNATURE }) });
    assert.deepEqual(await call(`${base}/x/plain`, DEFAULT_CREDENTIALS, { service: "lambda" }),
      { status: 403, type: "InvalidSignatureException", body: JSON.stringify({ message: "Credential should be scoped to correct service: 'execute-api'." }) }, "signed for lambda, not execute-api");
    assert.deepEqual(await call(`${base}/x/plain`, reader), hello);
    assert.deepEqual(await call(`${base}/x/plain`, DEFAULT_CREDENTIALS), hello, "the account root");
    assert.deepEqual(await call(`${base}/x/plain`, reader, { method: "POST" }), denied("api-reader", arn("POST", "/x/plain")), "the policy allows GET only");
    assert.deepEqual(await call(`${base}/y/plain`, reader), denied("api-reader", arn("GET", "/y/plain")), "the policy allows /x/* only");
    assert.deepEqual(await call(`${base}/x/plain`, stranger), denied("api-stranger", arn("GET", "/x/plain")));
    const explicit = denied("api-fenced", arn("GET", "/x/plain"));
    assert.deepEqual(await call(`${base}/x/plain`, fenced), { ...explicit, body: explicit.body.replace(/"}$/, ` with an explicit deny"}`) });
    assert.deepEqual(await call(`${base}/x/other/plain`, fenced), hello, "the Deny names one path");
    assert.deepEqual(await call(`${base}/open/plain`), hello, "a NONE route stays public");
  });

  it("a REST API's AWS_IAM method answers only signed callers allowed execute-api:Invoke on the stage's method ARN", async () => {
    await createFromFixture(suite.client, "iam-rest", "gateway-echo", { Role: `arn:aws:iam::${ACCOUNT}:role/api-fn` });
    const { apiId, base } = await restProxyApi(suite.unkai.url, "iam-rest", "prod", [], "AWS_IAM");
    const arn = (method: string, path: string) => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/prod/${method}${path}`;
    const writer = await user("rest-writer", [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: arn("PUT", "/items/*") }]);
    const other = await user("rest-other", [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/dev/*` }]);
    const echoed = async (keys: Keys | undefined, method: string, path: string) => {
      const answer = await call(`${base}${path}`, keys, { method });
      return answer.status === 200 ? (JSON.parse(answer.body) as { httpMethod: string; path: string }) : answer;
    };
    assert.deepEqual(await call(`${base}/items/1`), { status: 403, type: "MissingAuthenticationTokenException", body: JSON.stringify({ message: "Missing Authentication Token" }) });
    assert.deepEqual(await call(`${base}/items/1`, { ...writer, secretAccessKey: "forged" }, { method: "PUT" }), { status: 403, type: "InvalidSignatureException", body: JSON.stringify({ message: BAD_SIGNATURE }) });
    const put = await echoed(writer, "PUT", "/items/1");
    assert.equal("httpMethod" in put && put.httpMethod, "PUT");
    assert.deepEqual(await call(`${base}/items/1`, writer), denied("rest-writer", arn("GET", "/items/1")));
    assert.deepEqual(await call(`${base}/items/1`, other, { method: "PUT" }), denied("rest-other", arn("PUT", "/items/1")), "allowed on another stage only");
    assert.equal((await call(`${base}/items/1`, DEFAULT_CREDENTIALS)).status, 200, "the account root");
    assert.equal((await call(`${base}/`)).status, 200, "the root resource's NONE method stays public");
  });
});
