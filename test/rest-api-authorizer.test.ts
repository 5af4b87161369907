/**
 * REST API Lambda authorizers (TOKEN and REQUEST), set up with the AWS CLI as users do: 401 for a
 * missing or invalid token or an authorizer that answers "Unauthorized", 403 for a policy that does
 * not allow (with "explicit deny" for a Deny), 500 for a failing authorizer, the context and
 * principal in the integration's event, cached answers, and a validation expression that cannot
 * stall the server.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, ROLE } from "./helpers/clients.js";
import { cli, fnArn } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";

const AUTHORIZER = `
let calls = 0;
exports.handler = async (event) => {
  calls++;
  const token = event.type === "TOKEN" ? event.authorizationToken : (event.queryStringParameters || {}).token;
  if (token === "boom") throw new Error("authorizer failed");
  if (token === "nope") throw new Error("Unauthorized");
  const effect = token === "deny" ? "Deny" : "Allow";
  const resource = token === "other" ? "arn:aws:execute-api:us-east-1:000000000000:elsewhere/*/GET/" : event.methodArn;
  const allow = { Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn };
  // Policies written with NotAction / NotResource, as IAM reads them.
  const written = {
    "not-action-deny": [allow, { NotAction: "s3:*", Effect: "Deny", Resource: "*" }],
    "not-resource-deny": [allow, { Action: "execute-api:*", Effect: "Deny", NotResource: "arn:aws:execute-api:us-east-1:000000000000:elsewhere/*" }],
    "not-action-allow": [{ NotAction: "s3:*", Effect: "Allow", Resource: event.methodArn }],
    "not-action-skips": [{ NotAction: "execute-api:*", Effect: "Allow", Resource: "*" }],
  }[token];
  const statements = written || [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }];
  return { principalId: "bob", policyDocument: { Version: "2012-10-17", Statement: statements }, context: { user: "bob", calls, type: event.type } };
};`;

const BACKEND = "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ authorizer: event.requestContext.authorizer ?? null }) });";

describe("REST API Lambda authorizers", () => {
  const suite = unkaiSuite();

  /** The authorizer and backend functions (`rest-authz<suffix>`, `rest-backend<suffix>`) and a new REST API: its id and root resource. */
  async function guardedApi(suffix: string, apiName: string) {
    for (const [name, source] of [[`rest-authz${suffix}`, AUTHORIZER], [`rest-backend${suffix}`, BACKEND]] as const) {
      await suite.client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": source }) } }));
    }
    const url = suite.unkai.url;
    const uri = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn(fn)}/invocations`;
    const apiId = String((await cli(url, ["apigateway", "create-rest-api", "--name", apiName])).id);
    const root = String(((await cli(url, ["apigateway", "get-resources", "--rest-api-id", apiId])).items as { id: string }[])[0]?.id);
    return { url, uri, apiId, root };
  }

  it("TOKEN and REQUEST authorizers answer 401, 403 and 500 as REST APIs do, and let the context through", async () => {
    const { url, uri, apiId, root } = await guardedApi("", "guarded");
    const token = await cli(url, [
      "apigateway", "create-authorizer", "--rest-api-id", apiId, "--name", "token", "--type", "TOKEN", "--authorizer-uri", uri("rest-authz"),
      "--identity-source", "method.request.header.Authorization", "--identity-validation-expression", "[a-z-]+",
    ]);
    assert.equal(token.authorizerResultTtlInSeconds, 300, "REST authorizers cache for 300 s unless told otherwise");
    const request = await cli(url, [
      "apigateway", "create-authorizer", "--rest-api-id", apiId, "--name", "request", "--type", "REQUEST", "--authorizer-uri", uri("rest-authz"),
      "--identity-source", "method.request.querystring.token", "--authorizer-result-ttl-in-seconds", "0",
    ]);
    const redos = await cli(url, [
      "apigateway", "create-authorizer", "--rest-api-id", apiId, "--name", "redos", "--type", "TOKEN", "--authorizer-uri", uri("rest-authz"),
      "--identity-source", "method.request.header.Authorization", "--identity-validation-expression", "(a+)+b",
    ]);
    const guard = async (resourceId: string, authorizerId: unknown) => {
      await cli(url, ["apigateway", "put-method", "--rest-api-id", apiId, "--resource-id", resourceId, "--http-method", "GET", "--authorization-type", "CUSTOM", "--authorizer-id", String(authorizerId)]);
      await cli(url, ["apigateway", "put-integration", "--rest-api-id", apiId, "--resource-id", resourceId, "--http-method", "GET", "--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", uri("rest-backend")]);
    };
    await guard(root, token.id);
    const req = String((await cli(url, ["apigateway", "create-resource", "--rest-api-id", apiId, "--parent-id", root, "--path-part", "req"])).id);
    await guard(req, request.id);
    const slow = String((await cli(url, ["apigateway", "create-resource", "--rest-api-id", apiId, "--parent-id", root, "--path-part", "slow"])).id);
    await guard(slow, redos.id);
    await cli(url, ["apigateway", "create-deployment", "--rest-api-id", apiId, "--stage-name", "prod"]);
    const base = `${url}/_aws/execute-api/${apiId}/prod`;

    const get = async (path: string, authorization?: string) => {
      const response = await fetch(`${base}${path}`, { headers: authorization === undefined ? {} : { authorization } });
      return { status: response.status, type: response.headers.get("x-amzn-errortype"), body: JSON.parse(await response.text()) as Record<string, unknown> };
    };
    assert.deepEqual(await get("/"), { status: 401, type: "UnauthorizedException", body: { message: "Unauthorized" } });
    assert.deepEqual(await get("/", "NOT VALID!"), { status: 401, type: "UnauthorizedException", body: { message: "Unauthorized" } }, "a token failing the validation expression");
    assert.deepEqual(await get("/", "nope"), { status: 401, type: "UnauthorizedException", body: { message: "Unauthorized" } }, "the authorizer answered Unauthorized");
    assert.deepEqual(await get("/", "boom"), { status: 500, type: "AuthorizerConfigurationException", body: { message: null } });
    assert.deepEqual(await get("/", "deny"), { status: 403, type: "AccessDeniedException", body: { Message: "User is not authorized to access this resource with an explicit deny" } });
    assert.deepEqual(await get("/", "other"), { status: 403, type: "AccessDeniedException", body: { Message: "User is not authorized to access this resource" } });
    // NotAction and NotResource count as in any IAM policy: a Deny of everything but S3, or of every ARN but
    // another API's, refuses beside an Allow; an Allow of everything but execute-api allows nothing here.
    const explicitDeny = { status: 403, type: "AccessDeniedException", body: { Message: "User is not authorized to access this resource with an explicit deny" } };
    assert.deepEqual(await get("/", "not-action-deny"), explicitDeny);
    assert.deepEqual(await get("/", "not-resource-deny"), explicitDeny);
    assert.equal((await get("/", "not-action-allow")).status, 200);
    assert.deepEqual(await get("/", "not-action-skips"), { status: 403, type: "AccessDeniedException", body: { Message: "User is not authorized to access this resource" } });
    const allowed = await get("/", "let-me-in");
    assert.equal(allowed.status, 200);
    const authorizer = (allowed.body as { authorizer: Record<string, unknown> }).authorizer;
    assert.equal(authorizer.principalId, "bob");
    assert.equal(authorizer.user, "bob");
    assert.equal(authorizer.type, "TOKEN");
    assert.equal(typeof authorizer.integrationLatency, "number");
    const again = (await get("/", "let-me-in")).body as { authorizer: Record<string, unknown> };
    assert.equal(again.authorizer.calls, authorizer.calls, "the cached answer was used (300 s)");

    // REQUEST: the query string is the identity, the whole request reaches the authorizer; no cache (TTL 0).
    assert.equal((await get("/req?token=deny")).status, 403);
    const viaRequest = (await get("/req?token=let-me-in")).body as { authorizer: Record<string, unknown> };
    assert.equal(viaRequest.authorizer.type, "REQUEST");
    const next = (await get("/req?token=let-me-in")).body as { authorizer: Record<string, unknown> };
    assert.equal(Number(next.authorizer.calls), Number(viaRequest.authorizer.calls) + 1, "TTL 0: every request calls the authorizer");

    // A validation expression that backtracks exponentially on this token is cut short: 401, and the server answers on.
    const started = Date.now();
    assert.equal((await get("/slow", `${"a".repeat(40)}!`)).status, 401);
    assert.ok(Date.now() - started < 5_000, `answered in ${Date.now() - started} ms`);
    assert.equal((await get("/", "let-me-in")).status, 200);
  });

  it("manages authorizers with API Gateway's errors", async () => {
    const { unkai } = suite;
    const url = unkai.url;
    const apiId = String((await cli(url, ["apigateway", "create-rest-api", "--name", "errors"])).id);
    const root = String(((await cli(url, ["apigateway", "get-resources", "--rest-api-id", apiId])).items as { id: string }[])[0]?.id);
    const fails = async (args: string[], pattern: RegExp) => {
      const run = await aws(url, ["apigateway", ...args]);
      assert.notEqual(run.code, 0, args.join(" "));
      assert.match(run.stderr, pattern);
    };
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn("rest-authz")}/invocations`;
    await fails(["create-authorizer", "--rest-api-id", apiId, "--name", "c", "--type", "COGNITO_USER_POOLS", "--provider-arns", "arn:aws:cognito-idp:us-east-1:000000000000:userpool/x"], /BadRequestException.*COGNITO_USER_POOLS is not supported/);
    await fails(["create-authorizer", "--rest-api-id", apiId, "--name", "t", "--type", "TOKEN", "--authorizer-uri", uri, "--identity-source", "method.request.querystring.t"], /BadRequestException.*one header/);
    await fails(["create-authorizer", "--rest-api-id", apiId, "--name", "t", "--type", "TOKEN", "--authorizer-uri", uri, "--identity-source", "method.request.header.A", "--identity-validation-expression", "(unclosed"], /BadRequestException.*not a regular expression/);
    await fails(["put-method", "--rest-api-id", apiId, "--resource-id", root, "--http-method", "GET", "--authorization-type", "CUSTOM"], /BadRequestException.*authorizerId is required/);
    const made = await cli(url, ["apigateway", "create-authorizer", "--rest-api-id", apiId, "--name", "t", "--type", "TOKEN", "--authorizer-uri", uri, "--identity-source", "method.request.header.A"]);
    await cli(url, ["apigateway", "put-method", "--rest-api-id", apiId, "--resource-id", root, "--http-method", "GET", "--authorization-type", "CUSTOM", "--authorizer-id", String(made.id)]);
    await fails(["delete-authorizer", "--rest-api-id", apiId, "--authorizer-id", String(made.id)], /ConflictException/);
    const updated = await cli(url, ["apigateway", "update-authorizer", "--rest-api-id", apiId, "--authorizer-id", String(made.id), "--patch-operations", "op=replace,path=/authorizerResultTtlInSeconds,value=60"]);
    assert.equal(updated.authorizerResultTtlInSeconds, 60);
    assert.deepEqual(((await cli(url, ["apigateway", "get-authorizers", "--rest-api-id", apiId])).items as { name: string }[]).map((a) => a.name), ["t"]);
  });

  it("counts identity sources naming a stage or context variable no request has (constructor, toString) as missing: 401 where the answer is cached", async () => {
    const { url, uri, apiId, root } = await guardedApi("-named", "named");
    const sources = ["stageVariables.constructor", "context.toString"];
    for (const source of sources) {
      const authorizer = await cli(url, [
        "apigateway", "create-authorizer", "--rest-api-id", apiId, "--name", source, "--type", "REQUEST", "--authorizer-uri", uri("rest-authz-named"),
        "--identity-source", `method.request.querystring.token,${source}`, "--authorizer-result-ttl-in-seconds", "300",
      ]);
      const resource = String((await cli(url, ["apigateway", "create-resource", "--rest-api-id", apiId, "--parent-id", root, "--path-part", source.replace(".", "-")])).id);
      await cli(url, ["apigateway", "put-method", "--rest-api-id", apiId, "--resource-id", resource, "--http-method", "GET", "--authorization-type", "CUSTOM", "--authorizer-id", String(authorizer.id)]);
      await cli(url, ["apigateway", "put-integration", "--rest-api-id", apiId, "--resource-id", resource, "--http-method", "GET", "--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", uri("rest-backend-named")]);
    }
    // A stage with variables, none of them `constructor`.
    await cli(url, ["apigateway", "create-deployment", "--rest-api-id", apiId, "--stage-name", "prod", "--variables", "env=test"]);
    for (const source of sources) {
      const response = await fetch(`${url}/_aws/execute-api/${apiId}/prod/${source.replace(".", "-")}?token=let-me-in`);
      assert.deepEqual({ status: response.status, body: await response.json() }, { status: 401, body: { message: "Unauthorized" } }, source);
    }
  });
});
