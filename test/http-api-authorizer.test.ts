/**
 * HTTP API Lambda (REQUEST) authorizers: identity sources (401 without a call), simple responses and
 * IAM policies (403 on a denial), a failing authorizer (500), the context reaching the integration,
 * cached answers, and the management API's shapes and errors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ApiGatewayV2Client, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, DeleteAuthorizerCommand, GetAuthorizersCommand, GetRouteCommand,
  UpdateAuthorizerCommand, UpdateRouteCommand,
} from "@aws-sdk/client-apigatewayv2";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, DEFAULT_CREDENTIALS, ROLE } from "./helpers/clients.js";
import { fnArn, quickCreateHttpApi } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";

/**
 * Allows the token "let-me-in", throws on "boom", answers nonsense on "junk"; counts its calls (so a
 * cached answer shows the count of the call that made it). Simple responses for 2.0 simple
 * authorizers, an IAM policy otherwise.
 */
const AUTHORIZER = `
let calls = 0;
exports.handler = async (event) => {
  calls++;
  const token = event.version === "2.0" ? event.identitySource[0] : event.authorizationToken;
  if (token === "boom") throw new Error("authorizer failed");
  if (token === "junk") return "not an object";
  const context = { user: "alice", calls, seen: { version: event.version, type: event.type, arn: event.routeArn ?? event.methodArn, hasBody: "body" in event } };
  if (process.env.SIMPLE === "yes") return { isAuthorized: token === "let-me-in", context };
  return {
    principalId: "alice",
    policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: token === "let-me-in" ? "Allow" : "Deny", Resource: "arn:aws:execute-api:us-east-1:*:*/*/GET/*" }] },
    context,
  };
};`;

const BACKEND = "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ authorizer: event.requestContext.authorizer ?? null, version: event.version ?? '1.0' }) });";

