/**
 * DynamoDB Streams against a real Unkai: stream settings on CreateTable/UpdateTable, the records every
 * kind of write appends (in order, none for a write that changes nothing), and the Streams API
 * (`DynamoDBStreams_20120810.*`) through SDK v3 and the AWS CLI, with its refusals of bad and hostile input.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type StreamViewType,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";
import { aws, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import { postgresAvailable, startPostgres, type PostgresServer } from "./helpers/postgres.js";

/** The same cases on the embedded SQLite store and, where PostgreSQL is installed, on it (its appends lock a counter row). */
function streamsSuite(label: string, env: () => Promise<Record<string, string>>, cleanup: () => Promise<void>): void {
  describe(`DynamoDB Streams (${label})`, () => {
    const suite = unkaiSuite(env);
    after(cleanup);
    let ddb: DynamoDBClient | undefined;
    let streams: DynamoDBStreamsClient | undefined;
    const db = () => (ddb ??= new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));
    const sc = () => (streams ??= new DynamoDBStreamsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));

    async function createTable(name: string, view?: StreamViewType): Promise<string | undefined> {
      const out = await db().send(new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        ...(view ? { StreamSpecification: { StreamEnabled: true, StreamViewType: view } } : {}),
      }));
      return out.TableDescription?.LatestStreamArn;
    }

    async function readAll(arn: string, type: ShardIteratorType = "TRIM_HORIZON", sequence?: string, limit?: number): Promise<_Record[]> {
      const description = await sc().send(new DescribeStreamCommand({ StreamArn: arn }));
      const shardId = description.StreamDescription?.Shards?.[0]?.ShardId as string;
      let iterator = (await sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequence }))).ShardIterator;
      const records: _Record[] = [];
      for (;;) {
        const page = await sc().send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
        records.push(...(page.Records ?? []));
        if ((page.Records ?? []).length === 0 || page.NextShardIterator === undefined) return records;
        iterator = page.NextShardIterator;
      }
    }

    it("every kind of write appends one record in order; KEYS_ONLY/NEW/OLD/NEW_AND_OLD shape the images; no record for a no-op", async () => {
      const arn = await createTable("streamed", "NEW_AND_OLD_IMAGES");
      assert.match(arn ?? "", /^arn:aws:dynamodb:us-east-1:\d{12}:table\/streamed\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
      const described = (await db().send(new DescribeTableCommand({ TableName: "streamed" }))).Table;
      assert.equal(described?.LatestStreamArn, arn);
      assert.deepEqual(described?.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
      await db().send(new PutItemCommand({ TableName: "streamed", Item: { pk: { S: "a" }, n: { N: "1" } } }));
      await db().send(new PutItemCommand({ TableName: "streamed", Item: { pk: { S: "a" }, n: { N: "1.0" } } })); // the same item: no record
      await db().send(new UpdateItemCommand({ TableName: "streamed", Key: { pk: { S: "a" } }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: "1" } } })); // no change: no record
      await db().send(new UpdateItemCommand({ TableName: "streamed", Key: { pk: { S: "a" } }, UpdateExpression: "SET n = n + :one", ExpressionAttributeValues: { ":one": { N: "1" } } }));
      await db().send(new BatchWriteItemCommand({ RequestItems: { streamed: [{ PutRequest: { Item: { pk: { S: "b" }, bin: { B: Buffer.from([0, 255]) } } } }, { DeleteRequest: { Key: { pk: { S: "a" } } } }] } }));
      await db().send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: "streamed", Item: { pk: { S: "c" } } } }, { ConditionCheck: { TableName: "streamed", Key: { pk: { S: "b" } }, ConditionExpression: "attribute_exists(pk)" } }] }));
      await assert.rejects(db().send(new PutItemCommand({ TableName: "streamed", Item: { pk: { S: "c" } }, ConditionExpression: "attribute_not_exists(pk)" })), { name: "ConditionalCheckFailedException" });
      await db().send(new DeleteItemCommand({ TableName: "streamed", Key: { pk: { S: "nothing" } } })); // nothing deleted: no record
      const records = await readAll(arn as string);
      assert.deepEqual(records.map((r) => [r.eventName, r.dynamodb?.Keys?.pk?.S]), [["INSERT", "a"], ["MODIFY", "a"], ["INSERT", "b"], ["REMOVE", "a"], ["INSERT", "c"]]);
      const sequences = records.map((r) => BigInt(r.dynamodb?.SequenceNumber as string));
      assert.ok(sequences.every((s, i) => i === 0 || s > (sequences[i - 1] as bigint)), "sequence numbers increase");
      const [insert, modify, binary, remove] = records as [_Record, _Record, _Record, _Record];
      assert.equal(insert.eventSource, "aws:dynamodb");
      assert.equal(insert.eventVersion, "1.1");
      assert.equal(insert.awsRegion, "us-east-1");
      assert.match(insert.eventID ?? "", /^[0-9a-f]{32}$/);
      assert.ok(insert.dynamodb?.ApproximateCreationDateTime instanceof Date && Math.abs(insert.dynamodb.ApproximateCreationDateTime.getTime() - Date.now()) < 60_000);
      assert.deepEqual(insert.dynamodb?.NewImage, { pk: { S: "a" }, n: { N: "1" } });
      assert.equal(insert.dynamodb?.OldImage, undefined);
      assert.equal(insert.dynamodb?.StreamViewType, "NEW_AND_OLD_IMAGES");
      assert.ok((insert.dynamodb?.SizeBytes ?? 0) > 0);
      assert.deepEqual([modify.dynamodb?.OldImage?.n?.N, modify.dynamodb?.NewImage?.n?.N], ["1", "2"]);
      assert.deepEqual([...(binary.dynamodb?.NewImage?.bin?.B ?? [])], [0, 255], "binaries come back as bytes");
      assert.deepEqual([remove.dynamodb?.OldImage?.n?.N, remove.dynamodb?.NewImage], ["2", undefined]);
      assert.equal(insert.userIdentity, undefined);

      for (const view of ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"] as const) {
        const viewArn = await createTable(`view-${view}`, view);
        await db().send(new PutItemCommand({ TableName: `view-${view}`, Item: { pk: { S: "k" }, v: { S: "1" } } }));
        await db().send(new PutItemCommand({ TableName: `view-${view}`, Item: { pk: { S: "k" }, v: { S: "2" } } }));
        const [, second] = await readAll(viewArn as string);
        assert.deepEqual(second?.dynamodb?.Keys, { pk: { S: "k" } });
        assert.deepEqual(second?.dynamodb?.NewImage, view === "NEW_IMAGE" ? { pk: { S: "k" }, v: { S: "2" } } : undefined, view);
        assert.deepEqual(second?.dynamodb?.OldImage, view === "OLD_IMAGE" ? { pk: { S: "k" }, v: { S: "1" } } : undefined, view);
      }
    });

    it("keeps order over 200 writes, pages with Limit, and reads from each iterator type", async () => {
      const arn = (await createTable("ordered", "KEYS_ONLY")) as string;
      for (let i = 0; i < 200; i++) await db().send(new PutItemCommand({ TableName: "ordered", Item: { pk: { S: `k${String(i).padStart(3, "0")}` } } }));
      const records = await readAll(arn, "TRIM_HORIZON", undefined, 37);
      assert.deepEqual(records.map((r) => r.dynamodb?.Keys?.pk?.S), Array.from({ length: 200 }, (_, i) => `k${String(i).padStart(3, "0")}`));
      const tenth = records[9]?.dynamodb?.SequenceNumber as string;
      assert.equal((await readAll(arn, "AT_SEQUENCE_NUMBER", tenth))[0]?.dynamodb?.Keys?.pk?.S, "k009");
      assert.equal((await readAll(arn, "AFTER_SEQUENCE_NUMBER", tenth))[0]?.dynamodb?.Keys?.pk?.S, "k010");
      assert.deepEqual(await readAll(arn, "LATEST"), []);
      const shardId = (await sc().send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards?.[0]?.ShardId;
      const latest = await sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "LATEST" }));
      await db().send(new PutItemCommand({ TableName: "ordered", Item: { pk: { S: "after-latest" } } }));
      const page = await sc().send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }));
      assert.deepEqual(page.Records?.map((r) => r.dynamodb?.Keys?.pk?.S), ["after-latest"], "LATEST sees what is written after it");
    });

    it("UpdateTable enables and disables streams; a disabled stream stays readable and its shard closes; ListStreams and DescribeStream describe them", async () => {
      assert.equal(await createTable("later"), undefined);
      await db().send(new PutItemCommand({ TableName: "later", Item: { pk: { S: "before" } } }));
      const enabled = await db().send(new UpdateTableCommand({ TableName: "later", StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" } }));
      const arn = enabled.TableDescription?.LatestStreamArn as string;
      await assert.rejects(db().send(new UpdateTableCommand({ TableName: "later", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } })), { name: "ValidationException", message: "Table already has an enabled stream: TableName: later" });
      await db().send(new PutItemCommand({ TableName: "later", Item: { pk: { S: "during" } } }));
      await db().send(new UpdateTableCommand({ TableName: "later", StreamSpecification: { StreamEnabled: false } }));
      await db().send(new PutItemCommand({ TableName: "later", Item: { pk: { S: "after" } } }));
      assert.deepEqual((await readAll(arn)).map((r) => r.dynamodb?.Keys?.pk?.S), ["during"]);
      const description = (await sc().send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription;
      assert.equal(description?.StreamStatus, "DISABLED");
      assert.equal(description?.TableName, "later");
      assert.deepEqual(description?.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }]);
      assert.equal(description?.Shards?.length, 1);
      assert.ok(description?.Shards?.[0]?.SequenceNumberRange?.EndingSequenceNumber, "a disabled stream's shard is closed");
      const listed = await sc().send(new ListStreamsCommand({ TableName: "later" }));
      assert.deepEqual(listed.Streams, [{ StreamArn: arn, TableName: "later", StreamLabel: arn.split("/stream/")[1] }]);
      const all = await sc().send(new ListStreamsCommand({ Limit: 1 }));
      assert.equal(all.Streams?.length, 1);
      assert.ok(all.LastEvaluatedStreamArn);
      const next = await sc().send(new ListStreamsCommand({ Limit: 100, ExclusiveStartStreamArn: all.LastEvaluatedStreamArn }));
      assert.ok(!next.Streams?.some((s) => s.StreamArn === all.Streams?.[0]?.StreamArn));
    });

    it("a stream disabled and re-enabled stays listed, described DISABLED with its shard closed and readable beside the new one", async () => {
      const arn = (await createTable("reenabled", "NEW_IMAGE")) as string;
      await db().send(new PutItemCommand({ TableName: "reenabled", Item: { pk: { S: "first" } } }));
      await db().send(new UpdateTableCommand({ TableName: "reenabled", StreamSpecification: { StreamEnabled: false } }));
      await db().send(new PutItemCommand({ TableName: "reenabled", Item: { pk: { S: "unstreamed" } } }));
      const enabled = await db().send(new UpdateTableCommand({ TableName: "reenabled", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }));
      const newArn = enabled.TableDescription?.LatestStreamArn as string;
      assert.notEqual(newArn, arn);
      await db().send(new PutItemCommand({ TableName: "reenabled", Item: { pk: { S: "second" } } }));
      const label = (a: string) => a.split("/stream/")[1];
      const listed = await sc().send(new ListStreamsCommand({ TableName: "reenabled" }));
      assert.deepEqual(listed.Streams, [{ StreamArn: arn, TableName: "reenabled", StreamLabel: label(arn) }, { StreamArn: newArn, TableName: "reenabled", StreamLabel: label(newArn) }]);
      const all = (await sc().send(new ListStreamsCommand({}))).Streams?.map((s) => s.StreamArn) ?? [];
      assert.ok(all.includes(arn) && all.includes(newArn), "ListStreams without a table lists both");
      const old = (await sc().send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription;
      assert.deepEqual([old?.StreamStatus, old?.StreamViewType, old?.Shards?.length], ["DISABLED", "NEW_IMAGE", 1]);
      assert.ok(old?.Shards?.[0]?.SequenceNumberRange?.EndingSequenceNumber, "its shard is closed");
      assert.equal((await sc().send(new DescribeStreamCommand({ StreamArn: newArn }))).StreamDescription?.StreamStatus, "ENABLED");
      const oldRecords = await readAll(arn);
      assert.deepEqual(oldRecords.map((r) => [r.dynamodb?.Keys?.pk?.S, r.dynamodb?.NewImage?.pk?.S]), [["first", "first"]]);
      assert.deepEqual((await readAll(newArn)).map((r) => [r.dynamodb?.Keys?.pk?.S, r.dynamodb?.NewImage]), [["second", undefined]]);
      const last = await sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: old?.Shards?.[0]?.ShardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: oldRecords[0]?.dynamodb?.SequenceNumber }));
      const end = await sc().send(new GetRecordsCommand({ ShardIterator: last.ShardIterator }));
      assert.deepEqual([end.Records, end.NextShardIterator], [[], undefined], "read to the closed shard's end: no next iterator");
    });

    it("a deleted table's stream stays listed, DISABLED and readable (its iterators too); a table created again under the name gets a fresh stream", async () => {
      const arn = (await createTable("dropped", "NEW_AND_OLD_IMAGES")) as string;
      await db().send(new PutItemCommand({ TableName: "dropped", Item: { pk: { S: "kept" } } }));
      const shardId = (await sc().send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards?.[0]?.ShardId;
      const iterator = (await sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      await db().send(new DeleteTableCommand({ TableName: "dropped" }));
      await assert.rejects(db().send(new DescribeTableCommand({ TableName: "dropped" })), { name: "ResourceNotFoundException" });
      const label = (a: string) => a.split("/stream/")[1];
      assert.deepEqual((await sc().send(new ListStreamsCommand({ TableName: "dropped" }))).Streams, [{ StreamArn: arn, TableName: "dropped", StreamLabel: label(arn) }]);
      assert.ok((await sc().send(new ListStreamsCommand({}))).Streams?.some((s) => s.StreamArn === arn), "listed without a table name too");
      const described = (await sc().send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription;
      assert.deepEqual([described?.StreamStatus, described?.TableName, described?.StreamViewType], ["DISABLED", "dropped", "NEW_AND_OLD_IMAGES"]);
      assert.ok(described?.Shards?.[0]?.SequenceNumberRange?.EndingSequenceNumber, "its shard is closed");
      const page = await sc().send(new GetRecordsCommand({ ShardIterator: iterator }));
      assert.deepEqual(page.Records?.map((r) => [r.eventName, r.dynamodb?.Keys?.pk?.S]), [["INSERT", "kept"]], "an iterator taken before DeleteTable still reads");
      assert.equal(page.NextShardIterator, undefined, "read to the closed shard's end");

      const fresh = (await createTable("dropped", "KEYS_ONLY")) as string;
      assert.notEqual(fresh, arn);
      await db().send(new PutItemCommand({ TableName: "dropped", Item: { pk: { S: "new" } } }));
      assert.deepEqual((await readAll(fresh)).map((r) => r.dynamodb?.Keys?.pk?.S), ["new"], "the new table's stream has none of the old one's records");
      assert.deepEqual((await readAll(arn)).map((r) => r.dynamodb?.Keys?.pk?.S), ["kept"], "the old stream keeps its own, and nothing of the new table's");
      assert.deepEqual((await sc().send(new ListStreamsCommand({ TableName: "dropped" }))).Streams?.map((s) => s.StreamArn), [arn, fresh], "both listed under the name, oldest first");
      assert.equal((await sc().send(new DescribeStreamCommand({ StreamArn: fresh }))).StreamDescription?.StreamStatus, "ENABLED");
    });

    it("a TTL deletion appends a REMOVE record marked as the service's, with the old image", async () => {
      const arn = (await createTable("ttl-streamed", "NEW_AND_OLD_IMAGES")) as string;
      await db().send(new UpdateTimeToLiveCommand({ TableName: "ttl-streamed", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }));
      await db().send(new PutItemCommand({ TableName: "ttl-streamed", Item: { pk: { S: "old" }, expires: { N: String(Math.floor(Date.now() / 1000) - 60) } } }));
      // The sweep runs every 10 s.
      const records = await waitFor("the TTL deletion's record", async () => {
        const all = await readAll(arn);
        return all.length >= 2 ? all : undefined;
      }, 30_000);
      const [insert, removal] = records as [_Record, _Record];
      assert.equal(insert.userIdentity, undefined);
      assert.equal(removal.eventName, "REMOVE");
      assert.deepEqual(removal.userIdentity, { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" });
      assert.equal(removal.dynamodb?.OldImage?.pk?.S, "old");
    });

    it("the AWS CLI lists, describes and reads a stream", async () => {
      const arn = (await createTable("cli-table", "NEW_IMAGE")) as string;
      await db().send(new PutItemCommand({ TableName: "cli-table", Item: { pk: { S: "x" } } }));
      const listed = await aws(suite.unkai.url, ["dynamodbstreams", "list-streams", "--table-name", "cli-table"]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal((JSON.parse(listed.stdout) as { Streams: { StreamArn: string }[] }).Streams[0]?.StreamArn, arn);
      const described = JSON.parse((await aws(suite.unkai.url, ["dynamodbstreams", "describe-stream", "--stream-arn", arn])).stdout) as { StreamDescription: { Shards: { ShardId: string }[] } };
      const shardId = described.StreamDescription.Shards[0]?.ShardId as string;
      const iterator = JSON.parse((await aws(suite.unkai.url, ["dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shardId, "--shard-iterator-type", "TRIM_HORIZON"])).stdout) as { ShardIterator: string };
      const got = await aws(suite.unkai.url, ["dynamodbstreams", "get-records", "--shard-iterator", iterator.ShardIterator]);
      assert.equal(got.code, 0, got.stderr);
      const records = (JSON.parse(got.stdout) as { Records: { eventName: string; dynamodb: { NewImage: unknown; ApproximateCreationDateTime: unknown } }[] }).Records;
      assert.deepEqual(records.map((r) => [r.eventName, r.dynamodb.NewImage]), [["INSERT", { pk: { S: "x" } }]]);
    });

    it("refuses bad and hostile input with DynamoDB's errors, never a 500", async () => {
      await assert.rejects(db().send(new CreateTableCommand({ TableName: "no-view", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST", StreamSpecification: { StreamEnabled: true } })), { name: "ValidationException" });
      const arn = (await createTable("hostile", "KEYS_ONLY")) as string;
      await db().send(new PutItemCommand({ TableName: "hostile", Item: { pk: { S: "1" } } }));
      const shardId = (await sc().send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards?.[0]?.ShardId as string;
      const refusals: [string, () => Promise<unknown>, string][] = [
        ["another account's stream", () => sc().send(new DescribeStreamCommand({ StreamArn: arn.replace(/:\d{12}:/, ":999999999999:") })), "ResourceNotFoundException"],
        ["an earlier label", () => sc().send(new DescribeStreamCommand({ StreamArn: arn.replace(/stream\/.*$/, "stream/2001-01-01T00:00:00.000") })), "ResourceNotFoundException"],
        ["a malformed ARN", () => sc().send(new DescribeStreamCommand({ StreamArn: "arn:aws:dynamodb:us-east-1:000000000000:table/../../etc" })), "ValidationException"],
        ["an unknown shard", () => sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: "shardId-00000000000000000001-deadbeef", ShardIteratorType: "TRIM_HORIZON" })), "ResourceNotFoundException"],
        ["AT_SEQUENCE_NUMBER without one", () => sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "AT_SEQUENCE_NUMBER" })), "ValidationException"],
        ["a sequence number past the end", () => sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: "999999999999999999999" })), "ValidationException"],
        ["a forged iterator", () => sc().send(new GetRecordsCommand({ ShardIterator: `${Buffer.from(JSON.stringify([arn, 0, Date.now()])).toString("base64url")}.AAAA` })), "ValidationException"],
        ["a malformed iterator", () => sc().send(new GetRecordsCommand({ ShardIterator: "not-an-iterator" })), "ValidationException"],
        ["a giant iterator", () => sc().send(new GetRecordsCommand({ ShardIterator: "x".repeat(100_000) })), "ValidationException"],
        ["Limit over 1000", async () => sc().send(new GetRecordsCommand({ ShardIterator: (await sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "LATEST" }))).ShardIterator, Limit: 1001 })), "ValidationException"],
        ["ListStreams of a missing table", () => sc().send(new ListStreamsCommand({ TableName: "absent" })), "ResourceNotFoundException"],
      ];
      for (const [what, call, code] of refusals) await assert.rejects(call(), (error: Error & { $metadata?: { httpStatusCode?: number } }) => error.name === code && error.$metadata?.httpStatusCode === 400, what);

      // An altered iterator (its position moved back) is refused, not trusted.
      const good = (await sc().send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "LATEST" }))).ShardIterator as string;
      const [payload, mac] = good.split(".") as [string, string];
      const moved = JSON.parse(Buffer.from(payload, "base64url").toString()) as [string, number, number];
      const altered = `${Buffer.from(JSON.stringify([moved[0], 0, moved[2]])).toString("base64url")}.${mac}`;
      await assert.rejects(sc().send(new GetRecordsCommand({ ShardIterator: altered })), { name: "ValidationException", message: "Invalid ShardIterator" });

      // A stream the table never had is not found (a deleted table's stays: see above).
      const never = arn.replace(/\/stream\/.*$/, "/stream/2000-01-01T00:00:00.000");
      await assert.rejects(sc().send(new DescribeStreamCommand({ StreamArn: never })), { name: "ResourceNotFoundException" });
      await assert.rejects(sc().send(new GetShardIteratorCommand({ StreamArn: never, ShardId: shardId, ShardIteratorType: "LATEST" })), { name: "ResourceNotFoundException" });
      const garbage = await signedFetch(suite.unkai.url, { method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDBStreams_20120810.GetRecords" }, body: '{"ShardIterator": 5}' });
      assert.equal(garbage.status, 400);
    });
  });
}

streamsSuite("SQLite", () => Promise.resolve({}), () => Promise.resolve());
if (postgresAvailable()) {
  let postgres: PostgresServer | undefined;
  streamsSuite(
    "PostgreSQL",
    async () => {
      postgres = await startPostgres();
      return { UNKAI_STORE: await postgres.createDatabase("streams") };
    },
    async () => postgres?.stop(),
  );
}
