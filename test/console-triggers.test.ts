/**
 * The console's Triggers tab in a real browser against a real Unkai: it lists an HTTP API route made with the CLI, adds a
 * Function URL that then answers, adds S3 triggers (merged into an existing configuration, or on a bucket it creates)
 * that then invoke the function on upload, shows API errors, and deletes both. With UNKAI_CONSOLE_SCREENSHOTS=<dir> it
 * also writes docs' triggers screenshot.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetFunctionUrlConfigCommand, GetPolicyCommand } from "@aws-sdk/client-lambda";
import {
  CreateBucketCommand, GetBucketNotificationConfigurationCommand, HeadBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./helpers/browser.js";
import { createFromFixture } from "./helpers/clients.js";
import { fnArn, invocationCount, quickCreateHttpApi, restProxyApi } from "./helpers/gateway.js";
import { s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import { allowServiceToInvoke } from "./helpers/service-access.js";

const SCREENSHOTS = process.env.UNKAI_CONSOLE_SCREENSHOTS;
const WAIT = { timeout: 20_000 };
const FN = "triggered";

describe("console Triggers tab in a browser", () => {
  const suite = unkaiSuite();
  let browser: TestBrowser | undefined;
  let page: Page;
  let bucketClient: S3Client;
  let apiId = "";
  let restId = "";
  let urlAddress = "";
  /** Every API call the page made (not its own static files), with its Authorization header. */
  const apiCalls: { url: string; authorization: string | undefined }[] = [];
  const foreignRequests: string[] = [];

  const notifications = async (bucket: string) =>
    (await bucketClient.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))).LambdaFunctionConfigurations ?? [];
  const toastError = (text: RegExp) => page.locator(".toast.error").filter({ hasText: text }).first().waitFor(WAIT);

  before(async () => {
    bucketClient = s3(suite.unkai.url);
    await createFromFixture(suite.client, FN, "gateway-echo");
    await createFromFixture(suite.client, "bystander", "node-esm");
    apiId = (await quickCreateHttpApi(suite.unkai.url, FN)).apiId;
    restId = (await restProxyApi(suite.unkai.url, FN, "prod")).apiId;
    // A bucket that already notifies another function: the console must keep that configuration.
    await bucketClient.send(new CreateBucketCommand({ Bucket: "photos" }));
    await allowServiceToInvoke(suite.client, "bystander", "s3.amazonaws.com", "arn:aws:s3:::photos");
    await bucketClient.send(new PutBucketNotificationConfigurationCommand({
      Bucket: "photos",
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: "keep-me", LambdaFunctionArn: fnArn("bystander"), Events: ["s3:ObjectRemoved:*"] }] },
    }));
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(suite.unkai.url) && !url.startsWith("data:")) foreignRequests.push(url);
      const path = new URL(url).pathname;
      if (url.startsWith(suite.unkai.url) && !path.startsWith("/console") && !(path === "/" && request.method() === "GET" && !request.headers().authorization)) {
        apiCalls.push({ url, authorization: request.headers().authorization });
      }
    });
  });
  after(async () => {
    bucketClient?.destroy();
    await browser?.close();
  });

  it("lists the HTTP and REST API routes that target the function, with their invoke URLs", async () => {
    await page.goto(`${suite.unkai.url}/console/#/functions/${FN}/triggers`);
    const row = page.locator(`#api-routes tr[data-api="${apiId}"]`);
    await row.waitFor(WAIT);
    assert.equal(await row.getAttribute("data-route"), "$default");
    const invokeUrl = await row.locator("a").getAttribute("href");
    assert.equal(invokeUrl, `${suite.unkai.url}/_aws/execute-api/${apiId}/`);
    const answer = await fetch(`${invokeUrl}from-the-list`);
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { rawPath: string }).rawPath, "/from-the-list");

    const restRows = page.locator(`#api-routes tr[data-api="${restId}"]`);
    const restRoutes = await Promise.all((await restRows.all()).map((row) => row.getAttribute("data-route")));
    assert.deepEqual(restRoutes.sort(), ["ANY /", "ANY /{proxy+}"]);
    const restUrl = await page.locator(`#api-routes tr[data-api="${restId}"][data-route="ANY /"] a`).getAttribute("href");
    assert.equal(restUrl, `${suite.unkai.url}/_aws/execute-api/${restId}/prod/`);
    const restAnswer = await fetch(`${restUrl ?? ""}`);
    assert.equal(restAnswer.status, 200);
    assert.equal(((await restAnswer.json()) as { resource: string }).resource, "/");
    assert.match(await page.locator(".card").filter({ hasText: "S3 upload notifications" }).innerText(), /No bucket notifies this function/);
  });

  it("adds a Function URL that answers, and shows a second one's error in a toast", async () => {
    await page.locator("#url-auth").selectOption("NONE");
    await page.locator("#url-origins").fill("https://example.com, https://app.example.com");
    await page.locator("#add-url").click();
    const row = page.locator("#function-urls tbody tr");
    await row.waitFor(WAIT);
    const config = await suite.client.send(new GetFunctionUrlConfigCommand({ FunctionName: FN }));
    assert.equal(config.AuthType, "NONE");
    assert.deepEqual(config.Cors?.AllowOrigins, ["https://example.com", "https://app.example.com"]);
    assert.equal(await row.getAttribute("data-url"), config.FunctionUrl);
    assert.match(await row.innerText(), /NONE\s+BUFFERED\s+https:\/\/example\.com, https:\/\/app\.example\.com/);
    urlAddress = (await row.locator("a.path-url").getAttribute("href")) ?? "";
    assert.match(urlAddress, new RegExp(`^${suite.unkai.url}/_aws/lambda-url/[0-9a-z]{32}/$`));
    const answer = await fetch(`${urlAddress}through-the-url`);
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { rawPath: string }).rawPath, "/through-the-url");

    await page.locator("#add-url").click();
    await toastError(/ResourceConflictException/);
    assert.equal(await page.locator("#function-urls tbody tr").count(), 1);
  });

  it("adds an S3 trigger to a bucket, keeping its other notification, and an upload invokes the function", async () => {
    await page.locator("#s3-bucket").fill("photos");
    await page.locator("#s3-prefix").fill("uploads/");
    await page.locator("#s3-suffix").fill(".jpg");
    await page.locator("#add-s3-trigger").click();
    const row = page.locator('#s3-triggers tr[data-bucket="photos"]');
    await row.waitFor(WAIT);
    assert.match(await row.innerText(), /s3:ObjectCreated:\*\s+uploads\/\s+\.jpg/);
    const configs = await notifications("photos");
    assert.deepEqual(configs.map((c) => c.Id).sort(), ["keep-me", await row.getAttribute("data-id")].sort());
    const ours = configs.find((c) => c.Id !== "keep-me");
    assert.match(ours?.Id ?? "", /^unkai-console-/);
    assert.equal(ours?.LambdaFunctionArn, fnArn(FN));
    assert.deepEqual(ours?.Events, ["s3:ObjectCreated:*"]);
    // As the AWS console does, the function's policy now lets S3 invoke it for this bucket (what --iam enforce requires).
    const policy = JSON.parse((await suite.client.send(new GetPolicyCommand({ FunctionName: FN }))).Policy ?? "{}") as { Statement: { Principal: { Service: string }; Condition: { ArnLike: Record<string, string> } }[] };
    assert.ok(policy.Statement.some((st) => st.Principal.Service === "s3.amazonaws.com" && st.Condition.ArnLike["AWS:SourceArn"] === "arn:aws:s3:::photos"), JSON.stringify(policy));

    const before = await invocationCount(suite.unkai.url, FN);
    await bucketClient.send(new PutObjectCommand({ Bucket: "photos", Key: "uploads/cat.jpg", Body: "meow" }));
    await waitFor("the upload to invoke the function", async () => ((await invocationCount(suite.unkai.url, FN)) > before ? true : undefined), 30_000);
  });

  it("adds an S3 trigger on a new bucket it creates, and refuses a bad bucket name", async () => {
    await page.locator("#s3-bucket").fill("Bad_Name");
    await page.locator("#add-s3-trigger").click();
    await toastError(/Bucket names are 3 to 63/);
    await page.locator("#s3-bucket").fill("made-in-console");
    await page.locator('input.s3-event[value="s3:ObjectCreated:*"]').uncheck();
    await page.locator('input.s3-event[value="s3:ObjectRemoved:*"]').check();
    await page.locator("#add-s3-trigger").click();
    await page.locator('#s3-triggers tr[data-bucket="made-in-console"]').waitFor(WAIT);
    await bucketClient.send(new HeadBucketCommand({ Bucket: "made-in-console" }));
    assert.deepEqual((await notifications("made-in-console")).map((c) => c.Events), [["s3:ObjectRemoved:*"]]);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.locator("#toasts").evaluate((toasts: { replaceChildren(): void }) => toasts.replaceChildren());
      await page.screenshot({ path: join(SCREENSHOTS, "triggers.png"), fullPage: true });
    }
  });

  it("deletes the Function URL and removes the S3 trigger, keeping the bucket's other notification", async () => {
    page.on("dialog", (dialog) => void dialog.accept());
    await page.locator("#function-urls").getByRole("button", { name: "Delete" }).click();
    await page.getByText("No Function URL.").waitFor(WAIT);
    await assert.rejects(suite.client.send(new GetFunctionUrlConfigCommand({ FunctionName: FN })), { name: "ResourceNotFoundException" });
    assert.equal((await fetch(`${urlAddress}gone`)).status, 403, "a deleted URL no longer serves");

    await page.locator('#s3-triggers tr[data-bucket="photos"]').getByRole("button", { name: "Remove" }).click();
    await page.locator('#s3-triggers tr[data-bucket="photos"]').waitFor({ state: "detached", ...WAIT });
    assert.deepEqual((await notifications("photos")).map((c) => c.Id), ["keep-me"]);
    await page.locator('#s3-triggers tr[data-bucket="made-in-console"]').waitFor(WAIT);
  });

  it("signed every call with SigV4 for its service, and loaded nothing from outside Unkai", () => {
    const services = new Set<string>();
    for (const call of apiCalls) {
      const scope = /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/([a-z0-9-]+)\/aws4_request, /.exec(call.authorization ?? "");
      assert.ok(scope, `${call.url} is signed: ${call.authorization}`);
      services.add(scope[1] ?? "");
    }
    assert.deepEqual([...services].sort(), ["apigateway", "events", "lambda", "s3", "scheduler", "sns"]);
    assert.deepEqual(foreignRequests, []);
  });
});
