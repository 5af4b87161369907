/**
 * Bucket CORS and bucket tagging. CORS: Put/Get/DeleteBucketCors validated as S3 does (SDK v3, boto3);
 * preflights and actual requests sent by fetch() with an Origin header get the matching rule's headers,
 * and a page on a hostile origin gets no `Access-Control-*` header at all. Tagging: Put/Get/Delete
 * BucketTagging with S3's limits and NoSuchTagSet.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateBucketCommand, DeleteBucketCorsCommand, DeleteBucketTaggingCommand, GetBucketCorsCommand, GetBucketTaggingCommand, PutBucketCorsCommand, PutBucketTaggingCommand,
  PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { boto3S3, s3, signedS3Fetch, rejectsWithS3Error as rejects } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const APP_RULE = { ID: "app", AllowedOrigins: ["https://*.app.example"], AllowedMethods: ["GET", "PUT"], AllowedHeaders: ["content-type", "x-amz-*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 600 };
const PUBLIC_RULE = { AllowedOrigins: ["*"], AllowedMethods: ["HEAD"] };

/** The `Access-Control-*` headers of a response. */
const corsOf = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("access-control-")));

describe("S3 bucket CORS and bucket tagging", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  before(async () => {
    client = s3(suite.unkai.url);
    for (const Bucket of ["web", "plain"]) {
      await client.send(new CreateBucketCommand({ Bucket }));
      await client.send(new PutObjectCommand({ Bucket, Key: "index.html", Body: "<h1>hi</h1>" }));
    }
  });
  after(() => client.destroy());

  it("PutBucketCors stores rules GetBucketCors answers; bad rules are refused; DeleteBucketCors removes them (SDK v3, boto3)", async () => {
    await rejects(client.send(new GetBucketCorsCommand({ Bucket: "web" })), "NoSuchCORSConfiguration", /The CORS configuration does not exist/);
    await client.send(new PutBucketCorsCommand({ Bucket: "web", CORSConfiguration: { CORSRules: [APP_RULE, PUBLIC_RULE] } }));
    const rules = (await client.send(new GetBucketCorsCommand({ Bucket: "web" }))).CORSRules;
    assert.deepEqual(rules, [APP_RULE, PUBLIC_RULE]);
    const bad = (rule: object) => client.send(new PutBucketCorsCommand({ Bucket: "web", CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"], ...rule }] } }));
    await rejects(bad({ AllowedMethods: ["PATCH"] }), "InvalidRequest", /Unsupported method is PATCH/);
    await rejects(bad({ AllowedOrigins: ["https://*.*.example"] }), "InvalidRequest", /can not have more than one wildcard/);
    await rejects(bad({ AllowedHeaders: ["x-*-*"] }), "InvalidRequest", /can not have more than one wildcard/);
    await rejects(client.send(new PutBucketCorsCommand({ Bucket: "missing", CORSConfiguration: { CORSRules: [PUBLIC_RULE] } })), "NoSuchBucket");
    assert.deepEqual((await client.send(new GetBucketCorsCommand({ Bucket: "web" }))).CORSRules, [APP_RULE, PUBLIC_RULE], "a refused configuration changes nothing");
    await client.send(new DeleteBucketCorsCommand({ Bucket: "web" }));
    await rejects(client.send(new GetBucketCorsCommand({ Bucket: "web" })), "NoSuchCORSConfiguration");
    const boto = await boto3S3(suite.unkai.url, [
      `s3.put_bucket_cors(Bucket="plain", CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["https://py.example"], "AllowedMethods": ["GET"]}]})`,
      `got = s3.get_bucket_cors(Bucket="plain")["CORSRules"]`,
      `s3.delete_bucket_cors(Bucket="plain")`,
      `try:\n    s3.get_bucket_cors(Bucket="plain")\n    after = "still there"\nexcept botocore.exceptions.ClientError as e:\n    after = e.response["Error"]["Code"]`,
      `print(json.dumps([got, after]))`,
    ].join("\n"));
    assert.deepEqual(boto, [[{ AllowedOrigins: ["https://py.example"], AllowedMethods: ["GET"] }], "NoSuchCORSConfiguration"]);
  });

  it("preflights are answered from the rules (fetch with Origin); a hostile origin gets 403 and no CORS headers", async () => {
    await client.send(new PutBucketCorsCommand({ Bucket: "web", CORSConfiguration: { CORSRules: [APP_RULE, PUBLIC_RULE] } }));
    const preflight = (path: string, origin: string, method: string, headers?: string) => fetch(`${suite.unkai.url}${path}`, {
      method: "OPTIONS", headers: { origin, "access-control-request-method": method, ...(headers ? { "access-control-request-headers": headers } : {}) },
    });
    const ok = await preflight("/web/upload.bin", "https://shop.app.example", "PUT", "Content-Type, X-Amz-Date");
    assert.equal(ok.status, 200);
    assert.deepEqual(corsOf(ok), {
      "access-control-allow-origin": "https://shop.app.example", "access-control-allow-methods": "GET, PUT", "access-control-allow-headers": "content-type, x-amz-date",
      "access-control-allow-credentials": "true", "access-control-expose-headers": "ETag", "access-control-max-age": "600",
    });
    assert.match(ok.headers.get("vary") ?? "", /Origin/);
    const anyone = await preflight("/web/index.html", "https://elsewhere.example", "HEAD");
    assert.equal(anyone.headers.get("access-control-allow-origin"), "*");
    for (const [origin, method, headers] of [["https://evil.example", "GET"], ["https://app.example.evil", "GET"], ["https://shop.app.example", "DELETE"], ["https://shop.app.example", "PUT", "authorization-x"]] as const) {
      const refused = await preflight("/web/index.html", origin, method, headers);
      assert.equal(refused.status, 403, `${origin} ${method}`);
      assert.deepEqual(corsOf(refused), {}, `${origin} ${method}: no CORS header`);
      assert.match(await refused.text(), /<Code>AccessForbidden<\/Code><Message>CORSResponse: This CORS request is not allowed/);
    }
    const disabled = await preflight("/plain/index.html", "https://shop.app.example", "GET");
    assert.equal(disabled.status, 403);
    assert.match(await disabled.text(), /CORSResponse: CORS is not enabled for this bucket/);
    assert.equal((await fetch(`${suite.unkai.url}/web/index.html`, { method: "OPTIONS", headers: { origin: "https://shop.app.example" } })).status, 400, "no Access-Control-Request-Method");
  });

  it("actual requests get the matching rule's headers and Vary: Origin; other origins and buckets without rules get none", async () => {
    const get = (path: string, origin: string) => signedS3Fetch(suite.unkai.url, "GET", path, { headers: { origin } });
    const allowed = await get("/web/index.html", "https://shop.app.example");
    assert.equal(allowed.status, 200);
    assert.equal(await allowed.text(), "<h1>hi</h1>");
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://shop.app.example");
    assert.equal(allowed.headers.get("access-control-expose-headers"), "ETag");
    assert.match(allowed.headers.get("vary") ?? "", /Origin/);
    const missing = await get("/web/nothing-here", "https://shop.app.example");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("access-control-allow-origin"), "https://shop.app.example", "errors carry the headers too: the page can read the 404");
    const head = await signedS3Fetch(suite.unkai.url, "HEAD", "/web/index.html", { headers: { origin: "https://anyone.example" } });
    assert.equal(head.headers.get("access-control-allow-origin"), "*", "the `*` rule allows HEAD from anywhere");
    for (const [path, origin] of [["/web/index.html", "https://evil.example"], ["/plain/index.html", "https://shop.app.example"]] as const) {
      const refused = await get(path, origin);
      assert.equal(refused.status, 403, `${path} from ${origin}: refused at the front door`);
      assert.deepEqual(corsOf(refused), {}, `${path} from ${origin}: no CORS header`);
    }
    const noOrigin = await signedS3Fetch(suite.unkai.url, "GET", "/web/index.html");
    assert.deepEqual(corsOf(noOrigin), {}, "no Origin, no CORS headers");
  });

  it("bucket tagging: put, get, NoSuchTagSet, delete, S3's limits (SDK v3, boto3)", async () => {
    await rejects(client.send(new GetBucketTaggingCommand({ Bucket: "web" })), "NoSuchTagSet", /The TagSet does not exist/);
    const TagSet = [{ Key: "team", Value: "web" }, { Key: "cost center", Value: "42 & co" }];
    await client.send(new PutBucketTaggingCommand({ Bucket: "web", Tagging: { TagSet } }));
    assert.deepEqual((await client.send(new GetBucketTaggingCommand({ Bucket: "web" }))).TagSet, TagSet);
    const put = (tags: { Key: string; Value: string }[]) => client.send(new PutBucketTaggingCommand({ Bucket: "web", Tagging: { TagSet: tags } }));
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await rejects(put([...fifty, { Key: "one-more", Value: "v" }]), "InvalidTag", /Bucket tags cannot be greater than 50/);
    await rejects(put([{ Key: "aws:cloudformation:stack-name", Value: "s" }]), "InvalidTag", /System tags/);
    await rejects(put([{ Key: "x".repeat(129), Value: "" }]), "InvalidTag");
    await rejects(put([{ Key: "d", Value: "1" }, { Key: "d", Value: "2" }]), "InvalidTag");
    assert.deepEqual((await client.send(new GetBucketTaggingCommand({ Bucket: "web" }))).TagSet, TagSet, "a refused tag set changes nothing");
    await put(fifty);
    assert.equal((await client.send(new GetBucketTaggingCommand({ Bucket: "web" }))).TagSet?.length, 50);
    await client.send(new DeleteBucketTaggingCommand({ Bucket: "web" }));
    await rejects(client.send(new GetBucketTaggingCommand({ Bucket: "web" })), "NoSuchTagSet");
    const boto = await boto3S3(suite.unkai.url, [
      `s3.put_bucket_tagging(Bucket="plain", Tagging={"TagSet": [{"Key": "lang", "Value": "python"}]})`,
      `print(json.dumps(s3.get_bucket_tagging(Bucket="plain")["TagSet"]))`,
    ].join("\n"));
    assert.deepEqual(boto, [{ Key: "lang", Value: "python" }]);
  });

  it("bucket tagging keeps a tag named __proto__", async () => {
    const TagSet = [{ Key: "__proto__", Value: "a" }, { Key: "toString", Value: "b" }];
    await client.send(new PutBucketTaggingCommand({ Bucket: "web", Tagging: { TagSet } }));
    assert.deepEqual((await client.send(new GetBucketTaggingCommand({ Bucket: "web" }))).TagSet, TagSet);
  });
});
