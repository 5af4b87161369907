/**
 * DynamoDB durability: a SIGKILL of Unkai during a burst of writes loses no acknowledged write, and a
 * transaction's ClientRequestToken outlives a SIGKILL (a retry after the restart is not applied again).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BatchGetItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type TransactWriteItemsCommandInput } from "@aws-sdk/client-dynamodb";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const PARALLEL = 16;
const TARGET_ACKNOWLEDGED = 1_500;

const client = (url: string) => new DynamoDBClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });

describe("DynamoDB crash safety", () => {
  it("keeps every acknowledged PutItem and UpdateItem across a SIGKILL midway through a burst", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-dynamodb-crash-"));
    try {
      const first = await startUnkai({}, dataDir);
      const writer = client(first.url);
      await writer.send(new CreateTableCommand({ TableName: "burst", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "N" }], BillingMode: "PAY_PER_REQUEST" }));
      const acknowledged: number[] = [];
      let counter = 0;
      let next = 0;
      let killed = false;
      const sender = async () => {
        while (!killed) {
          const i = next++;
          try {
            await writer.send(new PutItemCommand({ TableName: "burst", Item: { id: { N: String(i) }, payload: { S: `item ${i}` } } }));
            acknowledged.push(i);
            await writer.send(new UpdateItemCommand({ TableName: "burst", Key: { id: { N: "-1" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } }));
            counter++;
          } catch {
            // Unkai was killed while this request was in flight: not acknowledged.
          }
        }
      };
      const senders = Promise.all(Array.from({ length: PARALLEL }, sender));
      await waitFor("a burst of acknowledged writes", () => (acknowledged.length >= TARGET_ACKNOWLEDGED ? true : undefined), 120_000);
      first.process.kill("SIGKILL");
      killed = true;
      await senders;
      writer.destroy();

      const second = await startUnkai({}, dataDir);
      const reader = client(second.url);
      try {
        const found = new Set<number>();
        for (let start = 0; start < acknowledged.length; start += 100) {
          const keys = acknowledged.slice(start, start + 100).map((i) => ({ id: { N: String(i) } }));
          const got = await reader.send(new BatchGetItemCommand({ RequestItems: { burst: { Keys: keys } } }));
          for (const item of got.Responses?.burst ?? []) found.add(Number(item.id?.N));
        }
        const lost = acknowledged.filter((i) => !found.has(i));
        const got = await reader.send(new BatchGetItemCommand({ RequestItems: { burst: { Keys: [{ id: { N: "-1" } }] } } }));
        const stored = Number(got.Responses?.burst?.[0]?.n?.N ?? 0);
        console.log(`dynamodb crash test: ${acknowledged.length} puts and ${counter} counter updates acknowledged before the SIGKILL; ${lost.length} lost; counter ${stored}`);
        assert.deepEqual(lost, [], "no acknowledged PutItem is lost");
        assert.ok(stored >= counter && stored <= counter + PARALLEL, `the counter holds every acknowledged ADD (${counter}), plus at most the ones in flight`);
      } finally {
        reader.destroy();
        assert.equal(await second.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("keeps a transaction's ClientRequestToken across a SIGKILL: the retry after the restart is not applied, another request under it is refused", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-dynamodb-token-"));
    try {
      const first = await startUnkai({}, dataDir);
      const writer = client(first.url);
      await writer.send(new CreateTableCommand({ TableName: "ledger", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
      const key = { id: { S: "a" } };
      const request: TransactWriteItemsCommandInput = {
        ClientRequestToken: "retry-me",
        TransactItems: [{ Update: { TableName: "ledger", Key: key, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } } }],
      };
      await writer.send(new TransactWriteItemsCommand(request));
      first.process.kill("SIGKILL");
      writer.destroy();

      const second = await startUnkai({}, dataDir);
      const retrier = client(second.url);
      try {
        const repeat = await retrier.send(new TransactWriteItemsCommand({ ...request, ReturnConsumedCapacity: "TOTAL" }));
        assert.deepEqual(repeat.ConsumedCapacity, [{ TableName: "ledger", CapacityUnits: 2, ReadCapacityUnits: 2 }], "answered as a read");
        assert.equal((await retrier.send(new GetItemCommand({ TableName: "ledger", Key: key, ConsistentRead: true }))).Item?.n?.N, "1", "the retry was not applied again");
        await assert.rejects(
          retrier.send(new TransactWriteItemsCommand({ ...request, TransactItems: [{ Delete: { TableName: "ledger", Key: key } }] })),
          (error: Error) => error.name === "IdempotentParameterMismatchException" && /same client token/.test(error.message),
        );
        await retrier.send(new TransactWriteItemsCommand({ ...request, ClientRequestToken: "another" }));
        assert.equal((await retrier.send(new GetItemCommand({ TableName: "ledger", Key: key, ConsistentRead: true }))).Item?.n?.N, "2", "a new token is a new request");
      } finally {
        retrier.destroy();
        assert.equal(await second.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
