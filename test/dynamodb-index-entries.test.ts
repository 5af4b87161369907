/**
 * DynamoDB's secondary index entries over a real SQLite store: every kind of write keeps them (so an
 * index read finds exactly its partition's items, without walking the table), UpdateTable writes a
 * new index's for the items already there, a table from before Unkai kept entries is read by walking
 * it until the sweep writes them, and the index limits DynamoDB sets bound what a write stores.
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
import type { DynamoContext } from "../src/services/dynamodb/context.js";
import { keepIndexEntries } from "../src/services/dynamodb/index-entries.js";
import { expireItems } from "../src/services/dynamodb/ttl.js";
import { encodeKeyValue } from "../src/services/dynamodb/keys.js";
import { TableCache } from "../src/services/dynamodb/table-cache.js";
import type { LoadedTable } from "../src/services/dynamodb/context.js";

let dir: string;
let store: Store;
let ctx: DynamoContext;
let ops: Record<string, DynamoOperation>;
let clock = 1_700_000_000_000;

const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });

async function call(operation: string, input: object): Promise<Record<string, unknown>> {
  return (await (ops[operation] as DynamoOperation)(input)) as Record<string, unknown>;
}

async function fails(operation: string, input: object, code: string, message: string): Promise<void> {
  await assert.rejects(call(operation, input), (error: UnkaiError) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.message, message);
    return true;
  });
}

/** The ids an index Query answers, in its order. */
async function ids(index: string, condition: string, values: Record<string, unknown>, forward = true): Promise<string[]> {
  const out = await call("Query", { TableName: "games", IndexName: index, KeyConditionExpression: condition, ExpressionAttributeValues: values, ScanIndexForward: forward });
  return (out.Items as { id: { S: string } }[]).map((item) => item.id.S);
}

/** The table's stored entries mark (its definition's IndexEntries). */
async function entriesMark(table: string): Promise<unknown> {
  return (JSON.parse((await store.dynamodb.table(table))?.definition ?? "{}") as { IndexEntries?: unknown }).IndexEntries;
}

/** How many entries the store keeps for an index. */
async function entries(table: string, index: string): Promise<number> {
  return (await store.dynamodb.indexItems({ table, index })).length;
}

