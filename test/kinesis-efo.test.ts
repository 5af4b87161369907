/**
 * Kinesis enhanced fan-out against a real Unkai: consumers registered, described, listed and removed,
 * and SubscribeToShard's event stream with SDK v3 (HTTP/2) and boto3 (HTTP/1.1): records pushed as they
 * arrive with a continuation sequence number, one subscription per consumer and shard, a subscription
 * taken up again from its continuation, and a closed shard's stream ending with its children.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import {
  CreateStreamCommand, DeregisterStreamConsumerCommand, DescribeStreamConsumerCommand, KinesisClient, ListStreamConsumersCommand, PutRecordCommand,
  PutRecordsCommand, RegisterStreamConsumerCommand, SplitShardCommand, SubscribeToShardCommand, type SubscribeToShardEvent, type StartingPosition,
} from "@aws-sdk/client-kinesis";
import { cbor } from "@smithy/core/cbor";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

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

  it("answers a CBOR caller (the Java SDKs, the KCL) with every event in CBOR: byte strings, tag 1 epoch milliseconds", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "java-fan", ShardCount: 1 }));
    const consumer = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("java-fan"), ConsumerName: "kcl" }))).Consumer?.ConsumerARN ?? "";
    await kinesis.send(new PutRecordCommand({ StreamName: "java-fan", PartitionKey: "k", Data: new Uint8Array([0, 1, 255]) }));
    const response = await signedFetch(unkai.url, {
      method: "POST", service: "kinesis",
      body: Buffer.from(cbor.serialize({ ConsumerARN: consumer, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" } })),
      headers: { "content-type": "application/x-amz-cbor-1.1", "x-amz-target": "Kinesis_20131202.SubscribeToShard" },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/vnd.amazon.eventstream");
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let buffered = Buffer.alloc(0);
    const messages: { headers: Record<string, { value: unknown }>; body: Uint8Array }[] = [];
    while (messages.length < 2) {
      const chunk = await reader.read();
      assert.ok(!chunk.done, "the stream goes on");
      buffered = Buffer.concat([buffered, chunk.value]);
      while (buffered.length >= 4 && buffered.length >= buffered.readUInt32BE(0)) {
        const length = buffered.readUInt32BE(0);
        messages.push(codec.decode(new Uint8Array(buffered.subarray(0, length))));
        buffered = buffered.subarray(length);
      }
    }
    await reader.cancel();
    const [initial, first] = messages;
    assert.equal(initial?.headers[":event-type"]?.value, "initial-response");
    assert.equal(first?.headers[":event-type"]?.value, "SubscribeToShardEvent");
    for (const message of messages) assert.equal(message.headers[":content-type"]?.value, "application/x-amz-cbor-1.1");
    const event = cbor.deserialize(first?.body ?? new Uint8Array()) as { Records: { Data: Uint8Array; ApproximateArrivalTimestamp: { tag: number; value: number } }[]; ContinuationSequenceNumber: string };
    const [record] = event.Records;
    assert.ok(record?.Data instanceof Uint8Array, "data as a byte string, not base64");
    assert.deepEqual([...record.Data], [0, 1, 255]);
    assert.equal(record.ApproximateArrivalTimestamp.tag, 1);
    assert.ok(Math.abs(record.ApproximateArrivalTimestamp.value - Date.now()) < 60_000, "epoch milliseconds");
    assert.match(event.ContinuationSequenceNumber, /^\d{56}$/);
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

describe("Kinesis subscriptions on a shared host", () => {
  let unkai: TestUnkai;
  let kinesis: KinesisClient;
  let consumer = "";
  before(async () => {
    unkai = await startUnkai({ UNKAI_KINESIS_MAX_SUBSCRIPTIONS: "2" });
    kinesis = new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await kinesis.send(new CreateStreamCommand({ StreamName: "capped", ShardCount: 3 }));
    consumer = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN("capped"), ConsumerName: "c" }))).Consumer?.ConsumerARN ?? "";
  });
  after(async () => {
    kinesis.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
  });

  /**
   * A subscription held by a boto3 process until `leave()` closes its stream (SDK v3 cannot: its event
   * stream keeps the HTTP/2 stream open once the reader stops), read up to its first event.
   */
  async function held(shard: number): Promise<{ leave: () => Promise<void> }> {
    const script = [
      "import boto3, sys",
      "k = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')",
      "stream = k.subscribe_to_shard(ConsumerARN=sys.argv[2], ShardId=sys.argv[3], StartingPosition={'Type': 'LATEST'})['EventStream']",
      "next(iter(stream))",
      "print('ready', flush=True)",
      "sys.stdin.readline()",
      "stream.close()",
    ];
    const child = spawn("/usr/bin/python3", ["-c", script.join("\n"), unkai.url, consumer, `shardId-00000000000${shard}`], {
      env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" }, stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); output += chunk.toString(); });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    // Only the script's own line on stdout counts: botocore's refusal ("This node already serves …") says "ready" too.
    const subscribed = (): true | undefined => stdout.split("\n").includes("ready") || undefined;
    const ready = await Promise.race([waitFor(`boto3's subscription to shard ${shard}`, subscribed).then(() => true), exited.then(() => false)]);
    assert.ok(ready, `boto3 could not subscribe: ${output}`);
    return {
      leave: async () => {
        child.stdin.end("\n");
        assert.equal(await exited, 0, output);
      },
    };
  }

  it("refuses subscriptions past the node's cap with LimitExceededException, and frees a place when a client leaves", async () => {
    const first = await held(1);
    const second = await held(2);
    await assert.rejects(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } })), (error: Error) => {
      assert.equal(error.name, "LimitExceededException");
      assert.match(error.message, /already serves 2 SubscribeToShard subscriptions/);
      return true;
    });
    // A client that left holds its place until its stream's next event (at most the 5 s heartbeat).
    await first.leave();
    await second.leave();
    const third = await waitFor("a place once the clients left", () => held(0).catch(() => undefined));
    await third.leave();
  });

  it("pushes a record as soon as it is written, not at the next idle read a second later", async () => {
    const out = await waitFor("a place for the subscription", () =>
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer, ShardId: "shardId-000000000001", StartingPosition: { Type: "LATEST" } })).catch(() => undefined));
    assert.ok(out.EventStream, "an event stream answers");
    const events: AsyncIterator<{ SubscribeToShardEvent?: SubscribeToShardEvent }> = out.EventStream[Symbol.asyncIterator]();
    const next = async (): Promise<string[]> => {
      for (;;) {
        const event = await events.next();
        assert.ok(event.done !== true, "the stream goes on");
        const records = event.value.SubscribeToShardEvent?.Records ?? [];
        if (records.length > 0) return records.map((r) => text(r.Data));
      }
    };
    assert.ok((await events.next()).done !== true, "the subscription's first event");
    const shardOneKey = "170141183460469231731687303715884105728"; // 2^127, inside shard 1 of 3 (2^128/3 to 2·2^128/3)
    for (let i = 0; i < 5; i += 1) {
      const sentAt = Date.now();
      const [received] = await Promise.all([next(), kinesis.send(new PutRecordCommand({ StreamName: "capped", PartitionKey: "p", Data: Buffer.from(`r${i}`), ExplicitHashKey: shardOneKey }))]);
      const tookMs = Date.now() - sentAt;
      assert.deepEqual(received, [`r${i}`]);
      // An idle subscription reads its shard once a second; a write on this node wakes it at once.
      assert.ok(tookMs < 400, `record ${i} arrived after ${tookMs} ms`);
    }
  });
});
