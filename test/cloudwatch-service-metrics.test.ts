/**
 * The metrics CloudWatch keeps for Unkai's own services, read with the SDK and the AWS CLI after real
 * work: AWS/Lambda's asynchronous figures (AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped,
 * DeadLetterErrors, DestinationDeliveryFailures; per alias too), IteratorAge of a DynamoDB stream mapping, AWS/SQS per
 * QueueName, AWS/SNS per TopicName, AWS/DynamoDB per TableName (and Operation) and AWS/Kinesis per
 * StreamName (and ShardId with enhanced monitoring).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CloudWatchClient, GetMetricStatisticsCommand, type Datapoint, type Dimension } from "@aws-sdk/client-cloudwatch";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, EnableEnhancedMonitoringCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { CreateAliasCommand, CreateEventSourceMappingCommand, InvokeCommand, PublishVersionCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, PublishBatchCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { Endpoint } from "./helpers/sns.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import { allowServicesToSend } from "./helpers/service-access.js";

const queueArn = (queue: string) => `arn:aws:sqs:us-east-1:000000000000:${queue}`;

describe("CloudWatch metrics of Unkai's own services", () => {
  // Alarms are evaluated (and queue depths sampled) every second rather than every minute.
  const suite = unkaiSuite({ UNKAI_ASYNC_RETRY_SCALE: "0.01", UNKAI_ALARM_EVALUATION_INTERVAL_MS: "1000" });
  let cw: CloudWatchClient;
  let sqs: SQSClient;
  let sns: SNSClient;
  const start = new Date(Date.now() - 3_600_000);
  before(() => {
    const options = { endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    cw = new CloudWatchClient(options);
    sqs = new SQSClient(options);
    sns = new SNSClient(options);
  });

  /** One data point over the last two hours (a read writes this node's accumulated minutes first). */
  const stat = async (Namespace: string, MetricName: string, Dimensions: Dimension[]): Promise<Datapoint | undefined> => {
    const out = await cw.send(new GetMetricStatisticsCommand({
      Namespace, MetricName, Dimensions, StartTime: start, EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["Sum", "SampleCount", "Maximum", "Minimum"],
    }));
    return out.Datapoints?.[0];
  };
  const fn = (name: string): Dimension[] => [{ Name: "FunctionName", Value: name }];

  it("counts asynchronous events received, their age, the dropped ones and failed dead-letter and destination sends", async () => {
    const gone = await sqs.send(new CreateQueueCommand({ QueueName: "am-gone" }));
    const deadGone = await sqs.send(new CreateQueueCommand({ QueueName: "am-dlq-gone" }));
    await createFromFixture(suite.client, "am-ok", "node-esm", { Handler: "index.handler" });
    await createFromFixture(suite.client, "am-dest", "throws");
    await createFromFixture(suite.client, "am-dlq", "throws", { DeadLetterConfig: { TargetArn: queueArn("am-dlq-gone") } });
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "am-dest", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: queueArn("am-gone") } } }));
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "am-dlq", MaximumRetryAttempts: 0 }));
    // The targets disappear after being configured: the sends fail when the events end.
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.QueueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: deadGone.QueueUrl }));
    for (let i = 0; i < 3; i++) await suite.client.send(new InvokeCommand({ FunctionName: "am-ok", InvocationType: "Event", Payload: Buffer.from(`{"n":${i}}`) }));
    await suite.client.send(new InvokeCommand({ FunctionName: "am-dest", InvocationType: "Event", Payload: Buffer.from("{}") }));
    await suite.client.send(new InvokeCommand({ FunctionName: "am-dlq", InvocationType: "Event", Payload: Buffer.from("{}") }));

    await waitFor("both failing events dropped", async () => ((await stat("AWS/Lambda", "AsyncEventsDropped", []))?.Sum === 2 ? true : undefined), 30_000);
    await waitFor("every successful event started", async () => ((await stat("AWS/Lambda", "AsyncEventAge", fn("am-ok")))?.SampleCount === 3 ? true : undefined), 30_000);
    assert.equal((await stat("AWS/Lambda", "AsyncEventsReceived", fn("am-ok")))?.Sum, 3);
    assert.equal((await stat("AWS/Lambda", "AsyncEventsReceived", []))?.Sum, 5);
    const age = await stat("AWS/Lambda", "AsyncEventAge", fn("am-ok"));
    assert.ok((age?.Minimum ?? -1) >= 0 && (age?.Maximum ?? 0) < 30_000, JSON.stringify(age));
    assert.equal(age?.Unit, "Milliseconds");
    assert.equal((await stat("AWS/Lambda", "AsyncEventsDropped", fn("am-ok")))?.Sum, undefined, "no event of am-ok was dropped");
    assert.equal((await stat("AWS/Lambda", "AsyncEventsDropped", fn("am-dest")))?.Sum, 1);
    assert.equal((await stat("AWS/Lambda", "DestinationDeliveryFailures", fn("am-dest")))?.Sum, 1);
    assert.equal((await stat("AWS/Lambda", "DeadLetterErrors", fn("am-dlq")))?.Sum, 1);
    assert.equal((await stat("AWS/Lambda", "DeadLetterErrors", fn("am-dest")))?.Sum, undefined);

    const cli = await aws(suite.unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda", "--metric-name", "AsyncEventsReceived", "--dimensions", "Name=FunctionName,Value=am-dlq",
      "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(), "--period", "7200", "--statistics", "Sum"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Datapoints: { Sum: number }[] }).Datapoints.map((d) => d.Sum), [1]);
  });

  it("counts asynchronous events sent to an alias per Resource as well, read with the CLI", async () => {
    await createFromFixture(suite.client, "am-alias", "node-esm", { Handler: "index.handler" });
    const { Version } = await suite.client.send(new PublishVersionCommand({ FunctionName: "am-alias" }));
    await suite.client.send(new CreateAliasCommand({ FunctionName: "am-alias", Name: "live", FunctionVersion: Version }));
    for (let i = 0; i < 2; i++) await suite.client.send(new InvokeCommand({ FunctionName: "am-alias:live", InvocationType: "Event", Payload: Buffer.from("{}") }));
    await suite.client.send(new InvokeCommand({ FunctionName: "am-alias", InvocationType: "Event", Payload: Buffer.from("{}") }));
    const live = [...fn("am-alias"), { Name: "Resource", Value: "am-alias:live" }];
    await waitFor("every event started", async () => ((await stat("AWS/Lambda", "AsyncEventAge", fn("am-alias")))?.SampleCount === 3 ? true : undefined), 30_000);
    assert.equal((await stat("AWS/Lambda", "AsyncEventAge", live))?.SampleCount, 2, "the alias's two, not the unqualified one");
    assert.equal((await stat("AWS/Lambda", "AsyncEventsReceived", fn("am-alias")))?.Sum, 3);
    const cli = await aws(suite.unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda", "--metric-name", "AsyncEventsReceived",
      "--dimensions", "Name=FunctionName,Value=am-alias", "Name=Resource,Value=am-alias:live",
      "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(), "--period", "7200", "--statistics", "Sum"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Datapoints: { Sum: number }[] }).Datapoints.map((d) => d.Sum), [2]);
  });

  it("reports IteratorAge of a DynamoDB stream mapping's batches", async () => {
    const ddb = new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const table = await ddb.send(new CreateTableCommand({
      TableName: "am-stream", BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    await createFromFixture(suite.client, "am-stream-reader", "node-esm", { Handler: "index.handler" });
    await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "am-stream-reader", EventSourceArn: table.TableDescription?.LatestStreamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 10 }));
    const before = Date.now();
    for (let i = 0; i < 3; i++) await ddb.send(new PutItemCommand({ TableName: "am-stream", Item: { pk: { S: `k${i}` } } }));
    const age = await waitFor("an IteratorAge point", () => stat("AWS/Lambda", "IteratorAge", fn("am-stream-reader")), 30_000);
    assert.ok((age.SampleCount ?? 0) >= 1);
    assert.ok((age.Minimum ?? -1) >= 0 && (age.Maximum ?? Infinity) <= Date.now() - before, JSON.stringify(age));
    assert.ok(((await stat("AWS/Lambda", "IteratorAge", []))?.SampleCount ?? 0) >= 1, "the total too");
    ddb.destroy();
  });

  it("measures DynamoDB's consumed capacity, latency, returned items and errors per TableName and Operation", async () => {
    const ddb = new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await ddb.send(new CreateTableCommand({
      TableName: "metered", BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
    }));
    const item = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });
    const put = await ddb.send(new PutItemCommand({ TableName: "metered", Item: item("a", "1") }));
    assert.equal(put.ConsumedCapacity, undefined, "not asked for, not answered");
    const asked = await ddb.send(new PutItemCommand({ TableName: "metered", Item: item("a", "2"), ReturnConsumedCapacity: "TOTAL" }));
    assert.deepEqual(asked.ConsumedCapacity, { TableName: "metered", CapacityUnits: 1 });
    await ddb.send(new PutItemCommand({ TableName: "metered", Item: item("b", "1") }));
    await assert.rejects(ddb.send(new PutItemCommand({ TableName: "metered", Item: item("b", "1"), ConditionExpression: "attribute_not_exists(pk)" })), { name: "ConditionalCheckFailedException" });
    await assert.rejects(ddb.send(new GetItemCommand({ TableName: "no-such-table", Key: item("a", "1") })), { name: "ResourceNotFoundException" });
    await ddb.send(new GetItemCommand({ TableName: "metered", Key: item("a", "1"), ConsistentRead: true }));
    await ddb.send(new GetItemCommand({ TableName: "metered", Key: item("a", "1") }));
    const query = await ddb.send(new QueryCommand({ TableName: "metered", KeyConditionExpression: "pk = :a", ExpressionAttributeValues: { ":a": { S: "a" } } }));
    assert.equal(query.Count, 2);
    await ddb.send(new ScanCommand({ TableName: "metered" }));
    const table = [{ Name: "TableName", Value: "metered" }];
    const of = (operation: string) => [...table, { Name: "Operation", Value: operation }];
    assert.equal((await stat("AWS/DynamoDB", "ConsumedWriteCapacityUnits", table))?.Sum, 3, "three 1 KB writes; the failed condition wrote nothing");
    assert.equal((await stat("AWS/DynamoDB", "ConsumedReadCapacityUnits", table))?.Sum, 2.5, "a strong read (1), an eventual one, a Query and a Scan (0.5 each)");
    assert.equal((await stat("AWS/DynamoDB", "ReturnedItemCount", of("Query")))?.Sum, 2);
    assert.equal((await stat("AWS/DynamoDB", "ReturnedItemCount", of("Scan")))?.Sum, 3);
    assert.equal((await stat("AWS/DynamoDB", "ConditionalCheckFailedRequests", table))?.Sum, 1);
    assert.equal((await stat("AWS/DynamoDB", "UserErrors", []))?.Sum, 1, "the missing table; a failed condition is not a user error");
    const latency = await stat("AWS/DynamoDB", "SuccessfulRequestLatency", of("PutItem"));
    assert.equal(latency?.SampleCount, 3, "successful requests only");
    assert.ok((latency?.Minimum ?? -1) >= 0 && (latency?.Maximum ?? Infinity) < 30_000, JSON.stringify(latency));
    const cli = await aws(suite.unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/DynamoDB", "--metric-name", "SuccessfulRequestLatency",
      "--dimensions", "Name=TableName,Value=metered", "Name=Operation,Value=GetItem", "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(),
      "--period", "7200", "--statistics", "SampleCount"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Datapoints: { SampleCount: number }[] }).Datapoints.map((d) => d.SampleCount), [2]);
    ddb.destroy();
  });

  it("counts Kinesis records in and out per StreamName, and per ShardId only for the shard-level metrics enabled", async () => {
    const kinesis = new KinesisClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await kinesis.send(new CreateStreamCommand({ StreamName: "metered-stream", ShardCount: 1 }));
    await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: "metered-stream", ShardLevelMetrics: ["IncomingRecords", "IteratorAgeMilliseconds"] }));
    await kinesis.send(new PutRecordCommand({ StreamName: "metered-stream", PartitionKey: "ab", Data: Buffer.from("12345678") }));
    await kinesis.send(new PutRecordsCommand({ StreamName: "metered-stream", Records: [{ PartitionKey: "c", Data: Buffer.from("1") }, { PartitionKey: "d", Data: Buffer.from("22") }] }));
    const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "metered-stream", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    assert.equal((await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records?.length, 3);
    const stream = [{ Name: "StreamName", Value: "metered-stream" }];
    const shard = [...stream, { Name: "ShardId", Value: "shardId-000000000000" }];
    assert.equal((await stat("AWS/Kinesis", "IncomingRecords", stream))?.Sum, 3);
    assert.equal((await stat("AWS/Kinesis", "IncomingBytes", stream))?.Sum, 10 + 2 + 3, "data and partition keys");
    assert.equal((await stat("AWS/Kinesis", "PutRecord.Success", stream))?.Sum, 1);
    assert.equal((await stat("AWS/Kinesis", "PutRecords.SuccessfulRecords", stream))?.Sum, 2);
    assert.equal((await stat("AWS/Kinesis", "GetRecords.Records", stream))?.Sum, 3);
    assert.ok(((await stat("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", stream))?.Maximum ?? -1) >= 0);
    assert.equal((await stat("AWS/Kinesis", "IncomingRecords", shard))?.Sum, 3, "enabled at shard level");
    assert.equal((await stat("AWS/Kinesis", "OutgoingRecords", shard)), undefined, "not enabled, not reported");
    kinesis.destroy();
  });

  it("counts SQS sends, their sizes, receives, empty receives, deletes, and sampled depths and ages per QueueName", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sm-orders" }));
    const other = await sqs.send(new CreateQueueCommand({ QueueName: "sm-other" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(100) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "y".repeat(10) }, { Id: "b", MessageBody: "z".repeat(1000) }] }));
    await sqs.send(new SendMessageCommand({ QueueUrl: other.QueueUrl, MessageBody: "elsewhere" }));
    const received = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];
    assert.equal(received.length, 3);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received[0]?.ReceiptHandle }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: "1", ReceiptHandle: received[1]?.ReceiptHandle }] }));
    const queue = [{ Name: "QueueName", Value: "sm-orders" }];
    assert.equal((await stat("AWS/SQS", "NumberOfMessagesSent", queue))?.Sum, 3);
    const size = await stat("AWS/SQS", "SentMessageSize", queue);
    assert.deepEqual([size?.Sum, size?.Minimum, size?.Maximum, size?.SampleCount, size?.Unit], [1110, 10, 1000, 3, "Bytes"]);
    assert.equal((await stat("AWS/SQS", "NumberOfMessagesReceived", queue))?.Sum, 3);
    assert.equal((await stat("AWS/SQS", "NumberOfMessagesDeleted", queue))?.Sum, 2);
    assert.equal((await stat("AWS/SQS", "NumberOfMessagesSent", [{ Name: "QueueName", Value: "sm-other" }]))?.Sum, 1);
    assert.equal((await stat("AWS/SQS", "NumberOfMessagesReceived", [{ Name: "QueueName", Value: "sm-other" }]))?.Sum, undefined);

    // The gauges, on queues whose depth only grows: two visible messages, one received and held.
    const depth = await sqs.send(new CreateQueueCommand({ QueueName: "sm-depth" }));
    const held = await sqs.send(new CreateQueueCommand({ QueueName: "sm-held" }));
    for (const body of ["1", "2"]) await sqs.send(new SendMessageCommand({ QueueUrl: depth.QueueUrl, MessageBody: body }));
    await sqs.send(new SendMessageCommand({ QueueUrl: held.QueueUrl, MessageBody: "h" }));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: held.QueueUrl, VisibilityTimeout: 600 }))).Messages?.length, 1);
    const sampled = (name: string, queueName: string, value: number) =>
      waitFor(`${name} ${value} sampled`, async () => ((await stat("AWS/SQS", name, [{ Name: "QueueName", Value: queueName }]))?.Maximum === value ? true : undefined), 20_000);
    await sampled("ApproximateNumberOfMessagesVisible", "sm-depth", 2);
    await sampled("ApproximateNumberOfMessagesNotVisible", "sm-held", 1);

    // The oldest message's age in seconds (the held one counts while in flight), and 0 for an empty queue.
    await waitFor("the held message's age sampled at 2 s or more", async () => {
      const age = await stat("AWS/SQS", "ApproximateAgeOfOldestMessage", [{ Name: "QueueName", Value: "sm-held" }]);
      return age?.Unit === "Seconds" && (age.Maximum ?? 0) >= 2 ? true : undefined;
    }, 20_000);
    const empty = await sqs.send(new CreateQueueCommand({ QueueName: "sm-empty" }));
    await sampled("ApproximateAgeOfOldestMessage", "sm-empty", 0);

    // A receive that finds nothing is an empty receive, not a received message.
    for (let i = 0; i < 2; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: empty.QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal((await stat("AWS/SQS", "NumberOfEmptyReceives", [{ Name: "QueueName", Value: "sm-empty" }]))?.Sum, 2);
    assert.equal((await stat("AWS/SQS", "NumberOfMessagesReceived", [{ Name: "QueueName", Value: "sm-empty" }]))?.Sum, undefined);
  });

  it("counts SNS publishes, their sizes and the notifications delivered and failed per TopicName", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "sm-news" }));
    const reader = await sqs.send(new CreateQueueCommand({ QueueName: "sm-reader" }));
    await allowServicesToSend(sqs, String(reader.QueueUrl), queueArn("sm-reader"), [{ service: "sns.amazonaws.com", sourceArn: String(TopicArn) }]);
    const doomed = await sqs.send(new CreateQueueCommand({ QueueName: "sm-doomed" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("sm-reader") }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("sm-doomed") }));
    // This subscriber's queue is gone by the time anything is published: each delivery to it fails.
    await sqs.send(new DeleteQueueCommand({ QueueUrl: doomed.QueueUrl }));
    await sns.send(new PublishCommand({ TopicArn, Message: "a".repeat(50) }));
    await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "1", Message: "b".repeat(150) }] }));
    const topic = [{ Name: "TopicName", Value: "sm-news" }];
    assert.equal((await stat("AWS/SNS", "NumberOfMessagesPublished", topic))?.Sum, 2);
    const size = await stat("AWS/SNS", "PublishSize", topic);
    assert.deepEqual([size?.Sum, size?.Maximum, size?.Unit], [200, 150, "Bytes"]);
    assert.equal((await stat("AWS/SNS", "NumberOfNotificationsDelivered", topic))?.Sum, 2);
    assert.equal((await stat("AWS/SNS", "NumberOfNotificationsFailed", topic))?.Sum, 2);
    const cli = await aws(suite.unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/SNS", "--metric-name", "NumberOfMessagesPublished", "--dimensions", "Name=TopicName,Value=sm-news",
      "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(), "--period", "7200", "--statistics", "Sum"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Datapoints: { Sum: number }[] }).Datapoints.map((d) => d.Sum), [2]);
  });

  it("counts an http subscriber's delivered notifications and the one that failed its last attempt, not its confirmation", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "sm-web" }));
    const endpoint = await new Endpoint().start("/hook");
    try {
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: endpoint.url, Attributes: { DeliveryPolicy: '{"healthyRetryPolicy":{"numRetries":0,"minDelayTarget":1}}' } }));
      const confirmation = await waitFor("the SubscriptionConfirmation", () => endpoint.of("SubscriptionConfirmation")[0], 30_000);
      assert.equal((await fetch(confirmation.body.SubscribeURL ?? "")).status, 200);
      // The first notification is taken, the second refused (no retry left).
      endpoint.answer = () => (endpoint.of("Notification").length === 1 ? 200 : 500);
      await sns.send(new PublishCommand({ TopicArn, Message: "one" }));
      await waitFor("the first notification", () => endpoint.of("Notification")[0], 30_000);
      await sns.send(new PublishCommand({ TopicArn, Message: "two" }));
      const topic = [{ Name: "TopicName", Value: "sm-web" }];
      await waitFor("the failure counted", async () => ((await stat("AWS/SNS", "NumberOfNotificationsFailed", topic))?.Sum === 1 ? true : undefined), 30_000);
      // Counted when its answer arrives, which may be after the endpoint recorded it; the confirmation never counts.
      await waitFor("the delivery counted", async () => ((await stat("AWS/SNS", "NumberOfNotificationsDelivered", topic))?.Sum === 1 ? true : undefined), 30_000);
      assert.equal((await stat("AWS/SNS", "NumberOfNotificationsDelivered", topic))?.Sum, 1);
    } finally {
      await endpoint.close();
    }
  });
});
