/**
 * The storage contract against the shared backend: a real PostgreSQL 15 started for this file
 * (test/helpers/postgres.ts), each case on a fresh schema of its own in one database (chosen with
 * the URL's `options=-c search_path=…`, as a deployment may; the migrations run in it), far faster
 * than a database per case. Then claimers on several nodes (stores with their own connection
 * pools) racing for one queue, and live tail's store reader meeting rows committed out of id order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { groupReader } from "../src/services/logs/live-tail-poll.js";
import { indexPageSql } from "../src/store/postgres/dynamodb-store.js";
import { openPostgresStore } from "../src/store/postgres/index.js";
import type { Store } from "../src/store/ports.js";
import { describeStoreContract, type StoreHarness, type StoreOptions } from "./store-contract/index.js";
import { DEFAULT_STORE_OPTIONS } from "./store-contract/harness.js";
import { startPostgres, type PostgresServer } from "./helpers/postgres.js";

let server: PostgresServer | undefined;
let databaseUrl = "";
let schemas = 0;

before(async () => {
  server = await startPostgres();
  databaseUrl = await server.createDatabase("contract");
});

after(async () => {
  await server?.stop();
});

async function postgresHarness(options: StoreOptions): Promise<StoreHarness> {
  const pg = server;
  assert.ok(pg, "PostgreSQL did not start");
  const schema = `case_${++schemas}`;
  await pg.query(`CREATE SCHEMA ${schema}`, [], "contract");
  const url = `${databaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    open: () =>
      openPostgresStore({ url, logPolicy: options.logPolicy, maxConnections: 4 }, (error) => {
        throw error instanceof Error ? error : new Error(String(error));
      }),
    destroy: async () => void (await pg.query(`DROP SCHEMA ${schema} CASCADE`, [], "contract")),
  };
}

describeStoreContract("PostgreSQL", postgresHarness);

describe("PostgreSQL async queue: claimers on several nodes at once", () => {
  const CLAIMERS = 6;
  const EVENTS = 600;

  /** One node's poller: looks at what is ready, claims a batch of it, until nothing is left. */
  async function claimer(store: Store, now: number): Promise<string[]> {
    const got: string[] = [];
    for (let idle = 0; idle < 3; ) {
      const ready = await store.asyncQueue.ready(now, 50);
      if (ready.length === 0) {
        idle++;
        continue;
      }
      for (const event of await store.asyncQueue.lease(ready.map((e) => e.id), now, now + 60_000)) got.push(event.id);
    }
    return got;
  }

  it(`${CLAIMERS} claimers taking ${EVENTS} events in batches never get the same one`, async (t) => {
    const harness = await postgresHarness(DEFAULT_STORE_OPTIONS);
    const stores = await Promise.all(Array.from({ length: CLAIMERS }, async () => harness.open()));
    try {
      const now = 2_000_000_000_000;
      const ids = Array.from({ length: EVENTS }, (_, i) => `ev-${String(i).padStart(4, "0")}`);
      await stores[0]?.asyncQueue.enqueue(ids.map((id, i) => ({ id, functionName: "fn", qualifier: "$LATEST", payload: Buffer.from("{}"), enqueuedAt: now - EVENTS + i })));
      const results = await Promise.all(stores.map((store) => claimer(store, now)));
      const all = results.flat();
      assert.equal(all.length, EVENTS, "no event was claimed twice");
      assert.deepEqual([...all].sort(), ids, "every event was claimed");
      // Every claimer saw the same ready events, so most of their batches overlapped: the split shows they raced.
      t.diagnostic(`events per claimer: ${results.map((r) => r.length).join(" / ")}`);
      assert.ok(results.filter((r) => r.length > 0).length >= 2, "at least two claimers got events");
      const stats = await stores[0]?.asyncQueue.stats();
      assert.deepEqual(stats, [{ functionName: "fn", queued: EVENTS, oldestEnqueuedAt: now - EVENTS, failed: 0 }]);
    } finally {
      for (const store of stores) await store.close();
      await harness.destroy();
    }
  });
});

describe("live tail's store reader on PostgreSQL", () => {
  it("returns a row committed after a later id was read, each row once, and lets go of ids once they settle", async () => {
    const harness = await postgresHarness(DEFAULT_STORE_OPTIONS);
    const schema = `case_${schemas}`;
    const store = await harness.open();
    const other = new pg.Client({ connectionString: databaseUrl });
    try {
      await store.logs.createGroup("/g", 1);
      await store.logs.createStream("/g", "s", 1);
      await store.logs.append("/g", "s", [{ timestamp: 1, message: "before the session" }]);
      let clock = 0;
      const reader = await groupReader(store.logs, "/g", undefined, () => clock);
      const read = async () => (await reader.read()).map((e) => e.message);
      // Another node's transaction takes an id and commits only after a later id is visible.
      await other.connect();
      await other.query(`SET search_path TO ${schema}`);
      await other.query("BEGIN");
      await other.query("INSERT INTO log_events (log_group, log_stream, timestamp, ingestion_time, message) VALUES ('/g', 's', 2, 2, 'late commit')");
      await store.logs.append("/g", "s", [{ timestamp: 3, message: "early commit" }]);
      assert.deepEqual(await read(), ["early commit"]);
      clock += 2_000;
      await other.query("COMMIT");
      assert.deepEqual(await read(), ["late commit"]);
      assert.deepEqual(await read(), []);
      clock += 10_000; // both settle: the cursor moves past them
      assert.deepEqual(await read(), []);
      await store.logs.append("/g", "s", [{ timestamp: 4, message: "after settling" }]);
      assert.deepEqual(await read(), ["after settling"]);
    } finally {
      await other.end();
      await store.close();
      await harness.destroy();
    }
  });
});

