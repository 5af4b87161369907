/** DynamoDbStore: tables, items under byte-ordered keys, read-decide-write transactions, Query ranges and Scan order. */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { DynamoItemRow } from "../../src/store/ports.js";
import type { StoreTest } from "./harness.js";

const b = (...bytes: number[]) => Buffer.from(bytes);
const row = (partitionKey: Buffer, sortKey: Buffer, item = "{}", table = "t"): DynamoItemRow => ({ table, partitionKey, sortKey, item, size: item.length });
const sortKeys = (rows: readonly DynamoItemRow[]) => rows.map((r) => [...r.sortKey]);

export function dynamoDbStoreContract(test: StoreTest): void {
  test("tables: create once, read, list by name after a marker, update only what was read, delete with their items", async ({ store, reopen }) => {
    assert.equal(await store.dynamodb.createTable({ name: "b", createdAt: 1, definition: '{"v":1}' }), true);
    assert.equal(await store.dynamodb.createTable({ name: "b", createdAt: 2, definition: "{}" }), false);
    assert.equal(await store.dynamodb.createTable({ name: "a", createdAt: 3, definition: "{}" }), true);
    assert.equal(await store.dynamodb.updateTable({ name: "b", createdAt: 1, definition: '{"v":2}' }, '{"v":1}'), true);
    assert.equal(await store.dynamodb.updateTable({ name: "b", createdAt: 1, definition: '{"v":3}' }, '{"v":1}'), false, "a definition changed since it was read is kept");
    assert.equal(await store.dynamodb.updateTable({ name: "b", createdAt: 9, definition: '{"v":3}' }, '{"v":2}'), false, "a table created again under the name is not the one read");
    assert.equal(await store.dynamodb.updateTable({ name: "zz", createdAt: 1, definition: "{}" }, "{}"), false);
    await store.dynamodb.transact([], () => ({ writes: [{ put: row(b(1), b(), "{}", "b") }], result: undefined }));
    const current = await reopen();
    assert.deepEqual(await current.dynamodb.table("b"), { name: "b", createdAt: 1, definition: '{"v":2}' });
    assert.equal(await current.dynamodb.table("c"), undefined);
    assert.deepEqual((await current.dynamodb.tables(undefined, 10)).map((t) => t.name), ["a", "b"]);
    assert.deepEqual((await current.dynamodb.tables("a", 10)).map((t) => t.name), ["b"]);
    assert.deepEqual((await current.dynamodb.tables(undefined, 1)).map((t) => t.name), ["a"]);
    assert.equal(await current.dynamodb.deleteTable("b"), true);
    assert.equal(await current.dynamodb.deleteTable("b"), false);
    await current.dynamodb.createTable({ name: "b", createdAt: 5, definition: "{}" });
    assert.deepEqual(await current.dynamodb.stats("b"), { itemCount: 0, sizeBytes: 0 }, "a recreated table starts empty");
    // A write that raced DeleteTable on another node (its table cache not yet refreshed) leaves rows under no table.
    await current.dynamodb.transact([], () => ({
      writes: [{ put: row(b(1), b(), "{}", "c") }, { append: { stream: "c/stream", table: "c", createdAt: 1, record: "{}" } }],
      result: undefined,
    }));
    assert.equal(await current.dynamodb.createTable({ name: "c", createdAt: 6, definition: "{}" }), true);
    assert.deepEqual(await current.dynamodb.stats("c"), { itemCount: 0, sizeBytes: 0 }, "a new table does not inherit rows left under its name");
    assert.deepEqual(await current.dynamodb.streamBounds("c/stream"), { oldest: 1, latest: 0 });
  });

  test("snapshot reads a table and its items as of one moment, a page at a time, while writes go on", async ({ store }) => {
    assert.equal(await store.dynamodb.snapshot("none", 10, () => Promise.reject(new Error("no page for a missing table"))), undefined);
    await store.dynamodb.createTable({ name: "s", createdAt: 7, definition: '{"v":1}' });
    await store.dynamodb.transact([], () => ({ writes: Array.from({ length: 25 }, (_, i) => ({ put: row(b(i), b(), `{"n":${i}}`, "s") })), result: undefined }));
    const pages: string[][] = [];
    const table = await store.dynamodb.snapshot("s", 10, async (rows) => {
      pages.push(rows.map((r) => r.item));
      if (pages.length > 1) return;
      // Written after the snapshot began: none of it may be seen, not even on a later page.
      await store.dynamodb.transact([], () => ({
        writes: [{ put: row(b(30), b(), '{"n":"new"}', "s") }, { put: row(b(20), b(), '{"n":"changed"}', "s") }, { delete: { table: "s", partitionKey: b(15), sortKey: b() } }],
        result: undefined,
      }));
      await store.dynamodb.updateTable({ name: "s", createdAt: 7, definition: '{"v":2}' }, '{"v":1}');
    });
    assert.deepEqual(table, { name: "s", createdAt: 7, definition: '{"v":1}' }, "the definition as the snapshot saw it");
    assert.deepEqual(pages.map((page) => page.length), [10, 10, 5]);
    assert.deepEqual(pages.flat(), Array.from({ length: 25 }, (_, i) => `{"n":${i}}`), "every item as it was, in key order");
    assert.deepEqual((await store.dynamodb.items([{ table: "s", partitionKey: b(20), sortKey: b() }]))[0]?.item, '{"n":"changed"}', "the writes made meanwhile were kept");
    await assert.rejects(store.dynamodb.snapshot("s", 10, () => Promise.reject(new Error("the consumer failed"))), /the consumer failed/);
    assert.equal((await store.dynamodb.stats("s")).itemCount, 25, "a failed snapshot changes nothing, and the store still writes");
  });

  test("transact reads the current rows, applies the writes decided from them, and writes nothing when decide throws", async ({ store, reopen }) => {
    const key = { table: "t", partitionKey: b(1), sortKey: b(2) };
    const first = await store.dynamodb.transact([key], ([current]) => ({ writes: [{ put: row(b(1), b(2), '{"n":1}') }], result: current }));
    assert.equal(first, undefined);
    const seen = await store.dynamodb.transact([key, { ...key, sortKey: b(3) }], (current) => ({
      writes: [{ put: row(b(1), b(3), '{"n":2}') }, { put: row(b(1), b(2), '{"n":3}') }],
      result: current.map((r) => r?.item),
    }));
    assert.deepEqual(seen, ['{"n":1}', undefined]);
    await assert.rejects(
      store.dynamodb.transact([key], () => {
        throw new Error("condition failed");
      }),
      /condition failed/,
    );
    const current = await reopen();
    assert.deepEqual((await current.dynamodb.items([key, { ...key, sortKey: b(3) }, { ...key, table: "u" }])).map((r) => r?.item), ['{"n":3}', '{"n":2}', undefined]);
    assert.deepEqual(await current.dynamodb.stats("t"), { itemCount: 2, sizeBytes: 14 });
    await current.dynamodb.transact([key], () => ({ writes: [{ delete: key }], result: undefined }));
    assert.deepEqual((await current.dynamodb.items([key])).map((r) => r?.item), [undefined]);
  });

  test("deleteTable retires the given streams: their records outlive the table and a new table of the name, until trimStreams passes their retirement", async ({ store, reopen }) => {
    await store.dynamodb.createTable({ name: "r", createdAt: 1, definition: "{}" });
    const append = (stream: string) => ({ append: { stream, table: "r", createdAt: 200, record: `{"s":"${stream}"}` } });
    await store.dynamodb.transact([], () => ({ writes: [{ put: row(b(1), b(), "{}", "r") }, append("r/s1"), append("r/s1"), append("r/s2")], result: undefined }));
    const retired = { stream: "r/s1", table: { name: "r", createdAt: 1, definition: '{"d":1}' }, retiredAt: 100 };
    assert.equal(await store.dynamodb.deleteTable("nope", [{ ...retired, stream: "nope/s" }]), false);
    assert.equal(await store.dynamodb.deleteTable("r", [retired]), true);
    const current = await reopen();
    assert.deepEqual(await current.dynamodb.retiredStreams(), [retired], "only a deleted table's streams are retired");
    assert.deepEqual(await current.dynamodb.stats("r"), { itemCount: 0, sizeBytes: 0 });
    assert.deepEqual(await current.dynamodb.streamBounds("r/s2"), { oldest: 1, latest: 0 }, "a stream not retired goes with the table");
    assert.equal(await current.dynamodb.createTable({ name: "r", createdAt: 300, definition: "{}" }), true);
    await current.dynamodb.transact([], () => ({ writes: [append("r/s3")], result: undefined }));
    assert.deepEqual((await current.dynamodb.streamRecords("r/s1", 0, 10)).map((r) => r.sequence), [1, 2], "a new table of the name leaves the retired stream alone");
    assert.deepEqual(await current.dynamodb.streamBounds("r/s1"), { oldest: 1, latest: 2 });
    assert.equal(await current.dynamodb.trimStreams(100), 0);
    assert.equal(await current.dynamodb.trimStreams(101), 2, "past its retirement the stream's records go, however young");
    assert.deepEqual(await current.dynamodb.retiredStreams(), []);
    assert.deepEqual(await current.dynamodb.streamBounds("r/s1"), { oldest: 1, latest: 0 });
    assert.deepEqual(await current.dynamodb.streamBounds("r/s3"), { oldest: 1, latest: 1 }, "the new table's stream stays");
  });

  test("transactOnce stores its token with the writes: a live token answers its digest without writing; a cancelled one stores none; expired ones go", async ({ store, reopen }) => {
    const key = { table: "t", partitionKey: b(1), sortKey: b() };
    const add = (current: (DynamoItemRow | undefined)[]) => {
      const n = current[0] === undefined ? 1 : (JSON.parse(current[0].item) as { n: number }).n + 1;
      return { writes: [{ put: row(b(1), b(), JSON.stringify({ n })) }], result: n };
    };
    const token = { token: "tok", digest: "d1", now: 1_000, expiresAt: 601_000 };
    assert.deepEqual(await store.dynamodb.transactOnce(token, [key], add), { result: 1 });
    await assert.rejects(store.dynamodb.transactOnce({ ...token, token: "cancelled" }, [key], () => { throw new Error("condition failed"); }), /condition failed/);
    const current = await reopen();
    assert.deepEqual(await current.dynamodb.transactOnce({ ...token, now: 2_000 }, [key], add), { repeatOf: "d1" }, "a repeat after a restart is not applied");
    assert.deepEqual(await current.dynamodb.transactOnce({ ...token, digest: "d2", now: 2_000 }, [key], add), { repeatOf: "d1" }, "another request under the token learns the first digest");
    assert.deepEqual(await current.dynamodb.transactOnce({ ...token, token: "cancelled", digest: "d3", now: 2_000 }, [key], add), { result: 2 }, "a cancelled transaction kept no token");
    // Two requests under one fresh token at once: one applies, the other sees it.
    const both = await Promise.all([1, 2].map(() => current.dynamodb.transactOnce({ ...token, token: "raced", now: 3_000 }, [key], add)));
    assert.deepEqual(both.map((o) => ("result" in o ? "applied" : "repeat")).sort(), ["applied", "repeat"]);
    assert.deepEqual((await current.dynamodb.items([key])).map((r) => r?.item), ['{"n":3}']);
    assert.equal(await current.dynamodb.forgetTokens(600_999), 0);
    assert.deepEqual(await current.dynamodb.transactOnce({ ...token, now: 601_000, expiresAt: 1_201_000 }, [key], add), { result: 4 }, "an expired token, not yet swept, is a new request");
    assert.equal(await current.dynamodb.forgetTokens(601_000), 2, "the expired ones go; the renewed one stays");
    assert.deepEqual(await current.dynamodb.transactOnce({ ...token, now: 601_000 }, [key], add), { repeatOf: "d1" });
  });

  test("query orders sort keys by unsigned bytes, honours bounds, direction, a resume key and a limit; scan orders by both keys", async ({ store }) => {
    const sorts = [b(0x80), b(0x01), b(0x01, 0x00), b(0xff), b(0x7f, 0xff), b()];
    await store.dynamodb.transact([], () => ({ writes: [...sorts.map((s) => ({ put: row(b(5), s) })), { put: row(b(4), b(9)) }, { put: row(b(6), b(0)) }], result: undefined }));
    const all = await store.dynamodb.query({ table: "t", partitionKey: b(5), forward: true, limit: 100 });
    assert.deepEqual(sortKeys(all), [[], [0x01], [0x01, 0x00], [0x7f, 0xff], [0x80], [0xff]]);
    const back = await store.dynamodb.query({ table: "t", partitionKey: b(5), forward: false, limit: 2 });
    assert.deepEqual(sortKeys(back), [[0xff], [0x80]]);
    const ranged = await store.dynamodb.query({ table: "t", partitionKey: b(5), lower: { key: b(0x01), inclusive: false }, upper: { key: b(0x80), inclusive: true }, forward: true, limit: 100 });
    assert.deepEqual(sortKeys(ranged), [[0x01, 0x00], [0x7f, 0xff], [0x80]]);
    const resumed = await store.dynamodb.query({ table: "t", partitionKey: b(5), lower: { key: b(0x01), inclusive: true }, forward: true, after: b(0x7f, 0xff), limit: 100 });
    assert.deepEqual(sortKeys(resumed), [[0x80], [0xff]]);
    const resumedBack = await store.dynamodb.query({ table: "t", partitionKey: b(5), forward: false, after: b(0x7f, 0xff), limit: 100 });
    assert.deepEqual(sortKeys(resumedBack), [[0x01, 0x00], [0x01], []]);
    const scanned = await store.dynamodb.scan("t", undefined, 100);
    assert.deepEqual(scanned.map((r) => [r.partitionKey[0], [...r.sortKey]]), [[4, [9]], ...all.map((r) => [5, [...r.sortKey]]), [6, [0]]]);
    const page = await store.dynamodb.scan("t", { partitionKey: b(5), sortKey: b(0x80) }, 2);
    assert.deepEqual(page.map((r) => [r.partitionKey[0], [...r.sortKey]]), [[5, [0xff]], [6, [0]]]);
  });

  test("index entries: a put with indexes replaces the item's entries, a delete drops them; indexItems reads the items in index order within a range, a page at a time either way; dropIndex and deleteTable remove them", async ({ store, reopen }) => {
    const entry = (index: string, partitionKey: Buffer, sortKey: Buffer) => ({ index, partitionKey, sortKey });
    await store.dynamodb.createTable({ name: "t", createdAt: 1, definition: "{}" });
    await store.dynamodb.transact([], () => ({
      writes: [
        // Index "g": partition 7 holds three items whose index sort keys tie twice (the item keys then order them).
        { put: row(b(3), b(), '{"n":3}'), indexes: [entry("g", b(7), b(0x80)), entry("h", b(1), b())] },
        { put: row(b(1), b(), '{"n":1}'), indexes: [entry("g", b(7), b(0x80))] },
        { put: row(b(2), b(), '{"n":2}'), indexes: [entry("g", b(7), b(0x01, 0x00))] },
        { put: row(b(4), b(), '{"n":4}'), indexes: [entry("g", b(8), b(0x00))] },
        // Without indexes: a table without any, nothing is kept for it.
        { put: row(b(5), b(), '{"n":5}') },
      ],
      result: undefined,
    }));
    const items = async (range: Partial<Parameters<typeof store.dynamodb.indexItems>[0]> = {}) =>
      (await current.dynamodb.indexItems({ table: "t", index: "g", ...range })).map((r) => r.item);
    let current = await reopen();
    assert.deepEqual(await items(), ['{"n":2}', '{"n":1}', '{"n":3}', '{"n":4}'], "index order: index keys, then the item's keys");
    assert.deepEqual(await items({ partitionKey: b(7) }), ['{"n":2}', '{"n":1}', '{"n":3}']);
    assert.deepEqual(await items({ partitionKey: b(7), lower: { key: b(0x01, 0x00), inclusive: false } }), ['{"n":1}', '{"n":3}']);
    assert.deepEqual(await items({ partitionKey: b(7), upper: { key: b(0x80), inclusive: false } }), ['{"n":2}']);
    assert.deepEqual(await items({ partitionKey: b(7), lower: { key: b(0x01), inclusive: true }, upper: { key: b(0x80), inclusive: true } }), ['{"n":2}', '{"n":1}', '{"n":3}']);
    assert.deepEqual(await items({ index: "h" }), ['{"n":3}']);
    assert.deepEqual(await items({ table: "other" }), []);
    // Pages: the reverse order, a limit, and resuming past a place (within a partition, and across the whole index).
    const place = (partition: number, sort: Buffer, item: number) => ({ partitionKey: b(partition), sortKey: sort, itemPartitionKey: b(item), itemSortKey: b() });
    assert.deepEqual(await items({ partitionKey: b(7), forward: false }), ['{"n":3}', '{"n":1}', '{"n":2}']);
    assert.deepEqual(await items({ forward: false, limit: 2 }), ['{"n":4}', '{"n":3}']);
    assert.deepEqual(await items({ limit: 2 }), ['{"n":2}', '{"n":1}']);
    assert.deepEqual(await items({ partitionKey: b(7), after: place(7, b(0x80), 1) }), ['{"n":3}'], "past item 1, which ties with item 3 on the index key");
    assert.deepEqual(await items({ partitionKey: b(7), after: place(7, b(0x80), 1), forward: false }), ['{"n":2}']);
    assert.deepEqual(await items({ partitionKey: b(7), after: place(7, b(0x80), 1), lower: { key: b(0x80), inclusive: true }, forward: false }), []);
    assert.deepEqual(await items({ after: place(7, b(0x80), 3) }), ['{"n":4}'], "a whole-index read resumes into the next partition");
    assert.deepEqual(await items({ after: place(8, b(0x00), 4), forward: false, limit: 1 }), ['{"n":3}']);
    const [first] = await current.dynamodb.indexItems({ table: "t", index: "g", limit: 1 });
    assert.deepEqual([first?.indexPartitionKey, first?.indexSortKey, first?.partitionKey], [b(7), b(0x01, 0x00), b(2)], "each item comes with its entry's index key");
    // Item 3 moves within g and leaves h; item 1 is deleted; item 2 is rewritten without indexes (its entry stays).
    await current.dynamodb.transact([], () => ({
      writes: [
        { put: row(b(3), b(), '{"n":33}'), indexes: [entry("g", b(8), b(0x01))] },
        { delete: { table: "t", partitionKey: b(1), sortKey: b() } },
        { put: row(b(2), b(), '{"n":22}') },
      ],
      result: undefined,
    }));
    assert.deepEqual(await items(), ['{"n":22}', '{"n":4}', '{"n":33}']);
    assert.deepEqual(await items({ index: "h" }), []);
    await current.dynamodb.dropIndex("t", "g");
    assert.deepEqual(await items(), []);
    await current.dynamodb.transact([], () => ({ writes: [{ put: row(b(9), b(), '{"n":9}'), indexes: [entry("h", b(1), b())] }], result: undefined }));
    await current.dynamodb.deleteTable("t");
    await current.dynamodb.createTable({ name: "t", createdAt: 2, definition: "{}" });
    current = await reopen();
    assert.deepEqual(await items({ index: "h" }), [], "a table created again has no entries");
  });

  test("index pages: a whole index read a page at a time, each resumed past the last entry of the one before, gives every item once in index order, either way; entries that share an index key are ordered by their item's keys", async ({ store }) => {
    await store.dynamodb.createTable({ name: "t", createdAt: 1, definition: "{}" });
    await store.dynamodb.createTable({ name: "u", createdAt: 1, definition: "{}" });
    // 24 items: item keys (n % 5, n) so item partitions hold several; index key (n % 3, n % 4), so each index key is shared by two.
    const placed = Array.from({ length: 24 }, (_, n) => ({ n, partitionKey: b(n % 5), sortKey: b(n), indexPartitionKey: b(7 + (n % 3)), indexSortKey: b(n % 4) }));
    const writes = (table: string) =>
      placed.map((p) => ({ put: row(p.partitionKey, p.sortKey, `{"${table}":${p.n}}`, table), indexes: [{ index: "g", partitionKey: p.indexPartitionKey, sortKey: p.indexSortKey }] }));
    // Table u has entries under the same index name and keys: none may show in t's pages.
    await store.dynamodb.transact([], () => ({ writes: [...writes("u"), ...writes("t")], result: undefined }));
    const order = (p: (typeof placed)[number]) => Buffer.concat([p.indexPartitionKey, p.indexSortKey, p.partitionKey, p.sortKey]);
    const expected = [...placed].sort((x, y) => Buffer.compare(order(x), order(y))).map((p) => `{"t":${p.n}}`);
    for (const forward of [true, false]) {
      for (const limit of [1, 5, 24]) {
        const pages: string[][] = [];
        let after: { partitionKey: Buffer; sortKey: Buffer; itemPartitionKey: Buffer; itemSortKey: Buffer } | undefined;
        for (;;) {
          const page = await store.dynamodb.indexItems({ table: "t", index: "g", forward, after, limit });
          pages.push(page.map((r) => r.item));
          const last = page.at(-1);
          if (page.length < limit || last === undefined) break;
          after = { partitionKey: last.indexPartitionKey, sortKey: last.indexSortKey, itemPartitionKey: last.partitionKey, itemSortKey: last.sortKey };
        }
        assert.deepEqual(pages.flat(), forward ? expected : [...expected].reverse(), `forward ${forward}, ${limit} a page`);
        assert.ok(pages.slice(0, -1).every((page) => page.length === limit), "every page but the last is full");
      }
    }
  });

  test("keys as large as DynamoDB allows (2,048-byte partition, 1,024-byte sort, 255-character names) in items and index entries; keys alike in their first bytes stay apart", async ({ store }) => {
    const table = "t".repeat(255);
    const index = "i".repeat(255);
    const keyOf = (seed: number, length: number) => Buffer.concat([b(seed), randomBytes(length - 1)]);
    const [p1, p2, ip] = [keyOf(1, 2048), keyOf(2, 2048), keyOf(9, 2048)];
    const sorts = [1, 2, 3].map((seed) => keyOf(seed, 1024));
    // Keys that share p1's first 2,047 bytes, or are shaped like a digest of it: other keys all the same.
    const near = Buffer.concat([p1.subarray(0, 2047), b((p1[2047] as number) ^ 1)]);
    const shaped = Buffer.concat([p1.subarray(0, 256), createHash("sha256").update(p1).digest()]);
    const keys = [[p1, sorts[0]], [p1, sorts[1]], [p1, sorts[2]], [near, sorts[0]], [shaped, sorts[0]], [p2, sorts[0]]] as [Buffer, Buffer][];
    await store.dynamodb.createTable({ name: table, createdAt: 1, definition: "{}" });
    await store.dynamodb.transact([], () => ({
      writes: keys.map(([partitionKey, sortKey], n) => ({ put: row(partitionKey, sortKey, `{"n":${n}}`, table), indexes: [{ index, partitionKey: ip, sortKey: keyOf(n, 1024) }] })),
      result: undefined,
    }));
    const at = (partitionKey: Buffer, sortKey: Buffer) => ({ table, partitionKey, sortKey });
    assert.deepEqual((await store.dynamodb.items(keys.map(([p, s]) => at(p, s)))).map((r) => r?.item), keys.map((_, n) => `{"n":${n}}`));
    const query = async (partitionKey: Buffer, more: object = {}) => (await store.dynamodb.query({ table, partitionKey, forward: true, limit: 100, ...more })).map((r) => r.item);
    assert.deepEqual(await query(p1), ['{"n":0}', '{"n":1}', '{"n":2}']);
    assert.deepEqual(await query(p1, { lower: { key: sorts[0], inclusive: false }, after: sorts[1] }), ['{"n":2}']);
    assert.deepEqual([await query(near), await query(shaped), await query(p2)], [['{"n":3}'], ['{"n":4}'], ['{"n":5}']]);
    const scanned: string[] = [];
    for (let page = await store.dynamodb.scan(table, undefined, 2); page.length > 0; page = await store.dynamodb.scan(table, page.at(-1), 2)) scanned.push(...page.map((r) => r.item));
    assert.deepEqual(scanned.sort(), keys.map((_, n) => `{"n":${n}}`).sort(), "a Scan in pages finds each item once");
    const entries = async (more: object = {}) => (await store.dynamodb.indexItems({ table, index, partitionKey: ip, ...more })).map((r) => r.item);
    assert.deepEqual(await entries(), keys.map((_, n) => `{"n":${n}}`), "in index sort key order");
    const [third] = (await store.dynamodb.indexItems({ table, index, partitionKey: ip })).slice(2);
    const place = { partitionKey: ip, sortKey: third?.indexSortKey as Buffer, itemPartitionKey: p1, itemSortKey: sorts[2] as Buffer };
    assert.deepEqual(await entries({ after: place, limit: 2 }), ['{"n":3}', '{"n":4}']);
    assert.deepEqual(await entries({ after: place, forward: false }), ['{"n":1}', '{"n":0}']);
    assert.equal((await store.dynamodb.indexItems({ table, index, after: place })).length, 3, "a whole-index read resumes past it");
    await store.dynamodb.transact([at(near, sorts[0] as Buffer)], () => ({ writes: [{ delete: at(near, sorts[0] as Buffer) }], result: undefined }));
    assert.deepEqual([await query(near), (await entries()).length, await query(p1)], [[], 5, ['{"n":0}', '{"n":1}', '{"n":2}']]);
  });

  test("stream records: appended in the item's transaction, numbered per stream, kept until trimmed, gone with their table", async ({ store, reopen }) => {
    const key = { table: "t", partitionKey: b(1), sortKey: b() };
    const append = (stream: string, record: string, createdAt = 10) => ({ append: { stream, table: "t", createdAt, record } });
    await store.dynamodb.createTable({ name: "t", createdAt: 1, definition: "{}" });
    assert.deepEqual(await store.dynamodb.streamBounds("s1"), { oldest: 1, latest: 0 });
    await store.dynamodb.transact([key], () => ({ writes: [{ put: row(b(1), b()) }, append("s1", "a", 10)], result: undefined }));
    await store.dynamodb.transact([key], () => ({ writes: [append("s1", "b", 20), append("s2", "x", 20), append("s1", "c", 30)], result: undefined }));
    await assert.rejects(
      store.dynamodb.transact([key], () => {
        throw new Error("no");
      }),
      /no/,
    );
    const current = await reopen();
    assert.deepEqual(await current.dynamodb.streamRecords("s1", 0, 10), [
      { sequence: 1, createdAt: 10, record: "a" },
      { sequence: 2, createdAt: 20, record: "b" },
      { sequence: 3, createdAt: 30, record: "c" },
    ]);
    assert.deepEqual((await current.dynamodb.streamRecords("s1", 1, 1)).map((r) => r.record), ["b"]);
    assert.deepEqual((await current.dynamodb.streamRecords("s2", 0, 10)).map((r) => [r.sequence, r.record]), [[1, "x"]]);
    assert.deepEqual(await current.dynamodb.streamBounds("s1"), { oldest: 1, latest: 3 });
    assert.equal(await current.dynamodb.trimStreams(25), 3, "records created before 25 go, of every stream");
    assert.deepEqual(await current.dynamodb.streamBounds("s1"), { oldest: 3, latest: 3 });
    assert.equal(await current.dynamodb.trimStreams(100), 1);
    assert.deepEqual(await current.dynamodb.streamBounds("s1"), { oldest: 4, latest: 3 }, "trimming everything does not reset the numbering");
    await current.dynamodb.transact([], () => ({ writes: [append("s1", "d", 200)], result: undefined }));
    assert.deepEqual((await current.dynamodb.streamRecords("s1", 0, 10)).map((r) => r.sequence), [4]);
    assert.equal(await current.dynamodb.deleteTable("t"), true);
    assert.deepEqual(await current.dynamodb.streamRecords("s1", 0, 10), []);
    assert.deepEqual(await current.dynamodb.streamBounds("s1"), { oldest: 1, latest: 0 }, "a deleted table's streams are gone");
  });
}
