/**
 * DynamoDB's operations over a real SQLite store, called as the model codec calls them (plain input
 * objects): tables, items, conditions, updates, Query/Scan paging, batches and transactions.
 * test/dynamodb.test.ts drives the same operations over HTTP with the SDK, boto3 and the CLI.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { UnkaiError } from "../src/core/errors.js";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { dynamoOperations, type DynamoOperation } from "../src/services/dynamodb/operations.js";
import { expireItems } from "../src/services/dynamodb/ttl.js";

let dir: string;
let store: Store;
let ops: Record<string, DynamoOperation>;
let clock = 1_700_000_000_000;

async function call(operation: string, input: object): Promise<Record<string, unknown>> {
  return (await (ops[operation] as DynamoOperation)(input)) as Record<string, unknown>;
}

async function fails(operation: string, input: object, code: string, message?: string | RegExp): Promise<UnkaiError & { extra: Record<string, unknown> }> {
  try {
    await call(operation, input);
  } catch (error) {
    const e = error as UnkaiError & { extra: Record<string, unknown> };
    assert.equal(e.code, code, e.message);
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`${operation} succeeded; expected ${code}`);
}

const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });

before(() => {
  dir = mkdtempSync(join(tmpdir(), "unkai-dynamodb-"));
  store = openSqliteStore(join(dir, "unkai.db"), () => {});
  ops = dynamoOperations({ store: store.dynamodb, account: { region: "us-east-1", accountId: "000000000000" }, now: () => clock++ });
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ordersTable = {
  TableName: "orders",
  KeySchema: [{ AttributeName: "customer", KeyType: "HASH" }, { AttributeName: "seq", KeyType: "RANGE" }],
  AttributeDefinitions: [{ AttributeName: "customer", AttributeType: "S" }, { AttributeName: "seq", AttributeType: "N" }],
  BillingMode: "PAY_PER_REQUEST",
};

describe("tables", () => {
  it("table names follow DynamoDB's rules, and a table of this account and Region may be named by its ARN", async () => {
    const table = (TableName: string) => ({ ...ordersTable, TableName });
    await fails("CreateTable", table("ab"), "ValidationException", "TableName must be at least 3 characters long and at most 255 characters long");
    await fails("CreateTable", table("n".repeat(256)), "ValidationException", "TableName must be at least 3 characters long and at most 255 characters long");
    await fails("CreateTable", table("a!b"), "ValidationException", "1 validation error detected: Value 'a!b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    // Too short and malformed: both listed, length first, before anything else in the request (AWS-verified).
    const both = "2 validation errors detected: Value 'x!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value 'x!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
    await fails("CreateTable", table("x!"), "ValidationException", both);
    await fails("UpdateItem", { TableName: "x!", Key: { pk: { S: "foo" } }, UpdateExpression: "ADD stringset :emptySet", ExpressionAttributeValues: { ":emptySet": { SS: [] } } }, "ValidationException", both);
    // A name whose ARN would read as another table's stream or index.
    await fails("CreateTable", table("orders/stream/2026-01-01T00:00:00.000"), "ValidationException", /regular expression pattern/);
    await fails("CreateTable", table("orders/index/byDate"), "ValidationException", /regular expression pattern/);
    const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/by-arn";
    assert.equal(((await call("CreateTable", table(arn))).TableDescription as { TableName: string }).TableName, "by-arn");
    await call("PutItem", { TableName: arn, Item: { customer: S("c"), seq: N(1) } });
    assert.deepEqual((await call("GetItem", { TableName: "by-arn", Key: { customer: S("c"), seq: N(1) } })).Item, { customer: S("c"), seq: N(1) });
    assert.equal((await call("Query", { TableName: arn, KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": S("c") } })).Count, 1);
    await fails("GetItem", { TableName: "a!b", Key: { customer: S("c"), seq: N(1) } }, "ValidationException", /regular expression pattern/);
    const foreigners = ["arn:aws:dynamodb:us-east-1:111111111111:table/by-arn", "arn:aws:dynamodb:eu-west-1:000000000000:table/by-arn", `${arn}/index/x`, "arn:aws:s3:::by-arn", "arn:aws:dynamodb:us-east-1:000000000000:table/ab"];
    for (const foreign of foreigners) {
      await fails("GetItem", { TableName: foreign, Key: { customer: S("c"), seq: N(1) } }, "ResourceNotFoundException", "Requested resource not found");
    }
    // A ResourceArn naming no table of this account and Region is not found, whatever its shape.
    for (const resource of [...foreigners, "by-arn"]) {
      await fails("ListTagsOfResource", { ResourceArn: resource }, "ResourceNotFoundException", `Requested resource not found: ResourcArn: ${resource} not found`);
    }
    assert.deepEqual((await call("ListTagsOfResource", { ResourceArn: arn })).Tags, []);
    await call("DeleteTable", { TableName: arn });
    await fails("DescribeTable", { TableName: "by-arn" }, "ResourceNotFoundException", "Requested resource not found: Table: by-arn not found");
  });

  it("creates, refuses a duplicate and bad schemas, describes with counts, lists with pagination, deletes", async () => {
    const created = await call("CreateTable", ordersTable);
    assert.equal((created.TableDescription as { TableStatus: string }).TableStatus, "CREATING");
    await fails("CreateTable", ordersTable, "ResourceInUseException", "Table already exists: orders");
    await fails("CreateTable", { ...ordersTable, TableName: "bad", KeySchema: [{ AttributeName: "seq", KeyType: "RANGE" }] }, "ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    await fails("CreateTable", { ...ordersTable, TableName: "bad", AttributeDefinitions: [{ AttributeName: "customer", AttributeType: "S" }] }, "ValidationException", /Some index key attributes are not defined in AttributeDefinitions. Keys: \[seq\]/);
    await fails("CreateTable", { ...ordersTable, TableName: "bad", BillingMode: undefined }, "ValidationException", /ReadCapacityUnits and WriteCapacityUnits must both be specified/);
    await call("CreateTable", { TableName: "simple", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });
    await call("PutItem", { TableName: "simple", Item: { id: S("a"), v: S("hello") } });
    const described = (await call("DescribeTable", { TableName: "simple" })).Table as Record<string, unknown>;
    assert.equal(described.TableStatus, "ACTIVE");
    assert.equal(described.ItemCount, 1);
    assert.equal(described.TableArn, "arn:aws:dynamodb:us-east-1:000000000000:table/simple");
    await fails("DescribeTable", { TableName: "nope" }, "ResourceNotFoundException", "Requested resource not found: Table: nope not found");
    const page = await call("ListTables", { Limit: 1 });
    assert.deepEqual(page, { TableNames: ["orders"], LastEvaluatedTableName: "orders" });
    assert.deepEqual(await call("ListTables", { ExclusiveStartTableName: "orders" }), { TableNames: ["simple"] });
    await call("DeleteTable", { TableName: "simple" });
    await fails("GetItem", { TableName: "simple", Key: { id: S("a") } }, "ResourceNotFoundException", "Requested resource not found");
  });
});

describe("tags", () => {
  it("tags a table by ARN, lists and removes them; an unknown ARN is not found", async () => {
    const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders";
    await call("TagResource", { ResourceArn: arn, Tags: [{ Key: "team", Value: "a" }, { Key: "env", Value: "dev" }] });
    await call("TagResource", { ResourceArn: arn, Tags: [{ Key: "team", Value: "b" }] });
    assert.deepEqual(await call("ListTagsOfResource", { ResourceArn: arn }), { Tags: [{ Key: "team", Value: "b" }, { Key: "env", Value: "dev" }] });
    await call("UntagResource", { ResourceArn: arn, TagKeys: ["team"] });
    assert.deepEqual(await call("ListTagsOfResource", { ResourceArn: arn }), { Tags: [{ Key: "env", Value: "dev" }] });
    await fails("ListTagsOfResource", { ResourceArn: "arn:aws:dynamodb:us-east-1:000000000000:table/none" }, "ResourceNotFoundException");
  });
});

describe("items", () => {
  it("puts and gets with projections; refuses bad keys with DynamoDB's messages", async () => {
    await call("PutItem", { TableName: "orders", Item: { customer: S("ada"), seq: N("1.0"), total: N("10.50"), entries: { L: [S("tea"), { M: { qty: N(2) } }] }, note: S("") } });
    const got = await call("GetItem", { TableName: "orders", Key: { customer: S("ada"), seq: N(1) } });
    assert.deepEqual(got.Item, { customer: S("ada"), seq: N(1), total: N("10.5"), entries: { L: [S("tea"), { M: { qty: N(2) } }] }, note: S("") }, "numbers come back normalized");
    const projected = await call("GetItem", { TableName: "orders", Key: { customer: S("ada"), seq: N(1) }, ProjectionExpression: "#t, entries[1].qty", ExpressionAttributeNames: { "#t": "total" } });
    assert.deepEqual(projected.Item, { total: N("10.5"), entries: { L: [{ M: { qty: N(2) } }] } });
    assert.deepEqual(await call("GetItem", { TableName: "orders", Key: { customer: S("bob"), seq: N(1) } }), {});
    await fails("PutItem", { TableName: "orders", Item: { customer: S("ada") } }, "ValidationException", "One or more parameter values were invalid: Missing the key seq in the item");
    await fails("PutItem", { TableName: "orders", Item: { customer: S("ada"), seq: S("1") } }, "ValidationException", "One or more parameter values were invalid: Type mismatch for key seq expected: N actual: S");
    await fails("PutItem", { TableName: "orders", Item: { customer: S(""), seq: N(1) } }, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: customer");
    await fails("GetItem", { TableName: "orders", Key: { customer: S("ada") } }, "ValidationException", "The provided key element does not match the schema");
    await fails("GetItem", { TableName: "orders", Key: { customer: S("ada"), seq: N(1), extra: S("x") } }, "ValidationException", "The provided key element does not match the schema");
    // DynamoDB checks the expressions and their names and values before the key, as AWS-verified suites show.
    await fails("GetItem", { TableName: "orders", Key: { customer: S("ada") }, ExpressionAttributeNames: {} }, "ValidationException", "ExpressionAttributeNames can only be specified when using expressions");
    await fails("GetItem", { TableName: "orders", Key: { customer: S("ada"), seq: N(1) }, ExpressionAttributeValues: {} }, "ValidationException", "ExpressionAttributeValues can only be specified when using expressions");
    await fails("GetItem", { TableName: "orders", Key: { customer: S("ada"), seq: N(1) }, ProjectionExpression: "total", ExpressionAttributeNames: {} }, "ValidationException", "ExpressionAttributeNames must not be empty");
    const twoSets = { UpdateExpression: "SET a = :a SET b = :a", ExpressionAttributeValues: { ":a": N(1) } };
    await fails("UpdateItem", { TableName: "orders", Key: { customer: S("ada") }, ...twoSets }, "ValidationException", 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;');
    await fails("TransactWriteItems", { TransactItems: [{ Update: { TableName: "orders", Key: { customer: S("ada") }, ...twoSets } }] }, "ValidationException", 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;');
    await fails("DeleteItem", { TableName: "orders", Key: { customer: S("ada") }, ConditionExpression: "a =" }, "ValidationException", /^Invalid ConditionExpression: Syntax error/);
    await fails("PutItem", { TableName: "orders", Item: { customer: S("ada"), seq: N(2), bad: { S: "x", N: "1" } } }, "ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  });

  it("limits items to 400 KB counted with attribute names", async () => {
    const name = "payload";
    const fits = 400 * 1024 - ("customer".length + 3) - ("seq".length + 2) - name.length;
    await call("PutItem", { TableName: "orders", Item: { customer: S("big"), seq: N(1), [name]: S("x".repeat(fits)) } });
    await fails("PutItem", { TableName: "orders", Item: { customer: S("big"), seq: N(2), [name]: S("x".repeat(fits + 1)) } }, "ValidationException", "Item size has exceeded the maximum allowed size");
    await call("DeleteItem", { TableName: "orders", Key: { customer: S("big"), seq: N(1) } });
  });

  it("consumed capacity counts DynamoDB's item size: a write the larger item before or after it per KB, a read the whole item per 4 KB", async () => {
    const units = async (operation: string, input: object) => ((await call(operation, { TableName: "orders", ReturnConsumedCapacity: "TOTAL", ...input })).ConsumedCapacity as { CapacityUnits: number }).CapacityUnits;
    const key = { customer: S("cap"), seq: N(1) };
    // 100 small numbers: about 520 bytes as DynamoDB sizes them (name, then a byte per two digits and one), 1,600 as JSON.
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${String(i).padStart(2, "0")}`, N(1)]));
    assert.equal(await units("PutItem", { Item: { ...key, ...many } }), 1);
    const big = { ...key, payload: S("x".repeat(2500)) };
    assert.equal(await units("PutItem", { Item: big }), 3, "2.5 KB");
    assert.equal(await units("PutItem", { Item: key }), 3, "overwriting 2.5 KB with a few bytes: the larger of the two");
    assert.equal(await units("UpdateItem", { Key: key, UpdateExpression: "SET payload = :p", ExpressionAttributeValues: { ":p": S("x".repeat(2500)) } }), 3);
    assert.equal(await units("GetItem", { Key: key, ProjectionExpression: "seq" }), 0.5, "a projection reads the whole item: 2.5 KB is one unit, halved");
    assert.equal(await units("GetItem", { Key: key, ConsistentRead: true }), 1);
    assert.equal(await units("DeleteItem", { Key: key }), 3, "the deleted item's size");
    assert.equal(await units("GetItem", { Key: key }), 0.5, "a missing item still reads one unit, halved");
  });

  it("conditional writes fail with ConditionalCheckFailedException, carrying the old item when asked", async () => {
    const item = { customer: S("cy"), seq: N(1), status: S("new") };
    await call("PutItem", { TableName: "orders", Item: item, ConditionExpression: "attribute_not_exists(customer)" });
    const failure = await fails("PutItem", { TableName: "orders", Item: item, ConditionExpression: "attribute_not_exists(customer)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" }, "ConditionalCheckFailedException", "The conditional request failed");
    assert.deepEqual(failure.extra.Item, item);
    const old = await call("PutItem", { TableName: "orders", Item: { ...item, status: S("paid") }, ConditionExpression: "#s = :new", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":new": S("new") }, ReturnValues: "ALL_OLD" });
    assert.deepEqual(old.Attributes, item);
    await fails("DeleteItem", { TableName: "orders", Key: { customer: S("cy"), seq: N(1) }, ConditionExpression: "#s = :new", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":new": S("new") } }, "ConditionalCheckFailedException");
    await fails("PutItem", { TableName: "orders", Item: item, ExpressionAttributeValues: { ":v": S("x") } }, "ValidationException", "ExpressionAttributeValues can only be specified when using expressions");
  });

  it("updates with every ReturnValues choice, creates missing items, and refuses updating a key", async () => {
    const key = { customer: S("dee"), seq: N(1) };
    const created = await call("UpdateItem", { TableName: "orders", Key: key, UpdateExpression: "SET visits = if_not_exists(visits, :zero) + :one", ExpressionAttributeValues: { ":zero": N(0), ":one": N(1) }, ReturnValues: "ALL_NEW" });
    assert.deepEqual(created.Attributes, { ...key, visits: N(1) });
    const updatedNew = await call("UpdateItem", { TableName: "orders", Key: key, UpdateExpression: "ADD visits :one SET tags = :t", ExpressionAttributeValues: { ":one": N(1), ":t": { SS: ["a"] } }, ReturnValues: "UPDATED_NEW" });
    assert.deepEqual(updatedNew.Attributes, { visits: N(2), tags: { SS: ["a"] } });
    const updatedOld = await call("UpdateItem", { TableName: "orders", Key: key, UpdateExpression: "REMOVE tags", ReturnValues: "UPDATED_OLD" });
    assert.deepEqual(updatedOld.Attributes, { tags: { SS: ["a"] } });
    const allOld = await call("UpdateItem", { TableName: "orders", Key: key, UpdateExpression: "SET visits = visits - :one", ExpressionAttributeValues: { ":one": N(1) }, ReturnValues: "ALL_OLD" });
    assert.deepEqual(allOld.Attributes, { ...key, visits: N(2) });
    await fails("UpdateItem", { TableName: "orders", Key: key, UpdateExpression: "SET seq = :one", ExpressionAttributeValues: { ":one": N(1) } }, "ValidationException", "One or more parameter values were invalid: Cannot update attribute seq. This attribute is part of the key");
    await fails("UpdateItem", { TableName: "orders", Key: key, UpdateExpression: "SET visits = :one", ConditionExpression: "visits > :one", ExpressionAttributeValues: { ":one": N(5) } }, "ConditionalCheckFailedException");
    await fails("PutItem", { TableName: "orders", Item: key, ReturnValues: "ALL_NEW" }, "ValidationException", /Return values set to invalid value/);
  });
});

describe("query and scan", () => {
  before(async () => {
    const seqs = ["-5", "0.5", "2", "10", "100", "1e3"];
    for (const seq of seqs) await call("PutItem", { TableName: "orders", Item: { customer: S("q"), seq: N(seq), kind: S(Number(seq) > 1 ? "big" : "small") } });
  });

  it("orders sort keys numerically, both directions, with key conditions, filters and Select COUNT", async () => {
    const all = await call("Query", { TableName: "orders", KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": S("q") } });
    assert.deepEqual((all.Items as { seq: { N: string } }[]).map((i) => i.seq.N), ["-5", "0.5", "2", "10", "100", "1000"]);
    const back = await call("Query", { TableName: "orders", KeyConditionExpression: "customer = :c AND seq BETWEEN :a AND :b", ExpressionAttributeValues: { ":c": S("q"), ":a": N(1), ":b": N(100) }, ScanIndexForward: false });
    assert.deepEqual((back.Items as { seq: { N: string } }[]).map((i) => i.seq.N), ["100", "10", "2"]);
    const filtered = await call("Query", { TableName: "orders", KeyConditionExpression: "customer = :c", FilterExpression: "kind = :k", ExpressionAttributeValues: { ":c": S("q"), ":k": S("small") }, Select: "COUNT" });
    assert.deepEqual(filtered, { Count: 2, ScannedCount: 6 });
    await fails("Query", { TableName: "orders", KeyConditionExpression: "seq = :a", ExpressionAttributeValues: { ":a": N(1) } }, "ValidationException", "Query condition missed key schema element: customer");
  });

  it("pages with Limit and LastEvaluatedKey, even when the page ends exactly at the last item", async () => {
    const seen: string[] = [];
    let start: unknown;
    let pages = 0;
    do {
      const page = await call("Query", { TableName: "orders", KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": S("q") }, Limit: 2, ...(start ? { ExclusiveStartKey: start } : {}) });
      seen.push(...(page.Items as { seq: { N: string } }[]).map((i) => i.seq.N));
      start = page.LastEvaluatedKey;
      pages++;
    } while (start !== undefined);
    assert.deepEqual(seen, ["-5", "0.5", "2", "10", "100", "1000"]);
    assert.equal(pages, 4, "the third page ends at the last item and still says LastEvaluatedKey; the fourth is empty");
    // A start key the key condition does not cover is refused, as DynamoDB refuses it.
    const outside = "The provided starting key is outside query boundaries based on provided conditions";
    const from = (customer: string, seq: number, condition = "customer = :c", values: Record<string, unknown> = {}) =>
      fails("Query", { TableName: "orders", KeyConditionExpression: condition, ExpressionAttributeValues: { ":c": S("q"), ...values }, ExclusiveStartKey: { customer: S(customer), seq: N(seq) } }, "ValidationException", outside);
    await from("other", 2);
    await from("q", 2, "customer = :c AND seq > :s", { ":s": N(2) });
    await from("q", 5, "customer = :c AND seq BETWEEN :a AND :b", { ":a": N(10), ":b": N(100) });
    const within = await call("Query", { TableName: "orders", KeyConditionExpression: "customer = :c AND seq >= :s", ExpressionAttributeValues: { ":c": S("q"), ":s": N(2) }, ExclusiveStartKey: { customer: S("q"), seq: N(2) } });
    assert.deepEqual((within.Items as { seq: { N: string } }[]).map((i) => i.seq.N), ["10", "100", "1000"]);
  });

  it("stops a Scan page at 1 MB of read data and resumes from LastEvaluatedKey; segments split the table", async () => {
    await call("CreateTable", { TableName: "blobs", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "N" }], BillingMode: "PAY_PER_REQUEST" });
    for (let i = 0; i < 25; i++) await call("PutItem", { TableName: "blobs", Item: { id: N(i), data: S("x".repeat(100 * 1024)) } });
    const sizes: number[] = [];
    let start: unknown;
    do {
      const page = await call("Scan", { TableName: "blobs", ProjectionExpression: "id", ...(start ? { ExclusiveStartKey: start } : {}) });
      sizes.push((page.Items as unknown[]).length);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    assert.deepEqual(sizes, [11, 11, 3], "a page ends once 1 MB was read");
    const segments = await Promise.all([0, 1, 2].map((Segment) => call("Scan", { TableName: "blobs", Segment, TotalSegments: 3, ProjectionExpression: "id" })));
    const ids = segments.flatMap((s) => (s.Items as { id: { N: string } }[]).map((i) => Number(i.id.N))).sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: 25 }, (_, i) => i));
    await fails("Scan", { TableName: "blobs", Segment: 3, TotalSegments: 3 }, "ValidationException", /Segment: 3 is not less than TotalSegments: 3/);
  });
});

describe("batches and transactions", () => {
  it("BatchWriteItem and BatchGetItem; duplicate keys are refused before anything is written", async () => {
    await call("BatchWriteItem", { RequestItems: { orders: [{ PutRequest: { Item: { customer: S("b"), seq: N(1) } } }, { PutRequest: { Item: { customer: S("b"), seq: N(2) } } }, { DeleteRequest: { Key: { customer: S("q"), seq: N(-5) } } }] } });
    const got = await call("BatchGetItem", { RequestItems: { orders: { Keys: [{ customer: S("b"), seq: N(1) }, { customer: S("b"), seq: N(2) }, { customer: S("q"), seq: N(-5) }] } } });
    assert.equal((got.Responses as { orders: unknown[] }).orders.length, 2);
    await fails("BatchWriteItem", { RequestItems: { orders: [{ PutRequest: { Item: { customer: S("b"), seq: N(3) } } }, { DeleteRequest: { Key: { customer: S("b"), seq: N(3) } } }] } }, "ValidationException", "Provided list of item keys contains duplicates");
    assert.deepEqual(await call("GetItem", { TableName: "orders", Key: { customer: S("b"), seq: N(3) } }), {});
    await fails("BatchGetItem", { RequestItems: { orders: { Keys: [{ customer: S("b"), seq: N(1) }, { customer: S("b"), seq: N("1.0") }] } } }, "ValidationException", "Provided list of item keys contains duplicates");
    // A request's expressions are checked before its tables are looked up (AWS-verified): an unused name beats a missing table.
    await fails("BatchGetItem", { RequestItems: { missing: { Keys: [{ customer: S("b"), seq: N(1) }], ProjectionExpression: "customer", ExpressionAttributeNames: { "#n": "name" } } } },
      "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}");
  });

  it("TransactWriteItems is all-or-nothing, with a cancellation reason per action in order", async () => {
    const account = (id: string) => ({ customer: S("acct"), seq: N(id) });
    await call("PutItem", { TableName: "orders", Item: { ...account("1"), balance: N(100) } });
    await call("PutItem", { TableName: "orders", Item: { ...account("2"), balance: N(0) } });
    const transfer = (amount: number) => ({
      TransactItems: [
        { Update: { TableName: "orders", Key: account("1"), UpdateExpression: "SET balance = balance - :a", ConditionExpression: "balance >= :a", ExpressionAttributeValues: { ":a": N(amount) }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
        { Update: { TableName: "orders", Key: account("2"), UpdateExpression: "SET balance = balance + :a", ExpressionAttributeValues: { ":a": N(amount) } } },
      ],
    });
    await call("TransactWriteItems", transfer(60));
    const failure = await fails("TransactWriteItems", transfer(60), "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]");
    assert.deepEqual(failure.extra.CancellationReasons, [{ Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: { ...account("1"), balance: N(40) } }, { Code: "None" }]);
    const read = await call("TransactGetItems", { TransactItems: [{ Get: { TableName: "orders", Key: account("1") } }, { Get: { TableName: "orders", Key: account("2"), ProjectionExpression: "balance" } }, { Get: { TableName: "orders", Key: account("3") } }] });
    assert.deepEqual(read.Responses, [{ Item: { ...account("1"), balance: N(40) } }, { Item: { balance: N(60) } }, {}]);
    await fails("TransactWriteItems", { TransactItems: [{ ConditionCheck: { TableName: "orders", Key: account("1"), ConditionExpression: "attribute_exists(balance)" } }, { Delete: { TableName: "orders", Key: account("1") } }] }, "ValidationException", "Transaction request cannot include multiple operations on one item");
  });

  it("a ClientRequestToken makes a retried TransactWriteItems apply once, and refuses a different request under it", async () => {
    const key = { customer: S("tok"), seq: N(1) };
    const request = { ClientRequestToken: "t-1", TransactItems: [{ Update: { TableName: "orders", Key: key, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": N(1) } } }] };
    const first = await call("TransactWriteItems", { ...request, ReturnConsumedCapacity: "TOTAL" });
    assert.deepEqual(first.ConsumedCapacity, [{ TableName: "orders", CapacityUnits: 2, WriteCapacityUnits: 2 }], "a transactional write: 2 units per KB");
    const repeat = await call("TransactWriteItems", { ...request, ReturnConsumedCapacity: "INDEXES" });
    assert.deepEqual(repeat.ConsumedCapacity, [{ TableName: "orders", CapacityUnits: 2, ReadCapacityUnits: 2, Table: { CapacityUnits: 2, ReadCapacityUnits: 2 } }], "the repeat reads instead");
    assert.deepEqual(await call("TransactWriteItems", request), {}, "no ConsumedCapacity unless asked");
    assert.deepEqual((await call("GetItem", { TableName: "orders", Key: key })).Item, { ...key, n: N(1) });
    const checked = await call("TransactWriteItems", {
      ReturnConsumedCapacity: "TOTAL",
      TransactItems: [{ ConditionCheck: { TableName: "orders", Key: key, ConditionExpression: "n = :one", ExpressionAttributeValues: { ":one": N(1) } } }, { Put: { TableName: "orders", Item: { customer: S("tok"), seq: N(2), big: S("x".repeat(1500)) } } }],
    });
    assert.deepEqual(checked.ConsumedCapacity, [{ TableName: "orders", CapacityUnits: 6, ReadCapacityUnits: 2, WriteCapacityUnits: 4 }], "a check reads (2 per 4 KB); a 1.5 KB put writes 4");
    await fails("TransactWriteItems", { ...request, TransactItems: [{ Delete: { TableName: "orders", Key: key } }] }, "IdempotentParameterMismatchException");
  });
});

describe("secondary indexes", () => {
  before(async () => {
    await call("CreateTable", {
      TableName: "people",
      KeySchema: [{ AttributeName: "team", KeyType: "HASH" }, { AttributeName: "id", KeyType: "RANGE" }],
      AttributeDefinitions: [
        { AttributeName: "team", AttributeType: "S" },
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "email", AttributeType: "S" },
        { AttributeName: "age", AttributeType: "N" },
      ],
      GlobalSecondaryIndexes: [{ IndexName: "byEmail", KeySchema: [{ AttributeName: "email", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
      LocalSecondaryIndexes: [{ IndexName: "byAge", KeySchema: [{ AttributeName: "team", KeyType: "HASH" }, { AttributeName: "age", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
      BillingMode: "PAY_PER_REQUEST",
    });
    const people = [["red", "1", "a@x", 30], ["red", "2", "b@x", 20], ["red", "3", undefined, 25], ["blue", "4", "a@x", 40], ["red", "5", "c@x", 20]] as const;
    for (const [team, id, email, age] of people) {
      await call("PutItem", { TableName: "people", Item: { team: S(team), id: S(id), age: N(age), ...(email ? { email: S(email) } : {}), bio: S("…") } });
    }
  });

  it("a GSI is sparse, ordered by its key then the table's, projects KEYS_ONLY, and pages with both keys", async () => {
    const found = await call("Query", { TableName: "people", IndexName: "byEmail", KeyConditionExpression: "email = :e", ExpressionAttributeValues: { ":e": S("a@x") } });
    assert.deepEqual(found.Items, [{ team: S("blue"), id: S("4"), email: S("a@x") }, { team: S("red"), id: S("1"), email: S("a@x") }]);
    const first = await call("Scan", { TableName: "people", IndexName: "byEmail", Limit: 2 });
    assert.deepEqual(first.LastEvaluatedKey, { team: S("red"), id: S("1"), email: S("a@x") });
    const rest = await call("Scan", { TableName: "people", IndexName: "byEmail", ExclusiveStartKey: first.LastEvaluatedKey });
    assert.deepEqual((rest.Items as { id: { S: string } }[]).map((i) => i.id.S), ["2", "5"], "item 3 has no email: the index skips it");
    await fails("Query", { TableName: "people", IndexName: "byEmail", KeyConditionExpression: "email = :e", ExpressionAttributeValues: { ":e": S("a@x") }, ConsistentRead: true }, "ValidationException", "Consistent reads are not supported on global secondary indexes");
    await fails("Query", { TableName: "people", IndexName: "nope", KeyConditionExpression: "email = :e", ExpressionAttributeValues: { ":e": S("a@x") } }, "ValidationException", "The table does not have the specified index: nope");
  });

  it("an LSI orders a partition by its sort key (ties by the table's sort key), in both directions", async () => {
    const query = (forward: boolean) => call("Query", { TableName: "people", IndexName: "byAge", KeyConditionExpression: "team = :t AND age < :a", ExpressionAttributeValues: { ":t": S("red"), ":a": N(30) }, ScanIndexForward: forward });
    assert.deepEqual(((await query(true)).Items as { id: { S: string } }[]).map((i) => i.id.S), ["2", "5", "3"]);
    assert.deepEqual(((await query(false)).Items as { id: { S: string } }[]).map((i) => i.id.S), ["3", "5", "2"]);
  });

  it("UpdateTable creates a GSI over the items already there and deletes it", async () => {
    await call("UpdateTable", {
      TableName: "people",
      AttributeDefinitions: [{ AttributeName: "bio", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byBio", KeySchema: [{ AttributeName: "bio", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    });
    const found = await call("Query", { TableName: "people", IndexName: "byBio", KeyConditionExpression: "bio = :b", ExpressionAttributeValues: { ":b": S("…") }, Select: "COUNT" });
    assert.equal(found.Count, 5);
    const described = (await call("DescribeTable", { TableName: "people" })).Table as { GlobalSecondaryIndexes: { IndexName: string; IndexStatus: string }[] };
    assert.deepEqual(described.GlobalSecondaryIndexes.map((i) => [i.IndexName, i.IndexStatus]), [["byEmail", "ACTIVE"], ["byBio", "ACTIVE"]]);
    await call("UpdateTable", { TableName: "people", GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byBio" } }] });
    await fails("Query", { TableName: "people", IndexName: "byBio", KeyConditionExpression: "bio = :b", ExpressionAttributeValues: { ":b": S("…") } }, "ValidationException", "The table does not have the specified index: byBio");
  });

  it("refuses index keys of the wrong type on write, and LSIs on another partition key", async () => {
    await fails("PutItem", { TableName: "people", Item: { team: S("red"), id: S("9"), email: N(1) } }, "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key email Expected: S Actual: N IndexName: byEmail");
    await fails(
      "CreateTable",
      { ...ordersTable, TableName: "bad-lsi", AttributeDefinitions: [...ordersTable.AttributeDefinitions, { AttributeName: "x", AttributeType: "S" }], LocalSecondaryIndexes: [{ IndexName: "l", KeySchema: [{ AttributeName: "x", KeyType: "HASH" }, { AttributeName: "seq", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }] },
      "ValidationException",
      /Index KeySchema does not have the same leading hash key as table KeySchema for index: l/,
    );
  });
});

describe("legacy parameters", () => {
  it("Expected, AttributeUpdates, KeyConditions, QueryFilter, ScanFilter and AttributesToGet work as their expressions do", async () => {
    const key = { customer: S("legacy"), seq: N(1) };
    await call("PutItem", { TableName: "orders", Item: { ...key, state: S("new"), n: N(1) }, Expected: { customer: { Exists: false } } });
    await fails("PutItem", { TableName: "orders", Item: key, Expected: { customer: { Exists: false } } }, "ConditionalCheckFailedException");
    await call("UpdateItem", { TableName: "orders", Key: key, AttributeUpdates: { n: { Action: "ADD", Value: N(2) }, state: { Value: S("paid") }, gone: { Action: "DELETE" } }, Expected: { state: { ComparisonOperator: "EQ", AttributeValueList: [S("new")] } } });
    assert.deepEqual((await call("GetItem", { TableName: "orders", Key: key, AttributesToGet: ["n", "state"] })).Item, { n: N(3), state: S("paid") });
    await call("PutItem", { TableName: "orders", Item: { customer: S("legacy"), seq: N(2), n: N(10) } });
    const queried = await call("Query", {
      TableName: "orders",
      KeyConditions: { customer: { ComparisonOperator: "EQ", AttributeValueList: [S("legacy")] }, seq: { ComparisonOperator: "GE", AttributeValueList: [N(1)] } },
      QueryFilter: { n: { ComparisonOperator: "GT", AttributeValueList: [N(5)] } },
    });
    assert.deepEqual(queried.Items, [{ customer: S("legacy"), seq: N(2), n: N(10) }]);
    const scanned = await call("Scan", { TableName: "orders", ScanFilter: { customer: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [S("leg")] }, n: { ComparisonOperator: "BETWEEN", AttributeValueList: [N(0), N(5)] } } });
    assert.deepEqual(scanned.Count, 1);
    await fails("GetItem", { TableName: "orders", Key: key, AttributesToGet: ["n"], ProjectionExpression: "n" }, "ValidationException", "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
  });
});

describe("time to live", () => {
  it("the sweep deletes items whose TTL attribute is in the past, and nothing else", async () => {
    await call("CreateTable", { TableName: "sessions", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" });
    assert.deepEqual(await call("UpdateTimeToLive", { TableName: "sessions", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }), { TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } });
    assert.deepEqual(await call("DescribeTimeToLive", { TableName: "sessions" }), { TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: "expires" } });
    const nowSeconds = Math.floor(clock / 1000);
    const items = { past: N(nowSeconds - 10), future: N(nowSeconds + 3600), text: S("0"), none: undefined };
    for (const [id, expires] of Object.entries(items)) await call("PutItem", { TableName: "sessions", Item: { id: S(id), ...(expires ? { expires } : {}) } });
    assert.equal(await expireItems({ store: store.dynamodb, account: { region: "us-east-1", accountId: "000000000000" }, now: () => clock }), 1);
    const left = await call("Scan", { TableName: "sessions" });
    assert.deepEqual((left.Items as { id: { S: string } }[]).map((i) => i.id.S).sort(), ["future", "none", "text"]);
    await fails("UpdateTimeToLive", { TableName: "sessions", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }, "ValidationException", "TimeToLive is already enabled");
  });
});