const gamesTable = {
  TableName: "games",
  KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }, { AttributeName: "player", AttributeType: "S" }, { AttributeName: "score", AttributeType: "N" }],
  GlobalSecondaryIndexes: [{ IndexName: "byPlayer", KeySchema: [{ AttributeName: "player", KeyType: "HASH" }, { AttributeName: "score", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
  BillingMode: "PAY_PER_REQUEST",
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), "unkai-dynamodb-index-"));
  store = openSqliteStore(join(dir, "unkai.db"), () => {});
  ctx = { store: store.dynamodb, account: { region: "us-east-1", accountId: "000000000000" }, now: () => clock++ };
  ops = dynamoOperations(ctx);
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("DynamoDB index entries", () => {
  it("every kind of write keeps them: put, update moving an item between partitions, removing its key, delete, batches, transactions, PartiQL, TTL", async () => {
    await call("CreateTable", gamesTable);
    // Many items in other partitions: the reads below must find exactly their own.
    await call("BatchWriteItem", { RequestItems: { games: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { id: S(`other-${i}`), player: S(`p${i}`), score: N(i) } } })) } });
    await call("PutItem", { TableName: "games", Item: { id: S("a"), player: S("ann"), score: N(30) } });
    await call("PutItem", { TableName: "games", Item: { id: S("b"), player: S("ann"), score: N(10) } });
    await call("PutItem", { TableName: "games", Item: { id: S("c"), player: S("bob"), score: N(20) } });
    await call("PutItem", { TableName: "games", Item: { id: S("sparse"), score: N(5) } });
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("ann") }), ["b", "a"]);
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("ann") }, false), ["a", "b"]);
    assert.deepEqual(await ids("byPlayer", "player = :p AND score > :s", { ":p": S("ann"), ":s": N(10) }), ["a"]);
    // c moves to ann; b loses its player (leaves the index); a is deleted.
    await call("UpdateItem", { TableName: "games", Key: { id: S("c") }, UpdateExpression: "SET player = :p", ExpressionAttributeValues: { ":p": S("ann") } });
    await call("UpdateItem", { TableName: "games", Key: { id: S("b") }, UpdateExpression: "REMOVE player" });
    await call("DeleteItem", { TableName: "games", Key: { id: S("a") } });
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("ann") }), ["c"]);
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("bob") }), []);
    await call("TransactWriteItems", {
      TransactItems: [
        { Put: { TableName: "games", Item: { id: S("t1"), player: S("bob"), score: N(1) } } },
        { Update: { TableName: "games", Key: { id: S("c") }, UpdateExpression: "SET player = :p", ExpressionAttributeValues: { ":p": S("bob") } } },
      ],
    });
    await call("ExecuteStatement", { Statement: "INSERT INTO games VALUE {'id': 'q1', 'player': 'bob', 'score': 3}" });
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("bob") }), ["t1", "q1", "c"]);
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("ann") }), []);
    // A cancelled transaction changes no entry.
    await assert.rejects(call("TransactWriteItems", {
      TransactItems: [
        { Put: { TableName: "games", Item: { id: S("t2"), player: S("ann"), score: N(1) } } },
        { ConditionCheck: { TableName: "games", Key: { id: S("c") }, ConditionExpression: "attribute_not_exists(id)" } },
      ],
    }), (error: UnkaiError) => error.code === "TransactionCanceledException");
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("ann") }), []);
    // TTL deletions take their entries with them.
    await call("UpdateTimeToLive", { TableName: "games", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } });
    await call("UpdateItem", { TableName: "games", Key: { id: S("t1") }, UpdateExpression: "SET expires = :e", ExpressionAttributeValues: { ":e": N(1) } });
    assert.equal(await expireItems(ctx), 1);
    assert.deepEqual(await ids("byPlayer", "player = :p", { ":p": S("bob") }), ["q1", "c"]);
    assert.equal(await entries("games", "byPlayer"), 27, "the 25 others, q1 and c: nothing left over");
  });

  it("UpdateTable writes a new index's entries for the items already there, and deleting an index forgets its entries", async () => {
    await call("UpdateTable", {
      TableName: "games",
      AttributeDefinitions: [{ AttributeName: "score", AttributeType: "N" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byScore", KeySchema: [{ AttributeName: "score", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } }],
    });
    assert.deepEqual(await ids("byScore", "score = :s", { ":s": N(3) }), ["other-3", "q1"], "then by the table's key");
    assert.equal(await entries("games", "byScore"), 29, "every item with a score: the sparse one and b (no player) too");
    // The definition asks the sweep to write them once more, for nodes that wrote under the old definition.
    const { recheckAfter = 0 } = (await entriesMark("games")) as { recheckAfter?: number };
    assert.ok(recheckAfter > clock, "a recheck is due later");
    clock += 10_000;
    await keepIndexEntries(ctx);
    assert.deepEqual(await entriesMark("games"), {}, "rechecked");
    assert.equal(await entries("games", "byScore"), 29);
    // Deleted and created again under its name with another key: the old entries go, the new ones come.
    await call("UpdateTable", { TableName: "games", GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byScore" } }] });
    await call("UpdateTable", {
      TableName: "games",
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byScore", KeySchema: [{ AttributeName: "player", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } }],
    });
    assert.deepEqual(await ids("byScore", "player = :p", { ":p": S("bob") }), ["c", "q1"]);
    assert.equal(await entries("games", "byScore"), 27, "the items with a player");
    await call("UpdateTable", { TableName: "games", GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byScore" } }] });
    assert.equal(await entries("games", "byScore"), 0);
    assert.equal(await entries("games", "byPlayer"), 27);
  });

  it("a GSI UpdateTable creates is CREATING and refuses reads until its entries are written; a node that died mid-backfill leaves it to the sweep", async () => {
    await call("CreateTable", { TableName: "fill", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" });
    for (let i = 0; i < 2000; i += 25) {
      await call("BatchWriteItem", { RequestItems: { fill: Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { id: S(`i${i + j}`), color: S((i + j) % 2 === 0 ? "red" : "blue") } } })) } });
    }
    const red = { TableName: "fill", IndexName: "byColor", KeyConditionExpression: "color = :c", ExpressionAttributeValues: { ":c": S("red") }, Select: "COUNT" };
    const backfilling = "Cannot read from backfilling global secondary index: byColor";
    const statusOf = async () => {
      const table = (await call("DescribeTable", { TableName: "fill" })).Table as { GlobalSecondaryIndexes?: { IndexStatus: string; Backfilling?: boolean }[] };
      const index = table.GlobalSecondaryIndexes?.[0];
      return index === undefined ? "none" : `${index.IndexStatus}${index.Backfilling === true ? " backfilling" : ""}`;
    };
    let settled = false;
    const updating = call("UpdateTable", {
      TableName: "fill",
      AttributeDefinitions: [{ AttributeName: "color", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byColor", KeySchema: [{ AttributeName: "color", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } }],
    }).finally(() => (settled = true));
    // Reads racing the backfill: refused while it runs, never a part of the index.
    const seen = new Set<string>();
    while (!settled) {
      // A turn of the event loop each time round: the backfill's commits wait for one.
      await new Promise(setImmediate);
      seen.add(await statusOf());
      try {
        assert.equal((await call("Query", red)).Count, 1000, "never a part of the index");
        seen.add("read");
      } catch (error) {
        assert.equal((error as UnkaiError).message, backfilling);
        seen.add("refused");
      }
    }
    const answered = (await updating).TableDescription as { GlobalSecondaryIndexes: { IndexStatus: string; Backfilling?: boolean }[] };
    assert.deepEqual([answered.GlobalSecondaryIndexes[0]?.IndexStatus, answered.GlobalSecondaryIndexes[0]?.Backfilling], ["ACTIVE", undefined]);
    assert.ok(seen.has("CREATING backfilling") && seen.has("refused"), `seen while it ran: ${[...seen].join(", ")}`);
    assert.equal((await call("Query", red)).Count, 1000);
    assert.equal(await statusOf(), "ACTIVE");
    // As a node that died mid-backfill leaves it: the mark, and entries for part of the items.
    const record = await store.dynamodb.table("fill");
    const definition = JSON.parse(record?.definition ?? "{}") as Record<string, unknown>;
    await store.dynamodb.updateTable({ name: "fill", createdAt: record?.createdAt ?? 0, definition: JSON.stringify({ ...definition, IndexEntries: { recheckAfter: clock + 2000, backfilling: ["byColor"] } }) }, record?.definition ?? "");
    await store.dynamodb.dropIndex("fill", "byColor");
    await fails("Query", red, "ValidationException", backfilling);
    await fails("Scan", { TableName: "fill", IndexName: "byColor" }, "ValidationException", backfilling);
    assert.equal(await statusOf(), "CREATING backfilling");
    await keepIndexEntries(ctx);
    assert.equal(await statusOf(), "CREATING backfilling", "not before its recheck is due");
    clock += 10_000;
    await keepIndexEntries(ctx);
    assert.equal(await statusOf(), "ACTIVE");
    assert.equal((await call("Query", red)).Count, 1000);
    await call("DeleteTable", { TableName: "fill" });
  });

  it("a GSI created over items whose key cannot go into it leaves those items out and becomes ACTIVE, as AWS's backfill does", async () => {
    await call("CreateTable", { TableName: "odd", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" });
    // Written before the index exists: a value too long for an index partition key, an empty one, one of another type, and a good one.
    for (const [id, tag] of [["long", S("t".repeat(3000))], ["empty", S("")], ["number", N(7)], ["good", S("ok")]] as const) {
      await call("PutItem", { TableName: "odd", Item: { id: S(id), tag } });
    }
    const created = await call("UpdateTable", {
      TableName: "odd",
      AttributeDefinitions: [{ AttributeName: "tag", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byTag", KeySchema: [{ AttributeName: "tag", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } }],
    });
    assert.equal((created.TableDescription as { GlobalSecondaryIndexes: { IndexStatus: string }[] }).GlobalSecondaryIndexes[0]?.IndexStatus, "ACTIVE");
    assert.equal(await entries("odd", "byTag"), 1, "only the good item");
    assert.deepEqual(((await call("Scan", { TableName: "odd", IndexName: "byTag" })).Items as { id: { S: string } }[]).map((item) => item.id.S), ["good"]);
    // A write still refuses such a key now that the index exists.
    await fails("PutItem", { TableName: "odd", Item: { id: S("late"), tag: S("") } }, "ValidationException",
      "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byTag, IndexKey: tag");
    await call("DeleteTable", { TableName: "odd" });
  });

  it("on a shared store, a new GSI's entries are written once no node can still write under a definition without it", async () => {
    await call("CreateTable", { TableName: "shared", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" });
    await call("PutItem", { TableName: "shared", Item: { id: S("early"), tag: S("x") } });
    // Two nodes on one store, each with its own second-long cache of table definitions.
    const node = () => dynamoOperations({ store: store.dynamodb, account: ctx.account, now: Date.now, tables: new TableCache<LoadedTable>(Date.now), sharedStore: true });
    const [one, two] = [node(), node()];
    await (two.GetItem as DynamoOperation)({ TableName: "shared", Key: { id: S("early") } });
    const updating = (one.UpdateTable as DynamoOperation)({
      TableName: "shared",
      AttributeDefinitions: [{ AttributeName: "tag", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byTag", KeySchema: [{ AttributeName: "tag", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } }],
    });
    // Node two writes under its cached definition, which has no index yet: no entry of its own.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await (two.PutItem as DynamoOperation)({ TableName: "shared", Item: { id: S("late"), tag: S("x") } });
    await updating;
    const found = (await (one.Query as DynamoOperation)({ TableName: "shared", IndexName: "byTag", KeyConditionExpression: "tag = :t", ExpressionAttributeValues: { ":t": S("x") } })) as { Items: { id: { S: string } }[] };
    assert.deepEqual(found.Items.map((item) => item.id.S), ["early", "late"], "the index is ACTIVE with every item");
    await call("DeleteTable", { TableName: "shared" });
  });

  it("a table from before Unkai kept entries is read by walking it, until the sweep writes them and marks it", async () => {
    await call("CreateTable", { ...gamesTable, TableName: "old" });
    await call("BatchWriteItem", { RequestItems: { old: ["x", "y", "z"].map((id, i) => ({ PutRequest: { Item: { id: S(id), player: S("ann"), score: N(i) } } })) } });
    // As a data directory of an earlier version has it: no entries, no mark.
    const record = await store.dynamodb.table("old");
    const { IndexEntries: _kept, ...definition } = JSON.parse(record?.definition ?? "{}") as Record<string, unknown>;
    await store.dynamodb.updateTable({ name: "old", createdAt: record?.createdAt ?? 0, definition: JSON.stringify(definition) }, record?.definition ?? "");
    await store.dynamodb.dropIndex("old", "byPlayer");
    const query = async () => (await call("Query", { TableName: "old", IndexName: "byPlayer", KeyConditionExpression: "player = :p", ExpressionAttributeValues: { ":p": S("ann") } })).Items as { id: { S: string } }[];
    assert.deepEqual((await query()).map((i) => i.id.S), ["x", "y", "z"], "walked");
    await keepIndexEntries(ctx);
    assert.equal(await entries("old", "byPlayer"), 3);
    assert.deepEqual(await entriesMark("old"), {});
    assert.deepEqual((await query()).map((i) => i.id.S), ["x", "y", "z"], "from the entries");
    await store.dynamodb.dropIndex("old", "byPlayer");
    assert.deepEqual(await query(), [], "read from the entries, not by walking the table");
    await keepIndexEntries(ctx);
    assert.deepEqual(await query(), [], "a marked table is not swept again");
    await call("UpdateItem", { TableName: "old", Key: { id: S("y") }, UpdateExpression: "SET score = :s", ExpressionAttributeValues: { ":s": N(7) } });
    assert.deepEqual((await query()).map((i) => i.id.S), ["y"], "a write stores its item's entries");
  });

  it("refuses index keys over DynamoDB's sizes and more indexes than its quotas, storing nothing", async () => {
    await fails("PutItem", { TableName: "games", Item: { id: S("big"), player: S("p".repeat(2049)), score: N(1) } }, "ValidationException",
      "One or more parameter values were invalid: Size limit exceeded for Index Key player Actual Size: 2049 bytes Max Size: 2048 bytes IndexName: byPlayer");
    await fails("PutItem", { TableName: "old", Item: { id: S("big"), player: S("é".repeat(1025)), score: N(1) } }, "ValidationException",
      "One or more parameter values were invalid: Size limit exceeded for Index Key player Actual Size: 2050 bytes Max Size: 2048 bytes IndexName: byPlayer");
    assert.equal((await call("GetItem", { TableName: "games", Key: { id: S("big") } })).Item, undefined);
    const gsi = (i: number) => ({ IndexName: `g${i}`, KeySchema: [{ AttributeName: "player", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } });
    await fails("CreateTable", { ...gamesTable, TableName: "wide", GlobalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => gsi(i)) }, "ValidationException",
      "GlobalSecondaryIndex count exceeds the per-table limit of 20");
    const wide = { ...gamesTable, TableName: "wide", AttributeDefinitions: gamesTable.AttributeDefinitions.filter((d) => d.AttributeName !== "score") };
    await call("CreateTable", { ...wide, GlobalSecondaryIndexes: Array.from({ length: 20 }, (_, i) => gsi(i)) });
    await fails("UpdateTable", { TableName: "wide", GlobalSecondaryIndexUpdates: [{ Create: gsi(20) }] }, "ValidationException", "GlobalSecondaryIndex count exceeds the per-table limit of 20");
    const lsi = (i: number) => ({ IndexName: `l${i}`, KeySchema: [{ AttributeName: "id", KeyType: "HASH" }, { AttributeName: "score", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } });
    await fails("CreateTable", {
      ...gamesTable, TableName: "deep", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }, { AttributeName: "player", KeyType: "RANGE" }], LocalSecondaryIndexes: Array.from({ length: 6 }, (_, i) => lsi(i)),
    }, "ValidationException", "Cannot have more than 5 local secondary indexes per table");
    assert.deepEqual(((await call("ListTables", {})).TableNames as string[]).sort(), ["games", "old", "wide"]);
  });

  it("pages through a large index partition a Limit at a time, either way, reading only what each page needs; a stale entry is passed over", async () => {
    await call("CreateTable", {
      TableName: "ladder",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }, { AttributeName: "group", AttributeType: "S" }, { AttributeName: "rank", AttributeType: "N" }],
      GlobalSecondaryIndexes: [{ IndexName: "byGroup", KeySchema: [{ AttributeName: "group", KeyType: "HASH" }, { AttributeName: "rank", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
      BillingMode: "PAY_PER_REQUEST",
    });
    // 300 items in group g whose ranks tie six ways (the table key orders ties), 100 in group h.
    const ranked = Array.from({ length: 300 }, (_, i) => ({ id: `r${String(i).padStart(3, "0")}`, group: "g", rank: i % 50 }));
    const others = Array.from({ length: 100 }, (_, i) => ({ id: `h${String(i).padStart(3, "0")}`, group: "h", rank: -i }));
    const all = [...ranked, ...others];
    for (let i = 0; i < all.length; i += 25) {
      await call("BatchWriteItem", { RequestItems: { ladder: all.slice(i, i + 25).map((item) => ({ PutRequest: { Item: { id: S(item.id), group: S(item.group), rank: N(item.rank) } } })) } });
    }
    const order = (a: { id: string; rank: number }, b: { id: string; rank: number }) => a.rank - b.rank || (a.id < b.id ? -1 : 1);
    const expected = ranked.sort(order).map((item) => item.id);
    /** Every page of a read, as ids, following LastEvaluatedKey. */
    const pages = async (operation: string, input: object): Promise<string[][]> => {
      const out: string[][] = [];
      let start: unknown;
      do {
        const page = await call(operation, { TableName: "ladder", IndexName: "byGroup", ...input, ...(start === undefined ? {} : { ExclusiveStartKey: start }) });
        out.push((page.Items as { id: { S: string } }[]).map((item) => item.id.S));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return out;
    };
    const group = { KeyConditionExpression: "#g = :g", ExpressionAttributeNames: { "#g": "group" }, ExpressionAttributeValues: { ":g": S("g") } };
    const forward = await pages("Query", { ...group, Limit: 7 });
    assert.equal(forward.length, 43, "42 full pages, then the last 6 (and no empty page after it)");
    assert.ok(forward.slice(0, -1).every((page) => page.length === 7));
    assert.deepEqual(forward.flat(), expected);
    assert.deepEqual((await pages("Query", { ...group, Limit: 11, ScanIndexForward: false })).flat(), [...expected].reverse());
    const within = await pages("Query", { ...group, KeyConditionExpression: "#g = :g AND #r BETWEEN :lo AND :hi", ExpressionAttributeNames: { "#g": "group", "#r": "rank" }, ExpressionAttributeValues: { ":g": S("g"), ":lo": N(10), ":hi": N(12) }, Limit: 4 });
    assert.deepEqual(within.flat(), expected.filter((id) => [10, 11, 12].includes(Number(id.slice(1)) % 50)));
    // The whole index by Scan, in pages and in segments: every item once, in the index's order within each.
    const scanned = (await pages("Scan", { Limit: 13 })).flat();
    assert.deepEqual(scanned, [...expected, ...others.sort(order).map((item) => item.id)], "each item once, partition by partition (Unkai's are in key byte order)");
    const segments = await Promise.all([0, 1, 2].map(async (segment) => (await pages("Scan", { Limit: 17, Segment: segment, TotalSegments: 3 })).flat()));
    assert.deepEqual(segments.flat().sort(), [...all.map((item) => item.id)].sort());
    // Ten stale entries (items of h whose entries a node with an older definition placed at the head of g): skipped, and a page still fills.
    const stale = await store.dynamodb.items(others.slice(0, 10).map((item) => ({ table: "ladder", partitionKey: encodeKeyValue(S(item.id)), sortKey: Buffer.alloc(0) })));
    await store.dynamodb.transact([], () => ({
      writes: stale.map((row, i) => ({ put: row!, indexes: [{ index: "byGroup", partitionKey: encodeKeyValue(S("g")), sortKey: encodeKeyValue(N(-100 + i)) }] })),
      result: undefined,
    }));
    // Counting the rows the store hands over: a page reads its Limit, plus the stale entries it passed over.
    let read = 0;
    const counted = { ...store.dynamodb, indexItems: async (range: Parameters<Store["dynamodb"]["indexItems"]>[0]) => {
      const rows = await store.dynamodb.indexItems(range);
      read += rows.length;
      return rows;
    } };
    const first = (await (dynamoOperations({ ...ctx, store: counted }).Query as DynamoOperation)({ TableName: "ladder", IndexName: "byGroup", ...group, Limit: 5 })) as { Items: { id: { S: string } }[] };
    assert.deepEqual(first.Items.map((item) => item.id.S), expected.slice(0, 5));
    assert.equal(read, 15, "5 items and the 10 stale entries before them, not the partition's 310");
    assert.deepEqual((await pages("Query", { ...group, Limit: 3 })).flat(), expected);
    // A start key from another index partition, or outside the sort condition, is refused as DynamoDB refuses it.
    const outside = "The provided starting key is outside query boundaries based on provided conditions";
    await fails("Query", { TableName: "ladder", IndexName: "byGroup", ...group, ExclusiveStartKey: { id: S("h001"), group: S("h"), rank: N(-1) } }, "ValidationException", outside);
    await fails("Query", {
      TableName: "ladder", IndexName: "byGroup", KeyConditionExpression: "#g = :g AND #r < :r", ExpressionAttributeNames: { "#g": "group", "#r": "rank" },
      ExpressionAttributeValues: { ":g": S("g"), ":r": N(10) }, ExclusiveStartKey: { id: S("r020"), group: S("g"), rank: N(20) },
    }, "ValidationException", outside);
    // A start key is exactly the table's key and the index's: one missing, of another type, or one more attribute is refused.
    const invalidStart = "The provided starting key is invalid: The provided key element does not match the schema";
    for (const ExclusiveStartKey of [{ id: S("r020"), group: S("g") }, { id: S("r020"), group: S("g"), rank: S("20") }, { id: S("r020"), group: S("g"), rank: N(20), extra: S("x") }]) {
      await fails("Query", { TableName: "ladder", IndexName: "byGroup", ...group, ExclusiveStartKey }, "ValidationException", invalidStart);
      await fails("Scan", { TableName: "ladder", IndexName: "byGroup", ExclusiveStartKey }, "ValidationException", invalidStart);
    }
  });
});
