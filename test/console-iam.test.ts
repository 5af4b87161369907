/**
 * The console's IAM page and a function's Permissions tab in a real browser against a real Unkai: users and
 * roles made with the SDK are listed, a user is created from the page, a policy's JSON is shown; the
 * Permissions tab shows the execution role, lists a resource policy statement added with AddPermission and
 * removes it (checked with GetPolicy), and its simulator answers with IAM's own evaluator. Hostile names and
 * documents are shown as text, never run as markup. With UNKAI_CONSOLE_SCREENSHOTS=<dir> it also writes docs'
 * iam and permissions screenshots.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, GetUserCommand, IAMClient, PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { AddPermissionCommand, GetPolicyCommand } from "@aws-sdk/client-lambda";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./helpers/browser.js";
import { createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const WAIT = { timeout: 20_000 };
const SCREENSHOTS = process.env.UNKAI_CONSOLE_SCREENSHOTS;
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
/** Valid JSON inside a policy: a Sid may not hold markup, so the hostile text rides in a resource ARN. */
const HOSTILE = "<img src=x onerror=window.__pwned=1>";
const READ_OBJECTS = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::photos/*", `arn:aws:s3:::${HOSTILE}`] }],
});

describe("console IAM page and Permissions tab in a browser", () => {
  const suite = unkaiSuite();
  let browser: TestBrowser | undefined;
  let page: Page;
  let iam: IAMClient;
  let roleArn = "";
  const pwned = () => page.evaluate("window.__pwned");
  const screenshot = async (name: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator("#toasts").evaluate((toasts: { replaceChildren(): void }) => toasts.replaceChildren());
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  before(async () => {
    iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    roleArn = (await iam.send(new CreateRoleCommand({ RoleName: "reader-role", AssumeRolePolicyDocument: TRUST }))).Role?.Arn ?? "";
    await iam.send(new PutRolePolicyCommand({ RoleName: "reader-role", PolicyName: "read-photos", PolicyDocument: READ_OBJECTS }));
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
  });
  after(async () => {
    iam?.destroy();
    await browser?.close();
  });

  it("lists users and roles made with the SDK, creates and deletes a user, refuses to delete one with keys and policies, shows a policy's JSON", async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "photos-read", PolicyDocument: READ_OBJECTS }));
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: Policy?.Arn }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));

    await page.goto(`${suite.unkai.url}/console/#/iam`);
    const alice = page.locator('#users-table tr[data-user="alice"]');
    await alice.waitFor(WAIT);
    assert.match(await alice.innerText(), /arn:aws:iam::\d{12}:user\/alice/);
    assert.match(await alice.innerText(), /photos-read/);
    assert.ok((await alice.innerText()).includes(`${AccessKey?.AccessKeyId} (Active)`), "the access key id and its status");
    const role = page.locator('#roles-table tr[data-role="reader-role"]');
    assert.match(await role.innerText(), /Service: lambda\.amazonaws\.com/);
    assert.match(await role.innerText(), /read-photos/);

    await alice.getByRole("button", { name: "Delete" }).click();
    await page.locator(".error-box", { hasText: "Cannot delete alice: it still has 1 access key(s), 1 attached policy(ies)." }).waitFor(WAIT);
    assert.ok(await iam.send(new GetUserCommand({ UserName: "alice" })), "alice is still there");

    await page.locator("input[name=user-name]").fill("bob");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.locator('#users-table tr[data-user="bob"]').waitFor(WAIT);
    assert.equal((await iam.send(new GetUserCommand({ UserName: "bob" }))).User?.UserName, "bob");
    await page.locator("input[name=user-name]").fill("bob");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.locator(".error-box", { hasText: "EntityAlreadyExists" }).waitFor(WAIT);
    await page.locator('#users-table tr[data-user="bob"]').getByRole("button", { name: "Delete" }).click();
    await page.locator('#users-table tr[data-user="bob"]').waitFor({ state: "detached", ...WAIT });
    await assert.rejects(iam.send(new GetUserCommand({ UserName: "bob" })), { name: "NoSuchEntityException" });

    const aws = page.locator("#aws-policies");
    assert.equal(await aws.getAttribute("open"), null, "AWS managed policies start collapsed");
    await aws.locator("summary").click();
    await aws.locator('tr[data-policy="AWSLambdaBasicExecutionRole"]').waitFor(WAIT);
    await aws.locator("summary").click();

    const policy = page.locator('#policies-table tr[data-policy="photos-read"]');
    assert.match(await policy.innerText(), /v1\s+1/, "default version v1, attached once");
    await policy.getByRole("button", { name: "View JSON" }).click();
    await page.locator("#iam-document", { hasText: '"Sid": "ReadObjects"' }).waitFor(WAIT);
    assert.ok((await page.locator("#iam-document").innerText()).includes(HOSTILE));
    assert.equal(await pwned(), undefined, "a hostile document runs nothing in the console");
    await screenshot("iam");
  });

  it("Permissions tab: the role, a resource policy statement removed, and the simulator's decisions", async () => {
    await createFromFixture(suite.client, "reader", "node-esm", { Role: roleArn });
    await suite.client.send(new AddPermissionCommand({
      FunctionName: "reader", StatementId: "from-bucket", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::photos",
    }));
    await page.goto(`${suite.unkai.url}/console/#/functions/reader/permissions`);
    await page.locator("#role-trusts-lambda", { hasText: "Yes" }).waitFor(WAIT);
    assert.equal(await page.locator("#role-inline").innerText(), "read-photos");
    assert.equal(await page.locator("#execution-role-link").getAttribute("href"), "#/iam/roles/reader-role");
    const statement = page.locator('#resource-policy tr[data-sid="from-bucket"]');
    await statement.waitFor(WAIT);
    assert.match(await statement.innerText(), /Service: s3\.amazonaws\.com/);
    assert.match(await statement.innerText(), /ArnLike AWS:SourceArn arn:aws:s3:::photos/);

    await page.locator("input[name=simulate-action]").fill("dynamodb:PutItem");
    await page.getByRole("button", { name: "Simulate" }).click();
    await page.locator("#simulate-decision", { hasText: "implicitDeny" }).waitFor(WAIT);
    await page.locator("input[name=simulate-action]").fill("s3:GetObject");
    await page.locator("input[name=simulate-resource]").fill("arn:aws:s3:::photos/cat.jpg");
    await page.getByRole("button", { name: "Simulate" }).click();
    await page.locator("#simulate-decision", { hasText: "allowed" }).waitFor(WAIT);
    assert.match(await page.locator("#simulate-matched").innerText(), /read-photos/, "the deciding inline policy is named");

    await screenshot("permissions");
    await statement.getByRole("button", { name: "Remove" }).click();
    await page.getByText("No resource-based policy").waitFor(WAIT);
    await waitFor("the statement removed", async () => {
      try {
        await suite.client.send(new GetPolicyCommand({ FunctionName: "reader" }));
        return undefined;
      } catch (error) {
        return (error as Error).name === "ResourceNotFoundException" ? true : undefined;
      }
    }, 20_000);

    await page.locator("#execution-role-link").click();
    await page.locator("#iam-document", { hasText: "lambda.amazonaws.com" }).waitFor(WAIT);
    assert.equal(await page.locator('#roles-table tr[data-role="reader-role"].selected').count(), 1);
  });

  it("Permissions tab: a role IAM does not have is named with IAM's error, and the rest of the tab still works", async () => {
    // Lambda keeps a function whose role was deleted after it was created (as AWS does).
    const orphanRole = (await iam.send(new CreateRoleCommand({ RoleName: "orphan-role", AssumeRolePolicyDocument: TRUST }))).Role?.Arn ?? "";
    await createFromFixture(suite.client, "orphan", "node-esm", { Role: orphanRole });
    await iam.send(new DeleteRoleCommand({ RoleName: "orphan-role" }));
    await page.goto(`${suite.unkai.url}/console/#/functions/orphan/permissions`);
    await page.locator(".error-box", { hasText: "NoSuchEntity" }).waitFor(WAIT);
    await page.getByText("No resource-based policy").waitFor(WAIT);
    assert.equal(await page.locator("#execution-role-link").innerText(), "orphan-role");
  });
});
