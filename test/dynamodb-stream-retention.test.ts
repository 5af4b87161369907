/**
 * Gone streams leave storage: with `--stream-retention-ms` at 3 s (AWS: 24 hours) and shards rolling
 * over every second, a stream disabled by UpdateTable and a deleted table's stream are readable right
 * after, then no longer listed, and their shard rollovers, sequence counter and records are swept
 * from the SQLite file; an enabled stream's rollovers stay. The store's half (both backends) is in
 * the contract suite (StreamShardStore.forget, trimStreams).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

/** The stream's rows in each stream table of the SQLite file. */
function rowsOf(dbPath: string, arn: string): { dynamodb_stream_shards: number; dynamodb_stream_sequences: number; dynamodb_stream_records: number } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE stream = ?`).get(arn) as { n: number }).n;
    return { dynamodb_stream_shards: count("dynamodb_stream_shards"), dynamodb_stream_sequences: count("dynamodb_stream_sequences"), dynamodb_stream_records: count("dynamodb_stream_records") };
  } finally {
    db.close();
  }
}

describe("DynamoDB streams past their retention are swept from storage", () => {
  const suite = unkaiSuite({ UNKAI_STREAM_RETENTION_MS: "3000", UNKAI_STREAM_SHARD_LIFETIME_MS: "1000" });
  const clients = () => {
    const options = { endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    return { ddb: new DynamoDBClient(options), streams: new DynamoDBStreamsClient(options) };
  };

  it("a disabled stream and a deleted table's stream lose their rollovers, counter and records; an enabled one keeps its rollovers", async () => {
    const { ddb, streams } = clients();
    const dbPath = join(suite.unkai.dataDir, "unkai.db");
    const shardsOf = async (arn: string) => (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards ?? [];
    /** A table whose stream holds a record and has rolled over once. */
    async function rolledStream(name: string): Promise<string> {
      const created = await ddb.send(new CreateTableCommand({
        TableName: name, BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
      }));
      const arn = created.TableDescription?.LatestStreamArn as string;
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" } } }));
      await waitFor("a rollover", async () => ((await shardsOf(arn)).length >= 2 ? true : undefined));
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "b" } } }));
      return arn;
    }
    try {
      const [disabled, deleted, enabled] = await Promise.all([rolledStream("retention-disabled"), rolledStream("retention-deleted"), rolledStream("retention-enabled")]);
      for (const arn of [disabled, deleted]) {
        const rows = rowsOf(dbPath, arn);
        assert.ok(rows.dynamodb_stream_shards >= 1 && rows.dynamodb_stream_sequences === 1 && rows.dynamodb_stream_records >= 1, JSON.stringify(rows));
      }
      await ddb.send(new UpdateTableCommand({ TableName: "retention-disabled", StreamSpecification: { StreamEnabled: false } }));
      await ddb.send(new DeleteTableCommand({ TableName: "retention-deleted" }));
      assert.ok((await shardsOf(disabled)).length >= 2, "a disabled stream is readable at first");
      assert.ok((await shardsOf(deleted)).length >= 2, "a deleted table's stream is readable at first");

      const none = { dynamodb_stream_shards: 0, dynamodb_stream_sequences: 0, dynamodb_stream_records: 0 };
      for (const arn of [disabled, deleted]) {
        await waitFor(`${arn}'s rows to be swept`, () => (JSON.stringify(rowsOf(dbPath, arn)) === JSON.stringify(none) ? true : undefined));
        await assert.rejects(shardsOf(arn), { name: "ResourceNotFoundException" });
      }
      assert.ok(rowsOf(dbPath, enabled).dynamodb_stream_shards >= 1, "an enabled stream's rollovers stay, though its records expired");
      assert.ok((await shardsOf(enabled)).length >= 1);
    } finally {
      ddb.destroy();
      streams.destroy();
    }
  });
});
