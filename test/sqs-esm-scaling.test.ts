/**
 * How many batches an SQS event source mapping keeps in flight: never more than its
 * ScalingConfig.MaximumConcurrency, nor than the function's reserved concurrency, and more than one
 * when there is a backlog (Lambda polls with several concurrent batches). Counted from the function's
 * own start and end reports, so the figure is what ran, not what the poller believes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateEventSourceMappingCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Collector, waitFor } from "./helpers/wait.js";

const arn = (queue: string) => `arn:aws:sqs:us-east-1:000000000000:${queue}`;
const MESSAGES = 8;
const SLEEP_MS = 1_500;

/** A suite's Unkai (with `env`), a collector for the consumers' start and end reports, and an SQS client. */
function mappingSuite(env: Record<string, string> = {}) {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ ...env, ...(await collector.env()) }));
  let client: SQSClient | undefined;
  before(async () => {
    await collector.start();
    client = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(() => {
    client?.destroy();
    return collector.close();
  });
  return { collector, suite, sqs: () => client as SQSClient };
}

describe("SQS event source mapping concurrency", () => {
  const { collector, suite, sqs } = mappingSuite();

  /** The most batches that were running at one moment, from the function's start and end reports. */
  const mostInFlight = (channel: string) => {
    const edges = collector.recorded(channel).map((r) => ({ at: Number(r.at), step: r.phase === "start" ? 1 : -1 }));
    // At equal times an end comes first: a batch that ended as another began did not overlap it.
    edges.sort((a, b) => a.at - b.at || a.step - b.step);
    let now = 0;
    let most = 0;
    for (const edge of edges) most = Math.max(most, (now += edge.step));
    return most;
  };

  /** A consumer with a mapping of batch size 1 on a fresh queue holding a backlog of slow messages. */
  async function backlog(name: string, mapping: { MaximumConcurrency?: number }, reserved?: number) {
    await createFromFixture(suite.client, name, "sqs-consumer", { Timeout: 10, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
    if (reserved !== undefined) await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: reserved }));
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: `${name}-q`, Attributes: { VisibilityTimeout: "60" } }));
    await sqs().send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: MESSAGES }, (_, i) => ({ Id: `m${i}`, MessageBody: `sleep:${SLEEP_MS}` })) }));
    await suite.client.send(new CreateEventSourceMappingCommand({
      FunctionName: name, EventSourceArn: arn(`${name}-q`), BatchSize: 1,
      ...(mapping.MaximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: mapping.MaximumConcurrency } } : {}),
    }));
    await waitFor(`${name}'s ${MESSAGES} batches to end`, () => collector.recorded(name).filter((r) => r.phase === "end").length >= MESSAGES ? true : undefined, 90_000);
  }

  it("keeps at most MaximumConcurrency batches in flight, and uses that many on a backlog", async () => {
    await backlog("esm-capped", { MaximumConcurrency: 2 });
    assert.equal(mostInFlight("esm-capped"), 2);
  });

  it("runs several batches at once on a backlog, never more than the function's reserved concurrency", async () => {
    await backlog("esm-reserved", {}, 3);
    const most = mostInFlight("esm-reserved");
    assert.ok(most >= 2 && most <= 3, `batches in flight: ${most}, expected 2 or 3`);
  });

  it("keeps each FIFO message group in order while several batches run at once", async () => {
    const name = "esm-fifo";
    await createFromFixture(suite.client, name, "sqs-consumer", { Timeout: 10, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "60" } }));
    for (const group of ["a", "b", "c"]) {
      await sqs().send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: `m${i}`, MessageBody: `${group}${i}`, MessageGroupId: group })) }));
    }
    await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: arn(`${name}.fifo`), BatchSize: 1 }));
    const bodies = await waitFor("all 18 FIFO messages", () => {
      const seen = collector.recorded(name).filter((r) => r.phase === "start").map((r) => (r.event as { Records: { body: string }[] }).Records[0]?.body ?? "");
      return seen.length >= 18 ? seen : undefined;
    }, 60_000);
    for (const group of ["a", "b", "c"]) {
      assert.deepEqual(bodies.filter((b) => b.startsWith(group)), Array.from({ length: 6 }, (_, i) => `${group}${i}`), `group ${group} in order`);
    }
  });
});

describe("SQS event source mappings on a node with a bound on poll loops (--sqs-pollers 3)", () => {
  const { collector, suite, sqs } = mappingSuite({ UNKAI_SQS_POLLERS: "3" });

  it("two mappings asking for MaximumConcurrency 1,000 share the node's 3 loops, and each gets some", async () => {
    const names = ["bound-a", "bound-b"];
    for (const name of names) {
      await createFromFixture(suite.client, name, "sqs-consumer", { Timeout: 10, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
      const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: `${name}-q`, Attributes: { VisibilityTimeout: "60" } }));
      await sqs().send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: MESSAGES }, (_, i) => ({ Id: `m${i}`, MessageBody: `sleep:${SLEEP_MS}` })) }));
    }
    for (const name of names) {
      await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: arn(`${name}-q`), BatchSize: 1, ScalingConfig: { MaximumConcurrency: 1000 } }));
    }
    const ended = () => names.flatMap((name) => collector.recorded(name)).filter((r) => r.phase === "end").length;
    await waitFor(`all ${2 * MESSAGES} batches to end`, () => (ended() >= 2 * MESSAGES ? true : undefined), 120_000);
    const edges = names.flatMap((name) => collector.recorded(name).map((r) => ({ name, at: Number(r.at), step: r.phase === "start" ? 1 : -1 })));
    edges.sort((a, b) => a.at - b.at || a.step - b.step);
    const now: Record<string, number> = { all: 0 };
    const most: Record<string, number> = {};
    for (const edge of edges) {
      for (const key of ["all", edge.name]) {
        now[key] = (now[key] ?? 0) + edge.step;
        most[key] = Math.max(most[key] ?? 0, now[key] ?? 0);
      }
    }
    assert.ok((most.all ?? 0) <= 3, `batches in flight on the node: ${most.all}, at most 3`);
    assert.ok((most.all ?? 0) >= 2, `batches in flight on the node: ${most.all}, the backlog should use more than one loop`);
    for (const name of names) assert.ok((most[name] ?? 0) >= 1, `${name} got a loop`);
  });
});
