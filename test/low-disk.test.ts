/**
 * The free-space watch: with the data directory "low" (the threshold set above the real free space),
 * writes that grow storage are refused with each service's error, reads and deletes go on, and
 * invocations still run with their output dropped behind one platform line.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { GetFunctionCommand, InvokeCommand, UpdateFunctionCodeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, fixtureZip, invoke, lambda } from "./helpers/clients.js";
import { s3 } from "./helpers/s3.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const logsClient = (url: string) =>
  new CloudWatchLogsClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });

describe("low free space on the data directory", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-lowdisk-"));
  let unkai: TestUnkai;
  let fn: LambdaClient;
  let bucket: S3Client;
  let logs: CloudWatchLogsClient;

  before(async () => {
    // First with room: a function, an object and a log group to read back later.
    const roomy = await startUnkai({}, dataDir);
    const client = lambda(roomy.url);
    await createFromFixture(client, "healthy", "node-cjs");
    assert.equal((await invoke(client, "healthy", { first: true })).functionError, undefined);
    const s3Client = s3(roomy.url);
    await s3Client.send(new CreateBucketCommand({ Bucket: "kept" }));
    await s3Client.send(new PutObjectCommand({ Bucket: "kept", Key: "a.txt", Body: "written with room" }));
    const logsRoomy = logsClient(roomy.url);
    await logsRoomy.send(new CreateLogGroupCommand({ logGroupName: "/app" }));
    await logsRoomy.send(new CreateLogStreamCommand({ logGroupName: "/app", logStreamName: "s" }));
    await logsRoomy.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "before" }] }));
    const kinesisRoomy = new KinesisClient({ endpoint: roomy.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await kinesisRoomy.send(new CreateStreamCommand({ StreamName: "kept", ShardCount: 1 }));
    await kinesisRoomy.send(new PutRecordCommand({ StreamName: "kept", PartitionKey: "k", Data: Buffer.from("before") }));
    const ddbRoomy = new DynamoDBClient({ endpoint: roomy.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await ddbRoomy.send(new CreateTableCommand({ TableName: "kept", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] }));
    await ddbRoomy.send(new PutItemCommand({ TableName: "kept", Item: { pk: { S: "a" } } }));
    const sqsRoomy = new SQSClient({ endpoint: roomy.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const { QueueUrl } = await sqsRoomy.send(new CreateQueueCommand({ QueueName: "kept" }));
    await sqsRoomy.send(new SendMessageCommand({ QueueUrl, MessageBody: "before" }));
    for (const c of [client, s3Client, logsRoomy, kinesisRoomy, ddbRoomy, sqsRoomy]) c.destroy();
    assert.equal(await roomy.stop(), 0);
    // Then on the same data directory, asking for more free space than any disk here has.
    unkai = await startUnkai({ UNKAI_MIN_FREE_DISK_BYTES: String(2 ** 52) }, dataDir);
    fn = lambda(unkai.url);
    bucket = s3(unkai.url);
    logs = logsClient(unkai.url);
  });

  after(async () => {
    for (const c of [fn, bucket, logs]) c?.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lowSpace = /Unkai's data directory .* has \d+ bytes free, below the minimum of 4503599627370496 bytes \(--min-free-disk-bytes\)/;

  it("Lambda refuses new code with CodeStorageExceededException (SDK and AWS CLI)", async () => {
    await assert.rejects(createFromFixture(fn, "another", "node-cjs"), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, "CodeStorageExceededException");
      assert.match(error.message, lowSpace);
      assert.equal(error.$metadata?.httpStatusCode, 400);
      return true;
    });
    await assert.rejects(fn.send(new UpdateFunctionCodeCommand({ FunctionName: "healthy", ZipFile: await fixtureZip("throws") })), { name: "CodeStorageExceededException" });
    const zipFile = join(dataDir, "..", `${randomUUID()}.zip`);
    writeFileSync(zipFile, await fixtureZip("node-cjs"));
    const cli = await aws(unkai.url, ["lambda", "publish-layer-version", "--layer-name", "l", "--zip-file", `fileb://${zipFile}`]);
    rmSync(zipFile);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /CodeStorageExceededException/);
  });

  it("Lambda refuses asynchronous Invoke (events are stored until they run) with 503 ServiceUnavailableException", async () => {
    await assert.rejects(fn.send(new InvokeCommand({ FunctionName: "healthy", InvocationType: "Event", Payload: Buffer.from("{}") })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, "ServiceUnavailableException");
        assert.match(error.message, lowSpace);
        assert.equal(error.$metadata?.httpStatusCode, 503);
        return true;
      });
  });

  it("S3 refuses uploads and new buckets with 503 ServiceUnavailable, and still serves and deletes objects", async () => {
    await assert.rejects(bucket.send(new PutObjectCommand({ Bucket: "kept", Key: "b.txt", Body: "no room" })), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, "ServiceUnavailable");
      assert.match(error.message, lowSpace);
      assert.equal(error.$metadata?.httpStatusCode, 503);
      return true;
    });
    await assert.rejects(bucket.send(new CreateBucketCommand({ Bucket: "new-one" })), { name: "ServiceUnavailable" });
    const got = await bucket.send(new GetObjectCommand({ Bucket: "kept", Key: "a.txt" }));
    assert.equal(await got.Body?.transformToString(), "written with room");
    await bucket.send(new DeleteObjectCommand({ Bucket: "kept", Key: "a.txt" }));
    await assert.rejects(bucket.send(new GetObjectCommand({ Bucket: "kept", Key: "a.txt" })), { name: "NoSuchKey" });
  });

  it("CloudWatch Logs refuses PutLogEvents and new groups with ServiceUnavailableException, and still serves reads", async () => {
    await assert.rejects(logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "after" }] })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, "ServiceUnavailableException");
        assert.match(error.message, lowSpace);
        assert.equal(error.$metadata?.httpStatusCode, 503);
        return true;
      });
    await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: "/other" })), { name: "ServiceUnavailableException" });
    const read = await logs.send(new FilterLogEventsCommand({ logGroupName: "/app" }));
    assert.deepEqual(read.events?.map((e) => e.message), ["before"]);
  });

  it("DynamoDB refuses writes that grow storage with ProvisionedThroughputExceededException, and still serves reads and deletes", async () => {
    const ddb = new DynamoDBClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await assert.rejects(ddb.send(new PutItemCommand({ TableName: "kept", Item: { pk: { S: "b" } } })), (error: Error) => {
      assert.equal(error.name, "ProvisionedThroughputExceededException");
      assert.match(error.message, lowSpace);
      return true;
    });
    await assert.rejects(ddb.send(new CreateTableCommand({ TableName: "new", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] })), { name: "ProvisionedThroughputExceededException" });
    assert.equal((await ddb.send(new GetItemCommand({ TableName: "kept", Key: { pk: { S: "a" } } }))).Item?.pk?.S, "a");
    await ddb.send(new DeleteItemCommand({ TableName: "kept", Key: { pk: { S: "a" } } }));
    ddb.destroy();
  });

  it("SQS refuses sends with RequestThrottled (SDK and the CLI's Query protocol), and still receives", async () => {
    const sqs = new SQSClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "kept" }));
    await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "after" })), (error: Error) => {
      assert.equal(error.name, "RequestThrottled");
      assert.match(error.message, lowSpace);
      return true;
    });
    const cli = await aws(unkai.url, ["sqs", "send-message", "--queue-url", QueueUrl ?? "", "--message-body", "after"]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /RequestThrottled/);
    assert.deepEqual((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.map((m) => m.Body), ["before"]);
    sqs.destroy();
  });

  it("Kinesis refuses writes with its throttling error (ProvisionedThroughputExceededException), and still serves reads", async () => {
    const kinesis = new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await assert.rejects(kinesis.send(new PutRecordCommand({ StreamName: "kept", PartitionKey: "k", Data: Buffer.from("after") })), (error: Error) => {
      assert.equal(error.name, "ProvisionedThroughputExceededException");
      assert.match(error.message, lowSpace);
      return true;
    });
    const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "kept", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    assert.deepEqual((await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records?.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString()), ["before"]);
    kinesis.destroy();
  });

  it("invocations still run: the function's output is replaced by one platform warning; reads of functions go on", async () => {
    const result = await invoke(fn, "healthy", { second: true });
    assert.equal(result.functionError, undefined);
    assert.deepEqual((result.json as { event: unknown }).event, { second: true });
    assert.match(result.log, /\[unkai\] 1 log lines \(\d+ bytes\) of this invocation were dropped: Unkai's data directory/);
    assert.doesNotMatch(result.log, /echo \{"second":true\}/, "the function's own line was not stored");
    const lines = result.log.trimEnd().split("\n");
    assert.equal(lines.length, 4, result.log);
    assert.match(lines[0] ?? "", /^START RequestId: /);
    assert.match(lines[1] ?? "", /^\[unkai\] /);
    assert.match(lines[2] ?? "", /^END RequestId: /);
    assert.match(lines[3] ?? "", /^REPORT RequestId: /);
    const stored = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/healthy" }));
    assert.ok(stored.events?.some((e) => e.message?.includes('echo {"first":true}')), "lines from before are still readable");
    assert.ok(!stored.events?.some((e) => e.message?.includes('echo {"second":true}')));
    assert.equal((await fn.send(new GetFunctionCommand({ FunctionName: "healthy" }))).Configuration?.FunctionName, "healthy");
  });
});
