/** DynamoDB's endpoint with worker processes, as its tests reach it: its URL, its workers' pids, a client, a table. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { DEFAULT_CREDENTIALS } from "./clients.js";
import { childPids } from "./process.js";

/** The DynamoDB endpoint's URL, from the line `unkai start` prints after its ready line. */
export function endpointOf(stdout: string): string {
  const match = /DynamoDB endpoint at (http:\/\/\S+) \((\d+) worker process/.exec(stdout);
  assert.ok(match?.[1], `no DynamoDB endpoint line in: ${stdout}`);
  return match[1];
}

/** The pids of the server's DynamoDB workers (its children running dynamodb-worker.js). */
export function workerPids(serverPid: number): Promise<number[]> {
  const workers = childPids(serverPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dynamodb-worker.js");
    } catch {
      return false; // gone meanwhile
    }
  });
  return Promise.resolve(workers.sort((a, b) => a - b));
}

export const client = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string } = DEFAULT_CREDENTIALS) => new DynamoDBClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

export async function createTable(ddb: DynamoDBClient, name: string, stream = false): Promise<void> {
  await ddb.send(new CreateTableCommand({
    TableName: name, BillingMode: "PAY_PER_REQUEST",
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } } : {}),
  }));
  await waitUntilTableExists({ client: ddb, maxWaitTime: 20, minDelay: 1 }, { TableName: name });
}

