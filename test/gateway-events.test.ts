/** HTTP API and REST API configured with the AWS CLI v2: exact events, route selection, response mapping, every failure mapping, CORS, access logs. */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { before, describe, it } from "node:test";
import { PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import {
  ApiGatewayV2Client, CreateApiCommand, CreateStageCommand, DeleteStageCommand, GetStageCommand, GetStagesCommand, GetTagsCommand, TagResourceCommand, UntagResourceCommand,
} from "@aws-sdk/client-apigatewayv2";
import { DEFAULT_CREDENTIALS, aws, createFromFixture } from "./helpers/clients.js";
import { cli, fnArn, getWithHost, invocationCount, quickCreateHttpApi, restProxyApi } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

type Event = Record<string, unknown> & { requestContext: Record<string, unknown> & { http?: Record<string, unknown> } };

/** A GET sending `rawHeaders` (`[name, value, …]`) as they are, after Host: fetch drops a header named __proto__. */
function getRaw(url: string, rawHeaders: readonly string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: ["host", new URL(url).host, ...rawHeaders] }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end();
  });
}

describe("HTTP API routes and events", () => {
  const suite = unkaiSuite();
  let apiId = "";
  let prod = "";

  before(async () => {
    await createFromFixture(suite.client, "echo", "gateway-echo", { Timeout: 10 });
    const url = suite.unkai.url;
    const api = await cli(url, ["apigatewayv2", "create-api", "--name", "routes", "--protocol-type", "HTTP",
      "--cors-configuration", "AllowOrigins=https://app.example,AllowMethods=GET,POST,AllowHeaders=content-type,ExposeHeaders=x-echo,MaxAge=600"]);
    apiId = String(api.ApiId);
    const integration = await cli(url, ["apigatewayv2", "create-integration", "--api-id", apiId, "--integration-type", "AWS_PROXY",
      "--integration-uri", fnArn("echo"), "--payload-format-version", "2.0"]);
    const impatient = await cli(url, ["apigatewayv2", "create-integration", "--api-id", apiId, "--integration-type", "AWS_PROXY",
      "--integration-uri", fnArn("echo"), "--payload-format-version", "2.0", "--timeout-in-millis", "1000"]);
    assert.equal(impatient.TimeoutInMillis, 1000);
    for (const [routeKey, target] of [["GET /items/{id}", integration], ["ANY /{proxy+}", integration], ["GET /x/slow", impatient]] as const) {
      const route = await cli(url, ["apigatewayv2", "create-route", "--api-id", apiId, "--route-key", routeKey, "--target", `integrations/${String(target.IntegrationId)}`]);
      assert.equal(route.RouteKey, routeKey);
    }
    await cli(url, ["apigatewayv2", "create-stage", "--api-id", apiId, "--stage-name", "prod", "--stage-variables", "env=test"]);
    prod = `${url}/_aws/execute-api/${apiId}/prod`;
  });

  it("sends a payload 2.0 event with the route key, path parameters, stage variables, cookies and query", async () => {
    const response = await fetch(`${prod}/items/42?a=1&a=2&b=x%20y`, { headers: { cookie: "c1=v1; c2=v2", "x-custom": "yes" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-echo"), "yes");
    assert.ok(response.headers.get("apigw-requestid"));
    const event = (await response.json()) as Event;
    assert.equal(event.version, "2.0");
    assert.equal(event.routeKey, "GET /items/{id}");
    assert.equal(event.rawPath, "/prod/items/42", "a named stage stays in rawPath, as on AWS");
    assert.equal(event.rawQueryString, "a=1&a=2&b=x%20y");
    assert.deepEqual(event.queryStringParameters, { a: "1,2", b: "x y" });
    assert.deepEqual(event.pathParameters, { id: "42" });
    assert.deepEqual(event.stageVariables, { env: "test" });
    assert.deepEqual(event.cookies, ["c1=v1", "c2=v2"]);
    assert.equal((event.headers as Record<string, string>)["x-custom"], "yes");
    assert.equal((event.headers as Record<string, string>).cookie, undefined);
    assert.equal((event.headers as Record<string, string>)["x-forwarded-for"], "127.0.0.1");
    assert.equal((event.headers as Record<string, string>)["x-forwarded-proto"], "http");
    assert.equal((event.headers as Record<string, string>)["x-forwarded-port"], new URL(suite.unkai.url).port);
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.body, undefined);
    assert.equal(event.requestContext.apiId, apiId);
    assert.equal(event.requestContext.stage, "prod");
    assert.equal(event.requestContext.routeKey, "GET /items/{id}");
    assert.equal(event.requestContext.domainName, `${apiId}.execute-api.localhost`);
    assert.deepEqual(event.requestContext.http, { method: "GET", path: "/prod/items/42", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "node" });
    assert.match(String(event.requestContext.time), /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it("picks the most specific route, sends binary bodies base64 and text bodies as text", async () => {
    const binary = Buffer.from([0, 1, 2, 250, 251, 252]);
    const greedy = (await (await fetch(`${prod}/files/a/b.png`, { method: "PUT", headers: { "content-type": "image/png" }, body: binary })).json()) as Event;
    assert.equal(greedy.routeKey, "ANY /{proxy+}");
    assert.deepEqual(greedy.pathParameters, { proxy: "files/a/b.png" });
    assert.equal(greedy.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(String(greedy.body), "base64"), binary);
    const text = (await (await fetch(`${prod}/items/1/more`, { method: "POST", headers: { "content-type": "application/json" }, body: "{\"k\":1}" })).json()) as Event;
    assert.equal(text.routeKey, "ANY /{proxy+}");
    assert.equal(text.isBase64Encoded, false);
    assert.equal(text.body, "{\"k\":1}");
  });

  it("maps responses: inferred, cookies, base64, redirects", async () => {
    const plain = await fetch(`${prod}/x/plain`);
    assert.equal(plain.headers.get("content-type"), "application/json");
    assert.deepEqual(await plain.json(), { hello: "world" });
    assert.equal(await (await fetch(`${prod}/x/string`)).text(), "\"just a string\"");
    const cookies = await fetch(`${prod}/x/cookies`);
    assert.deepEqual(cookies.headers.getSetCookie(), ["a=1; Path=/", "b=2; HttpOnly"]);
    const png = await fetch(`${prod}/x/png`);
    assert.equal(png.headers.get("content-type"), "image/png");
    assert.equal(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString(), "PNG");
    const redirect = await fetch(`${prod}/x/redirect`, { redirect: "manual" });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get("location"), "/elsewhere");
  });

  it("maps failures: function error and malformed response 502, integration timeout 504, no route 404, throttle 429", async () => {
    for (const path of ["x/throw", "x/malformed"]) {
      const response = await fetch(`${prod}/${path}`);
      assert.equal(response.status, 502, path);
      assert.deepEqual(await response.json(), { message: "Internal Server Error" });
    }
    const beforeSlow = await invocationCount(suite.unkai.url, "echo");
    const started = Date.now();
    const slow = await fetch(`${prod}/x/slow`);
    assert.equal(slow.status, 504);
    assert.ok(Date.now() - started < 2900, "the 1 s integration timeout answers before the function's 3 s");
    const missing = await fetch(`${prod}/`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { message: "Not Found" });
    assert.equal((await fetch(`${suite.unkai.url}/_aws/execute-api/${apiId}/nostage/x`)).status, 404);
    const huge = await fetch(`${prod}/upload`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Buffer.alloc(5 * 1024 * 1024) });
    assert.equal(huge.status, 413, "5 MB of binary is 6.7 MB of base64 event: over Lambda's 6 MB");
    assert.deepEqual(await huge.json(), { message: "Request Entity Too Large" });

    await createFromFixture(suite.client, "echo-throttled", "gateway-echo");
    await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "echo-throttled", ReservedConcurrentExecutions: 0 }));
    const quick = await quickCreateHttpApi(suite.unkai.url, "echo-throttled");
    const throttled = await fetch(`${quick.base}/anything`);
    assert.equal(throttled.status, 429);
    assert.deepEqual(await throttled.json(), { message: "Too Many Requests" });
    // The slow function runs on past the gateway's 504 (3 s in all): its record lands then, and must not land
    // inside the next test's counts.
    await waitFor("the slow invocation to end", async () => ((await invocationCount(suite.unkai.url, "echo")) > beforeSlow ? true : undefined), 10_000);
  });

  it("answers CORS preflights from the API's configuration without invoking, and adds CORS headers to responses", async () => {
    const before = await invocationCount(suite.unkai.url, "echo");
    const preflight = await fetch(`${prod}/items/1`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(preflight.headers.get("access-control-allow-methods"), "GET,POST");
    assert.equal(preflight.headers.get("access-control-allow-headers"), "content-type");
    assert.equal(preflight.headers.get("access-control-max-age"), "600");
    const foreign = await fetch(`${prod}/items/1`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } });
    assert.equal(foreign.headers.get("access-control-allow-origin"), null);
    assert.equal(await invocationCount(suite.unkai.url, "echo"), before, "preflights do not invoke the function");
    const simple = await fetch(`${prod}/items/1`, { headers: { origin: "https://app.example" } });
    assert.equal(simple.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(simple.headers.get("access-control-expose-headers"), "x-echo");
    assert.equal(await invocationCount(suite.unkai.url, "echo"), before + 1, "the gateway's invocation is recorded");
  });

  it("serves the host-based address and writes one access-log line per request", async () => {
    const { port } = new URL(suite.unkai.url);
    const byHost = await getWithHost(suite.unkai.url, `${apiId}.execute-api.localhost:${port}`, "/prod/items/9");
    assert.equal(byHost.status, 200);
    assert.deepEqual((JSON.parse(byHost.body) as Event).pathParameters, { id: "9" });
    const run = await aws(suite.unkai.url, ["logs", "filter-log-events", "--log-group-name", `/aws/apigateway/${apiId}/prod`]);
    assert.equal(run.code, 0, run.stderr);
    const lines = (JSON.parse(run.stdout) as { events: { message: string }[] }).events.map((e) => JSON.parse(e.message) as Record<string, unknown>);
    assert.ok(lines.some((l) => l.routeKey === "GET /x/slow" && l.status === 504 && l.integrationError === "timeout"), JSON.stringify(lines));
    assert.ok(lines.some((l) => l.routeKey === "GET /items/{id}" && l.status === 200 && l.path === "/prod/items/9"));
  });

  it("passes query parameters, headers and path variables named constructor, toString or __proto__ through as values", async () => {
    const response = await getRaw(`${prod}/items/42?constructor=1&__proto__=2&toString=3&constructor=4`, ["toString", "t", "__proto__", "p"]);
    assert.equal(response.status, 200, response.body);
    const event = JSON.parse(response.body) as Event;
    assert.deepEqual(event.queryStringParameters, JSON.parse('{"constructor":"1,4","__proto__":"2","toString":"3"}'));
    const headers = event.headers as Record<string, string>;
    assert.equal(headers.tostring, "t");
    assert.equal(Object.getOwnPropertyDescriptor(headers, "__proto__")?.value, "p");

    const api = await cli(suite.unkai.url, ["apigatewayv2", "create-api", "--name", "named", "--protocol-type", "HTTP", "--target", fnArn("echo"), "--route-key", "GET /p/{__proto__}"]);
    const named = (await (await fetch(`${suite.unkai.url}/_aws/execute-api/${String(api.ApiId)}/p/v`)).json()) as Event;
    assert.deepEqual(named.pathParameters, JSON.parse('{"__proto__":"v"}'));

    // Stage variables so named are kept as sent (zod's z.record dropped a `__proto__` key).
    const stage = await cli(suite.unkai.url, ["apigatewayv2", "create-stage", "--api-id", apiId, "--stage-name", "names", "--stage-variables", "__proto__=x,constructor=y"]);
    assert.deepEqual(stage.StageVariables, JSON.parse('{"__proto__":"x","constructor":"y"}'));
    const staged = (await (await fetch(`${suite.unkai.url}/_aws/execute-api/${apiId}/names/items/1`)).json()) as Event;
    assert.deepEqual(staged.stageVariables, JSON.parse('{"__proto__":"x","constructor":"y"}'));
  });

  it("answers management errors in apigatewayv2's shape", async () => {
    const missing = await aws(suite.unkai.url, ["apigatewayv2", "get-api", "--api-id", "nope123456"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFoundException/);
    const badKey = await aws(suite.unkai.url, ["apigatewayv2", "create-route", "--api-id", apiId, "--route-key", "FETCH /x"]);
    assert.match(badKey.stderr, /BadRequestException.*FETCH/);
    const notLambda = await aws(suite.unkai.url, ["apigatewayv2", "create-integration", "--api-id", apiId, "--integration-type", "AWS_PROXY", "--integration-uri", "https://example.com", "--payload-format-version", "2.0"]);
    assert.match(notLambda.stderr, /BadRequestException.*Lambda proxy integrations/);
    const routes = await cli(suite.unkai.url, ["apigatewayv2", "get-routes", "--api-id", apiId]);
    assert.deepEqual((routes.Items as { RouteKey: string }[]).map((r) => r.RouteKey).sort(), ["ANY /{proxy+}", "GET /items/{id}", "GET /x/slow"]);
  });

  it("keeps a stage's tags apart from its API's: CreateStage Tags, GetStage(s), GetTags, TagResource and UntagResource on the stage's ARN", async () => {
    const sdk = new ApiGatewayV2Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const api = await sdk.send(new CreateApiCommand({ Name: "tagged", ProtocolType: "HTTP", Tags: { team: "api" } }));
    const id = String(api.ApiId);
    const apiArn = `arn:aws:apigateway:us-east-1::/apis/${id}`;
    const stageArn = `${apiArn}/stages/dev`;
    const tagsOf = async (arn: string) => (await sdk.send(new GetTagsCommand({ ResourceArn: arn }))).Tags;

    const created = await sdk.send(new CreateStageCommand({ ApiId: id, StageName: "dev", Tags: { env: "dev", constructor: "kept" } }));
    assert.deepEqual(created.Tags, { env: "dev", constructor: "kept" });
    assert.deepEqual((await sdk.send(new GetStageCommand({ ApiId: id, StageName: "dev" }))).Tags, { env: "dev", constructor: "kept" });
    assert.deepEqual((await sdk.send(new GetStagesCommand({ ApiId: id }))).Items?.map((s) => s.Tags), [{ env: "dev", constructor: "kept" }]);
    assert.deepEqual(await tagsOf(stageArn), { env: "dev", constructor: "kept" });
    assert.deepEqual(await tagsOf(apiArn), { team: "api" });

    await sdk.send(new TagResourceCommand({ ResourceArn: stageArn, Tags: { env: "prod", owner: "me" } }));
    await sdk.send(new UntagResourceCommand({ ResourceArn: stageArn, TagKeys: ["constructor"] }));
    assert.deepEqual(await tagsOf(stageArn), { env: "prod", owner: "me" });
    assert.deepEqual((await sdk.send(new GetStageCommand({ ApiId: id, StageName: "dev" }))).Tags, { env: "prod", owner: "me" });
    await sdk.send(new TagResourceCommand({ ResourceArn: apiArn, Tags: { cost: "42" } }));
    assert.deepEqual(await tagsOf(apiArn), { team: "api", cost: "42" });
    assert.deepEqual(await tagsOf(stageArn), { env: "prod", owner: "me" });

    // Quick create's $default stage is not given the API's tags (AWS documents no such copy).
    const quick = await sdk.send(new CreateApiCommand({ Name: "quick-tagged", ProtocolType: "HTTP", Target: fnArn("echo"), Tags: { team: "quick" } }));
    assert.deepEqual(await tagsOf(`arn:aws:apigateway:us-east-1::/apis/${String(quick.ApiId)}/stages/$default`), {});
    assert.deepEqual(await tagsOf(`arn:aws:apigateway:us-east-1::/apis/${String(quick.ApiId)}`), { team: "quick" });
  });

  it("refuses tags on a missing or deleted stage (NotFoundException), a malformed ARN and tags past API Gateway's limits (BadRequestException)", async () => {
    const sdk = new ApiGatewayV2Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const id = String((await sdk.send(new CreateApiCommand({ Name: "tag-errors", ProtocolType: "HTTP" }))).ApiId);
    const stageArn = (stage: string) => `arn:aws:apigateway:us-east-1::/apis/${id}/stages/${stage}`;
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => assert.fail("expected a refusal"), (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } });
      return { name: error.name, message: error.message, status: error.$metadata.httpStatusCode };
    };

    assert.deepEqual(await refusal(sdk.send(new GetTagsCommand({ ResourceArn: stageArn("nope") }))), { name: "NotFoundException", message: "Invalid stage identifier specified nope", status: 404 });
    assert.deepEqual(await refusal(sdk.send(new TagResourceCommand({ ResourceArn: stageArn("nope"), Tags: { a: "b" } }))), { name: "NotFoundException", message: "Invalid stage identifier specified nope", status: 404 });
    assert.deepEqual(await refusal(sdk.send(new GetTagsCommand({ ResourceArn: "arn:aws:apigateway:us-east-1::/apis/nope123456/stages/dev" }))), { name: "NotFoundException", message: "Invalid API identifier specified nope123456", status: 404 });
    const malformed = await refusal(sdk.send(new GetTagsCommand({ ResourceArn: "arn:aws:lambda:us-east-1:000000000000:function:echo" })));
    assert.equal(malformed.name, "BadRequestException");
    assert.equal(malformed.status, 400);

    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    assert.equal((await refusal(sdk.send(new CreateStageCommand({ ApiId: id, StageName: "crowded", Tags: tooMany })))).name, "BadRequestException");
    await sdk.send(new CreateStageCommand({ ApiId: id, StageName: "gone", Tags: { keep: "me" } }));
    assert.equal((await refusal(sdk.send(new TagResourceCommand({ ResourceArn: stageArn("gone"), Tags: { "AWS:mine": "x" } })))).name, "BadRequestException");
    assert.equal((await refusal(sdk.send(new TagResourceCommand({ ResourceArn: stageArn("gone"), Tags: { long: "v".repeat(257) } })))).name, "BadRequestException");

    await sdk.send(new DeleteStageCommand({ ApiId: id, StageName: "gone" }));
    assert.equal((await refusal(sdk.send(new GetTagsCommand({ ResourceArn: stageArn("gone") })))).name, "NotFoundException");
    // A stage created again under the name starts untagged: the deleted stage's tags went with it.
    await sdk.send(new CreateStageCommand({ ApiId: id, StageName: "gone" }));
    assert.deepEqual((await sdk.send(new GetTagsCommand({ ResourceArn: stageArn("gone") }))).Tags, {});
  });
});

