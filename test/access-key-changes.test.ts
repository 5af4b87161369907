/**
 * Access keys changed outside the server (`unkai keys` in another process, another connection to
 * unkai.db) count from the server's very next request, whatever the server did just before: a stream
 * of reads (it keeps the keys in memory while nothing commits), its own writes, or nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import Database from "better-sqlite3";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { failure, type Keys } from "./helpers/outcome.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { unkaiCli } from "./helpers/process.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const TABLE = "keys-table";
const KEY = { id: { S: "one" } };
const INVALID_TOKEN = { name: "UnrecognizedClientException", message: "The security token included in the request is invalid." };

describe("access keys changed by another connection", () => {
  let unkai: TestUnkai;
  let other: Database.Database;
  const clients: DynamoDBClient[] = [];
  const dynamodb = (keys: Keys) => {
    const client = new DynamoDBClient({ endpoint: unkai.url, region: "us-east-1", credentials: keys, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const getItem = (client: DynamoDBClient) => client.send(new GetItemCommand({ TableName: TABLE, Key: KEY }));
  /** The error a GetItem fails with, by name and message. */
  const refused = async (client: DynamoDBClient) => {
    const { name, message } = await failure(getItem(client));
    return { name, message };
  };
  /** Several reads in a row: the server's keys stay in memory, nothing commits in between. */
  const reads = async (client: DynamoDBClient) => {
    for (let i = 0; i < 5; i++) assert.deepEqual((await getItem(client)).Item, { ...KEY, n: { N: "1" } });
  };

  before(async () => {
    unkai = await startUnkai();
    const root = dynamodb(DEFAULT_CREDENTIALS);
    await root.send(new CreateTableCommand({ TableName: TABLE, AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    await root.send(new PutItemCommand({ TableName: TABLE, Item: { ...KEY, n: { N: "1" } } }));
    other = new Database(join(unkai.dataDir, "unkai.db"));
    other.pragma("busy_timeout = 5000");
  });
  after(async () => {
    for (const client of clients) client.destroy();
    other.close();
    assert.equal(await unkai.stop(), 0);
  });

  it("a key the CLI creates works on the very next request and retires the default key, after a stream of reads", async () => {
    const defaults = dynamodb(DEFAULT_CREDENTIALS);
    await reads(defaults);
    const created = await unkaiCli(REPO_ROOT, ["keys", "create", "--name", "cli", "--json", "--data-dir", unkai.dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { AccessKeyId: string; SecretAccessKey: string };
    assert.deepEqual(await refused(defaults), INVALID_TOKEN, "the default key stops at once");
    const mine = dynamodb({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    await reads(mine);

    const deleted = await unkaiCli(REPO_ROOT, ["keys", "delete", key.AccessKeyId, "--data-dir", unkai.dataDir]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(await refused(mine), INVALID_TOKEN, "refused from the very next request");
    await reads(defaults);
  });

  it("a key another connection deletes or deactivates is refused on the very next request, after reads and after the server's own writes", async () => {
    const keys: Keys = { accessKeyId: "AKIAOTHERCONNECTION1", secretAccessKey: "other-connection-secret" };
    const insert = () => other.prepare("INSERT INTO access_keys (access_key_id, secret_access_key, name, created_at) VALUES (?, ?, 'other', ?)").run(keys.accessKeyId, keys.secretAccessKey, Date.now());
    insert();
    const mine = dynamodb(keys);
    await reads(mine);
    other.prepare("UPDATE access_keys SET status = 'Inactive' WHERE access_key_id = ?").run(keys.accessKeyId);
    assert.deepEqual(await refused(mine), INVALID_TOKEN, "an inactive key is refused at once");
    other.prepare("UPDATE access_keys SET status = 'Active' WHERE access_key_id = ?").run(keys.accessKeyId);
    await reads(mine);

    // The server's own commit just before the other connection's: the latter still counts at once.
    await mine.send(new PutItemCommand({ TableName: TABLE, Item: { ...KEY, n: { N: "1" } } }));
    other.prepare("DELETE FROM access_keys WHERE access_key_id = ?").run(keys.accessKeyId);
    assert.deepEqual(await refused(mine), INVALID_TOKEN, "a deleted key is refused at once");
    insert();
    await reads(mine);
    // Many commits elsewhere in between (the WAL grows and is checkpointed) change nothing about the answer.
    for (let i = 0; i < 50; i++) other.prepare("UPDATE access_keys SET name = ? WHERE access_key_id = ?").run(`other-${i}`, keys.accessKeyId);
    other.pragma("wal_checkpoint(TRUNCATE)");
    await reads(mine);
    other.prepare("DELETE FROM access_keys WHERE access_key_id = ?").run(keys.accessKeyId);
    assert.deepEqual(await refused(mine), INVALID_TOKEN, "refused at once after a checkpoint too");
  });
});
