/**
 * The console's Topics, Alarms and Schedules-and-rules pages in a real browser against a real Unkai: a topic
 * is created, an SQS queue subscribed and a message published from the page; an alarm's state, history and
 * actions switch are shown and used; a rule is listed, disabled, fed a custom event from the page and
 * deleted; an email subscription's mail is read through /_unkai/mail and shown in the Topics page's
 * mailbox; a function's Triggers tab adds, disables and deletes an event source mapping and lists the
 * rule and topic that invoke it. What each page did is checked through the APIs with the SDK, and hostile text (a message, an
 * alarm reason, an event pattern) is shown as text, never run as markup.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { GetEventSourceMappingCommand, GetPolicyCommand, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./helpers/browser.js";
import { createFromFixture, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { fnArn } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const WAIT = { timeout: 20_000 };
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>`;

describe("console Topics, Alarms and Schedules-and-rules pages in a browser", () => {
  const suite = unkaiSuite();
  let browser: TestBrowser | undefined;
  let page: Page;
  let sqs: SQSClient;
  let sns: SNSClient;
  let cloudwatch: CloudWatchClient;
  let events: EventBridgeClient;
  const options = () => ({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const pwned = () => page.evaluate("window.__pwned");
  /** A queue; `from` is the service whose messages its policy lets in (checked under --iam enforce, as on AWS). */
  const queue = async (QueueName: string, from?: string) => {
    const policy = from && { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: from }, Action: "sqs:SendMessage", Resource: `arn:aws:sqs:us-east-1:000000000000:${QueueName}` }] };
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName, ...(policy ? { Attributes: { Policy: JSON.stringify(policy) } } : {}) }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn ?? "";
    return { QueueUrl, arn };
  };
  const receiveOne = (QueueUrl: string) =>
    waitFor("a message in the queue", async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0], 20_000);

  before(async () => {
    [sqs, sns, cloudwatch, events] = [new SQSClient(options()), new SNSClient(options()), new CloudWatchClient(options()), new EventBridgeClient(options())];
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
  });
  after(async () => {
    for (const client of [sqs, sns, cloudwatch, events]) client?.destroy();
    await browser?.close();
  });

  it("creates a topic, subscribes a queue, publishes to it, unsubscribes and deletes the topic", async () => {
    const { QueueUrl, arn } = await queue("alerts-inbox", "sns.amazonaws.com");
    await page.goto(`${suite.unkai.url}/console/#/topics`);
    await page.getByText("No topics yet").waitFor(WAIT);
    await page.locator("input[name=topic-name]").fill("alerts");
    await page.getByRole("button", { name: "Create topic" }).click();
    await page.locator('tr[data-topic="alerts"] a').click();

    await page.locator("select[name=protocol]").selectOption("sqs");
    await page.locator("input[name=endpoint]").fill(arn);
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.locator(`#subscriptions-table tr[data-subscription="${arn}"]`, { hasText: "Confirmed" }).waitFor(WAIT);

    await page.locator("input[name=subject]").fill("disk full");
    await page.locator("textarea[name=message]").fill(HOSTILE);
    await page.getByRole("button", { name: "Publish" }).click();
    const envelope = JSON.parse((await receiveOne(QueueUrl)).Body ?? "{}") as { Message?: string; Subject?: string };
    assert.equal(envelope.Message, HOSTILE);
    assert.equal(envelope.Subject, "disk full");
    assert.equal(await pwned(), undefined, "a hostile message runs nothing in the console");

    await page.locator(`#subscriptions-table tr[data-subscription="${arn}"]`).getByRole("button", { name: "Unsubscribe" }).click();
    await page.getByText("No subscriptions yet.").waitFor(WAIT);
    await page.goto(`${suite.unkai.url}/console/#/topics`);
    await page.locator('tr[data-topic="alerts"]').getByRole("button", { name: "Delete" }).click();
    await page.getByText("No topics yet").waitFor(WAIT);
    assert.deepEqual((await sns.send(new ListTopicsCommand({}))).Topics ?? [], []);
  });

  it("shows an alarm's state and history, switches its actions off and deletes it", async () => {
    await cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: "payment-failed", Namespace: "Shop", MetricName: "PaymentFailures", Statistic: "Sum", Period: 60, EvaluationPeriods: 1,
      Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", AlarmActions: ["arn:aws:sns:us-east-1:000000000000:ops"],
    }));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "payment-failed", StateValue: "ALARM", StateReason: HOSTILE }));
    await page.goto(`${suite.unkai.url}/console/#/alarms`);
    const row = page.locator('tr[data-alarm="payment-failed"]');
    await row.locator('[data-state="ALARM"]').waitFor(WAIT);
    assert.match(await row.innerText(), /PaymentFailures \(Shop\) Sum ≥ 1 for 1 of 1 × 60 s/);
    assert.match(await row.innerText(), /ALARM → arn:aws:sns:us-east-1:000000000000:ops/);
    assert.equal(await pwned(), undefined, "a hostile state reason runs nothing in the console");

    await row.getByRole("button", { name: "payment-failed" }).click();
    await page.locator("#alarm-history", { hasText: "StateUpdate" }).waitFor(WAIT);

    await row.getByRole("button", { name: "Disable actions" }).click();
    await row.getByRole("button", { name: "Enable actions" }).waitFor(WAIT);
    assert.equal((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ["payment-failed"] }))).MetricAlarms?.[0]?.ActionsEnabled, false);

    await row.getByRole("button", { name: "Delete" }).click();
    await page.getByText("No alarms yet.").waitFor(WAIT);
  });

  it("lists a rule with its targets, disables it, sends it an event from the page and deletes it", async () => {
    const { QueueUrl, arn } = await queue("orders-events", "events.amazonaws.com");
    await events.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop.orders"], "detail-type": [HOSTILE] }) }));
    await events.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "inbox", Arn: arn }] }));
    await events.send(new PutRuleCommand({ Name: "nightly", ScheduleExpression: "cron(0 3 * * ? *)" }));
    await page.goto(`${suite.unkai.url}/console/#/rules`);
    const orders = page.locator('tr[data-rule="orders"]');
    await orders.waitFor(WAIT);
    assert.match(await orders.innerText(), new RegExp(arn));
    assert.match(await page.locator('tr[data-rule="nightly"]').innerText(), /cron\(0 3 \* \* \? \*\)\s+ENABLED\s+\(no targets\)/);
    assert.equal(await pwned(), undefined, "a hostile pattern runs nothing in the console");

    await page.locator('tr[data-rule="nightly"]').getByRole("button", { name: "Disable" }).click();
    await page.locator('tr[data-rule="nightly"] [data-state="DISABLED"]').waitFor(WAIT);
    assert.equal((await events.send(new DescribeRuleCommand({ Name: "nightly" }))).State, "DISABLED");

    await page.locator("input[name=event-source]").fill("shop.orders");
    await page.locator("input[name=event-detail-type]").fill(HOSTILE);
    await page.locator("textarea[name=event-detail]").fill(JSON.stringify({ orderId: "o-1" }));
    await page.getByRole("button", { name: "Send event" }).click();
    await page.locator("#put-events-result", { hasText: "Sent: event" }).waitFor(WAIT);
    const delivered = JSON.parse((await receiveOne(QueueUrl)).Body ?? "{}") as { detail?: { orderId?: string }; source?: string };
    assert.deepEqual([delivered.source, delivered.detail?.orderId], ["shop.orders", "o-1"]);

    await page.locator("textarea[name=event-detail]").fill("not json");
    await page.getByRole("button", { name: "Send event" }).click();
    await page.locator("#put-events-result", { hasText: "Refused: MalformedDetail" }).waitFor(WAIT);

    await orders.getByRole("button", { name: "Delete" }).click();
    await orders.waitFor({ state: "detached", ...WAIT });
  });

  it("adds, disables and deletes an event source mapping in the Triggers tab, adds a schedule, and lists the rule and topic that invoke the function", async () => {
    await createFromFixture(suite.client, "worker", "node-esm");
    const { arn: queueArn } = await queue("work-items");
    await events.send(new PutRuleCommand({ Name: "every-hour", ScheduleExpression: "rate(1 hour)" }));
    await events.send(new PutTargetsCommand({ Rule: "every-hour", Targets: [{ Id: "worker", Arn: fnArn("worker") }] }));
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "jobs" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fnArn("worker") }));

    await page.goto(`${suite.unkai.url}/console/#/functions/worker/triggers`);
    await page.locator('#rule-triggers tr[data-rule="every-hour"]', { hasText: "rate(1 hour)" }).waitFor(WAIT);
    await page.locator(`#topic-triggers tr[data-topic="${TopicArn}"]`).waitFor(WAIT);

    // A schedule trigger: the rule worker-schedule, allowed to invoke the function and targeting it; adding again re-times it.
    for (const expression of ["cron(0 9 * * ? *)", "rate(2 hours)"]) {
      await page.locator("#schedule-expression").fill(expression);
      await page.locator("#add-schedule").click();
      await page.locator('#rule-triggers tr[data-rule="worker-schedule"]', { hasText: expression }).waitFor(WAIT);
    }
    assert.equal((await events.send(new DescribeRuleCommand({ Name: "worker-schedule" }))).ScheduleExpression, "rate(2 hours)");
    assert.deepEqual((await events.send(new ListTargetsByRuleCommand({ Rule: "worker-schedule" }))).Targets?.map((t) => t.Arn), [fnArn("worker")]);
    const policy = JSON.parse((await suite.client.send(new GetPolicyCommand({ FunctionName: "worker" }))).Policy ?? "{}") as { Statement: { Principal: unknown; Condition: unknown }[] };
    assert.deepEqual(policy.Statement.map((st) => [st.Principal, st.Condition]), [[{ Service: "events.amazonaws.com" }, { ArnLike: { "AWS:SourceArn": "arn:aws:events:us-east-1:000000000000:rule/worker-schedule" } }]]);

    await page.locator("#mapping-source").fill(queueArn);
    await page.locator("#mapping-batch").fill("5");
    await page.locator("#add-mapping").click();
    const row = page.locator(`#event-source-mappings tr[data-source="${queueArn}"]`);
    await row.waitFor(WAIT);
    assert.match(await row.locator("td.lag").innerText(), /^\d+ waiting, \d+ in flight$/, "an SQS mapping's lag is its queue's backlog");
    const [mapping] = (await suite.client.send(new ListEventSourceMappingsCommand({ FunctionName: "worker" }))).EventSourceMappings ?? [];
    assert.equal(mapping?.BatchSize, 5);

    await waitFor("the mapping enabled", async () => ((await suite.client.send(new GetEventSourceMappingCommand({ UUID: mapping?.UUID }))).State === "Enabled" ? true : undefined), 20_000);
    await page.goto(`${suite.unkai.url}/console/#/functions/worker/triggers`);
    await row.getByRole("button", { name: "Disable" }).click();
    await waitFor("the mapping disabled", async () => ((await suite.client.send(new GetEventSourceMappingCommand({ UUID: mapping?.UUID }))).State === "Disabled" ? true : undefined), 20_000);

    await page.goto(`${suite.unkai.url}/console/#/functions/worker/triggers`);
    await row.getByRole("button", { name: "Delete" }).click();
    await waitFor("the mapping deleted", async () => (((await suite.client.send(new ListEventSourceMappingsCommand({ FunctionName: "worker" }))).EventSourceMappings ?? []).length === 0 ? true : undefined), 20_000);
  });

  it("an email subscription's mail: read through /_unkai/mail, confirmed by its link, shown as text in the Topics page", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "mail-alerts" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "Ops@Example.com" }));
    const inbox = async () => (await (await signedFetch(`${suite.unkai.url}/_unkai/mail/ops%40example.com`, { service: "unkai" })).json()) as { messages: { subject: string; body: string }[] };
    const [confirmation] = (await waitFor("the confirmation mail", async () => ((await inbox()).messages.length > 0 ? (await inbox()).messages : undefined), 20_000));
    assert.equal(confirmation?.subject, "AWS Notification - Subscription Confirmation");
    const link = /Confirm subscription: (\S+)/.exec(confirmation?.body ?? "")?.[1] ?? "";
    assert.equal((await fetch(link)).status, 200);
    await waitFor("the subscription confirmed", async () =>
      ((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.[0]?.SubscriptionArn?.startsWith("arn:") ? true : undefined), 20_000);
    await sns.send(new PublishCommand({ TopicArn, Subject: "<b>disk</b> full", Message: HOSTILE }));
    await waitFor("the notification mail", async () => ((await inbox()).messages.length === 2 ? true : undefined), 20_000);

    const bad = await signedFetch(`${suite.unkai.url}/_unkai/mail/..%2F..%2Fetc`, { service: "unkai" });
    assert.equal(bad.status, 400, "a path is not a mailbox address");
    await page.goto(`${suite.unkai.url}/console/#/topics`);
    await page.locator('#mailboxes li[data-address="ops@example.com"]', { hasText: "(2)" }).getByRole("button").click();
    const newest = page.locator("#mail-messages .mail").first();
    await newest.waitFor(WAIT);
    assert.match(await newest.innerText(), /<b>disk<\/b> full/);
    assert.ok((await newest.locator("pre").innerText()).startsWith(`${HOSTILE}\n`), "the message as text, then SNS's unsubscribe footer");
    assert.equal(await pwned(), undefined, "hostile mail runs nothing in the console");
  });
});