describe("HTTP API Lambda authorizers", () => {
  const suite = unkaiSuite();

  it("authorize routes with simple responses and IAM policies; 401 without identity, 403 denied, 500 failed", async () => {
    const { client, unkai } = suite;
    const zip = async (source: string) => ({ ZipFile: await zipFiles({ "index.js": source }) });
    const create = async (name: string, source: string, env: Record<string, string> = {}) =>
      client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: await zip(source), Environment: { Variables: env } }));
    await create("authz-simple", AUTHORIZER, { SIMPLE: "yes" });
    await create("authz-policy", AUTHORIZER);
    await create("authz-backend", BACKEND);
    const { apiId, base } = await quickCreateHttpApi(unkai.url, "authz-backend");
    const gw = new ApiGatewayV2Client({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      const uri = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn(fn)}/invocations`;
      const simple = await gw.send(new CreateAuthorizerCommand({
        ApiId: apiId, Name: "simple", AuthorizerType: "REQUEST", AuthorizerUri: uri("authz-simple"), AuthorizerPayloadFormatVersion: "2.0",
        EnableSimpleResponses: true, IdentitySource: ["$request.header.Authorization"],
      }));
      assert.equal(simple.$metadata.httpStatusCode, 201);
      assert.deepEqual({ ...simple, $metadata: undefined, AuthorizerId: undefined }, {
        $metadata: undefined, AuthorizerId: undefined, AuthorizerPayloadFormatVersion: "2.0", AuthorizerResultTtlInSeconds: 0, AuthorizerType: "REQUEST",
        AuthorizerUri: uri("authz-simple"), EnableSimpleResponses: true, IdentitySource: ["$request.header.Authorization"], Name: "simple",
      });
      const policy = await gw.send(new CreateAuthorizerCommand({
        ApiId: apiId, Name: "policy", AuthorizerType: "REQUEST", AuthorizerUri: uri("authz-policy"), AuthorizerPayloadFormatVersion: "1.0", IdentitySource: ["$request.querystring.token"],
      }));
      const integration = await gw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("authz-backend"), PayloadFormatVersion: "2.0" }));
      const v1 = await gw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("authz-backend"), PayloadFormatVersion: "1.0" }));
      const guarded = await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /guarded", Target: `integrations/${integration.IntegrationId}`, AuthorizationType: "CUSTOM", AuthorizerId: simple.AuthorizerId }));
      assert.equal((await gw.send(new GetRouteCommand({ ApiId: apiId, RouteId: guarded.RouteId }))).AuthorizerId, simple.AuthorizerId);
      await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /policed", Target: `integrations/${v1.IntegrationId}`, AuthorizationType: "CUSTOM", AuthorizerId: policy.AuthorizerId }));

      const get = async (path: string, headers: Record<string, string> = {}) => {
        const response = await fetch(`${base}${path}`, { headers });
        const text = await response.text();
        return { status: response.status, body: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : text };
      };
      assert.deepEqual(await get("/guarded"), { status: 401, body: { message: "Unauthorized" } });
      assert.deepEqual(await get("/guarded", { authorization: "wrong" }), { status: 403, body: { message: "Forbidden" } });
      assert.deepEqual(await get("/guarded", { authorization: "boom" }), { status: 500, body: { message: "Internal Server Error" } });
      assert.deepEqual(await get("/guarded", { authorization: "junk" }), { status: 500, body: { message: "Internal Server Error" } });
      const allowed = await get("/guarded", { authorization: "let-me-in" });
      assert.equal(allowed.status, 200);
      const lambdaContext = ((allowed.body as { authorizer: { lambda: Record<string, unknown> } }).authorizer).lambda;
      assert.equal(lambdaContext.user, "alice");
      assert.deepEqual(lambdaContext.seen, { version: "2.0", type: "REQUEST", arn: `arn:aws:execute-api:us-east-1:000000000000:${apiId}/$default/GET/guarded`, hasBody: false });
      assert.equal((await get("/hello")).status, 200, "a route without an authorizer is not guarded");

      // An IAM policy (payload 1.0): the identity is the query string; the integration (payload 1.0) sees the context flat, with the principal.
      assert.deepEqual(await get("/policed"), { status: 401, body: { message: "Unauthorized" } });
      assert.deepEqual(await get("/policed?token=wrong"), { status: 403, body: { message: "Forbidden" } });
      const policed = await get("/policed?token=let-me-in");
      assert.equal(policed.status, 200);
      const flat = (policed.body as { authorizer: Record<string, unknown> }).authorizer;
      assert.equal(flat.principalId, "alice");
      assert.equal(flat.user, "alice");
      assert.deepEqual(flat.seen, { version: "1.0", type: "REQUEST", arn: `arn:aws:execute-api:us-east-1:000000000000:${apiId}/$default/GET/policed`, hasBody: false });

      // Cached answers: with a TTL, the same identity reuses the answer (the call count stays), another one calls again.
      await gw.send(new UpdateAuthorizerCommand({ ApiId: apiId, AuthorizerId: simple.AuthorizerId, AuthorizerResultTtlInSeconds: 300 }));
      const calls = async (token: string) => ((await get("/guarded", { authorization: token })).body as { authorizer: { lambda: { calls: number } } }).authorizer.lambda.calls;
      const first = await calls("let-me-in");
      assert.equal(await calls("let-me-in"), first, "the cached answer was used");
      assert.equal(await calls("let-me-in"), first);
      const denied = await get("/guarded", { authorization: "wrong" });
      assert.equal(denied.status, 403);
      assert.equal(await calls("let-me-in"), first, "a denial of another identity did not replace the cached allow");

      // Cache keys keep identity values apart: a cached allow for (a, b) is not reused for values that join to the same text.
      const two = await gw.send(new CreateAuthorizerCommand({
        ApiId: apiId, Name: "two", AuthorizerType: "REQUEST", AuthorizerUri: uri("authz-simple"), AuthorizerPayloadFormatVersion: "2.0", EnableSimpleResponses: true,
        IdentitySource: ["$request.querystring.a", "$request.querystring.b"], AuthorizerResultTtlInSeconds: 300,
      }));
      await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /two", Target: `integrations/${integration.IntegrationId}`, AuthorizationType: "CUSTOM", AuthorizerId: two.AuthorizerId }));
      assert.equal((await get("/two?a=let-me-in&b=q%0Ar")).status, 200);
      assert.equal((await get("/two?a=let-me-in%0Aq&b=r")).status, 403, "another identity, though its values joined by a newline read the same");
    } finally {
      gw.destroy();
    }
  });

  it("manages authorizers with API Gateway's errors, and the CLI creates one", async () => {
    const { client, unkai } = suite;
    await client.send(new CreateFunctionCommand({ FunctionName: "authz-cli", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": AUTHORIZER }) } }));
    const { apiId } = await quickCreateHttpApi(unkai.url, "authz-cli");
    const created = await aws(unkai.url, [
      "apigatewayv2", "create-authorizer", "--api-id", apiId, "--name", "from-cli", "--authorizer-type", "REQUEST",
      "--authorizer-uri", fnArn("authz-cli"), "--authorizer-payload-format-version", "2.0", "--enable-simple-responses",
      "--identity-source", "$request.header.Authorization", "$request.querystring.tenant",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const authorizer = JSON.parse(created.stdout) as { AuthorizerId: string; IdentitySource: string[] };
    assert.deepEqual(authorizer.IdentitySource, ["$request.header.Authorization", "$request.querystring.tenant"]);

    const gw = new ApiGatewayV2Client({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const failure = (call: Promise<unknown>) => call.then(() => undefined, (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }));
    try {
      const base = { ApiId: apiId, Name: "x", AuthorizerType: "REQUEST" as const, AuthorizerUri: fnArn("authz-cli"), IdentitySource: [] as string[] };
      const refusals = [
        await failure(gw.send(new CreateAuthorizerCommand({ ...base, AuthorizerType: "JWT" }))),
        await failure(gw.send(new CreateAuthorizerCommand({ ...base }))),
        await failure(gw.send(new CreateAuthorizerCommand({ ...base, AuthorizerPayloadFormatVersion: "1.0", EnableSimpleResponses: true }))),
        await failure(gw.send(new CreateAuthorizerCommand({ ...base, AuthorizerPayloadFormatVersion: "2.0", AuthorizerResultTtlInSeconds: 60 }))),
        await failure(gw.send(new CreateAuthorizerCommand({ ...base, AuthorizerPayloadFormatVersion: "2.0", IdentitySource: ["Authorization"] }))),
        await failure(gw.send(new CreateAuthorizerCommand({ ...base, AuthorizerPayloadFormatVersion: "2.0", AuthorizerUri: "https://example.com/auth" }))),
        await failure(gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /a", AuthorizationType: "CUSTOM" }))),
        await failure(gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /b", AuthorizationType: "CUSTOM", AuthorizerId: "nope12" }))),
      ];
      for (const refusal of refusals) assert.ok(refusal && (refusal.name === "BadRequestException" || refusal.name === "NotFoundException"), JSON.stringify(refusal));
      assert.match(refusals[0]?.message ?? "", /JwtConfiguration.Issuer/, "a JWT authorizer without its issuer");
      assert.match(refusals[6]?.message ?? "", /AuthorizerId is required/);
      assert.deepEqual((await gw.send(new GetAuthorizersCommand({ ApiId: apiId }))).Items?.map((a) => a.Name), ["from-cli"], "no refused authorizer was stored");

      const route = await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /c", AuthorizationType: "CUSTOM", AuthorizerId: authorizer.AuthorizerId }));
      const inUse = await failure(gw.send(new DeleteAuthorizerCommand({ ApiId: apiId, AuthorizerId: authorizer.AuthorizerId })));
      assert.equal(inUse?.name, "ConflictException");
      await gw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, AuthorizationType: "NONE" }));
      assert.equal((await gw.send(new GetRouteCommand({ ApiId: apiId, RouteId: route.RouteId }))).AuthorizerId, undefined);
      await gw.send(new DeleteAuthorizerCommand({ ApiId: apiId, AuthorizerId: authorizer.AuthorizerId }));
      assert.deepEqual((await gw.send(new GetAuthorizersCommand({ ApiId: apiId }))).Items, []);
    } finally {
      gw.destroy();
    }
  });

  it("counts identity sources naming a stage or context variable no request has (constructor, toString) as missing: 401 without a call", async () => {
    const { client, unkai } = suite;
    await client.send(new CreateFunctionCommand({
      FunctionName: "authz-named", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": AUTHORIZER }) }, Environment: { Variables: { SIMPLE: "yes" } },
    }));
    const { apiId, base } = await quickCreateHttpApi(unkai.url, "authz-named");
    const gw = new ApiGatewayV2Client({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      // A stage with variables, none of them `constructor`.
      await gw.send(new CreateStageCommand({ ApiId: apiId, StageName: "prod", StageVariables: { env: "test" } }));
      const integration = await gw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("authz-named"), PayloadFormatVersion: "2.0" }));
      for (const source of ["$stageVariables.constructor", "$context.toString"]) {
        const authorizer = await gw.send(new CreateAuthorizerCommand({
          ApiId: apiId, Name: source, AuthorizerType: "REQUEST", AuthorizerUri: fnArn("authz-named"), AuthorizerPayloadFormatVersion: "2.0", EnableSimpleResponses: true, IdentitySource: [source],
        }));
        const path = `/${source.slice(1).replace(".", "-")}`;
        await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `GET ${path}`, Target: `integrations/${integration.IntegrationId}`, AuthorizationType: "CUSTOM", AuthorizerId: authorizer.AuthorizerId }));
        const response = await fetch(`${base}/prod${path}`);
        assert.deepEqual({ status: response.status, body: await response.json() }, { status: 401, body: { message: "Unauthorized" } }, source);
      }
    } finally {
      gw.destroy();
    }
  });
});
