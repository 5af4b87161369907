/**
 * The front door (issue 12, points 5 and 7): only Unkai's own Host names are answered (DNS rebinding),
 * only its console's Origin or an allowed one (CSRF with the default key), and a signature's credential
 * scope must name the endpoint's service and a real region.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateFunctionUrlConfigCommand, GetFunctionCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, fixtureZip, ROLE } from "./helpers/clients.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { runProcess } from "./helpers/process.js";
import { errorCode, rawRequest, signedRaw } from "./helpers/raw-http.js";
import { unkaiSuite } from "./helpers/suite.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { createHash } from "node:crypto";
import { join } from "node:path";

const LIST = "/2015-03-31/functions/";

describe("front door: Host names", () => {
  const suite = unkaiSuite();

  it("answers for its listen address, localhost and *.localhost names, and refuses any other Host (DNS rebinding)", async () => {
    const { url } = suite.unkai;
    const port = new URL(url).port;
    assert.equal((await rawRequest(url, await signedRaw(url, { path: LIST }))).status, 200);
    assert.equal((await rawRequest(url, await signedRaw(url, { path: LIST, host: `localhost:${port}` }))).status, 200);

    const rebound = await rawRequest(url, await signedRaw(url, { path: LIST, host: `rebind.evil.example:${port}` }));
    assert.equal(rebound.status, 403);
    assert.equal(errorCode(rebound), "AccessDeniedException");
    assert.match(rebound.body, /does not answer for the host 'rebind\.evil\.example:\d+'.*--public-host rebind\.evil\.example/);
    const unsignedHealth = await rawRequest(url, { path: "/_unkai/health", headers: { host: "rebind.evil.example" } });
    assert.equal(unsignedHealth.status, 403, "public endpoints too");
    const suffixTrick = await rawRequest(url, await signedRaw(url, { path: LIST, host: `localhost.evil.example:${port}` }));
    assert.equal(suffixTrick.status, 403);

    // Virtual-hosted S3 keeps working under <bucket>.s3.localhost; a foreign name gets S3's XML.
    const created = await rawRequest(url, await signedRaw(url, { method: "PUT", path: "/", host: `door-bucket.s3.localhost:${port}`, service: "s3", headers: { "x-amz-content-sha256": createHash("sha256").digest("hex") } }));
    assert.equal(created.status, 200, created.body);
    const foreignS3 = await rawRequest(url, await signedRaw(url, { path: "/", host: `door-bucket.s3.evil.example:${port}`, service: "s3", headers: { "x-amz-content-sha256": createHash("sha256").digest("hex") } }));
    assert.equal(foreignS3.status, 403);
    assert.equal(errorCode(foreignS3), "AccessDenied");
  });
});

describe("front door: browser Origins", () => {
  const suite = unkaiSuite();

  it("refuses a cross-site page's request signed with the well-known default key (CSRF), and serves Unkai's own console", async () => {
    const { url } = suite.unkai;
    const createBody = async (name: string) => JSON.stringify({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: (await fixtureZip("node-cjs")).toString("base64") } });
    // What a page can send without a preflight: a presigned URL, a text/plain body.
    const csrf = async (name: string, origin: string) => {
      const body = await createBody(name);
      const request = await signedRaw(url, { method: "POST", path: "/2015-03-31/functions", presign: true, body, headers: { "content-type": "text/plain" } });
      return rawRequest(url, { ...request, headers: { ...request.headers, origin } });
    };
    const refused = await csrf("csrf-made", "https://evil.example");
    assert.equal(refused.status, 403, refused.body);
    assert.equal(errorCode(refused), "AccessDeniedException");
    assert.match(refused.body, /https:\/\/evil\.example.*--allow-origin/);
    await assert.rejects(suite.client.send(new GetFunctionCommand({ FunctionName: "csrf-made" })), (error: Error) => error.name === "ResourceNotFoundException");
    assert.equal((await csrf("csrf-null", "null")).status, 403, "Origin: null (sandboxed frames, file://) is no one's console");
    assert.equal((await csrf("csrf-other-port", `http://127.0.0.1:${Number(new URL(url).port) + 1}`)).status, 403, "another local site is another origin");

    const own = await csrf("console-made", url);
    assert.equal(own.status, 201, own.body);
    const preflight = await rawRequest(url, { method: "OPTIONS", path: LIST, headers: { host: new URL(url).host, origin: "https://evil.example", "access-control-request-method": "GET" } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers["access-control-allow-origin"], undefined);
  });

  it("lets a Function URL's own CORS rule and its own address admit pages, and nothing else", async () => {
    const { url } = suite.unkai;
    await createFromFixture(suite.client, "cors-echo", "gateway-echo", { Timeout: 10 });
    const config = await suite.client.send(new CreateFunctionUrlConfigCommand({ FunctionName: "cors-echo", AuthType: "NONE", Cors: { AllowOrigins: ["https://app.example"], AllowMethods: ["*"] } }));
    const host = new URL(String(config.FunctionUrl)).host;
    const post = (origin: string) => rawRequest(url, { method: "POST", path: "/hi", headers: { host, origin, "content-type": "text/plain" }, body: "hello" });
    const allowed = await post("https://app.example");
    assert.equal(allowed.status, 200, allowed.body);
    assert.equal(allowed.headers["access-control-allow-origin"], "https://app.example");
    assert.equal((await post(`http://${host}`)).status, 200, "a page served by the URL itself");
    const evil = await post("https://evil.example");
    assert.equal(evil.status, 403);
    assert.match(evil.body, /evil\.example/);
    assert.equal((await rawRequest(url, { method: "POST", path: "/hi", headers: { host, "content-type": "text/plain" }, body: "no origin" })).status, 200, "non-browser clients send no Origin");
  });
});

describe("front door: --public-host and --allow-origin", () => {
  let unkai: TestUnkai;
  before(async () => {
    unkai = await startUnkai({ UNKAI_PUBLIC_HOST: "unkai.test, *.lan.test", UNKAI_ALLOW_ORIGIN: "http://app.test:3000" });
  });
  after(async () => {
    assert.equal(await unkai.stop(), 0);
  });

  it("answers the configured names and origins only", async () => {
    const { url } = unkai;
    const status = async (host: string, origin?: string) => {
      const request = await signedRaw(url, { path: LIST, host });
      return (await rawRequest(url, { ...request, headers: { ...request.headers, ...(origin ? { origin } : {}) } })).status;
    };
    assert.equal(await status("unkai.test:4566"), 200);
    assert.equal(await status("box.lan.test"), 200);
    assert.equal(await status("lan.test"), 403, "*.lan.test names subdomains only");
    assert.equal(await status("unkai.test.evil.example"), 403);
    assert.equal(await status("unkai.test", "http://app.test:3000"), 200);
    assert.equal(await status("unkai.test", "http://app.test:3001"), 403);
    assert.equal(await status("unkai.test", "http://unkai.test"), 200, "the console served under a public name");
  });

  it("refuses to start with an origin that is not scheme://host[:port]", async () => {
    const refused = await runProcess(process.execPath, [join(REPO_ROOT, "bin", "unkai.js"), "start", "--port", "0", "--allow-origin", "https://app.example/path"], {
      env: { ...process.env, UNKAI_EXAMPLE: "false", UNKAI_LOG_LEVEL: "warn" },
    });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /allowOrigin \(--allow-origin or UNKAI_ALLOW_ORIGIN\)/);
  });
});

describe("front door: credential scope", () => {
  const suite = unkaiSuite();

  it("refuses a Lambda call signed for another service or a region AWS does not have, as Lambda words it", async () => {
    const { url } = suite.unkai;
    const wrongService = await rawRequest(url, await signedRaw(url, { path: LIST, service: "iam", region: "zz-nowhere-9" }));
    assert.equal(wrongService.status, 403);
    assert.equal(errorCode(wrongService), "InvalidSignatureException");
    assert.equal((JSON.parse(wrongService.body) as { message: string }).message, "Credential should be scoped to correct service: 'lambda'.");
    const wrongRegion = await rawRequest(url, await signedRaw(url, { path: LIST, region: "zz-nowhere-9" }));
    assert.equal(errorCode(wrongRegion), "InvalidSignatureException");
    assert.equal((JSON.parse(wrongRegion.body) as { message: string }).message, "Credential should be scoped to a valid region, not 'zz-nowhere-9'.");
    const unkaiOwn = await rawRequest(url, await signedRaw(url, { path: "/_unkai/events/stats", service: "unkai" }));
    assert.equal(unkaiOwn.status, 200, "Unkai's CLI and console sign its own endpoints as `unkai`");
    const logsAsLambda = await rawRequest(url, await signedRaw(url, { method: "POST", path: "/", headers: { "x-amz-target": "Logs_20140328.DescribeLogGroups", "content-type": "application/x-amz-json-1.1" }, body: "{}" }));
    assert.equal(errorCode(logsAsLambda), "InvalidSignatureException");
    assert.match(logsAsLambda.body, /correct service: 'logs'/);
  });

  it("serves every real region from SDK v3 and the AWS CLI", async () => {
    const { url } = suite.unkai;
    const frankfurt = new LambdaClient({ endpoint: url, region: "eu-central-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await frankfurt.send(new ListFunctionsCommand({}));
    frankfurt.destroy();
    const cli = await aws(url, ["--region", "ap-southeast-2", "lambda", "list-functions"]);
    assert.equal(cli.code, 0, cli.stderr);
    const gov = await rawRequest(url, await signedRaw(url, { path: LIST, region: "us-gov-west-1" }));
    assert.equal(gov.status, 200);
  });

  it("answers S3's own codes: AuthorizationHeaderMalformed for the scope, XAmzContentSHA256Mismatch for the body", async () => {
    const { url } = suite.unkai;
    const nowhere = new S3Client({ endpoint: url, region: "zz-nowhere-9", credentials: DEFAULT_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
    await assert.rejects(nowhere.send(new ListBucketsCommand({})), (error: Error) => {
      assert.equal(error.name, "AuthorizationHeaderMalformed");
      assert.equal(error.message, "The authorization header is malformed; the region 'zz-nowhere-9' is wrong; expecting 'us-east-1'");
      return true;
    });
    nowhere.destroy();
    const port = new URL(url).port;
    const emptySha = createHash("sha256").digest("hex");
    const asIam = await rawRequest(url, await signedRaw(url, { path: "/", host: `scoped.s3.localhost:${port}`, service: "iam", headers: { "x-amz-content-sha256": emptySha } }));
    assert.equal(asIam.status, 400);
    assert.equal(errorCode(asIam), "AuthorizationHeaderMalformed");
    assert.match(asIam.body, /incorrect service &apos;iam&apos;\. This endpoint belongs to &apos;s3&apos;\./);

    const s3 = new S3Client({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: "hashed" }));
    s3.destroy();
    const declared = "<Delete><Object><Key>a</Key></Object></Delete>";
    const sent = "<Delete><Object><Key>b</Key></Object></Delete>";
    const request = await signedRaw(url, { method: "POST", path: "/hashed", query: { delete: "" }, service: "s3", body: declared, headers: { "x-amz-content-sha256": createHash("sha256").update(declared).digest("hex") } });
    const mismatch = await rawRequest(url, { ...request, body: sent });
    assert.equal(mismatch.status, 400, mismatch.body);
    assert.equal(errorCode(mismatch), "XAmzContentSHA256Mismatch");
  });
});
