/** Malformed input that used to get a bare 500 now gets the error AWS gives, and Unkai keeps serving. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { invoke, ROLE, signedFetch } from "./helpers/clients.js";
import { signedS3Fetch } from "./helpers/s3.js";
import { unkaiFetch } from "./helpers/unkai-fetch.js";
import { unkaiSuite } from "./helpers/suite.js";

async function s3Error(response: Response): Promise<{ status: number; code: string; message: string; contentType: string | null }> {
  const body = await response.text();
  return {
    status: response.status,
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? `(no code in ${JSON.stringify(body.slice(0, 200))})`,
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? "",
    contentType: response.headers.get("content-type"),
  };
}

const MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema.";

describe("bad input gets AWS's error, not a 500", () => {
  const suite = unkaiSuite({ UNKAI_PYTHON: "/nonexistent/python3" });

  it("answers an S3 key that is not UTF-8 (%FF%FE) with InvalidURI on PutObject, GetObject and CopyObject", async () => {
    assert.equal((await signedS3Fetch(suite.unkai.url, "PUT", "/bad-input")).status, 200);
    for (const method of ["PUT", "GET", "DELETE"]) {
      const answer = await s3Error(await signedS3Fetch(suite.unkai.url, method, "/bad-input/%FF%FE", method === "PUT" ? { body: "x" } : {}));
      assert.deepEqual([answer.status, answer.code, answer.message, answer.contentType], [400, "InvalidURI", "Couldn&apos;t parse the specified URI.", "application/xml"], method);
    }
    const copy = await s3Error(await signedS3Fetch(suite.unkai.url, "PUT", "/bad-input/copy", { headers: { "x-amz-copy-source": "/bad-input/%C0%AF" } }));
    assert.deepEqual([copy.status, copy.code, copy.message], [400, "InvalidArgument", "Invalid copy source encoding."]);
  });

  it("refuses XML with a DOCTYPE (external or internal entities) and 100,000 levels of nesting as MalformedXML", async () => {
    const external = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>`;
    const laughs = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><Delete><Object><Key>&c;</Key></Object></Delete>`;
    const deep = (root: string) => `<${root}>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</${root}>`;
    const cases: [string, string, string][] = [
      ["/bad-input?delete", "POST", external],
      ["/bad-input?delete", "POST", laughs],
      ["/bad-input?delete", "POST", deep("Delete")],
      ["/bad-input?notification", "PUT", deep("NotificationConfiguration")],
    ];
    for (const [path, method, body] of cases) {
      const answer = await s3Error(await signedS3Fetch(suite.unkai.url, method, path, { body }));
      assert.equal(answer.status, 400, `${path} ${body.slice(0, 60)}`);
      assert.equal(answer.code, "MalformedXML");
      assert.ok(answer.message.startsWith(MALFORMED_XML), answer.message);
    }
    const upload = await signedS3Fetch(suite.unkai.url, "POST", "/bad-input/big?uploads");
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await upload.text())?.[1] ?? "";
    const complete = await s3Error(await signedS3Fetch(suite.unkai.url, "POST", `/bad-input/big?uploadId=${uploadId}`, { body: deep("CompleteMultipartUpload") }));
    assert.deepEqual([complete.status, complete.code], [400, "MalformedXML"]);
  });

  it("answers a malformed presigned S3 URL in S3's XML (AuthorizationQueryParametersError), not JSON", async () => {
    const urls = [
      "/bad-input/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=garbage&X-Amz-Signature=zz",
      "/bad-input/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=99999999&X-Amz-SignedHeaders=host&X-Amz-Signature=" + "a".repeat(64),
      "/bad-input?X-Amz-Credential=only",
    ];
    for (const url of urls) {
      const answer = await s3Error(await fetch(`${suite.unkai.url}${url}`));
      assert.deepEqual([answer.status, answer.code, answer.contentType], [400, "AuthorizationQueryParametersError", "application/xml"], url);
    }
  });

  it("refuses an Invoke payload that is not UTF-8 with InvalidRequestContentException, as Lambda does", async () => {
    const zip = await zipFiles({ "index.js": "exports.handler = async (event) => event;" });
    await suite.client.send(new CreateFunctionCommand({ FunctionName: "utf8", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } }));
    const cases: [number[], string][] = [
      [[0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], "Invalid UTF-8 start byte 0xff"],
      [[0x22, 0xc3, 0x28, 0x22], "Invalid UTF-8 middle byte 0x28"],
    ];
    for (const [bytes, detail] of cases) {
      const error = await suite.client.send(new InvokeCommand({ FunctionName: "utf8", Payload: Buffer.from(bytes) })).then(() => undefined, (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });
      assert.equal(error?.name, "InvalidRequestContentException");
      assert.equal(error?.$metadata?.httpStatusCode, 400);
      assert.equal(error?.message, `Could not parse request body into json: Could not parse payload into json: ${detail}`);
    }
    const fine = await invoke(suite.client, "utf8", { text: "héllo ✓" });
    assert.deepEqual(fine.json, { text: "héllo ✓" }, "valid UTF-8 still goes through");
  });

  it("answers a Runtime API call whose request id is not UTF-8 with a 404, and keeps running", async () => {
    // A custom runtime that first posts to an undecodable request id, then serves as AWS's tutorial does.
    const bootstrap = [
      "#!/bin/sh",
      "set -u",
      'API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"',
      'BAD="$(curl -sS -o /dev/null -w "%{http_code}" -X POST "$API/invocation/%FF%FE/response" -d x)"',
      "while true; do",
      '  HEADERS="$(mktemp)"',
      '  curl -sS -LD "$HEADERS" "$API/invocation/next" > /dev/null',
      '  REQUEST_ID="$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d \'[:space:]\' | cut -d: -f2)"',
      '  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"bad\\":\\"$BAD\\"}" > /dev/null',
      "done",
    ].join("\n");
    const zip = await zipFiles({ bootstrap: { content: bootstrap, mode: 0o100755 } });
    await suite.client.send(new CreateFunctionCommand({ FunctionName: "bad-runtime-id", Runtime: "provided.al2023", Handler: "x.handler", Role: ROLE, Code: { ZipFile: zip } }));
    const result = await invoke(suite.client, "bad-runtime-id");
    assert.deepEqual(result.json, { bad: "404" }, result.payload);
    assert.equal(suite.unkai.process.exitCode, null, "Unkai is still running");
  });

  it("checks MaxItems, Marker and limit that are not whole numbers (found by the fuzzer: 500s from SQLite)", async () => {
    for (const path of ["/2018-10-31/layers?MaxItems=1.5", "/2018-10-31/layers/lib/versions?MaxItems=-1", "/2018-10-31/layers/lib/versions?Marker=abc", "/2015-03-31/functions/utf8/aliases?MaxItems=0"]) {
      const response = await signedFetch(`${suite.unkai.url}${path}`);
      assert.equal(response.status, 400, path);
      assert.equal(response.headers.get("x-amzn-errortype"), "InvalidParameterValueException", path);
    }
    const failed = await unkaiFetch(suite.unkai.url, "/_unkai/functions/utf8/events/failed", { query: { limit: "1.5" } });
    assert.equal(failed.status, 200);
    const records = await unkaiFetch(suite.unkai.url, "/_unkai/functions/utf8/invocations", { query: { limit: "2.5" } });
    assert.equal(records.status, 200);
  });

  it("answers /_unkai/ paths whose segments are not UTF-8 with a 400", async () => {
    for (const [method, path] of [["PUT", "/_unkai/functions/utf8%C0%AF/test-events/one"], ["PUT", "/_unkai/functions/utf8/test-events/%FF"], ["GET", "/_unkai/functions/%E2%82/metrics"]] as const) {
      const response = await unkaiFetch(suite.unkai.url, path, { method, ...(method === "PUT" ? { body: "{}" } : {}) });
      assert.equal(response.status, 400, `${method} ${path}`);
      assert.match(((await response.json()) as { message: string }).message, /is not valid percent-encoded UTF-8/);
    }
    const health = await fetch(`${suite.unkai.url}/_unkai/health`);
    assert.equal(health.status, 200, "Unkai keeps serving");
  });
});
