/**
 * Seed 004's browser flow in a real Chromium: a page served from an S3 website bucket (host form
 * `<bucket>.s3-website.localhost`, which Chromium resolves to loopback itself) calls an HTTP API on another
 * origin (quick create, the API's CORS configuration, a preflighted POST) that hands it a presigned POST
 * form, and uploads a file with that form to a third origin (path-style S3, the bucket's CORS rules).
 * The browser enforces CORS, so whatever header Unkai leaves out shows up here as a failed fetch.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, PutBucketCorsCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { launchBrowser } from "./helpers/browser.js";
import { createFromFixture } from "./helpers/clients.js";
import { cli, quickCreateHttpApi } from "./helpers/gateway.js";
import { boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

interface PageResult {
  error?: string;
  api?: { asked: unknown; origin: string; client: string; form: { url: string } };
  servedBy?: string | null;
  upload?: { status: number; etag: string | null; body: string };
}

// The page's script: the API call (JSON body and a custom header, so the browser preflights it), then the form upload.
const PAGE_SCRIPT = `
window.flow = (async () => {
  const api = document.querySelector('meta[name="api"]').content;
  const asked = await fetch(api + "/upload-form", { method: "POST", headers: { "content-type": "application/json", "x-client": "site" }, body: JSON.stringify({ name: "hello.txt" }) });
  const got = await asked.json();
  const form = new FormData();
  for (const [name, value] of Object.entries(got.form.fields)) form.append(name, value);
  form.append("file", new Blob(["hello from the page"], { type: "text/plain" }), "hello.txt");
  const sent = await fetch(got.form.url, { method: "POST", body: form });
  return { api: got, servedBy: asked.headers.get("x-served-by"), upload: { status: sent.status, etag: sent.headers.get("etag"), body: await sent.text() } };
})().catch((error) => ({ error: String(error) }));`;

describe("S3 website page, HTTP API and presigned POST in a browser", () => {
  const suite = unkaiSuite();

  async function setUp(siteOrigin: string, key: string): Promise<string> {
    const url = suite.unkai.url;
    const client = s3(url);
    const form = (await boto3S3(url, [
      `print(json.dumps(s3.generate_presigned_post("uploads", "${key}", Fields={"success_action_status": "201", "Content-Type": "text/plain"},`,
      `  Conditions=[{"success_action_status": "201"}, {"Content-Type": "text/plain"}, ["content-length-range", 1, 1024]], ExpiresIn=600)))`,
    ].join("\n"))) as { url: string; fields: Record<string, string> };
    assert.equal(form.url, `${url}/uploads`, "boto3's path-style form posts to the bucket on Unkai's own origin");
    await createFromFixture(suite.client, "upload-form", "upload-form", { Environment: { Variables: { UPLOAD_FORM: JSON.stringify(form) } } });
    const { apiId, endpoint } = await quickCreateHttpApi(url, "upload-form");
    await cli(url, ["apigatewayv2", "update-api", "--api-id", apiId, "--cors-configuration",
      JSON.stringify({ AllowOrigins: [siteOrigin], AllowMethods: ["POST"], AllowHeaders: ["content-type", "x-client"], ExposeHeaders: ["x-served-by"], MaxAge: 60 })]);

    await client.send(new CreateBucketCommand({ Bucket: "uploads" }));
    await client.send(new CreateBucketCommand({ Bucket: "site" }));
    await client.send(new PutBucketWebsiteCommand({ Bucket: "site", WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" } } }));
    await client.send(new PutBucketPolicyCommand({ Bucket: "site", Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::site/*" }] }) }));
    const html = `<!doctype html><html><head><meta name="api" content="${endpoint}"><title>uploader</title></head><body><script>${PAGE_SCRIPT}</script></body></html>`;
    await client.send(new PutObjectCommand({ Bucket: "site", Key: "index.html", Body: html, ContentType: "text/html" }));
    client.destroy();
    return endpoint;
  }

  it("loads the page from the website, calls the API across origins and uploads with the presigned form", async () => {
    const port = new URL(suite.unkai.url).port;
    const siteOrigin = `http://site.s3-website.localhost:${port}`;
    const endpoint = await setUp(siteOrigin, "incoming/hello.txt");
    assert.match(endpoint, /^http:\/\/[a-z0-9]+\.execute-api\.localhost:\d+\/?$/, "the API's own host-form endpoint, another origin");
    const client = s3(suite.unkai.url);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const open = async (): Promise<PageResult> => {
        const loaded = await page.goto(`${siteOrigin}/`);
        assert.equal(loaded?.status(), 200, "the website serves its index document");
        return page.evaluate(() => (globalThis as unknown as { flow: Promise<PageResult> }).flow);
      };

      // Without CORS rules on the upload bucket the browser sends the (simple) form POST but keeps its answer from the page.
      const refused = await open();
      assert.match(refused.error ?? "", /Failed to fetch/, `the browser hides an answer without CORS headers: ${JSON.stringify(refused)}`);
      assert.equal(refused.servedBy, undefined);

      await client.send(new PutBucketCorsCommand({ Bucket: "uploads", CORSConfiguration: { CORSRules: [{ AllowedOrigins: [siteOrigin], AllowedMethods: ["POST"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"] }] } }));
      const result = await open();
      assert.equal(result.error, undefined, `the flow ran: ${JSON.stringify(result)}`);
      assert.deepEqual(result.api?.asked, { name: "hello.txt" }, "the function got the page's JSON body");
      assert.equal(result.api?.origin, siteOrigin, "the API saw the page's origin");
      assert.equal(result.api?.client, "site", "the preflighted custom header reached the function");
      assert.equal(result.servedBy, "upload-form", "the API's ExposeHeaders let the page read the function's header");
      assert.equal(result.upload?.status, 201);
      assert.match(result.upload?.body ?? "", /<Key>incoming\/hello.txt<\/Key>/, "success_action_status 201 answers the PostResponse document");
      assert.match(result.upload?.etag ?? "", /^"[0-9a-f]{32}"$/, "the bucket's ExposeHeaders let the page read the ETag");

      const stored = await client.send(new GetObjectCommand({ Bucket: "uploads", Key: "incoming/hello.txt" }));
      assert.equal(await stored.Body?.transformToString(), "hello from the page");
      assert.equal(stored.ContentType, "text/plain");
      assert.equal(stored.ETag, result.upload?.etag, "the page read the stored object's ETag");
    } finally {
      await browser.close();
      client.destroy();
    }
  });
});
