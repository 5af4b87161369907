/**
 * ParallelizationFactor and tumbling windows on DynamoDB stream event source mappings against a real
 * Unkai. Lanes: one key's records arrive in order while other keys' batches run concurrently, each
 * record once. Windows: every invocation
 * of a window gets the state the previous one returned, each window ends with one final invoke
 * (no records, `isFinalInvokeForWindow`), the next window starts from an empty state, and every
 * record is counted once, in order. A restart replays the open window from its first record with a
 * fresh state, so no window mixes in a state from before it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

interface WindowState { count: number; keys: string[] }
interface WindowEvent {
  Records: { dynamodb: { Keys: { pk: { S: string } } } }[];
  window: { start: string; end: string };
  state: WindowState | Record<string, never>;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

describe("DynamoDB stream ParallelizationFactor and tumbling windows", () => {
  const collector = new Collector();
  let unkai: TestUnkai;
  let fn: LambdaClient;
  let ddb: DynamoDBClient;
  const clients = () => {
    fn = lambda(unkai.url);
    ddb = new DynamoDBClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  };
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-ddb-window-"));
  before(async () => {
    await collector.start();
    unkai = await startUnkai(await collector.env(), dataDir);
    clients();
  });
  after(async () => {
    if (unkai) assert.equal(await unkai.stop(), 0);
    await collector.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const events = (channel: string) => collector.recorded(channel).filter((r) => r.phase === "start").map((r) => r.event as WindowEvent);
  const finals = (channel: string) => events(channel).filter((e) => e.isFinalInvokeForWindow);
  const finalCount = (channel: string) => finals(channel).reduce((sum, e) => sum + ((e.state as WindowState).count ?? 0), 0);
  const counter = (name: string) => createFromFixture(fn, name, "ddb-window-counter", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
  const put = (table: string, pk: string) => ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));

  async function windowedMapping(name: string, windowSeconds = 2): Promise<{ arn: string; uuid: string }> {
    const table = await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    }));
    const arn = table.TableDescription?.LatestStreamArn as string;
    await counter(name);
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 2, TumblingWindowInSeconds: windowSeconds }));
    assert.equal(mapping.TumblingWindowInSeconds, windowSeconds);
    return { arn, uuid: mapping.UUID as string };
  }

  /** Every window's invocations chain their state, end with one final invoke, and count each record once, in write order. */
  function checkWindows(channel: string, arn: string, expectedKeys: string[]): Map<string, WindowEvent[]> {
    const byWindow = new Map<string, WindowEvent[]>();
    for (const event of events(channel)) byWindow.set(event.window.start, [...(byWindow.get(event.window.start) ?? []), event]);
    const counted: string[] = [];
    for (const [start, invokes] of byWindow) {
      assert.equal(Date.parse(invokes[0]!.window.end) - Date.parse(start), 2_000, "a 2-second window");
      assert.equal(Date.parse(start) % 2_000, 0, "windows are aligned");
      assert.deepEqual(invokes[0]!.state, {}, "a window starts from an empty state");
      const seen: string[] = [];
      invokes.forEach((event, i) => {
        assert.equal(event.eventSourceARN, arn);
        assert.match(event.shardId, /^shardId-/);
        assert.equal(event.isWindowTerminatedEarly, false);
        if (i > 0) assert.deepEqual(event.state, { count: seen.length, keys: seen }, "the state the previous invoke returned");
        assert.equal(event.isFinalInvokeForWindow, i === invokes.length - 1, "one final invoke, the window's last");
        seen.push(...event.Records.map((r) => r.dynamodb.Keys.pk.S));
      });
      assert.deepEqual(invokes.at(-1)!.Records, [], "the final invoke carries no records");
      counted.push(...seen);
    }
    assert.deepEqual(counted, expectedKeys, "each record in exactly one window, once, in order");
    return byWindow;
  }

  it("ParallelizationFactor 4: one key's records in order, other keys' batches concurrently, each record once", async () => {
    const table = await ddb.send(new CreateTableCommand({
      TableName: "par-lanes", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    await createFromFixture(fn, "par-lanes", "ddb-lane-consumer", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url("par-lanes"), WORK_MS: "300" } } });
    const keys = Array.from({ length: 8 }, (_, i) => `key${i}`);
    const written: string[] = [];
    for (let version = 0; version < 3; version += 1) {
      for (const key of keys) {
        await ddb.send(new PutItemCommand({ TableName: "par-lanes", Item: { pk: { S: key }, version: { N: String(version) } } }));
        written.push(`${key}@${version}`);
      }
    }
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "par-lanes", EventSourceArn: table.TableDescription?.LatestStreamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 2, ParallelizationFactor: 4 }));
    assert.equal(mapping.ParallelizationFactor, 4);
    const entries = () => collector.recorded("par-lanes") as { phase: string; requestId: string; at: number; records?: { pk: string; version: number }[] }[];
    const delivered = () => entries().filter((e) => e.phase === "start").flatMap((e) => e.records ?? []);
    await waitFor("all 24 records", () => (delivered().length >= 24 && entries().filter((e) => e.phase === "end").length === entries().filter((e) => e.phase === "start").length ? true : undefined), 30_000);
    assert.deepEqual(delivered().map((r) => `${r.pk}@${r.version}`).sort(), [...written].sort(), "each record once");
    for (const key of keys) assert.deepEqual(delivered().filter((r) => r.pk === key).map((r) => r.version), [0, 1, 2], `${key}'s records in order`);
    const spans = entries().filter((e) => e.phase === "start").map((start) => ({ from: start.at, to: (entries().find((e) => e.phase === "end" && e.requestId === start.requestId) as { at: number }).at }));
    const overlapping = spans.some((a, i) => spans.some((b, j) => i !== j && b.from < a.to && a.from < b.to));
    assert.ok(overlapping, "batches of the same shard ran concurrently");
    assert.ok(spans.length >= 12, "batches of at most BatchSize");
    await assert.rejects(fn.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, ParallelizationFactor: 11 })), (e: Error) => e.name === "InvalidParameterValueException");
    await fn.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
  });

  it("chains the state within a window, closes it with a final invoke, and starts the next one empty", async () => {
    const { arn, uuid } = await windowedMapping("win-count");
    for (const key of ["a0", "a1", "a2", "a3", "a4"]) await put("win-count", key);
    await waitFor("the first records' windows closed", () => (finalCount("win-count") === 5 ? true : undefined), 30_000);
    for (const key of ["b0", "b1"]) await put("win-count", key);
    await waitFor("the later records' window closed", () => (finalCount("win-count") === 7 ? true : undefined), 30_000);
    const windows = checkWindows("win-count", arn, ["a0", "a1", "a2", "a3", "a4", "b0", "b1"]);
    assert.ok(windows.size >= 2, "the records written after the first final invoke are in a later window");
    assert.ok(events("win-count").some((e) => !e.isFinalInvokeForWindow && e.Records.length === 2 && (e.state as WindowState).count > 0), "a window of several batches");
    assert.equal((await fn.send(new GetEventSourceMappingCommand({ UUID: uuid }))).LastProcessingResult, "OK");
  });

  it("a restart replays the open window from its first record with a fresh state", async () => {
    const { arn } = await windowedMapping("win-restart", 4);
    // Write just after a window starts, so the stop comes while it is open (its state only in memory).
    await new Promise((resolve) => setTimeout(resolve, 4_000 - (Date.now() % 4_000) + 50));
    for (const key of ["r0", "r1", "r2"]) await put("win-restart", key);
    await waitFor("the records delivered", () => (events("win-restart").flatMap((e) => e.Records).length >= 3 ? true : undefined), 30_000);
    const closedBeforeStop = finals("win-restart").length;
    assert.equal(await unkai.stop(), 0);
    unkai = await startUnkai(await collector.env(), dataDir);
    clients();
    await put("win-restart", "r3");
    await waitFor("every window closed", () => (finalCount("win-restart") === 4 ? true : undefined), 30_000);
    const finalsAfter = finals("win-restart");
    assert.equal(finalsAfter.reduce((sum, e) => sum + (e.state as WindowState).count, 0), 4, "the closed windows count each record once");
    assert.deepEqual(finalsAfter.flatMap((e) => (e.state as WindowState).keys), ["r0", "r1", "r2", "r3"], "in order, no window mixing states");
    assert.ok(finalsAfter.every((e) => e.eventSourceARN === arn));
    if (closedBeforeStop === 0) assert.ok(events("win-restart").flatMap((e) => e.Records).length > 4, "the open window's records were delivered again after the restart");
  });

  it("refuses TumblingWindowInSeconds out of 0–900, ParallelizationFactor out of 1–10, and both on a queue", async () => {
    const table = await ddb.send(new CreateTableCommand({
      TableName: "win-refused", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    }));
    await counter("win-refused");
    const invalid = (e: Error) => e.name === "InvalidParameterValueException";
    const create = (arn: string, seconds: number) => fn.send(new CreateEventSourceMappingCommand({ FunctionName: "win-refused", EventSourceArn: arn, StartingPosition: "LATEST", TumblingWindowInSeconds: seconds }));
    await assert.rejects(create(table.TableDescription?.LatestStreamArn as string, 901), invalid);
    await assert.rejects(create(table.TableDescription?.LatestStreamArn as string, -1), invalid);
    const sqs = new SQSClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: "win-refused" }));
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn as string;
    await assert.rejects(fn.send(new CreateEventSourceMappingCommand({ FunctionName: "win-refused", EventSourceArn: queueArn, TumblingWindowInSeconds: 5 })), (e: Error) => invalid(e) && /only for Kinesis and DynamoDB stream/.test(e.message));
    await assert.rejects(fn.send(new CreateEventSourceMappingCommand({ FunctionName: "win-refused", EventSourceArn: queueArn, ParallelizationFactor: 2 })), (e: Error) => invalid(e) && /only for Kinesis and DynamoDB stream/.test(e.message));
    await assert.rejects(fn.send(new CreateEventSourceMappingCommand({ FunctionName: "win-refused", EventSourceArn: table.TableDescription?.LatestStreamArn, StartingPosition: "LATEST", ParallelizationFactor: 0 })), invalid);
  });
});
