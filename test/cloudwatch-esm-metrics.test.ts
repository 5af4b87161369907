/**
 * Event source mapping metrics in AWS/Lambda per EventSourceMappingUUID, published only for a mapping
 * whose MetricsConfig asks for `EventCount` (accepted, answered, changed and refused as Lambda does):
 * an SQS mapping's polled, filtered-out, invoked, failed and deleted events; a DynamoDB stream
 * mapping's polled, filtered-out, invoked, failed, dropped and OnFailure-delivered events (and, as it
 * invokes an alias, IteratorAge per Resource). Read back
 * with the AWS CLI and SDK v3.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateAliasCommand, CreateEventSourceMappingCommand, GetEventSourceMappingCommand, PublishVersionCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const queueArn = (queue: string) => `arn:aws:sqs:us-east-1:000000000000:${queue}`;

describe("event source mapping metrics (MetricsConfig EventCount)", () => {
  const suite = unkaiSuite();
  let cw: CloudWatchClient;
  let sqs: SQSClient;
  const start = new Date(Date.now() - 3_600_000);
  before(() => {
    const options = { endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    cw = new CloudWatchClient(options);
    sqs = new SQSClient(options);
  });

  /** The Sum of a mapping's metric over the last two hours, through the SDK (a read writes the node's minutes first). */
  const sum = async (MetricName: string, uuid: string): Promise<number | undefined> => {
    const out = await cw.send(new GetMetricStatisticsCommand({
      Namespace: "AWS/Lambda", MetricName, Dimensions: [{ Name: "EventSourceMappingUUID", Value: uuid }],
      StartTime: start, EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["Sum"],
    }));
    return out.Datapoints?.[0]?.Sum;
  };
  /** The same through the AWS CLI (Query protocol). */
  const cliSum = async (MetricName: string, uuid: string): Promise<number[]> => {
    const cli = await aws(suite.unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda", "--metric-name", MetricName,
      "--dimensions", `Name=EventSourceMappingUUID,Value=${uuid}`,
      "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(), "--period", "7200", "--statistics", "Sum"]);
    assert.equal(cli.code, 0, cli.stderr);
    return (JSON.parse(cli.stdout) as { Datapoints: { Sum: number }[] }).Datapoints.map((d) => d.Sum);
  };

  it("accepts MetricsConfig on Create, answers it on Get, changes it on Update and refuses Kafka's metrics", async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: "esm-config", Attributes: { VisibilityTimeout: "30" } }));
    await createFromFixture(suite.client, "esm-config-fn", "esm-item-failures");
    await assert.rejects(
      suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-config-fn", EventSourceArn: queueArn("esm-config"), MetricsConfig: { Metrics: ["ErrorCount"] } })),
      (error: Error) => error.name === "InvalidParameterValueException" && /ErrorCount/.test(error.message),
    );
    const created = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-config-fn", EventSourceArn: queueArn("esm-config"), Enabled: false, MetricsConfig: { Metrics: ["EventCount"] } }));
    assert.deepEqual(created.MetricsConfig, { Metrics: ["EventCount"] });
    assert.deepEqual((await suite.client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).MetricsConfig, { Metrics: ["EventCount"] });
    // An update that does not name it keeps it; an empty list turns the metrics off.
    await suite.client.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 5 }));
    assert.deepEqual((await suite.client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).MetricsConfig, { Metrics: ["EventCount"] });
    await suite.client.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, MetricsConfig: { Metrics: [] } }));
    assert.deepEqual((await suite.client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).MetricsConfig, { Metrics: [] });
  });

  it("counts an SQS mapping's polled, filtered-out, invoked, failed and deleted events; a mapping without EventCount publishes none", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "esm-q-dlq" }));
    assert.ok(dlq.QueueUrl);
    // One receive each: a failed message goes to the dead-letter queue at its next receive, so nothing is polled twice.
    const redrive = JSON.stringify({ deadLetterTargetArn: queueArn("esm-q-dlq"), maxReceiveCount: 1 });
    const counted = await sqs.send(new CreateQueueCommand({ QueueName: "esm-q", Attributes: { VisibilityTimeout: "1", RedrivePolicy: redrive } }));
    const quiet = await sqs.send(new CreateQueueCommand({ QueueName: "esm-q-quiet", Attributes: { VisibilityTimeout: "1" } }));
    await createFromFixture(suite.client, "esm-q-fn", "esm-item-failures", { Timeout: 1 });
    const bodies = ["ok-1", "skip-1", "ok-2", "fail-1", "ok-3"];
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: counted.QueueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: quiet.QueueUrl, Entries: [{ Id: "q", MessageBody: "ok-quiet" }] }));
    const mapping = await suite.client.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-q-fn", EventSourceArn: queueArn("esm-q"), FunctionResponseTypes: ["ReportBatchItemFailures"], MetricsConfig: { Metrics: ["EventCount"] },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: [{ prefix: "ok" }, { prefix: "fail" }] }) }] },
    }));
    const plain = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-q-fn", EventSourceArn: queueArn("esm-q-quiet") }));
    const uuid = mapping.UUID ?? "";
    await waitFor("the ok messages deleted and the failed one counted", async () => ((await sum("DeletedEventCount", uuid)) === 3 && (await sum("FailedInvokeEventCount", uuid)) === 1 ? true : undefined), 30_000);
    assert.deepEqual(await cliSum("PolledEventCount", uuid), [5]);
    assert.deepEqual(await cliSum("FilteredOutEventCount", uuid), [1]);
    assert.equal(await sum("InvokedEventCount", uuid), 4);
    assert.equal(await sum("DroppedEventCount", uuid), undefined, "a queue's mapping drops nothing: the queue's redrive does");
    // The quiet mapping did its work (its message deleted) but publishes nothing of its own.
    await waitFor("the quiet queue's message deleted", async () => {
      const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/SQS", MetricName: "NumberOfMessagesDeleted", Dimensions: [{ Name: "QueueName", Value: "esm-q-quiet" }], StartTime: start, EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["Sum"] }));
      return out.Datapoints?.[0]?.Sum === 1 ? true : undefined;
    }, 30_000);
    const listed = async (mappingUuid: string) =>
      (await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", Dimensions: [{ Name: "EventSourceMappingUUID", Value: mappingUuid }] }))).Metrics?.map((m) => m.MetricName).sort() ?? [];
    assert.deepEqual(await listed(uuid), ["DeletedEventCount", "FailedInvokeEventCount", "FilteredOutEventCount", "InvokedEventCount", "PolledEventCount"]);
    assert.deepEqual(await listed(plain.UUID ?? ""), []);
  });

  it("counts a DynamoDB stream mapping's polled, filtered-out, invoked, failed, dropped and OnFailure-delivered events", async () => {
    const ddb = new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const table = await ddb.send(new CreateTableCommand({
      TableName: "esm-stream", BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    await sqs.send(new CreateQueueCommand({ QueueName: "esm-stream-failures" }));
    await createFromFixture(suite.client, "esm-stream-fn", "esm-item-failures");
    const { Version } = await suite.client.send(new PublishVersionCommand({ FunctionName: "esm-stream-fn" }));
    await suite.client.send(new CreateAliasCommand({ FunctionName: "esm-stream-fn", Name: "live", FunctionVersion: Version }));
    const mapping = await suite.client.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-stream-fn:live", EventSourceArn: table.TableDescription?.LatestStreamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"], MaximumRetryAttempts: 0, MetricsConfig: { Metrics: ["EventCount"] },
      DestinationConfig: { OnFailure: { Destination: queueArn("esm-stream-failures") } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { kind: { S: ["ok", "fail"] } } } }) }] },
    }));
    const uuid = mapping.UUID ?? "";
    // The failing record last: however the records fall into batches, it alone fails, is dropped and goes to OnFailure.
    for (const [pk, kind] of [["a", "ok"], ["b", "skip"], ["c", "ok"], ["d", "fail"]] as const) {
      await ddb.send(new PutItemCommand({ TableName: "esm-stream", Item: { pk: { S: pk }, kind: { S: kind } } }));
    }
    await waitFor("the failing record sent to its OnFailure destination", async () => ((await sum("OnFailureDestinationDeliveredEventCount", uuid)) === 1 ? true : undefined), 30_000);
    assert.deepEqual(await cliSum("PolledEventCount", uuid), [4]);
    assert.deepEqual(await cliSum("FilteredOutEventCount", uuid), [1]);
    assert.equal(await sum("InvokedEventCount", uuid), 3);
    assert.equal(await sum("FailedInvokeEventCount", uuid), 1);
    assert.deepEqual(await cliSum("DroppedEventCount", uuid), [1]);
    assert.equal(await sum("DeletedEventCount", uuid), undefined, "deleting is a queue's");
    // The mapping invokes an alias: its IteratorAge is the alias's (Resource) as well as the function's.
    const age = await cw.send(new GetMetricStatisticsCommand({
      Namespace: "AWS/Lambda", MetricName: "IteratorAge", Dimensions: [{ Name: "FunctionName", Value: "esm-stream-fn" }, { Name: "Resource", Value: "esm-stream-fn:live" }],
      StartTime: start, EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["SampleCount"],
    }));
    assert.ok((age.Datapoints?.[0]?.SampleCount ?? 0) >= 1, JSON.stringify(age.Datapoints));
    ddb.destroy();
  });
});