describe("REST API proxy integration", () => {
  const suite = unkaiSuite();

  it("sends a payload 1.0 event and maps its responses and failures as REST APIs do", async () => {
    await createFromFixture(suite.client, "echo", "gateway-echo");
    const { apiId, base } = await restProxyApi(suite.unkai.url, "echo", "test");
    const response = await fetch(`${base}/a/b?x=1&x=2&y=z`, { headers: { "x-multi": "one" } });
    assert.equal(response.status, 200);
    const event = (await response.json()) as Event;
    assert.equal(event.resource, "/{proxy+}");
    assert.equal(event.path, "/a/b");
    assert.equal(event.httpMethod, "GET");
    assert.deepEqual(event.queryStringParameters, { x: "2", y: "z" });
    assert.deepEqual(event.multiValueQueryStringParameters, { x: ["1", "2"], y: ["z"] });
    assert.deepEqual(event.pathParameters, { proxy: "a/b" });
    assert.equal(event.stageVariables, null);
    assert.equal((event.headers as Record<string, string>)["x-multi"], "one");
    assert.deepEqual((event.multiValueHeaders as Record<string, string[]>)["x-multi"], ["one"]);
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.stage, "test");
    assert.equal(event.requestContext.path, "/test/a/b");
    assert.equal(event.requestContext.resourcePath, "/{proxy+}");
    assert.equal(event.requestContext.apiId, apiId);

    const root = (await (await fetch(`${base}/`)).json()) as Event;
    assert.equal(root.resource, "/");
    assert.equal(root.pathParameters, null);

    const cookies = await fetch(`${base}/x/cookies`);
    assert.deepEqual(cookies.headers.getSetCookie(), ["a=1; Path=/", "b=2; HttpOnly"]);
    const failed = await fetch(`${base}/x/throw`);
    assert.equal(failed.status, 502);
    assert.equal(failed.headers.get("x-amzn-errortype"), "InternalServerErrorException");
    assert.deepEqual(await failed.json(), { message: "Internal server error" });
    assert.equal((await fetch(`${base}/x/plain`)).status, 502, "payload 1.0 infers nothing: a response without statusCode is malformed");
    const noStage = await fetch(`${suite.unkai.url}/_aws/execute-api/${apiId}/other/a`);
    assert.equal(noStage.status, 403);
    assert.deepEqual(await noStage.json(), { message: "Missing Authentication Token" });

    const stages = await cli(suite.unkai.url, ["apigateway", "get-stages", "--rest-api-id", apiId]);
    assert.deepEqual((stages.item as { stageName: string }[]).map((s) => s.stageName), ["test"]);
  });

  it("passes query parameters and headers named constructor, toString or __proto__ through, and answers with headers so named", async () => {
    await createFromFixture(suite.client, "named-echo", "gateway-echo");
    const { base } = await restProxyApi(suite.unkai.url, "named-echo", "test");
    const response = await getRaw(`${base}/a?constructor=1&constructor=2&__proto__=3&toString=4`, ["toString", "t", "__proto__", "p"]);
    assert.equal(response.status, 200, response.body);
    const event = JSON.parse(response.body) as Event;
    assert.deepEqual(event.queryStringParameters, JSON.parse('{"constructor":"2","__proto__":"3","toString":"4"}'));
    assert.deepEqual(event.multiValueQueryStringParameters, JSON.parse('{"constructor":["1","2"],"__proto__":["3"],"toString":["4"]}'));
    const own = (map: unknown, name: string): unknown => Object.getOwnPropertyDescriptor(map, name)?.value;
    assert.deepEqual(["toString", "__proto__"].map((name) => [own(event.headers, name), own(event.multiValueHeaders, name)]), [["t", ["t"]], ["p", ["p"]]]);

    await createFromFixture(suite.client, "named-headers", "gateway-named-headers");
    const answered = await fetch(`${(await restProxyApi(suite.unkai.url, "named-headers", "test")).base}/`);
    assert.equal(answered.status, 200, await answered.clone().text());
    assert.deepEqual([answered.headers.get("__proto__"), answered.headers.get("constructor"), answered.headers.get("tostring")], ["p, q", "c", "t1, t2"]);
  });
});
