/**
 * DynamoDB's endpoint with worker processes, around its workers' lives: served by the main process (for
 * DynamoDB only) while none is ready, stopped with the main process, gone when it is killed, a taken
 * port refused, and the same on PostgreSQL.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DescribeTableCommand, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { client, createTable, endpointOf, workerPids } from "./helpers/dynamodb-endpoint.js";
import { postgresAvailable, startPostgres } from "./helpers/postgres.js";
import { signalable } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const TARGET = "DynamoDB_20120810";

describe("DynamoDB endpoint while no worker is ready", () => {
  const suite = unkaiSuite({ UNKAI_DYNAMODB_WORKERS: "1", UNKAI_DYNAMODB_PORT: "0" });

  it("is served by the main process, for DynamoDB only: Lambda's API is not on that port", async () => {
    const url = endpointOf(suite.unkai.stdout());
    const [worker] = await workerPids(suite.unkai.process.pid ?? 0);
    assert.ok(worker);
    process.kill(worker, "SIGKILL");
    // The main process has seen it go once it says it starts another (its log, at warn).
    await waitFor("the main process to see the worker gone", () => (suite.unkai.stderr().includes("DynamoDB worker exited") ? true : undefined), 5_000);
    // Until its replacement is ready (0.5 s at the least), the main process answers here.
    const lambdaThere = await signedFetch(`${url}/2015-03-31/functions/`);
    assert.equal(lambdaThere.status, 404, "Lambda's API is on the main port only");
    const tables = await signedFetch(url, { method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGET}.ListTables` }, body: "{}" });
    assert.equal(tables.status, 200);
    await waitFor("a new worker", async () => ((await workerPids(suite.unkai.process.pid ?? 0)).length === 1 ? true : undefined), 10_000);
  });
});

describe("DynamoDB endpoint workers' metrics", () => {
  const suite = unkaiSuite({ UNKAI_DYNAMODB_WORKERS: "2", UNKAI_DYNAMODB_PORT: "0" });

  it("reach CloudWatch on the main port within the workers' 5-second flush", async () => {
    const ddb = client(endpointOf(suite.unkai.stdout()));
    await createTable(ddb, "metered");
    for (let i = 0; i < 20; i++) await client(endpointOf(suite.unkai.stdout())).send(new GetItemCommand({ TableName: "metered", Key: { pk: { S: "a" }, sk: { N: String(i) } } }));
    const cloudwatch = new CloudWatchClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const samples = await waitFor("the workers' GetItem latency in CloudWatch", async () => {
      const { Datapoints } = await cloudwatch.send(new GetMetricStatisticsCommand({
        Namespace: "AWS/DynamoDB", MetricName: "SuccessfulRequestLatency", Dimensions: [{ Name: "TableName", Value: "metered" }, { Name: "Operation", Value: "GetItem" }],
        StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 60_000), Period: 60, Statistics: ["SampleCount"],
      }));
      const count = (Datapoints ?? []).reduce((sum, point) => sum + (point.SampleCount ?? 0), 0);
      return count >= 20 ? count : undefined;
    }, 15_000);
    assert.equal(samples, 20, "each GetItem counted once, whichever worker served it");
    cloudwatch.destroy();
    ddb.destroy();
  });
});

describe("DynamoDB endpoint workers and the main process's end", () => {
  it("a SIGTERM stops the workers with the main process; a SIGKILLed main process leaves no worker behind", async () => {
    const graceful = await startUnkai({ UNKAI_DYNAMODB_WORKERS: "1", UNKAI_DYNAMODB_PORT: "0" });
    const gracefulWorkers = await workerPids(graceful.process.pid ?? 0);
    assert.equal(gracefulWorkers.length, 1);
    assert.equal(await graceful.stop(), 0);
    assert.ok(!signalable(gracefulWorkers[0] ?? 0), "the worker stopped with it");

    const killed = await startUnkai({ UNKAI_DYNAMODB_WORKERS: "2", UNKAI_DYNAMODB_PORT: "0" });
    const orphans = await workerPids(killed.process.pid ?? 0);
    assert.equal(orphans.length, 2);
    killed.process.kill("SIGKILL");
    await waitFor("the workers to exit", () => (orphans.every((pid) => !signalable(pid)) ? true : undefined), 10_000);
    await killed.stop();
  });

  it("refuses a taken DynamoDB port with a clear message", async () => {
    const first = await startUnkai({ UNKAI_DYNAMODB_WORKERS: "1", UNKAI_DYNAMODB_PORT: "0" });
    const port = new URL(endpointOf(first.stdout())).port;
    const second = await startUnkai({ UNKAI_DYNAMODB_WORKERS: "1", UNKAI_DYNAMODB_PORT: port }).then(
      () => assert.fail("a second Unkai started on a taken DynamoDB port"),
      (error: Error) => error.message,
    );
    assert.match(second, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use[^]*--dynamodb-port`));
    assert.equal(await first.stop(), 0);
  });
});

describe("DynamoDB endpoint workers on PostgreSQL (--store postgres://…)", { skip: !postgresAvailable() && "PostgreSQL 15 is not installed" }, () => {
  it("serves the same store from the workers and the main port, increments and stream iterators included", async () => {
    const pg = await startPostgres();
    try {
      const url = await pg.createDatabase("unkai");
      const unkai = await startUnkai({ UNKAI_STORE: url, UNKAI_DYNAMODB_WORKERS: "2", UNKAI_DYNAMODB_PORT: "0" });
      try {
        const onEndpoint = client(endpointOf(unkai.stdout()));
        const onMain = client(unkai.url);
        await createTable(onEndpoint, "pgcounters", true);
        const writers = Array.from({ length: 8 }, (_, i) => (i % 4 === 0 ? onMain : client(endpointOf(unkai.stdout()))));
        await Promise.all(writers.map(async (writer) => {
          for (let i = 0; i < 20; i++) {
            await writer.send(new UpdateItemCommand({ TableName: "pgcounters", Key: { pk: { S: "c" }, sk: { N: "0" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } }));
          }
        }));
        const final = await onMain.send(new GetItemCommand({ TableName: "pgcounters", Key: { pk: { S: "c" }, sk: { N: "0" } }, ConsistentRead: true }));
        assert.equal(final.Item?.n?.N, "160");
        const rows = await pg.query<{ count: string }>("SELECT count(*) FROM dynamodb_items WHERE table_name = 'pgcounters'", [], "unkai");
        assert.equal(rows[0]?.count, "1", "the item is in PostgreSQL");
        // The cluster's iterator key: a worker's iterator is read on the main port.
        const streamArn = (await onEndpoint.send(new DescribeTableCommand({ TableName: "pgcounters" }))).Table?.LatestStreamArn;
        const streams = (at: string) => new DynamoDBStreamsClient({ endpoint: at, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
        const shard = (await streams(endpointOf(unkai.stdout())).send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]?.ShardId;
        const { ShardIterator } = await streams(endpointOf(unkai.stdout())).send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }));
        const read = await streams(unkai.url).send(new GetRecordsCommand({ ShardIterator }));
        assert.equal(read.Records?.length, 160);
        for (const writer of new Set(writers)) writer.destroy();
      } finally {
        assert.equal(await unkai.stop(), 0);
      }
    } finally {
      await pg.stop();
    }
  });
});
