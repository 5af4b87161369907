/**
 * The console's Queues, Tables and Streams pages in a real browser against a real Unkai: a queue is created,
 * sent to, peeked, purged and redriven from its dead-letter queue; a table is created, items saved as JSON,
 * queried, edited and deleted; a stream is created, a record put and read back from its shard. What the page did is checked through the APIs with the SDK, and hostile message bodies
 * and item values are shown as text, never run as markup.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./helpers/browser.js";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const WAIT = { timeout: 20_000 };
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>`;

describe("console Queues, Tables and Streams pages in a browser", () => {
  const suite = unkaiSuite();
  let browser: TestBrowser | undefined;
  let page: Page;
  let sqs: SQSClient;
  let documents: DynamoDBDocumentClient;
  const options = () => ({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const available = async (QueueUrl: string) =>
    Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes?.ApproximateNumberOfMessages);
  const until = (what: string, done: () => Promise<boolean>, timeoutMs: number) => waitFor(what, async () => ((await done()) ? true : undefined), timeoutMs);
  const pwned = () => page.evaluate("window.__pwned");

  before(async () => {
    sqs = new SQSClient(options());
    documents = DynamoDBDocumentClient.from(new DynamoDBClient(options()));
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
  });
  after(async () => {
    sqs?.destroy();
    documents?.destroy();
    await browser?.close();
  });

  it("creates a queue, sends a message, peeks at it without hiding it, and purges the queue", async () => {
    await page.goto(`${suite.unkai.url}/console/#/queues`);
    await page.getByText("No queues yet").waitFor(WAIT);
    await page.locator("input[name=queue-name]").fill("orders");
    await page.getByRole("button", { name: "Create queue" }).click();
    await page.locator('tr[data-queue="orders"]').waitFor(WAIT);
    const { QueueUrl = "" } = await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }));

    await page.locator('tr[data-queue="orders"] a').click();
    await page.locator("textarea[name=message-body]").fill(HOSTILE);
    await page.getByRole("button", { name: "Send" }).click();
    await until("the console's message in the queue", async () => (await available(QueueUrl)) === 1, 20_000);

    await page.getByRole("button", { name: "Peek" }).click();
    const body = page.locator("#messages-table pre.message-body").first();
    await body.waitFor(WAIT);
    assert.equal(await body.innerText(), HOSTILE, "the body is shown as text");
    assert.equal(await pwned(), undefined, "a hostile body runs nothing in the console");
    assert.equal(await available(QueueUrl), 1, "a peek leaves the message available");

    await page.getByRole("button", { name: "Purge" }).click();
    await until("the purge", async () => (await available(QueueUrl)) === 0, 20_000);
  });

  it("redrives a dead-letter queue's messages back to their source queue", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "orders-dlq" }));
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    const source = await sqs.send(new CreateQueueCommand({
      QueueName: "payments", Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }), VisibilityTimeout: "0" },
    }));
    await sqs.send(new SendMessageCommand({ QueueUrl: source.QueueUrl, MessageBody: "failed twice" }));
    // Received once (count 1) and again: the second receive moves it to the dead-letter queue.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.QueueUrl }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.QueueUrl }));
    await until("the message in the DLQ", async () => (await available(String(dlq.QueueUrl))) === 1, 20_000);

    await page.goto(`${suite.unkai.url}/console/#/queues/orders-dlq`);
    await page.getByText("Dead-letter queue of payments").waitFor(WAIT);
    await page.getByRole("button", { name: "Redrive to source" }).click();
    await until("the redriven message back in payments", async () => (await available(String(source.QueueUrl))) === 1, 30_000);
    assert.equal(await available(String(dlq.QueueUrl)), 0);
  });

  it("shows an API error instead of failing silently", async () => {
    await page.goto(`${suite.unkai.url}/console/#/queues`);
    await page.locator("input[name=queue-name]").fill("bad.name.fifo");
    await page.getByRole("button", { name: "Create queue" }).click();
    const error = page.locator(".error-box:not([hidden])");
    await error.waitFor(WAIT);
    assert.match(await error.innerText(), /InvalidParameterValue|QueueName|name/i);
  });

  it("creates a table, saves an item as JSON, queries it, edits it and deletes it", async () => {
    await page.goto(`${suite.unkai.url}/console/#/tables`);
    await page.getByText("No tables yet").waitFor(WAIT);
    await page.locator("input[name=table-name]").fill("notes");
    await page.locator("input[name=partition-name]").fill("id");
    await page.getByRole("button", { name: "Create table" }).click();
    await page.locator('tr[data-table="notes"] a').click();
    await page.getByText("No items.").waitFor(WAIT);

    await page.locator("textarea[name=item-json]").fill(JSON.stringify({ id: "n1", text: HOSTILE, stars: 3, tags: ["a"] }));
    await page.getByRole("button", { name: "Save item" }).click();
    await page.locator('#items-table tr[data-key=\'{"id":"n1"}\']').waitFor(WAIT);
    assert.deepEqual((await documents.send(new GetCommand({ TableName: "notes", Key: { id: "n1" } }))).Item, { id: "n1", text: HOSTILE, stars: 3, tags: ["a"] });
    assert.equal(await pwned(), undefined, "a hostile item value runs nothing in the console");

    await documents.send(new PutCommand({ TableName: "notes", Item: { id: "n2", text: "other" } }));
    await page.locator("input[name=query-value]").fill("n2");
    await page.getByRole("button", { name: "Query" }).click();
    await page.locator('#items-table tr[data-key=\'{"id":"n2"}\']').waitFor(WAIT);
    assert.equal(await page.locator("#items-table tbody tr").count(), 1, "the query shows only the queried key");

    await page.locator('#items-table tr[data-key=\'{"id":"n2"}\']').getByRole("button", { name: "Edit" }).click();
    await page.locator("textarea[name=item-json]").fill(JSON.stringify({ id: "n2", text: "edited" }));
    await page.getByRole("button", { name: "Save item" }).click();
    await until("the edit", async () => (await documents.send(new GetCommand({ TableName: "notes", Key: { id: "n2" } }))).Item?.text === "edited", 20_000);

    await page.locator("textarea[name=item-json]").fill("[1, 2]");
    await page.getByRole("button", { name: "Save item" }).click();
    await page.locator(".error-box:not([hidden])", { hasText: "JSON object" }).waitFor(WAIT);

    await page.locator('#items-table tr[data-key=\'{"id":"n2"}\']').getByRole("button", { name: "Delete" }).click();
    await until("the delete", async () => (await documents.send(new GetCommand({ TableName: "notes", Key: { id: "n2" } }))).Item === undefined, 20_000);
  });

  it("creates a stream, puts a record and reads it back from its shard, showing hostile data as text", async () => {
    const kinesis = new KinesisClient(options());
    await page.goto(`${suite.unkai.url}/console/#/streams`);
    await page.getByText("No streams yet").waitFor(WAIT);
    await page.locator("input[name=stream-name]").fill("clicks");
    await page.locator("input[name=shard-count]").fill("2");
    await page.getByRole("button", { name: "Create stream" }).click();
    await page.locator('tr[data-stream="clicks"]').waitFor(WAIT);
    await page.locator('tr[data-stream="clicks"] a').click();
    await page.locator('tr[data-shard="shardId-000000000001"]').waitFor(WAIT);
    await page.locator("input[name=partition-key]").fill("user-1");
    await page.locator("textarea[name=record-data]").fill(HOSTILE);
    await page.getByRole("button", { name: "Put" }).click();
    const shardOf = (await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "user-1", Data: Buffer.from("from the SDK") }))).ShardId ?? "";
    const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "clicks", ShardId: shardOf, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const stored = (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
    assert.deepEqual(stored.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString()), [HOSTILE, "from the SDK"], "the console put the record on the partition key's shard");
    await page.locator(`tr[data-shard="${shardOf}"] button`).click();
    const data = page.locator("#records-table pre.message-body").first();
    await data.waitFor(WAIT);
    assert.equal(await data.innerText(), HOSTILE, "the data is shown as text");
    assert.equal(await pwned(), undefined, "hostile record data runs nothing in the console");
    kinesis.destroy();
  });
});
