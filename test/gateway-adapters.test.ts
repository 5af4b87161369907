/** Unmodified third-party adapters serve real requests through Unkai's gateway: serverless-http, @codegenie/serverless-express, hono/aws-lambda, Flask over WSGI. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, it } from "node:test";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { ROLE, fixtureZip } from "./helpers/clients.js";
import { fixtureZipWithPackages } from "./helpers/bundle.js";
import { createFunctionUrl, fnArn, quickCreateHttpApi, restProxyApi } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex");
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The checks every front door of the Express app must pass. */
async function exerciseExpress(base: string): Promise<void> {
  const item = await fetch(`${base}/items/42?q=hello%20world&tag=a&tag=b`);
  assert.equal(item.status, 200);
  assert.deepEqual(await item.json(), { id: "42", q: "hello world", tags: ["a", "b"] });

  const cookies = await fetch(`${base}/cookies`, { headers: { cookie: "one=1; two=2" } });
  assert.equal(cookies.status, 200);
  assert.deepEqual(await cookies.json(), { received: "one=1; two=2" });
  const set = cookies.headers.getSetCookie();
  assert.ok(set.some((c) => c.startsWith("session=abc123") && /HttpOnly/i.test(c)), `Set-Cookie: ${set.join(" | ")}`);
  assert.ok(set.some((c) => c.startsWith("theme=dark")));

  const upload = Buffer.concat([PNG, Buffer.from([0, 255, 128, 7])]);
  const uploaded = await fetch(`${base}/upload`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: upload });
  assert.deepEqual(await uploaded.json(), { bytes: upload.length, sha256: sha256(upload), type: "application/octet-stream" });

  const posted = await fetch(`${base}/json`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: [1, 2] }) });
  assert.equal(posted.status, 201);
  assert.deepEqual(await posted.json(), { got: { a: [1, 2] } });

  const image = await fetch(`${base}/image.png`);
  assert.equal(image.headers.get("content-type"), "image/png");
  assert.deepEqual(Buffer.from(await image.arrayBuffer()), PNG);

  const moved = await fetch(`${base}/old`, { redirect: "manual" });
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get("location"), "/items/1");

  // Near the 6 MB limit: a 4 MB binary upload travels base64 (5.3 MB of event) and comes back hashed.
  const large = Buffer.alloc(4 * 1024 * 1024, 7);
  const big = await fetch(`${base}/upload`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: large });
  assert.deepEqual(await big.json(), { bytes: large.length, sha256: sha256(large), type: "application/octet-stream" });
  const bigDown = await fetch(`${base}/big?bytes=5000000`);
  assert.equal((await bigDown.text()).length, 5_000_000);
}

describe("third-party adapters behind the gateway", () => {
  const suite = unkaiSuite();

  before(async () => {
    const zip = await fixtureZipWithPackages("gateway-express", ["express", "serverless-http", "@codegenie/serverless-express"]);
    for (const [name, handler] of [["express-sls", "serverless-http.handler"], ["express-cg", "codegenie.handler"]] as const) {
      await suite.client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: handler, Role: ROLE, Code: { ZipFile: zip }, Timeout: 30, MemorySize: 512 }));
    }
  });

  it("serves an Express app through serverless-http on an HTTP API (payload 2.0, quick create)", async () => {
    const { base } = await quickCreateHttpApi(suite.unkai.url, "express-sls");
    await exerciseExpress(base);
  });

  it("serves the same Express app through @codegenie/serverless-express on a REST API (payload 1.0)", async () => {
    const { base } = await restProxyApi(suite.unkai.url, "express-cg", "prod", ["--binary-media-types", "application/octet-stream", "image/png"]);
    await exerciseExpress(base);
    const root = await fetch(`${base}/items/7`);
    assert.deepEqual(await root.json(), { id: "7", q: null, tags: null });
  });

  it("serves a Hono app through hono/aws-lambda with payload 2.0 and 1.0", async () => {
    const zip = await fixtureZipWithPackages("gateway-hono", ["hono"]);
    await suite.client.send(new CreateFunctionCommand({ FunctionName: "hono", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } }));
    const v2 = await quickCreateHttpApi(suite.unkai.url, "hono");

    const sdk = new ApiGatewayV2Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    const api = await sdk.send(new CreateApiCommand({ Name: "hono-v1", ProtocolType: "HTTP" }));
    const integration = await sdk.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("hono"), PayloadFormatVersion: "1.0" }));
    for (const routeKey of ["GET /hello/{name}", "POST /echo", "GET /go", "GET /cookie"]) {
      await sdk.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: routeKey, Target: `integrations/${integration.IntegrationId}` }));
    }
    // The $default stage, as frameworks expect: a named stage would stay in the path the app sees, as on AWS.
    await sdk.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: "$default", AutoDeploy: true }));
    sdk.destroy();
    const v1Base = `${suite.unkai.url}/_aws/execute-api/${api.ApiId}`;

    for (const base of [v2.base, v1Base]) {
      const hello = await fetch(`${base}/hello/unkai?lang=ja`);
      assert.equal(hello.status, 200, base);
      assert.deepEqual(await hello.json(), { hello: "unkai", lang: "ja" });
      const echo = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 1 }) });
      assert.deepEqual(await echo.json(), { echoed: { n: 1 }, method: "POST" });
      const go = await fetch(`${base}/go`, { redirect: "manual" });
      assert.equal(go.status, 302);
      assert.equal(go.headers.get("location"), "/hello/redirected");
      const cookie = await fetch(`${base}/cookie`, { headers: { cookie: "k=v" } });
      assert.equal(await cookie.text(), "cookie header: k=v");
      assert.deepEqual(cookie.headers.getSetCookie(), ["x=1; Path=/", "y=2; Path=/"]);
    }
    // The v1 API has only its declared routes.
    assert.equal((await fetch(`${v1Base}/nothing-here`)).status, 404);
  });

  it("serves a Flask app through a WSGI bridge on a Function URL", async () => {
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "flask", Runtime: "python3.12", Handler: "bridge.handler", Role: ROLE, Code: { ZipFile: await fixtureZip("gateway-flask") }, Timeout: 30,
    }));
    const { base } = await createFunctionUrl(suite.unkai.url, "flask");
    const user = await fetch(`${base}/users/alice?q=1&q=2`);
    assert.equal(user.status, 200);
    assert.deepEqual(await user.json(), { id: "alice", q: "1", all: ["1", "2"] });
    const body = Buffer.concat([PNG, Buffer.alloc(100_000, 3)]);
    const uploaded = await fetch(`${base}/upload`, { method: "POST", headers: { "content-type": "image/png" }, body });
    assert.deepEqual(await uploaded.json(), { bytes: body.length, sha256: sha256(body) });
    const cookies = await fetch(`${base}/cookies`, { headers: { cookie: "a=1; b=2" } });
    assert.deepEqual(await cookies.json(), { received: { a: "1", b: "2" } });
    assert.ok(cookies.headers.getSetCookie().some((c) => c.startsWith("flask=yes")));
    const moved = await fetch(`${base}/moved`, { redirect: "manual" });
    assert.equal(moved.status, 302);
    assert.match(moved.headers.get("location") ?? "", /\/users\/7$/);
  });
});