describe("PostgreSQL DynamoDB index pages", () => {
  const ITEMS = 5_000;
  const PARTITIONS = 200;
  type Plan = { "Relation Name"?: string; "Actual Rows"?: number; "Actual Loops"?: number; Plans?: Plan[] };
  /** Rows each plan node over `relation` returned, summed over its loops. */
  const rowsRead = (plan: Plan, relation: string): number =>
    (plan["Relation Name"] === relation ? (plan["Actual Rows"] ?? 0) * (plan["Actual Loops"] ?? 0) : 0) + (plan.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, relation), 0);

  it(`a page of a whole-index Scan, resumed anywhere in either direction, looks up only its own items (${ITEMS.toLocaleString("en")} items; no hash join over the table)`, async () => {
    const harness = await postgresHarness(DEFAULT_STORE_OPTIONS);
    const schema = `case_${schemas}`;
    const store = await harness.open();
    const client = new pg.Client({ connectionString: databaseUrl });
    try {
      await store.dynamodb.createTable({ name: "t", createdAt: 1, definition: "{}" });
      await client.connect();
      await client.query(`SET search_path TO ${schema}`);
      // Item pk-<i> (about 330 bytes) is at index key (g-<i % 200>, <i / 10>): ten items share each index key.
      const item = "convert_to('pk-' || lpad(i::text, 6, '0'), 'UTF8')";
      await client.query(`INSERT INTO dynamodb_items SELECT 't', ${item}, '', '{"n":' || i || ',"p":"' || repeat('x', 300) || '"}', 330 FROM generate_series(1, $1) i`, [ITEMS]);
      await client.query(
        `INSERT INTO dynamodb_index_entries SELECT 't', 'g', convert_to('g-' || (i % $2), 'UTF8'), convert_to(lpad((i / 10)::text, 6, '0'), 'UTF8'), ${item}, '' FROM generate_series(1, $1) i`,
        [ITEMS, PARTITIONS],
      );
      await client.query("ANALYZE dynamodb_items, dynamodb_index_entries");
      const b = (text: string) => Buffer.from(text);
      // Joined as a plain join, a page the planner expected to reach about the index's end (resumed late in
      // it, or a LIMIT near what remains) was a hash join over every item of the table.
      for (let partition = 0; partition < PARTITIONS; partition++) {
        for (const forward of [true, false]) {
          for (const limit of [256, 1_000]) {
            const after = { partitionKey: b(`g-${partition}`), sortKey: b("000000"), itemPartitionKey: b("pk-000000"), itemSortKey: b("") };
            const { sql, params } = indexPageSql({ table: "t", index: "g", after, forward, limit });
            const plan = (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r["QUERY PLAN"]).join("\n");
            assert.doesNotMatch(plan, /Hash Join|Merge Join|Seq Scan on dynamodb_items/, `past g-${partition}, forward ${forward}, limit ${limit}:\n${plan}`);
          }
        }
      }
      const after = { partitionKey: b("g-91"), sortKey: b("000000"), itemPartitionKey: b("pk-000000"), itemSortKey: b("") };
      const { sql, params } = indexPageSql({ table: "t", index: "g", after, limit: 256 });
      const explained = (await client.query<{ "QUERY PLAN": [{ Plan: Plan }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params)).rows[0]?.["QUERY PLAN"][0].Plan;
      const page = await store.dynamodb.indexItems({ table: "t", index: "g", after, limit: 256 });
      assert.equal(page.length, 225, "the index's last 225 entries");
      assert.equal(explained && rowsRead(explained, "dynamodb_items"), page.length, "one item read for each entry of the page");
      // The whole index a page at a time: every item once, in index order.
      const order = (n: number) => [b(`g-${n % PARTITIONS}`), b(String(Math.floor(n / 10)).padStart(6, "0")), b(`pk-${String(n).padStart(6, "0")}`)];
      const expected = Array.from({ length: ITEMS }, (_, i) => i + 1)
        .sort((x, y) => order(x).reduce((c, part, i) => c || Buffer.compare(part, order(y)[i] as Buffer), 0))
        .map((n) => `{"n":${n},`);
      const read: string[] = [];
      for (let last: (typeof page)[number] | undefined, more = true; more; ) {
        const next = await store.dynamodb.indexItems({ table: "t", index: "g", limit: 256, after: last && { partitionKey: last.indexPartitionKey, sortKey: last.indexSortKey, itemPartitionKey: last.partitionKey, itemSortKey: last.sortKey } });
        read.push(...next.map((r) => r.item.slice(0, r.item.indexOf(",") + 1)));
        last = next.at(-1);
        more = next.length === 256;
      }
      assert.deepEqual(read, expected);
    } finally {
      await client.end();
      await store.close();
      await harness.destroy();
    }
  });
});
