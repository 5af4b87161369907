/** Function URLs configured with the AWS CLI v2: the five operations, serving by path and by host, CORS, aliases, and the failure mappings. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { CreateAliasCommand, CreateFunctionUrlConfigCommand, DeleteAliasCommand, DeleteFunctionCommand, PublishVersionCommand, UpdateFunctionUrlConfigCommand, type InvokeMode } from "@aws-sdk/client-lambda";
import { aws, createFromFixture } from "./helpers/clients.js";
import { cli, createFunctionUrl, fnArn, getWithHost, invocationCount } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";

type Event = Record<string, unknown> & { requestContext: Record<string, unknown> };

describe("Function URLs", () => {
  // Function URLs have no integration timeout of their own: the gateway default applies.
  const suite = unkaiSuite({ UNKAI_GATEWAY_TIMEOUT_MS: "2500" });

  it("creates, gets, updates, lists and deletes URL configs as Lambda answers them", async () => {
    await createFromFixture(suite.client, "echo", "gateway-echo", { Timeout: 10 });
    const url = suite.unkai.url;
    const { urlId, config } = await createFunctionUrl(url, "echo", ["--cors", "AllowOrigins=https://a.example,AllowMethods=GET,MaxAge=60"]);
    assert.equal(config.FunctionArn, fnArn("echo"));
    assert.equal(config.AuthType, "NONE");
    assert.deepEqual(config.Cors, { AllowCredentials: false, AllowMethods: ["GET"], AllowOrigins: ["https://a.example"], MaxAge: 60 });
    assert.match(String(config.CreationTime), /^\d{4}-\d\d-\d\dT/);

    const again = await aws(url, ["lambda", "create-function-url-config", "--function-name", "echo", "--auth-type", "NONE"]);
    assert.match(again.stderr, /ResourceConflictException/);
    // This CLI predates InvokeMode; SDK v3 sets it.
    const streaming = await suite.client.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "echo", InvokeMode: "RESPONSE_STREAM" }));
    assert.equal(streaming.InvokeMode, "RESPONSE_STREAM");
    await assert.rejects(
      suite.client.send(new CreateFunctionUrlConfigCommand({ FunctionName: "echo", AuthType: "NONE", Qualifier: "$LATEST", InvokeMode: "SOMETIMES" as InvokeMode })),
      (error: Error) => error.name === "InvalidParameterValueException",
    );

    const got = await cli(url, ["lambda", "get-function-url-config", "--function-name", "echo"]);
    assert.equal(got.FunctionUrl, config.FunctionUrl);
    assert.ok(got.LastModifiedTime);
    const updated = await cli(url, ["lambda", "update-function-url-config", "--function-name", "echo", "--auth-type", "NONE"]);
    assert.deepEqual(updated.Cors, config.Cors, "an update without Cors keeps it");
    const buffered = await suite.client.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "echo", InvokeMode: "BUFFERED" }));
    assert.equal(buffered.InvokeMode, "BUFFERED");
    const listed = await cli(url, ["lambda", "list-function-url-configs", "--function-name", "echo"]);
    assert.deepEqual((listed.FunctionUrlConfigs as { FunctionUrl: string }[]).map((c) => c.FunctionUrl), [config.FunctionUrl]);

    await cli(url, ["lambda", "delete-function-url-config", "--function-name", "echo"]);
    const gone = await aws(url, ["lambda", "get-function-url-config", "--function-name", "echo"]);
    assert.match(gone.stderr, /ResourceNotFoundException/);
    assert.equal((await fetch(`${url}/_aws/lambda-url/${urlId}/`)).status, 403, "a deleted URL no longer serves");
    const noFunction = await aws(url, ["lambda", "create-function-url-config", "--function-name", "nobody", "--auth-type", "NONE"]);
    assert.match(noFunction.stderr, /ResourceNotFoundException/);
  });

  it("serves the Function URL event by path and by host, with CORS answered from the config", async () => {
    const url = suite.unkai.url;
    const { urlId, base } = await createFunctionUrl(url, "echo", ["--cors", "AllowOrigins=*,AllowMethods=*,AllowHeaders=*"]);
    const response = await fetch(`${base}/some/path?q=1`, { method: "POST", headers: { "content-type": "text/plain", cookie: "k=v" }, body: "hello" });
    assert.equal(response.status, 200);
    const event = (await response.json()) as Event;
    assert.equal(event.version, "2.0");
    assert.equal(event.routeKey, "$default");
    assert.equal(event.rawPath, "/some/path");
    assert.equal(event.rawQueryString, "q=1");
    assert.deepEqual(event.cookies, ["k=v"]);
    assert.equal(event.body, "hello");
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.apiId, urlId);
    assert.equal(event.requestContext.domainName, `${urlId}.lambda-url.us-east-1.localhost`);
    assert.equal(event.requestContext.stage, "$default");
    assert.equal(event.requestContext.accountId, "anonymous");
    assert.equal(event.pathParameters, null);
    assert.equal(event.stageVariables, null);

    const { port } = new URL(url);
    const byHost = await getWithHost(url, `${urlId}.lambda-url.us-east-1.localhost:${port}`, "/by/host");
    assert.equal(byHost.status, 200);
    assert.equal((JSON.parse(byHost.body) as Event).rawPath, "/by/host");

    const before = await invocationCount(url, "echo");
    const preflight = await fetch(`${base}/x`, { method: "OPTIONS", headers: { origin: "https://any.example", "access-control-request-method": "DELETE", "access-control-request-headers": "x-one" } });
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.equal(preflight.headers.get("access-control-allow-methods"), "DELETE");
    assert.equal(preflight.headers.get("access-control-allow-headers"), "x-one");
    assert.equal(await invocationCount(url, "echo"), before, "the preflight did not invoke the function");
    await cli(url, ["lambda", "delete-function-url-config", "--function-name", "echo"]);
  });

  it("points a URL at an alias and refuses version qualifiers", async () => {
    const url = suite.unkai.url;
    const version = await suite.client.send(new PublishVersionCommand({ FunctionName: "echo" }));
    await suite.client.send(new CreateAliasCommand({ FunctionName: "echo", Name: "live", FunctionVersion: version.Version }));
    const { base, config } = await createFunctionUrl(url, "echo", ["--qualifier", "live"]);
    assert.equal(config.FunctionArn, fnArn("echo:live"));
    assert.equal((await fetch(`${base}/x/plain`)).status, 200);
    const numbered = await aws(url, ["lambda", "create-function-url-config", "--function-name", "echo", "--qualifier", "1", "--auth-type", "NONE"]);
    assert.notEqual(numbered.code, 0);
    await suite.client.send(new DeleteAliasCommand({ FunctionName: "echo", Name: "live" }));
    const gone = await aws(url, ["lambda", "get-function-url-config", "--function-name", "echo", "--qualifier", "live"]);
    assert.match(gone.stderr, /ResourceNotFoundException/, "deleting the alias deleted its URL");
    assert.equal((await fetch(`${base}/x/plain`)).status, 403);
  });

  it("stops serving a deleted function's URL, also once a function of that name exists again", async () => {
    const url = suite.unkai.url;
    await createFromFixture(suite.client, "reborn", "gateway-echo");
    const { base } = await createFunctionUrl(url, "reborn");
    assert.equal((await fetch(`${base}/x/plain`)).status, 200);
    await suite.client.send(new DeleteFunctionCommand({ FunctionName: "reborn" }));
    assert.equal((await fetch(`${base}/x/plain`)).status, 403, "the URL went with its function");
    await createFromFixture(suite.client, "reborn", "gateway-echo");
    const before = await invocationCount(url, "reborn");
    assert.equal((await fetch(`${base}/x/plain`)).status, 403, "the old URL does not reach the new function");
    assert.equal(await invocationCount(url, "reborn"), before);
  });

  it("serves AWS_IAM URLs only to SigV4-signed requests", async () => {
    await createFromFixture(suite.client, "private", "gateway-echo");
    const { base, config } = await createFunctionUrl(suite.unkai.url, "private", [], "AWS_IAM");
    assert.equal(config.AuthType, "AWS_IAM");
    assert.equal((await fetch(`${base}/x/plain`)).status, 403);
    const target = new URL(`${base}/x/plain`);
    const signer = new SignatureV4({ service: "lambda", region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, sha256: Sha256 });
    const signed = await signer.sign({ method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, headers: { host: target.host } });
    const response = await fetch(target, { headers: signed.headers });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { hello: "world" });
    const forger = new SignatureV4({ service: "lambda", region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "wrong" }, sha256: Sha256 });
    const forged = await forger.sign({ method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, headers: { host: target.host } });
    const refused = await fetch(target, { headers: forged.headers });
    assert.equal(refused.status, 403, "a signature made with the wrong secret is refused");
    assert.deepEqual(await refused.json(), { Message: "Forbidden" });
  });

  it("streams a RESPONSE_STREAM URL's body to the client as the function writes it", async () => {
    await createFromFixture(suite.client, "streamer", "url-streams", { Handler: "index.handler", Timeout: 10 });
    const { base } = await createFunctionUrl(suite.unkai.url, "streamer", ["--cors", "AllowOrigins=https://a.example"]);
    await suite.client.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "streamer", InvokeMode: "RESPONSE_STREAM" }));

    const started = Date.now();
    const response = await fetch(`${base}/chunks`, { headers: { origin: "https://a.example" } });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("x-custom"), "yes");
    assert.deepEqual(response.headers.getSetCookie(), ["a=1; Path=/", "b=2"]);
    assert.equal(response.headers.get("access-control-allow-origin"), "https://a.example");
    const arrivals: { at: number; text: string }[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) arrivals.push({ at: Date.now() - started, text: decoder.decode(chunk) });
    assert.equal(arrivals.map((a) => a.text).join(""), "first;second;method=GET");
    const first = arrivals.find((a) => a.text.includes("first;"));
    const last = arrivals.at(-1);
    assert.ok(first && last && last.at - first.at >= 700, `the first chunk arrived ${String(first?.at)} ms in, the last ${String(last?.at)} ms in: streamed, not buffered`);

    const early = await fetch(`${base}/fail-early`);
    assert.equal(early.status, 502, "a function that fails before its prelude gets the gateway's 502");
    assert.deepEqual(await early.json(), { message: "Internal Server Error" });
    const mid = await fetch(`${base}/fail-mid`);
    assert.equal(mid.status, 201, "the prelude was already sent");
    await assert.rejects(mid.text(), "a function that fails mid-stream cuts the response off");
  });

  it("maps function errors to 502 and the gateway timeout to 504", async () => {
    const { base } = await createFunctionUrl(suite.unkai.url, "echo");
    const failed = await fetch(`${base}/throw`);
    assert.equal(failed.status, 502);
    assert.deepEqual(await failed.json(), { message: "Internal Server Error" });
    assert.equal((await fetch(`${base}/malformed`)).status, 502);
    assert.equal(await (await fetch(`${base}/string`)).text(), "\"just a string\"");
    const slow = await fetch(`${base}/slow`);
    assert.equal(slow.status, 504, "UNKAI_GATEWAY_TIMEOUT_MS=2500 answers before the function's 3 s");
  });
});
