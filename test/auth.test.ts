/** SigV4 on every API: default keys, wrong and expired signatures, presigned URLs, `unkai keys`, and the non-loopback rule. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { runBoto3 } from "./helpers/boto3.js";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { unkaiCli, runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

type Credentials = { accessKeyId: string; secretAccessKey: string };

function lambdaWith(url: string, credentials: Credentials): LambdaClient {
  return new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

/** The error an SDK call failed with: its name and HTTP status. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  return { name: "no error", status: undefined, message: "" };
}

/** A presigned GET of `path`, signed at `signedAt` and valid for `expiresIn` seconds. */
async function presign(url: string, path: string, expiresIn: number, signedAt = new Date()): Promise<string> {
  const target = new URL(path, url);
  const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: "us-east-1", service: "lambda", sha256: Hash.bind(null, "sha256") });
  const signed = await signer.presign(
    { method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, query: {}, headers: { host: target.host } },
    { expiresIn, signingDate: signedAt },
  );
  return `${target.origin}${target.pathname}?${new URLSearchParams(signed.query as Record<string, string>).toString()}`;
}

describe("SigV4 authentication", () => {
  const suite = unkaiSuite();

  it("accepts the default key pair from SDK v3 and the AWS CLI v2", async () => {
    await createFromFixture(suite.client, "authed", "node-cjs");
    const listed = await suite.client.send(new ListFunctionsCommand({}));
    assert.ok(listed.Functions?.some((f) => f.FunctionName === "authed"));
    const cli = await aws(suite.unkai.url, ["lambda", "get-function-configuration", "--function-name", "authed"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { FunctionName: string }).FunctionName, "authed");
    const logs = await aws(suite.unkai.url, ["logs", "describe-log-groups"]);
    assert.equal(logs.code, 0, logs.stderr);
  });

  it("refuses a wrong secret with InvalidSignatureException (Lambda and Logs), an unknown key with UnrecognizedClientException", async () => {
    const wrong = lambdaWith(suite.unkai.url, { accessKeyId: "test", secretAccessKey: "not-the-secret" });
    const lambdaError = await failure(wrong.send(new ListFunctionsCommand({})));
    assert.deepEqual([lambdaError.name, lambdaError.status], ["InvalidSignatureException", 403]);
    assert.match(lambdaError.message, /signature we calculated does not match/);
    wrong.destroy();

    const logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "nope" }, maxAttempts: 1 });
    const logsError = await failure(logs.send(new DescribeLogGroupsCommand({})));
    assert.deepEqual([logsError.name, logsError.status], ["InvalidSignatureException", 403]);
    logs.destroy();

    const cli = await runProcess("/usr/bin/aws", ["--endpoint-url", suite.unkai.url, "logs", "describe-log-groups"], {
      env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "wrong", AWS_DEFAULT_REGION: "us-east-1", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" },
    });
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /InvalidSignatureException/);

    const stranger = lambdaWith(suite.unkai.url, { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" });
    const strangerError = await failure(stranger.send(new ListFunctionsCommand({})));
    assert.deepEqual([strangerError.name, strangerError.status], ["UnrecognizedClientException", 403]);
    stranger.destroy();
  });

  it("refuses unsigned requests, but serves /_unkai/health without a signature", async () => {
    const unsigned = await fetch(`${suite.unkai.url}/2015-03-31/functions/`);
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
    const logs = await fetch(`${suite.unkai.url}/`, { method: "POST", headers: { "X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1" }, body: "{}" });
    assert.equal(logs.status, 403);
    assert.equal(((await logs.json()) as { __type: string }).__type, "MissingAuthenticationTokenException");
    const stats = await fetch(`${suite.unkai.url}/_unkai/events/stats`);
    assert.equal(stats.status, 403, "Unkai's own endpoints are signed too");
    assert.equal((await signedFetch(`${suite.unkai.url}/_unkai/events/stats`)).status, 200);
    assert.equal((await fetch(`${suite.unkai.url}/_unkai/health`)).status, 200);
  });

  it("refuses a request signed more than 15 minutes ago", async () => {
    const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: "us-east-1", service: "lambda", sha256: Hash.bind(null, "sha256") });
    const target = new URL(suite.unkai.url);
    const signed = await signer.sign(
      { method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: "/2015-03-31/functions/", query: {}, headers: { host: target.host } },
      { signingDate: new Date(Date.now() - 20 * 60_000) },
    );
    const response = await fetch(`${suite.unkai.url}/2015-03-31/functions/`, { headers: signed.headers });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get("x-amzn-errortype"), "InvalidSignatureException");
    assert.match(((await response.json()) as { message: string }).message, /^Signature expired: /);
  });

  it("signs a repeated header as its values joined by ','", async () => {
    const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: "us-east-1", service: "lambda", sha256: Hash.bind(null, "sha256") });
    const target = new URL(suite.unkai.url);
    const signed = await signer.sign({
      method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: "/2015-03-31/functions/", query: {},
      headers: { host: target.host, "x-unkai-repeated": "one,two" },
    });
    const flat = Object.entries(signed.headers).filter(([name]) => name !== "x-unkai-repeated").flat();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${suite.unkai.url}/2015-03-31/functions/`, { headers: [...flat, "X-Unkai-Repeated", "one", "x-unkai-repeated", " two "] }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.once("error", reject);
      req.end();
    });
    assert.equal(status, 200);
  });

  it("signs query parameters named constructor, toString, valueOf and hasOwnProperty like any other, in the header and in a presigned URL", async () => {
    const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: "us-east-1", service: "lambda", sha256: Hash.bind(null, "sha256") });
    const target = new URL("/2015-03-31/functions/", suite.unkai.url);
    const query = { constructor: "1", toString: "2", valueOf: "3", hasOwnProperty: ["a", "b"] };
    const sent = `${target.href}?constructor=1&toString=2&valueOf=3&hasOwnProperty=a&hasOwnProperty=b`;
    const request = { method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, query, headers: { host: target.host } };
    const signed = await signer.sign(request);
    const header = await fetch(sent, { headers: signed.headers });
    assert.equal(header.status, 200, await header.text());
    const presigned = await signer.presign(request, { expiresIn: 60 });
    const signature = Object.entries(presigned.query ?? {}).filter(([name]) => name.startsWith("X-Amz-")).map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
    const url = await fetch(`${sent}&${signature.join("&")}`);
    assert.equal(url.status, 200, await url.text());
  });

  it("signs a query parameter named __proto__ as SigV4 writes it: botocore's signature holds, a changed value or a signature over '[object Object]' does not", async () => {
    const statuses = (await runBoto3([
      "import json, sys, urllib.error, urllib.request",
      "from botocore.auth import SigV4Auth",
      "from botocore.awsrequest import AWSRequest",
      "from botocore.credentials import Credentials",
      "def status(url, headers):",
      "    try: return urllib.request.urlopen(urllib.request.Request(url, headers=headers)).status",
      "    except urllib.error.HTTPError as error: return error.code",
      "request = AWSRequest(method='GET', url=sys.argv[1] + '/2015-03-31/functions/?__proto__=1')",
      "SigV4Auth(Credentials('test', 'test'), 'lambda', 'us-east-1').add_auth(request)",
      "prepared = request.prepare()",
      "print(json.dumps([status(prepared.url, dict(prepared.headers)), status(prepared.url.replace('__proto__=1', '__proto__=2'), dict(prepared.headers))]))",
    ], [suite.unkai.url])) as number[];
    assert.deepEqual(statuses, [200, 403], "signed as sent; its value is covered by the signature");
    // @smithy/signature-v4 collects the canonical query in a plain object and signs `[object Object]` in place of
    // the parameter: AWS refuses that signature, and so does Unkai (else the value would go unsigned).
    const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: "us-east-1", service: "lambda", sha256: Hash.bind(null, "sha256") });
    const target = new URL("/2015-03-31/functions/", suite.unkai.url);
    const query = JSON.parse('{"__proto__":"1"}') as Record<string, string>;
    const signed = await signer.sign({ method: "GET", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, query, headers: { host: target.host } });
    assert.equal((await fetch(`${target.href}?__proto__=1`, { headers: signed.headers })).status, 403);
  });

  it("accepts a presigned ListFunctions URL until it expires", async () => {
    const url = await presign(suite.unkai.url, "/2015-03-31/functions/", 5);
    const first = await fetch(url);
    assert.equal(first.status, 200, await first.clone().text());
    assert.ok(((await first.json()) as { Functions: unknown[] }).Functions.length >= 1);
    // Expiry counts from X-Amz-Date: URLs signed 20 s ago stand for this one later on, with no wait.
    const stillValid = await fetch(await presign(suite.unkai.url, "/2015-03-31/functions/", 60, new Date(Date.now() - 20_000)));
    assert.equal(stillValid.status, 200, "signed 20 s ago for a minute: still valid");
    const expired = await fetch(await presign(suite.unkai.url, "/2015-03-31/functions/", 5, new Date(Date.now() - 20_000)));
    assert.equal(expired.status, 403);
    assert.equal(expired.headers.get("x-amzn-errortype"), "InvalidSignatureException");
    assert.match(((await expired.json()) as { message: string }).message, /Signature expired: .*\(the URL was valid for 5 s\)/);

    const old = await fetch(await presign(suite.unkai.url, "/2015-03-31/functions/", 60, new Date(Date.now() - 3_600_000)));
    assert.equal(old.status, 403, "a URL signed an hour ago for a minute is long expired");
    const tampered = new URL(await presign(suite.unkai.url, "/2015-03-31/functions/", 60));
    tampered.pathname = "/2015-03-31/functions/authed";
    assert.equal((await fetch(tampered)).status, 403, "the signature covers the path");
  });

  it("gives GetFunction a presigned Code.Location that downloads the package", async () => {
    const got = await suite.client.send(new GetFunctionCommand({ FunctionName: "authed" }));
    const location = got.Code?.Location ?? "";
    assert.match(location, /\/_unkai\/code\/[0-9a-f]{64}\.zip\?.*X-Amz-Signature=/);
    const download = await fetch(location);
    assert.equal(download.status, 200);
    assert.equal(Buffer.from(await download.arrayBuffer()).subarray(0, 2).toString(), "PK");
    const bare = location.slice(0, location.indexOf("?"));
    assert.equal((await fetch(bare)).status, 403, "the code is not public");
  });

  it("keeps unkai.db readable by its owner only", () => {
    assert.equal(statSync(join(suite.unkai.dataDir, "unkai.db")).mode & 0o777, 0o600);
  });
});

describe("unkai keys", () => {
  let unkai: TestUnkai;
  before(async () => {
    unkai = await startUnkai();
  });
  after(async () => {
    assert.equal(await unkai.stop(), 0);
  });

  it("creates a key that works (and retires the default), lists it, and deletes it", async () => {
    const created = await unkaiCli(REPO_ROOT, ["keys", "create", "--name", "ci", "--json", "--data-dir", unkai.dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { AccessKeyId: string; SecretAccessKey: string };
    assert.match(key.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    const mine = lambdaWith(unkai.url, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    // Used several times, so the server holds the key (and its signer) in memory when it is deleted.
    for (let i = 0; i < 3; i++) await mine.send(new ListFunctionsCommand({}));
    const defaults = lambdaWith(unkai.url, DEFAULT_CREDENTIALS);
    assert.equal((await failure(defaults.send(new ListFunctionsCommand({})))).name, "UnrecognizedClientException", "the default key stops once a key exists");

    const listed = await unkaiCli(REPO_ROOT, ["keys", "list", "--json", "--data-dir", unkai.dataDir]);
    assert.deepEqual((JSON.parse(listed.stdout) as { AccessKeyId: string; Name: string }[]).map((k) => [k.AccessKeyId, k.Name]), [[key.AccessKeyId, "ci"]]);
    assert.ok(!listed.stdout.includes(key.SecretAccessKey), "list never shows secrets");

    const deleted = await unkaiCli(REPO_ROOT, ["keys", "delete", key.AccessKeyId, "--data-dir", unkai.dataDir]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await failure(mine.send(new ListFunctionsCommand({})))).name, "UnrecognizedClientException", "refused from the very next request");
    await defaults.send(new ListFunctionsCommand({}));
    const missing = await unkaiCli(REPO_ROOT, ["keys", "delete", key.AccessKeyId, "--data-dir", unkai.dataDir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no access key/);
    mine.destroy();
    defaults.destroy();
  });
});

describe("listening beyond loopback", () => {
  it("refuses to start without keys, and starts with UNKAI_ACCESS_KEY_ID, where the default key does not work", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-auth-"));
    try {
      const refused = await runProcess(process.execPath, [join(REPO_ROOT, "bin", "unkai.js"), "start", "--host", "0.0.0.0", "--port", "0", "--data-dir", dataDir], {
        env: { ...process.env, UNKAI_EXAMPLE: "false", UNKAI_LOG_LEVEL: "warn" },
      });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /refuses to listen on 0\.0\.0\.0 .*without access keys.*unkai keys create/);

      const unkai = await startUnkai({ UNKAI_HOST: "0.0.0.0", UNKAI_ACCESS_KEY_ID: "AKIAOPERATOR0000TEST", UNKAI_SECRET_ACCESS_KEY: "operator-secret" }, dataDir);
      const operator = lambdaWith(unkai.url, { accessKeyId: "AKIAOPERATOR0000TEST", secretAccessKey: "operator-secret" });
      await operator.send(new ListFunctionsCommand({}));
      const defaults = lambdaWith(unkai.url, DEFAULT_CREDENTIALS);
      assert.equal((await failure(defaults.send(new ListFunctionsCommand({})))).name, "UnrecognizedClientException");
      operator.destroy();
      defaults.destroy();
      assert.equal(await unkai.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
