/**
 * The web console end to end in a real browser against a real Unkai: create a function from a blueprint, edit its code,
 * set an environment variable, save a test event from the S3 template, run it, read the result and the REPORT line,
 * find the invocation in the logs and the monitoring chart. With UNKAI_CONSOLE_SCREENSHOTS=<dir> it also writes screenshots.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetAliasCommand, GetFunctionCommand, GetFunctionConfigurationCommand, GetFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Page, Request } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./helpers/browser.js";
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from "@aws-sdk/client-cloudwatch-logs";
import { aws, DEFAULT_CREDENTIALS, fixtureZip, invoke } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const SCREENSHOTS = process.env.UNKAI_CONSOLE_SCREENSHOTS;
const VERIFIER = new SignatureV4({ service: "unkai", region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, sha256: Sha256 });
const WAIT = { timeout: 20_000 };

const EDITED_CODE = `export const handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  console.log("edited in the console, key", key);
  return { greeting: process.env.GREETING, key };
};
`;

describe("web console in a browser", () => {
  const suite = unkaiSuite();
  let browser: TestBrowser | undefined;
  let page: Page;
  const foreignRequests: string[] = [];
  /** Every API call the page made (not its own static files), with its Authorization header. */
  const apiCalls: { path: string; authorization: string | undefined }[] = [];
  /** The console's own signed fetches of /_unkai/, kept whole to check their signatures. */
  const unkaiCalls: Request[] = [];

  const shot = async (name: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator("#toasts").evaluate((toasts: { replaceChildren(): void }) => toasts.replaceChildren());
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const openTab = async (label: string) => {
    await page.getByRole("tab", { name: label }).click();
    await page.locator(`.tab-body[data-tab]`).waitFor(WAIT);
  };

  before(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("request", (request) => {
      if (!request.url().startsWith(suite.unkai.url) && !request.url().startsWith("data:")) foreignRequests.push(request.url());
      const path = new URL(request.url()).pathname;
      const pageLoad = path.startsWith("/console") || (path === "/" && request.method() === "GET");
      if (request.url().startsWith(suite.unkai.url) && !pageLoad) {
        apiCalls.push({ path, authorization: request.headers().authorization });
        if (path.startsWith("/_unkai/")) unkaiCalls.push(request);
      }
    });
  });
  after(async () => {
    await browser?.close();
  });

  it("lists functions at / and creates one from the S3 blueprint", async () => {
    await page.goto(`${suite.unkai.url}/`);
    assert.equal(new URL(page.url()).pathname, "/console/");
    await page.getByText("No functions yet: create one.").waitFor(WAIT);
    await page.getByRole("link", { name: "Create function" }).click();
    await page.locator("input[name=functionName]").fill("from-console");
    await page.locator("select[name=blueprint]").selectOption("s3-node");
    await shot("create-function");
    await page.getByRole("button", { name: "Create function" }).click();
    await page.locator("#code-editor .cm-content").waitFor(WAIT);
    assert.match(page.url(), /#\/functions\/from-console\/code$/);
    assert.match(await page.locator("#code-editor .cm-content").innerText(), /new object s3:\/\//, "the blueprint's code is in the editor");
  });

  it("edits the code and deploys it", async () => {
    await page.locator("#code-editor .cm-content").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(EDITED_CODE);
    await page.getByRole("button", { name: "Deploy" }).click();
    await page.locator("#deploy-status", { hasText: "Deployed at" }).waitFor(WAIT);
    await shot("code");
  });

  it("sets an environment variable, refusing an invalid name first", async () => {
    await openTab("Configuration");
    await page.getByRole("button", { name: "Add environment variable" }).click();
    await page.locator(".env-key").last().fill("1BAD");
    await page.locator(".env-value").last().fill("x");
    await page.locator("#save-config").click();
    await page.locator(".error-box", { hasText: "start with a letter" }).waitFor(WAIT);
    await page.locator(".env-key").last().fill("GREETING");
    await page.locator(".env-value").last().fill("hello from the console");
    await page.locator("input[name=memory]").fill("256");
    await page.locator("#save-config").click();
    await page.locator("#config-saved", { hasText: "Saved at" }).waitFor(WAIT);
    await page.locator(".env-key").last().fill("AWS_REGION");
    await page.locator("#save-config").click();
    await page.locator(".error-box", { hasText: "InvalidParameterValueException" }).waitFor(WAIT);
    await page.locator(".env-key").last().fill("GREETING");
    await page.locator("#save-config").click();
    await page.locator(".error-box").first().waitFor({ state: "hidden", ...WAIT });
    await page.locator("#function-facts", { hasText: "256 MB" }).waitFor(WAIT);
    const config = await suite.client.send(new GetFunctionConfigurationCommand({ FunctionName: "from-console" }));
    assert.deepEqual(config.Environment?.Variables, { GREETING: "hello from the console" });
    assert.equal(config.MemorySize, 256);
    await shot("configuration");
  });

  it("sets asynchronous retries, publishes a version and points an alias at it", async () => {
    await page.locator("#async-retries").selectOption("0");
    await page.locator("#async-max-age").fill("120");
    await page.locator("#save-async").click();
    await page.locator("#async-saved", { hasText: "Saved at" }).waitFor(WAIT);
    const asyncConfig = await suite.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "from-console" }));
    assert.deepEqual([asyncConfig.MaximumRetryAttempts, asyncConfig.MaximumEventAgeInSeconds], [0, 120]);

    await openTab("Versions and aliases");
    await page.locator("#version-description").fill("first from the console");
    await page.locator("#publish-version").click();
    await page.locator('#versions tr[data-version="1"]').waitFor(WAIT);
    await page.locator("#alias-name").fill("live");
    await page.locator("#alias-version").selectOption("1");
    await page.locator("#create-alias").click();
    await page.locator('#aliases tr[data-alias="live"]').waitFor(WAIT);
    const alias = await suite.client.send(new GetAliasCommand({ FunctionName: "from-console", Name: "live" }));
    assert.equal(alias.FunctionVersion, "1");
    await shot("versions");
  });

  it("saves a test event from the S3 Put template, runs it, and shows the result and the REPORT line", async () => {
    await openTab("Test");
    await page.locator("#event-template").selectOption("s3-put");
    await page.getByRole("button", { name: "Use template" }).click();
    await page.locator("#event-name").fill("S3PutFromTemplate");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.locator("#saved-events option", { hasText: "S3PutFromTemplate" }).waitFor({ state: "attached", ...WAIT });
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.locator("#test-result .result");
    await result.waitFor(WAIT);
    assert.equal(await result.getAttribute("data-status"), "succeeded");
    const payload = JSON.parse(await page.locator("#result-payload").innerText()) as { greeting: string; key: string };
    assert.deepEqual(payload, { greeting: "hello from the console", key: "test%2Fkey" });
    const log = await page.locator("#result-log").innerText();
    assert.match(log, /REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB/);
    assert.match(log, /edited in the console, key test%2Fkey/);
    assert.match(await page.locator('[data-fact="Start"]').innerText(), /^Cold \(init [\d.]+ ms\)$/);
    assert.match(await page.locator('[data-fact="Billed duration"]').innerText(), /^\d+ ms$/);
    await shot("test");
  });

  it("keeps the saved event across reloads", async () => {
    await page.reload();
    await page.locator("#saved-events").selectOption("S3PutFromTemplate");
    assert.match(await page.locator("#event-editor .cm-content").innerText(), /ObjectCreated:Put/);
  });

  it("follows new invocations with live tail", async () => {
    await openTab("Logs");
    await page.locator(".invocation-log", { hasText: "REPORT RequestId" }).first().waitFor(WAIT);
    await page.locator("#live-tail").check();
    const second = await invoke(suite.client, "from-console", { Records: [{ s3: { object: { key: "tailed-key" } } }] });
    assert.equal(second.status, 200);
    await page.locator(".invocation-log", { hasText: "key tailed-key" }).waitFor(WAIT);
    await page.locator("#live-tail").uncheck();
  });

  it("makes a metric filter from text selected in a log line, testing it on the lines on screen first", async () => {
    await openTab("Logs");
    const tailed = page.locator(".invocation-log pre", { hasText: "key tailed-key" }).first();
    await tailed.waitFor(WAIT);
    // Selects the words in the page as a user would (the test's own compile has no DOM types, hence the string).
    await page.evaluate(`(() => {
      const pre = [...document.querySelectorAll(".invocation-log pre")].find((p) => p.textContent.includes("key tailed-key"));
      const node = pre.firstChild;
      const at = node.data.indexOf("key tailed-key");
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + "key tailed-key".length);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    })()`);
    await page.locator("#use-selection").click();
    assert.equal(await page.locator("#filter-pattern").inputValue(), '"key tailed-key"');
    await page.locator("#filter-test-result", { hasText: /^Matches 1 of the last \d+ lines on screen\.$/ }).waitFor(WAIT);
    await page.locator("#filter-metric-name").fill("TailedKeys");
    await page.getByRole("button", { name: "Create metric filter" }).click();
    await page.locator(".toast", { hasText: "TailedKeys" }).waitFor(WAIT);
    const logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const { metricFilters = [] } = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/aws/lambda/from-console" }));
    logs.destroy();
    assert.deepEqual(metricFilters.map((f) => [f.filterName, f.filterPattern, f.metricTransformations?.[0]?.metricName, f.metricTransformations?.[0]?.metricNamespace]),
      [["TailedKeys-filter", '"key tailed-key"', "TailedKeys", "LogMetrics"]]);
  });

  it("shows the invocation's log lines grouped by request id", async () => {
    await openTab("Logs");
    const group = page.locator(".invocation-log", { hasText: "REPORT RequestId" }).first();
    await group.waitFor(WAIT);
    const requestId = await group.getAttribute("data-request-id");
    assert.match(requestId ?? "", /^[0-9a-f-]{36}$/);
    const text = await group.innerText();
    assert.match(text, new RegExp(`START RequestId: ${requestId}`));
    assert.match(text, /edited in the console/);
    await shot("logs");
    await page.locator("#log-to").fill("2020-01-01T00:00:00");
    await page.locator("#log-from").fill("2019-12-31T00:00:00");
    await page.locator("#log-from").dispatchEvent("change");
    await page.getByText("No log events in this range.").waitFor(WAIT);
  });

  it("charts the invocation and estimates the monthly cost", async () => {
    await openTab("Monitoring");
    await page.locator('.legend-item[data-series="Invocations"]', { hasText: "Invocations: 2" }).waitFor(WAIT);
    assert.ok(await page.locator('circle[data-series="Invocations"]').count() >= 1, "a point for the minutes they ran in");
    assert.match(await page.locator('.legend-item[data-series="Cold starts"]').innerText(), /Cold starts: 1/, "the second ran warm");
    // The charts show what the AWS CLI's get-metric-data answers to the query the tab sent.
    const query = JSON.parse(await page.locator("#charts").getAttribute("data-query") ?? "{}") as { StartTime: number; EndTime: number };
    const cli = await aws(suite.unkai.url, ["cloudwatch", "get-metric-data", "--cli-input-json",
      JSON.stringify({ ...query, StartTime: new Date(query.StartTime).toISOString(), EndTime: new Date(query.EndTime).toISOString() })]);
    assert.equal(cli.code, 0, cli.stderr);
    const results = (JSON.parse(cli.stdout) as { MetricDataResults: { Id: string; Values: number[] }[] }).MetricDataResults;
    const values = (id: string) => results.find((r) => r.Id === id)?.Values ?? [];
    assert.equal(values("invocations").reduce((a, b) => a + b, 0), 2);
    const plotted = async (series: string) => Promise.all((await page.locator(`circle[data-series="${series}"]`).all()).map(async (dot) => Number(await dot.getAttribute("data-value"))));
    assert.deepEqual(await plotted("Invocations"), values("invocations").filter((v) => v > 0));
    assert.deepEqual(await plotted("p99"), values("p99").filter((v) => v > 0));
    assert.deepEqual(await plotted("Concurrent executions"), values("concurrent").filter((v) => v > 0), "this function's own concurrency");
    assert.equal(await page.locator('.legend-item[data-series="p99"]').innerText(), `p99: max ${Math.max(...values("p99")).toFixed(1)}`);
    await page.locator("#cost-rps").fill("10");
    await page.locator("#cost-billed").fill("100");
    await page.locator("#cost-memory").fill("2048");
    assert.match(await page.locator("#cost-lambda .big").innerText(), /^\$92\.86$/, "seed 002's load: 10 req/s of 100 ms at 2 GB");
    assert.match(await page.locator("#cost-vm").innerText(), /t3\.small[\s\S]*\$15\.18/);
    assert.match(await page.locator("#cost-verdict").innerText(), /t3\.small is cheaper/);
    await shot("monitoring");
  });

  it("shows the hour's invocations in the functions list and filters it", async () => {
    await page.getByRole("link", { name: "Functions", exact: true }).first().click();
    const row = page.locator('tr[data-function="from-console"]');
    await row.waitFor(WAIT);
    assert.match(await row.innerText(), /nodejs20\.x\s+256 MB\s+3 s/);
    assert.equal(await row.locator("td.num").first().innerText(), "2");
    await shot("functions");
    await page.locator("input.search").fill("no-such");
    await page.getByText("No function matches.").waitFor(WAIT);
  });

  it("creates a function from an uploaded zip and deletes it from the list", async () => {
    await page.getByRole("link", { name: "Create function" }).click();
    await page.getByLabel("Upload a .zip file").check();
    await page.locator("input[name=functionName]").fill("uploaded");
    await page.locator("select[name=runtime]").selectOption("nodejs22.x");
    await page.locator("input[name=zip]").setInputFiles({ name: "fn.zip", mimeType: "application/zip", buffer: await fixtureZip("node-esm") });
    await page.getByRole("button", { name: "Create function" }).click();
    await page.locator("#code-editor .cm-content", { hasText: "top-level await" }).waitFor(WAIT);
    assert.equal((await suite.client.send(new GetFunctionCommand({ FunctionName: "uploaded" }))).Configuration?.Runtime, "nodejs22.x");
    await page.getByRole("link", { name: "Functions", exact: true }).first().click();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator('tr[data-function="uploaded"]').getByRole("button", { name: "Delete" }).click();
    await page.locator('tr[data-function="uploaded"]').waitFor({ state: "detached", ...WAIT });
    await assert.rejects(suite.client.send(new GetFunctionCommand({ FunctionName: "uploaded" })), { name: "ResourceNotFoundException" });
  });

  it("signed every API call with SigV4, with the key pair from the Credentials dialog", async () => {
    assert.ok(apiCalls.some((c) => c.path.startsWith("/2015-03-31/functions")), "Lambda API calls");
    assert.ok(apiCalls.some((c) => c.path.startsWith("/_unkai/")), "Unkai endpoint calls");
    assert.ok(apiCalls.some((c) => c.path === "/" && /\/logs\/aws4_request/.test(c.authorization ?? "")), "CloudWatch Logs calls");
    assert.ok(apiCalls.some((c) => c.path === "/" && /\/monitoring\/aws4_request/.test(c.authorization ?? "")), "CloudWatch calls (the Monitoring tab)");
    for (const call of apiCalls) {
      // Query and JSON services post to "/": Logs, the Monitoring tab's CloudWatch, and IAM (the create page's execution role).
      const service = call.path.startsWith("/_unkai/") ? "unkai" : call.path === "/" ? "(logs|monitoring|iam)" : "lambda";
      assert.match(call.authorization ?? "", new RegExp(`^AWS4-HMAC-SHA256 Credential=test/\\d{8}/us-east-1/${service}/aws4_request, SignedHeaders=`), call.path);
    }
    // Re-sign each /_unkai/ request as a verifier would (same date, same signed headers): the signatures must match.
    const methods = new Set<string>();
    for (const request of unkaiCalls.filter((r) => new URL(r.url()).pathname.includes("/test-events") || r.url().includes("/metrics"))) {
      const headers = await request.allHeaders();
      const authorization = headers.authorization ?? "";
      const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(";") ?? [];
      const url = new URL(request.url());
      const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(headers["x-amz-date"] ?? "");
      assert.ok(date, "x-amz-date is signed");
      const resigned = await VERIFIER.sign({
        method: request.method(), protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname,
        query: Object.fromEntries(url.searchParams), headers: Object.fromEntries(signedNames.map((n) => [n, headers[n] ?? ""])), body: request.postData() ?? undefined,
      }, { signingDate: new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6]))) });
      assert.equal(authorization, resigned.headers.authorization, `${request.method()} ${url.pathname}`);
      methods.add(request.method());
    }
    assert.deepEqual([...methods].sort(), ["GET", "PUT"], "checked reads and writes");

    // A key Unkai does not know is refused like any client's, and the page says so; the right one works again.
    const useKey = async (accessKeyId: string, secretAccessKey: string) => {
      await page.getByRole("button", { name: "Credentials" }).click();
      await page.locator("dialog input[name=accessKeyId]").fill(accessKeyId);
      await page.locator("dialog input[name=secretAccessKey]").fill(secretAccessKey);
      await page.locator("dialog").getByRole("button", { name: "Save" }).click();
    };
    const before = apiCalls.length;
    await useKey("console-key", "console-secret");
    await page.getByRole("alert").filter({ hasText: /security token included in the request is invalid/i }).first().waitFor(WAIT);
    const refused = apiCalls.slice(before);
    assert.ok(refused.length >= 1, "the list tried to reload with the new key");
    for (const call of refused) assert.match(call.authorization ?? "", /Credential=console-key\//, call.path);
    await useKey("test", "test");
    await page.locator('tr[data-function="from-console"]').waitFor(WAIT);
  });

  it("loaded nothing from outside Unkai", () => {
    assert.deepEqual(foreignRequests, []);
  });
});
