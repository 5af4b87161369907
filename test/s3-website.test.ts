/**
 * Static website hosting: Put/Get/DeleteBucketWebsite (SDK v3, AWS CLI) validated as S3 does, and the
 * website address (`/_aws/s3-website/<bucket>/…` and Host `<bucket>.s3-website.localhost`) fetched
 * anonymously: index documents, the error document with 404, redirects (directory, RedirectAllRequestsTo,
 * routing rules), and nothing served from a bucket whose policy does not allow public reads.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import {
  CreateBucketCommand, DeleteBucketWebsiteCommand, GetBucketWebsiteCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { awsS3, s3, rejectsWithS3Error as rejects } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const publicRead = (bucket: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] });

/** GET with a chosen Host header (fetch does not let one set it). */
function getWithHost(url: string, host: string, path: string): Promise<{ status: number; body: string; location: string | undefined }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), location: res.headers.location }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("S3 static website hosting", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  let site: (bucket: string, path: string) => Promise<Response>;
  before(async () => {
    client = s3(suite.unkai.url);
    site = (bucket, path) => fetch(`${suite.unkai.url}/_aws/s3-website/${bucket}${path}`, { redirect: "manual" });
    for (const Bucket of ["site", "closed", "moved"]) await client.send(new CreateBucketCommand({ Bucket }));
    const files: Record<string, [string, string]> = {
      "index.html": ["<h1>home</h1>", "text/html"], "docs/index.html": ["<h1>docs</h1>", "text/html"], "404.html": ["<h1>lost</h1>", "text/html"], "app.js": ["let x = 1;", "text/javascript"],
    };
    for (const [Key, [Body, ContentType]] of Object.entries(files)) await client.send(new PutObjectCommand({ Bucket: "site", Key, Body, ContentType }));
    await client.send(new PutObjectCommand({ Bucket: "closed", Key: "index.html", Body: "secret" }));
    await client.send(new PutObjectCommand({ Bucket: "site", Key: "go.html", Body: "", WebsiteRedirectLocation: "/docs/" }));
  });
  after(() => client.destroy());

  it("PutBucketWebsite stores the configuration GetBucketWebsite answers (SDK v3, AWS CLI); bad ones are refused; DeleteBucketWebsite removes it", async () => {
    await rejects(client.send(new GetBucketWebsiteCommand({ Bucket: "site" })), "NoSuchWebsiteConfiguration", /does not have a website configuration/);
    const config = {
      IndexDocument: { Suffix: "index.html" }, ErrorDocument: { Key: "404.html" },
      RoutingRules: [
        { Condition: { KeyPrefixEquals: "old/" }, Redirect: { ReplaceKeyPrefixWith: "docs/", HttpRedirectCode: "301" } },
        { Condition: { HttpErrorCodeReturnedEquals: "404", KeyPrefixEquals: "api/" }, Redirect: { HostName: "api.example", Protocol: "https" as const } },
      ],
    };
    await client.send(new PutBucketWebsiteCommand({ Bucket: "site", WebsiteConfiguration: config }));
    const got = await client.send(new GetBucketWebsiteCommand({ Bucket: "site" }));
    assert.deepEqual([got.IndexDocument, got.ErrorDocument, got.RoutingRules], [config.IndexDocument, config.ErrorDocument, config.RoutingRules]);
    await rejects(client.send(new PutBucketWebsiteCommand({ Bucket: "closed", WebsiteConfiguration: { ErrorDocument: { Key: "e.html" } } })), "InvalidArgument", /IndexDocument Suffix must be provided/);
    await rejects(client.send(new PutBucketWebsiteCommand({ Bucket: "closed", WebsiteConfiguration: { IndexDocument: { Suffix: "a/index.html" } } })), "InvalidArgument", /Suffix is not well formed/);
    const cli = await awsS3(suite.unkai.url, ["s3api", "put-bucket-website", "--bucket", "moved", "--website-configuration", JSON.stringify({ RedirectAllRequestsTo: { HostName: "new.example", Protocol: "https" } })]);
    assert.equal(cli.code, 0, cli.stderr);
    const read = await awsS3(suite.unkai.url, ["s3api", "get-bucket-website", "--bucket", "moved"]);
    assert.deepEqual(JSON.parse(read.stdout), { RedirectAllRequestsTo: { HostName: "new.example", Protocol: "https" } });
    await client.send(new PutBucketWebsiteCommand({ Bucket: "closed", WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" } } }));
    await client.send(new DeleteBucketWebsiteCommand({ Bucket: "closed" }));
    await rejects(client.send(new GetBucketWebsiteCommand({ Bucket: "closed" })), "NoSuchWebsiteConfiguration");
  });

  it("serves a public-read bucket anonymously: index documents, the error document with 404, redirects; a private bucket gets 403", async () => {
    const closed = await site("closed", "/");
    assert.equal(closed.status, 404, "no website configuration");
    assert.match(await closed.text(), /Code: NoSuchWebsiteConfiguration/);
    await client.send(new PutBucketWebsiteCommand({ Bucket: "closed", WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" } } }));
    const privateSite = await site("closed", "/");
    assert.equal(privateSite.status, 403, "a website is served only where the bucket policy allows public reads");
    assert.doesNotMatch(await privateSite.text(), /secret/);

    await client.send(new PutBucketPolicyCommand({ Bucket: "site", Policy: publicRead("site") }));
    const home = await site("site", "/");
    assert.deepEqual([home.status, home.headers.get("content-type"), await home.text()], [200, "text/html", "<h1>home</h1>"]);
    assert.equal(await (await site("site", "/docs/")).text(), "<h1>docs</h1>");
    const js = await site("site", "/app.js");
    assert.deepEqual([js.status, await js.text()], [200, "let x = 1;"]);
    const directory = await site("site", "/docs");
    assert.deepEqual([directory.status, directory.headers.get("location")], [302, "/_aws/s3-website/site/docs/"]);
    const lost = await site("site", "/nope.html");
    assert.deepEqual([lost.status, await lost.text()], [404, "<h1>lost</h1>"]);
    const renamed = await site("site", "/old/guide.html");
    assert.deepEqual([renamed.status, renamed.headers.get("location")], [301, `http://${new URL(suite.unkai.url).host}/_aws/s3-website/site/docs/guide.html`]);
    const go = await site("site", "/go.html");
    assert.deepEqual([go.status, go.headers.get("location")], [301, "/_aws/s3-website/site/docs/"], "an object's x-amz-website-redirect-location");
    await rejects(client.send(new PutObjectCommand({ Bucket: "site", Key: "bad.html", Body: "", WebsiteRedirectLocation: "elsewhere" })), "InvalidArgument", /must have a prefix/);
    const api = await site("site", "/api/users");
    assert.deepEqual([api.status, api.headers.get("location")], [301, "https://api.example/api/users"]);
    assert.equal((await fetch(`${suite.unkai.url}/_aws/s3-website/site/app.js`, { method: "DELETE" })).status, 405);
    const moved = await site("moved", "/a/b.html");
    assert.deepEqual([moved.status, moved.headers.get("location")], [301, "https://new.example/a/b.html"]);

    const hosted = await getWithHost(suite.unkai.url, `site.s3-website.localhost:${new URL(suite.unkai.url).port}`, "/docs/");
    assert.deepEqual([hosted.status, hosted.body], [200, "<h1>docs</h1>"]);
    const hostedMiss = await getWithHost(suite.unkai.url, "site.s3-website-us-east-1.localhost", "/missing");
    assert.deepEqual([hostedMiss.status, hostedMiss.body], [404, "<h1>lost</h1>"]);
  });
});
