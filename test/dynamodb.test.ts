/**
 * DynamoDB over HTTP (awsJson1.0, `DynamoDB_20120810.*`) against a real Unkai: SDK v3 and lib-dynamodb,
 * boto3 (client and Table resource), the AWS CLI, hostile bodies, and seed 000's Web API (an HTTP API
 * in front of functions that use DynamoDB with unmodified SDK code).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand as DocQueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { quickCreateHttpApi } from "./helpers/gateway.js";
import { Mutator, prng } from "./helpers/fuzz.js";
import { runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const TARGET = "DynamoDB_20120810";

describe("DynamoDB", () => {
  const suite = unkaiSuite();
  let client: DynamoDBClient;
  const sdk = () => (client ??= new DynamoDBClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));

  async function raw(operation: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await signedFetch(suite.unkai.url, { method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGET}.${operation}` }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async function createTable(name: string, sortKey?: { name: string; type: "S" | "N" | "B" }, partitionKey = "pk"): Promise<void> {
    await sdk().send(new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: partitionKey, KeyType: "HASH" }, ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: "RANGE" as const }] : [])],
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: "S" }, ...(sortKey ? [{ AttributeName: sortKey.name, AttributeType: sortKey.type }] : [])],
      BillingMode: "PAY_PER_REQUEST",
    }));
    await waitUntilTableExists({ client: sdk(), maxWaitTime: 20, minDelay: 1 }, { TableName: name });
  }

  it("SDK v3: tables, items, numeric sort order, paging, and typed errors carrying the old item and cancellation reasons", async () => {
    await createTable("sdk", { name: "n", type: "N" });
    for (const n of ["10", "9", "-1", "2.5"]) await sdk().send(new PutItemCommand({ TableName: "sdk", Item: { pk: { S: "a" }, n: { N: n }, bin: { B: new Uint8Array([0, 255]) } } }));
    const got = await sdk().send(new GetItemCommand({ TableName: "sdk", Key: { pk: { S: "a" }, n: { N: "9" } } }));
    assert.deepEqual(got.Item?.bin?.B, new Uint8Array([0, 255]), "binaries round-trip as bytes");
    const first = await sdk().send(new QueryCommand({ TableName: "sdk", KeyConditionExpression: "pk = :a", ExpressionAttributeValues: { ":a": { S: "a" } }, Limit: 3 }));
    assert.deepEqual(first.Items?.map((i) => i.n?.N), ["-1", "2.5", "9"]);
    const rest = await sdk().send(new QueryCommand({ TableName: "sdk", KeyConditionExpression: "pk = :a", ExpressionAttributeValues: { ":a": { S: "a" } }, ExclusiveStartKey: first.LastEvaluatedKey }));
    assert.deepEqual(rest.Items?.map((i) => i.n?.N), ["10"]);
    const described = await sdk().send(new DescribeTableCommand({ TableName: "sdk" }));
    assert.equal(described.Table?.ItemCount, 4);
    assert.ok((await sdk().send(new ListTablesCommand({}))).TableNames?.includes("sdk"));

    const failed = await sdk().send(new PutItemCommand({ TableName: "sdk", Item: { pk: { S: "a" }, n: { N: "9" } }, ConditionExpression: "attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" })).catch((e: unknown) => e);
    assert.ok(failed instanceof ConditionalCheckFailedException, String(failed));
    assert.equal(failed.message, "The conditional request failed");
    assert.deepEqual(failed.Item?.n, { N: "9" });
    // On the wire, as AWS writes it: beside the returned Item the message is "Message", else "message" (botocore shows the difference).
    const conditional = (extra: object) => raw("PutItem", JSON.stringify({ TableName: "sdk", Item: { pk: { S: "a" }, n: { N: "9" } }, ConditionExpression: "attribute_not_exists(pk)", ...extra }));
    const withItem = (await conditional({ ReturnValuesOnConditionCheckFailure: "ALL_OLD" })).json;
    assert.deepEqual(Object.keys(withItem).sort(), ["Item", "Message", "__type"]);
    assert.deepEqual(Object.keys((await conditional({})).json).sort(), ["__type", "message"]);

    const cancelled = await sdk().send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: "sdk", Item: { pk: { S: "b" }, n: { N: "1" } } } },
        { ConditionCheck: { TableName: "sdk", Key: { pk: { S: "a" }, n: { N: "9" } }, ConditionExpression: "attribute_not_exists(pk)" } },
      ],
    })).catch((e: unknown) => e);
    assert.ok(cancelled instanceof TransactionCanceledException, String(cancelled));
    assert.deepEqual(cancelled.CancellationReasons?.map((r) => r.Code), ["None", "ConditionalCheckFailed"]);
    assert.equal((await sdk().send(new GetItemCommand({ TableName: "sdk", Key: { pk: { S: "b" }, n: { N: "1" } } }))).Item, undefined, "nothing of a cancelled transaction is written");
  });

  it("concurrent conflicting transactions are serialized: money is conserved and no balance goes negative", async () => {
    await createTable("bank");
    const accounts = ["a", "b", "c"];
    for (const id of accounts) await sdk().send(new PutItemCommand({ TableName: "bank", Item: { pk: { S: id }, balance: { N: "100" } } }));
    const transfer = (from: string, to: string, amount: number) =>
      sdk().send(new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName: "bank", Key: { pk: { S: from } }, UpdateExpression: "SET balance = balance - :a", ConditionExpression: "balance >= :a", ExpressionAttributeValues: { ":a": { N: String(amount) } } } },
          { Update: { TableName: "bank", Key: { pk: { S: to } }, UpdateExpression: "SET balance = balance + :a", ExpressionAttributeValues: { ":a": { N: String(amount) } } } },
        ],
      })).then(() => "ok", (error: unknown) => (error instanceof TransactionCanceledException ? "cancelled" : Promise.reject(error as Error)));
    assert.equal(await transfer("a", "b", 50), "ok");
    const outcomes = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => transfer(accounts[i % 3] as string, accounts[(i + 1) % 3] as string, 30 + (i % 7) * 10)),
      transfer("a", "c", 301),
    ]);
    assert.equal(outcomes[outcomes.length - 1], "cancelled", "a transfer of more than all the money there is never commits");
    const balances = await Promise.all(accounts.map(async (id) => Number((await sdk().send(new GetItemCommand({ TableName: "bank", Key: { pk: { S: id } } }))).Item?.balance?.N)));
    assert.equal(balances.reduce((a, b) => a + b, 0), 300, `money is conserved: ${balances.join(", ")}`);
    assert.ok(balances.every((b) => b >= 0), `no balance is negative: ${balances.join(", ")}`);
  });

  it("lib-dynamodb's DocumentClient: native numbers, sets, nested maps and updates", async () => {
    await createTable("docs", { name: "sk", type: "S" });
    const documents = DynamoDBDocumentClient.from(sdk());
    await documents.send(new PutCommand({ TableName: "docs", Item: { pk: "u1", sk: "profile", age: 41, tags: new Set(["a", "b"]), address: { city: "Kyoto", codes: [1, 2] } } }));
    const updated = await documents.send(new UpdateCommand({ TableName: "docs", Key: { pk: "u1", sk: "profile" }, UpdateExpression: "SET age = age + :one, address.codes[2] = :three", ExpressionAttributeValues: { ":one": 1, ":three": 3 }, ReturnValues: "UPDATED_NEW" }));
    assert.deepEqual(updated.Attributes, { age: 42, address: { codes: [3] } });
    const { Item } = await documents.send(new GetCommand({ TableName: "docs", Key: { pk: "u1", sk: "profile" } }));
    assert.deepEqual(Item, { pk: "u1", sk: "profile", age: 42, tags: new Set(["a", "b"]), address: { city: "Kyoto", codes: [1, 2, 3] } });
    const found = await documents.send(new DocQueryCommand({ TableName: "docs", KeyConditionExpression: "pk = :p AND begins_with(sk, :pre)", ExpressionAttributeValues: { ":p": "u1", ":pre": "pro" } }));
    assert.equal(found.Count, 1);
  });

  it("boto3: the client and the Table resource with conditions, batch_writer and ClientError codes", async () => {
    const script = `
import boto3, json
from boto3.dynamodb.conditions import Key, Attr
from botocore.exceptions import ClientError
db = boto3.resource("dynamodb", endpoint_url="${suite.unkai.url}", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
table = db.create_table(TableName="pytable", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}], BillingMode="PAY_PER_REQUEST")
table.wait_until_exists()
with table.batch_writer() as batch:
    for n in range(1, 31):
        batch.put_item(Item={"pk": "p", "n": n, "even": n % 2 == 0})
found = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("n").between(5, 9), FilterExpression=Attr("even").eq(True))
try:
    table.put_item(Item={"pk": "p", "n": 1}, ConditionExpression=Attr("pk").not_exists())
    code = None
except ClientError as error:
    code = error.response["Error"]["Code"]
low = boto3.client("dynamodb", endpoint_url="${suite.unkai.url}", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
pages = list(low.get_paginator("scan").paginate(TableName="pytable", PaginationConfig={"PageSize": 7}))
print(json.dumps({"found": [int(i["n"]) for i in found["Items"]], "count": found["Count"], "scanned": found["ScannedCount"], "code": code,
    "pages": len(pages), "total": sum(p["Count"] for p in pages)}))
`;
    const run = await runProcess("/usr/bin/python3", ["-c", script], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp" } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { found: [6, 8], count: 2, scanned: 5, code: "ConditionalCheckFailedException", pages: 5, total: 30 });
  });

  it("the AWS CLI: create-table, put-item, query, and an error's exit code and message", async () => {
    const cli = (...args: string[]) => aws(suite.unkai.url, ["dynamodb", ...args]);
    const created = await cli("create-table", "--table-name", "cli", "--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
    assert.equal(created.code, 0, created.stderr);
    const put = await cli("put-item", "--table-name", "cli", "--item", '{"pk":{"S":"x"},"v":{"N":"1"}}');
    assert.equal(put.code, 0, put.stderr);
    const queried = await cli("query", "--table-name", "cli", "--key-condition-expression", "pk = :x", "--expression-attribute-values", '{":x":{"S":"x"}}');
    assert.equal(queried.code, 0, queried.stderr);
    assert.equal((JSON.parse(queried.stdout) as { Count: number }).Count, 1);
    const bad = await cli("get-item", "--table-name", "cli", "--key", '{"nope":{"S":"x"}}');
    assert.equal(bad.code, 254);
    assert.match(bad.stderr, /ValidationException.*The provided key element does not match the schema/);
  });

  it("hostile bodies get DynamoDB's ValidationException (never a 500): deep nesting, 400 KB+ items, malformed values, bad expressions", async () => {
    await createTable("hostile");
    let deep: unknown = { S: "x" };
    for (let i = 0; i < 40; i++) deep = { L: [deep] };
    const cases: [string, object, RegExp][] = [
      ["PutItem", { TableName: "hostile", Item: { pk: { S: "a" }, deep } }, /Nesting Levels have exceeded supported limits/],
      ["PutItem", { TableName: "hostile", Item: { pk: { S: "a" }, big: { S: "x".repeat(400 * 1024) } } }, /^Item size has exceeded the maximum allowed size$/],
      ["PutItem", { TableName: "hostile", Item: { pk: { S: "a" }, v: {} } }, /Supplied AttributeValue is empty, must contain exactly one of the supported datatypes/],
      ["PutItem", { TableName: "hostile", Item: { pk: { S: "a" }, v: { N: "1e999" } } }, /Number overflow/],
      ["PutItem", { TableName: "hostile", Item: { pk: { S: "a" }, v: { SS: ["a", "a"] } } }, /Input collection \[a, a\] contains duplicates/],
      ["UpdateItem", { TableName: "hostile", Key: { pk: { S: "a" } }, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { S: "x" }, ":w": { S: "y" } } }, /unused in expressions: keys: \{:w\}/],
      ["Query", { TableName: "hostile", KeyConditionExpression: "pk = :v AND ((((", ExpressionAttributeValues: { ":v": { S: "x" } } }, /Invalid KeyConditionExpression: Syntax error; token: "<EOF>"/],
      ["Scan", { TableName: "hostile", FilterExpression: "name = :v", ExpressionAttributeValues: { ":v": { S: "x" } } }, /reserved keyword: name/],
      ["GetItem", { TableName: "hostile", Key: { pk: { N: "1" } } }, /The provided key element does not match the schema/],
    ];
    for (const [operation, body, message] of cases) {
      const answer = await raw(operation, JSON.stringify(body));
      assert.equal(answer.status, 400, `${operation}: ${JSON.stringify(answer.json)}`);
      assert.match(String(answer.json.__type), /ValidationException$/);
      assert.match(String(answer.json.message), message);
    }
    const notJson = await raw("PutItem", "{not json");
    assert.equal(notJson.status, 400);
    assert.match(String(notJson.json.__type), /SerializationException$/);
    const missing = await raw("GetItem", JSON.stringify({ TableName: "absent", Key: { pk: { S: "a" } } }));
    assert.match(String(missing.json.__type), /ResourceNotFoundException$/);
    const unsigned = await fetch(suite.unkai.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGET}.ListTables` }, body: "{}" });
    assert.equal(unsigned.status, 403, "an unsigned call is refused");
    // Unkai's own marks in a table's definition cannot come from a request: an index "backfilling" by a body's say-so stays readable.
    const marked = await raw("CreateTable", JSON.stringify({
      TableName: "marked", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "x", AttributeType: "S" }],
      GlobalSecondaryIndexes: [{ IndexName: "byX", KeySchema: [{ AttributeName: "x", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" }, Backfilling: true }],
      IndexEntries: { backfilling: ["byX"] },
    }));
    assert.equal(marked.status, 200, JSON.stringify(marked.json));
    const index = ((await raw("DescribeTable", JSON.stringify({ TableName: "marked" }))).json.Table as { GlobalSecondaryIndexes: { IndexStatus: string; Backfilling?: boolean }[] }).GlobalSecondaryIndexes[0];
    assert.deepEqual([index?.IndexStatus, index?.Backfilling], ["ACTIVE", undefined]);
    const read = await raw("Query", JSON.stringify({ TableName: "marked", IndexName: "byX", KeyConditionExpression: "x = :x", ExpressionAttributeValues: { ":x": { S: "a" } } }));
    assert.deepEqual([read.status, read.json.Count], [200, 0]);
  });

  it("mutated requests of every operation never get a 5xx, and Unkai keeps serving (seeded; UNKAI_FUZZ_SEED reproduces)", async () => {
    await createTable("fuzz", { name: "sk", type: "N" });
    const seeds: [string, object][] = [
      ["PutItem", { TableName: "fuzz", Item: { pk: { S: "a" }, sk: { N: "1" }, m: { M: { l: { L: [{ SS: ["x"] }, { B: "AAE=" }] } } } }, ConditionExpression: "attribute_not_exists(pk) OR size(m.l) > :n", ExpressionAttributeValues: { ":n": { N: "1" } } }],
      ["UpdateItem", { TableName: "fuzz", Key: { pk: { S: "a" }, sk: { N: "1" } }, UpdateExpression: "SET #c = if_not_exists(#c, :z) + :one REMOVE m.l[0] ADD s :set", ExpressionAttributeNames: { "#c": "count" }, ExpressionAttributeValues: { ":z": { N: "0" }, ":one": { N: "1" }, ":set": { NS: ["1", "2"] } }, ReturnValues: "UPDATED_NEW" }],
      ["Query", { TableName: "fuzz", KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b", FilterExpression: "contains(m.l, :x) AND NOT begins_with(pk, :p)", ExpressionAttributeValues: { ":p": { S: "a" }, ":a": { N: "0" }, ":b": { N: "9" }, ":x": { S: "x" } }, Limit: 5, ScanIndexForward: false }],
      ["Scan", { TableName: "fuzz", ProjectionExpression: "pk, m.l[1]", Segment: 0, TotalSegments: 2 }],
      ["TransactWriteItems", { TransactItems: [{ Put: { TableName: "fuzz", Item: { pk: { S: "b" }, sk: { N: "2" } } } }, { Delete: { TableName: "fuzz", Key: { pk: { S: "a" }, sk: { N: "1" } } } }] }],
      ["BatchGetItem", { RequestItems: { fuzz: { Keys: [{ pk: { S: "a" }, sk: { N: "1" } }], ProjectionExpression: "pk" } } }],
    ];
    const seed = Number(process.env.UNKAI_FUZZ_SEED ?? Date.now() % 1_000_000);
    const m = new Mutator(prng(seed));
    for (let i = 0; i < 300; i++) {
      const [operation, body] = m.pick(seeds);
      const mutated = m.mutateBody(Buffer.from(JSON.stringify(body))).toString("utf8");
      const answer = await signedFetch(suite.unkai.url, { method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGET}.${operation}` }, body: mutated });
      const text = await answer.text();
      assert.ok(answer.status < 500, `seed ${seed}, request ${i} (${operation}): ${answer.status} ${text}\n${mutated.slice(0, 2000)}`);
    }
    assert.ok((await sdk().send(new ListTablesCommand({}))).TableNames?.includes("fuzz"), "Unkai still answers");
  });

  it("Time to Live: the background sweep deletes an expired item", async () => {
    await createTable("ttl");
    await sdk().send(new UpdateTimeToLiveCommand({ TableName: "ttl", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }));
    const past = String(Math.floor(Date.now() / 1000) - 60);
    await sdk().send(new PutItemCommand({ TableName: "ttl", Item: { pk: { S: "old" }, expires: { N: past } } }));
    await sdk().send(new PutItemCommand({ TableName: "ttl", Item: { pk: { S: "kept" } } }));
    await waitFor("the expired item to be swept", async () => ((await sdk().send(new GetItemCommand({ TableName: "ttl", Key: { pk: { S: "old" } } }))).Item === undefined ? true : undefined), 60_000);
    assert.ok((await sdk().send(new GetItemCommand({ TableName: "ttl", Key: { pk: { S: "kept" } } }))).Item, "an item without the attribute stays");
  });

  describe("seed 000: an HTTP API in front of functions that use DynamoDB", () => {
    it("a Node function with lib-dynamodb's DocumentClient does CRUD by path and method", async () => {
      await createTable("web", undefined, "id");
      await createFromFixture(suite.client, "crud-node", "dynamodb-crud-node", { Handler: "index.handler", Timeout: 20, Environment: { Variables: { TABLE: "web" } } });
      const { base } = await quickCreateHttpApi(suite.unkai.url, "crud-node");
      const created = await fetch(`${base}/items/42`, { method: "PUT", body: JSON.stringify({ title: "hello", price: 9.5 }) });
      assert.equal(created.status, 201, await created.clone().text());
      assert.equal((await fetch(`${base}/items/42`, { method: "PUT", body: "{}" })).status, 409, "a second create hits the condition");
      assert.deepEqual(await (await fetch(`${base}/items/42`)).json(), { id: "42", title: "hello", price: 9.5 });
      const patched = await (await fetch(`${base}/items/42`, { method: "PATCH", body: JSON.stringify({ tag: "new" }) })).json();
      assert.deepEqual(patched, { id: "42", title: "hello", price: 9.5, visits: 1, tags: ["new"] });
      assert.equal((await fetch(`${base}/items`)).status, 200);
      assert.equal((await fetch(`${base}/items/42`, { method: "DELETE" })).status, 204);
      assert.equal((await fetch(`${base}/items/42`)).status, 404);
    });

    it("a Python function with boto3's Table resource writes with batch_writer and queries in reverse order", async () => {
      await sdk().send(new CreateTableCommand({
        TableName: "notes", KeySchema: [{ AttributeName: "owner", KeyType: "HASH" }, { AttributeName: "n", KeyType: "RANGE" }],
        AttributeDefinitions: [{ AttributeName: "owner", AttributeType: "S" }, { AttributeName: "n", AttributeType: "N" }], BillingMode: "PAY_PER_REQUEST",
      }));
      await createFromFixture(suite.client, "crud-py", "dynamodb-crud-python", { Runtime: "python3.12", Handler: "app.handler", Timeout: 20, Environment: { Variables: { TABLE: "notes" } } });
      const { base } = await quickCreateHttpApi(suite.unkai.url, "crud-py");
      const written = await fetch(`${base}/notes/ann`, { method: "POST", body: JSON.stringify({ notes: ["one", "two", "three"] }) });
      assert.equal(written.status, 201, await written.clone().text());
      assert.deepEqual(await (await fetch(`${base}/notes/ann`)).json(), [{ owner: "ann", n: 3, note: "three" }, { owner: "ann", n: 2, note: "two" }]);
      assert.equal((await fetch(`${base}/notes/ann`, { method: "DELETE" })).status, 204);
      const again = await (await fetch(`${base}/notes/ann`, { method: "DELETE" })).json();
      assert.deepEqual(again, { error: "ConditionalCheckFailedException", message: "The conditional request failed" });
    });
  });
});
