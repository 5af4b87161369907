/**
 * Kinesis enhanced fan-out against a real Unkai: consumers registered, described, listed and removed,
 * and SubscribeToShard's event stream with SDK v3 (HTTP/2) and boto3 (HTTP/1.1): records pushed as they
 * arrive with a continuation sequence number, one subscription per consumer and shard, a subscription
 * taken up again from its continuation, and a closed shard's stream ending with its children.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateStreamCommand, DeregisterStreamConsumerCommand, DescribeStreamConsumerCommand, KinesisClient, ListStreamConsumersCommand, PutRecordCommand,
  PutRecordsCommand, RegisterStreamConsumerCommand, SplitShardCommand, SubscribeToShardCommand, type SubscribeToShardEvent, type StartingPosition,
} from "@aws-sdk/client-kinesis";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const STREAM_ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? new Uint8Array()).toString("utf8");

describe("Kinesis enhanced fan-out", () => {
  let unkai: TestUnkai;
  let kinesis: KinesisClient;
  before(async () => {
    unkai = await startUnkai();
    kinesis = new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    kinesis.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
  });

  const put = (StreamName: string, values: string[]) => kinesis.send(new PutRecordsCommand({ StreamName, Records: values.map((v) => ({ PartitionKey: "k", Data: Buffer.from(v) })) }));

  /** Subscribes and hands each SubscribeToShardEvent to `take` until it answers true; then leaves the stream. */
  async function subscribe(ConsumerARN: string, ShardId: string, StartingPosition: StartingPosition, take: (event: SubscribeToShardEvent) => boolean | Promise<boolean>): Promise<{ ended: boolean }> {
    const out = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN, ShardId, StartingPosition }));
    for await (const event of out.EventStream ?? []) {
      if (event.SubscribeToShardEvent && (await take(event.SubscribeToShardEvent))) return { ended: false };
    }
    return { ended: true };
  }

  it("registers, describes, lists and deregisters consumers", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "fan", ShardCount: 1 }));
    const registered = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "app" }))).Consumer;
    assert.equal(registered?.ConsumerStatus, "CREATING");
    assert.match(registered?.ConsumerARN ?? "", /^arn:aws:kinesis:us-east-1:000000000000:stream\/fan\/consumer\/app:\d+$/);
    const described = (await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: registered?.ConsumerARN }))).ConsumerDescription;
    assert.equal(described?.ConsumerStatus, "ACTIVE");
    assert.equal(described?.StreamARN, STREAM_ARN("fan"));
    assert.equal((await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "app" }))).ConsumerDescription?.ConsumerARN, registered?.ConsumerARN);
    await assert.rejects(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "app" })), { name: "ResourceInUseException" });
    await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "other" }));
    assert.deepEqual((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: STREAM_ARN("fan") }))).Consumers?.map((c) => c.ConsumerName), ["app", "other"]);
    await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "other" }));
    await assert.rejects(kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "other" })), { name: "ResourceNotFoundException" });
    await assert.rejects(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: "not-an-arn" })), { name: "ValidationException" });
  });

  it("pushes records as they arrive with their continuation; another call within 5 s is refused, a later one goes on from the continuation", async () => {
    const consumer = (await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "app" }))).ConsumerDescription?.ConsumerARN ?? "";
    await put("fan", ["a", "b"]);
    const seen: string[] = [];
    let continuation = "";
    let writtenLater = false;
    let refused: unknown;
    await subscribe(consumer, "shardId-000000000000", { Type: "TRIM_HORIZON" }, async (event) => {
      seen.push(...(event.Records ?? []).map((r) => text(r.Data)));
      continuation = event.ContinuationSequenceNumber ?? "";
      if (!writtenLater) {
        writtenLater = true;
        refused = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } })).catch((e: unknown) => e);
        await kinesis.send(new PutRecordCommand({ StreamName: "fan", PartitionKey: "k", Data: Buffer.from("c") }));
      }
      return seen.includes("c");
    });
    assert.deepEqual(seen, ["a", "b", "c"]);
    assert.equal((refused as Error).name, "ResourceInUseException", "a second call for the consumer and shard within 5 s is refused, as on AWS");
    await put("fan", ["d"]);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const next: string[] = [];
    await subscribe(consumer, "shardId-000000000000", { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: continuation }, (event) => {
      next.push(...(event.Records ?? []).map((r) => text(r.Data)));
      return next.length > 0;
    });
    assert.deepEqual(next, ["d"], "subscribed again after the continuation: nothing twice, nothing skipped");
  });

  it("a call 5 s or more after the last takes the subscription over: the earlier stream ends with ResourceInUseException", async () => {
    const consumer = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "takeover" }))).Consumer?.ConsumerARN ?? "";
    const first = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }));
    const ending = (async () => {
      try {
        for await (const event of first.EventStream ?? []) void event;
        return "ended without an error";
      } catch (error) {
        return (error as Error).name;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const second = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }));
    assert.equal(await ending, "ResourceInUseException");
    for await (const event of second.EventStream ?? []) {
      assert.ok(event.SubscribeToShardEvent, "the new subscription serves");
      break;
    }
  });

  it("ends a closed shard's subscription with its children once it is read to its end", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "fan-split", ShardCount: 1 }));
    const consumer = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("fan-split"), ConsumerName: "app" }))).Consumer?.ConsumerARN ?? "";
    await put("fan-split", ["x", "y"]);
    await kinesis.send(new SplitShardCommand({ StreamName: "fan-split", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }));
    const events: SubscribeToShardEvent[] = [];
    const { ended } = await subscribe(consumer, "shardId-000000000000", { Type: "TRIM_HORIZON" }, (event) => (events.push(event), false));
    assert.equal(ended, true, "the stream ends by itself");
    assert.deepEqual(events.flatMap((e) => e.Records ?? []).map((r) => text(r.Data)), ["x", "y"]);
    assert.deepEqual(events.at(-1)?.ChildShards?.map((c) => c.ShardId), ["shardId-000000000001", "shardId-000000000002"]);
  });

  it("serves boto3's subscribe_to_shard over HTTP/1.1", async () => {
    const consumer = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("fan"), ConsumerName: "py" }))).Consumer?.ConsumerARN ?? "";
    const out = await runBoto3([
      "import boto3, json, sys",
      "k = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')",
      "r = k.subscribe_to_shard(ConsumerARN=sys.argv[2], ShardId='shardId-000000000000', StartingPosition={'Type': 'TRIM_HORIZON'})",
      "for event in r['EventStream']:",
      "    data = [x['Data'].decode() for x in event['SubscribeToShardEvent']['Records']]",
      "    break",
      "r['EventStream'].close()",
      "print(json.dumps(data))",
    ], [unkai.url, consumer]);
    assert.deepEqual(out, ["a", "b", "c", "d"]);
  });
});
