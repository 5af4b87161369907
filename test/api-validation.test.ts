/** Bad input gets the AWS error type and a message that says what was wrong, and nothing is stored. */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CreateFunctionCommand, GetFunctionCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { aws, createFromFixture, fixtureZip, ROLE, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { rawZip } from "./helpers/raw-zip.js";

const HANDLER = "exports.handler = async () => 'ok';";

describe("API validation", () => {
  const suite = unkaiSuite({ UNKAI_PYTHON: "/nonexistent/python3" });

  async function createWith(zip: Buffer, name = "bad", extra: Record<string, unknown> = {}): Promise<Error> {
    const error = await suite.client
      .send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip }, ...extra }))
      .then(() => undefined, (e: unknown) => e as Error);
    assert.ok(error, "the request was refused");
    await assert.rejects(suite.client.send(new GetFunctionCommand({ FunctionName: name })), { name: "ResourceNotFoundException" }, "nothing was stored");
    return error;
  }

  it("refuses zips that climb out of the package, are absolute, or link outside it", async () => {
    const slip = await createWith(rawZip([{ name: "index.js", content: HANDLER }, { name: "../../escape.js", content: "pwned" }]));
    assert.equal(slip.name, "InvalidParameterValueException");
    assert.match(slip.message, /^Could not unzip uploaded file.*\.\.\/\.\.\/escape\.js/);
    const absolute = await createWith(rawZip([{ name: "/etc/unkai-owned", content: "x" }]));
    assert.match(absolute.message, /^Could not unzip uploaded file.*absolute path/);
    const link = await createWith(rawZip([{ name: "index.js", content: HANDLER }, { name: "secrets", content: "../../../suite.unkai.db", mode: 0o120777 }]));
    assert.match(link.message, /symlink 'secrets' points outside the package/);
    const longLink = await createWith(rawZip([{ name: "index.js", content: HANDLER }, { name: "far", content: "a/".repeat(2_500), mode: 0o120777 }]));
    assert.match(longLink.message, /^Could not unzip uploaded file.*a symlink target is too long/);
    assert.equal(existsSync(join(suite.unkai.dataDir, "escape.js")), false);
    const leftovers = readdirSync(join(suite.unkai.dataDir, "code")).filter((name) => name.startsWith(".tmp-"));
    assert.deepEqual(leftovers, [], "failed extractions leave nothing behind");
  });

  it("refuses garbage, empty and lying zips", async () => {
    const garbage = await createWith(Buffer.from("this is not a zip file at all"));
    assert.equal(garbage.name, "InvalidParameterValueException");
    assert.match(garbage.message, /Could not unzip uploaded file/);
    const empty = await suite.client
      .send(new CreateFunctionCommand({ FunctionName: "empty", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: new Uint8Array() } }))
      .then(() => undefined, (e: unknown) => e as Error);
    assert.match(empty?.message ?? "", /Code\.ZipFile is required|package is empty/);
    const liar = await createWith(rawZip([{ name: "index.js", content: HANDLER, declaredSize: 3 }]));
    assert.match(liar.message, /Could not unzip uploaded file/);
  });

  it("validates every configurable field with a message naming it", async () => {
    const zip = await fixtureZip("node-cjs");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ MemorySize: 64 }, /MemorySize 64 is out of range: it must be a whole number of MB from 128 to 10240/],
      [{ MemorySize: 20_000 }, /MemorySize 20000 is out of range/],
      [{ Timeout: 901 }, /Timeout 901 is out of range: it must be a whole number of seconds from 1 to 900/],
      [{ Timeout: 0 }, /Timeout 0 is out of range/],
      [{ EphemeralStorage: { Size: 100 } }, /EphemeralStorage\.Size 100 is out of range/],
      [{ Runtime: "java21" }, /Runtime 'java21' is not supported; choose one of nodejs20\.x/],
      [{ Runtime: "python3.12", Handler: "app.handler" }, /Runtime python3\.12 is not available on this Unkai host: interpreter .* was not found/],
      [{ Role: "admin" }, /Role 'admin' is not an IAM role ARN/],
      [{ Handler: "has space.handler" }, /Handler 'has space\.handler' must be 1 to 128 characters without whitespace/],
      [{ Environment: { Variables: { AWS_REGION: "eu-west-1" } } }, /reserved keys .*AWS_REGION/],
      [{ Environment: { Variables: { "1BAD": "x" } } }, /Environment variable name '1BAD' is invalid/],
      [{ Environment: { Variables: { BIG: "v".repeat(5000) } } }, /exceeded the 4KB limit/],
      [{ Description: "d".repeat(300) }, /Description is 300 characters long; the limit is 256/],
      [{ Layers: ["arn:aws:lambda:us-east-1:000000000000:layer:x:1"] }, /Layer version arn:aws:lambda:us-east-1:000000000000:layer:x:1 does not exist/],
      [{ Layers: ["not-an-arn"] }, /Layer .not-an-arn. is not a layer version ARN/],
    ];
    for (const [extra, expected] of cases) {
      const error = await createWith(zip, "cfg", extra);
      assert.equal(error.name, "InvalidParameterValueException", JSON.stringify(extra));
      assert.match(error.message, expected, JSON.stringify(extra));
    }
    const badName = await suite.client
      .send(new CreateFunctionCommand({ FunctionName: "bad name!", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } }))
      .then(() => undefined, (e: unknown) => e as Error);
    assert.match(badName?.message ?? "", /Function name 'bad name!' is invalid: use 1 to 64 letters/);
  });

  it("answers with x-amzn-ErrorType, the model's message member and Type", async () => {
    const missing = await signedFetch(`${suite.unkai.url}/2015-03-31/functions/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-amzn-errortype"), "ResourceNotFoundException");
    assert.ok(missing.headers.get("x-amzn-requestid"));
    assert.deepEqual(await missing.json(), { Type: "User", Message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" });

    const badJson = await signedFetch(`${suite.unkai.url}/2015-03-31/functions`, { method: "POST", body: "{not json" });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.headers.get("x-amzn-errortype"), "InvalidRequestContentException");
    assert.match(((await badJson.json()) as { message: string }).message, /^Could not parse request body into json/);

    const wrongType = await signedFetch(`${suite.unkai.url}/2015-03-31/functions`, { method: "POST", body: JSON.stringify({ FunctionName: "x", Role: ROLE, Code: {}, MemorySize: "big" }) });
    assert.equal(wrongType.status, 400);
    assert.match(((await wrongType.json()) as { message: string }).message, /^MemorySize: /);
  });

  it("rejects duplicates, oversized and non-JSON payloads, and unknown invocation types", async () => {
    await createFromFixture(suite.client, "dup", "node-cjs");
    await assert.rejects(createFromFixture(suite.client, "dup", "node-cjs"), (e: Error) => e.name === "ResourceConflictException" && /Function already exist: dup/.test(e.message));

    const huge = await signedFetch(`${suite.unkai.url}/2015-03-31/functions/dup/invocations`, { method: "POST", body: Buffer.alloc(6_291_457, 0x20) });
    assert.equal(huge.status, 413);
    assert.equal(huge.headers.get("x-amzn-errortype"), "RequestEntityTooLargeException");
    assert.deepEqual(await huge.json(), { Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" });

    const notJson = await signedFetch(`${suite.unkai.url}/2015-03-31/functions/dup/invocations`, { method: "POST", body: "hello" });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.headers.get("x-amzn-errortype"), "InvalidRequestContentException");

    const badType = await signedFetch(`${suite.unkai.url}/2015-03-31/functions/dup/invocations`, { method: "POST", body: "{}", headers: { "X-Amz-Invocation-Type": "Later" } });
    assert.equal(badType.status, 400);
    assert.match(((await badType.json()) as { message: string }).message, /InvocationType 'Later' is invalid: use RequestResponse, Event or DryRun/);

    const mismatch = await signedFetch(`${suite.unkai.url}/2015-03-31/functions/dup:prod/invocations?Qualifier=dev`, { method: "POST", body: "{}" });
    assert.equal(mismatch.status, 400);
    assert.match(((await mismatch.json()) as { message: string }).message, /derived qualifier from the function name does not match/);
  });

  it("shows the AWS CLI the same errors", async () => {
    const result = await aws(suite.unkai.url, ["lambda", "get-function", "--function-name", "ghost"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /ResourceNotFoundException.*Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost/);
  });

  it("lists 120 functions in pages of at most 50 with an opaque marker", async () => {
    const zip = await fixtureZip("node-cjs");
    for (let i = 0; i < 120; i++) {
      await suite.client.send(new CreateFunctionCommand({ FunctionName: `page-${String(i).padStart(3, "0")}`, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } }));
    }
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await suite.client.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 20 }));
      pages++;
      assert.ok((page.Functions?.length ?? 0) <= 20);
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ""));
      marker = page.NextMarker;
    } while (marker);
    assert.ok(pages >= 6, `${pages} pages of at most 20`);
    assert.equal(names.filter((n) => n.startsWith("page-")).length, 120);
    assert.equal(new Set(names).size, names.length, "no function is listed twice");
  });
});
