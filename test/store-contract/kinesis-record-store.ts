/** KinesisRecordStore: a Kinesis stream's records, numbered per stream in commit order, read by shard. */
import assert from "node:assert/strict";
import type { KinesisRecordAppend, KinesisRecordRow } from "../../src/store/ports.js";
import { checkAndAfterReopen, type StoreTest } from "./harness.js";
import type { ContractStore } from "./recorder.js";

const STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
const OTHER = "arn:aws:kinesis:us-east-1:123456789012:stream/t";

/** A record on `shard` whose data is `text`'s bytes (a plain Uint8Array, as the service hands them). */
const record = (shard: number, text: string, arrivedAt = 1_000): KinesisRecordAppend => ({
  shard, partitionKey: `pk-${text}`, data: new TextEncoder().encode(text), arrivedAt,
});

/** What a read answered, as comparable values: sequence, shard, partition key, data as text, arrival. */
const seen = (rows: readonly KinesisRecordRow[]) => rows.map((r) => [r.sequence, r.shard, r.partitionKey, r.data.toString(), r.arrivedAt]);

const sequences = (rows: readonly KinesisRecordRow[]) => rows.map((r) => r.sequence);

/** Every record of the shard after `after`, a page at a time. */
async function readAll(store: ContractStore, stream: string, shard: number, after = 0): Promise<KinesisRecordRow[]> {
  const all: KinesisRecordRow[] = [];
  for (;;) {
    const page = await store.kinesisRecords.read(stream, shard, all.at(-1)?.sequence ?? after, 7, 1_000_000);
    if (page.length === 0) return all;
    all.push(...page);
  }
}

export function kinesisRecordStoreContract(test: StoreTest): void {
  test("append numbers a stream's records 1, 2, 3 … across its shards, each batch in its order; read gives a shard's records after a number, data as a Buffer; kept across a reopen", async (context) => {
    const { store } = context;
    assert.equal(await store.kinesisRecords.latest(STREAM), 0, "0 before the first record");
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "a"), record(1, "b"), record(0, "c")]), [1, 2, 3]);
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(1, "d", 2_000)]), [4]);
    assert.deepEqual(await store.kinesisRecords.append(STREAM, []), [], "an empty batch takes no number");
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "e", 3_000), record(0, "f", 3_000)]), [5, 6]);
    await checkAndAfterReopen(context, async (current) => {
      assert.equal(await current.kinesisRecords.latest(STREAM), 6);
      const shard0 = await current.kinesisRecords.read(STREAM, 0, 0, 100, 1_000_000);
      assert.deepEqual(seen(shard0), [[1, 0, "pk-a", "a", 1_000], [3, 0, "pk-c", "c", 1_000], [5, 0, "pk-e", "e", 3_000], [6, 0, "pk-f", "f", 3_000]]);
      assert.ok(shard0.every((r) => Buffer.isBuffer(r.data)), "data comes back as a Buffer");
      assert.deepEqual(seen(await current.kinesisRecords.read(STREAM, 1, 0, 100, 1_000_000)), [[2, 1, "pk-b", "b", 1_000], [4, 1, "pk-d", "d", 2_000]]);
      assert.deepEqual(sequences(await current.kinesisRecords.read(STREAM, 0, 3, 100, 1_000_000)), [5, 6], "after a number of its own");
      assert.deepEqual(sequences(await current.kinesisRecords.read(STREAM, 0, 4, 100, 1_000_000)), [5, 6], "after another shard's number");
      assert.deepEqual(await current.kinesisRecords.read(STREAM, 0, 6, 100, 1_000_000), [], "nothing after the last");
      assert.deepEqual(await current.kinesisRecords.read(STREAM, 2, 0, 100, 1_000_000), [], "a shard without records");
    });
    const reopened = context.store;
    const bytes = Uint8Array.from([0, 255, 128, 10, 0]);
    const [sequence] = (await reopened.kinesisRecords.append(STREAM, [{ shard: 3, partitionKey: "bin", data: bytes, arrivedAt: 1 }])) ?? [];
    assert.equal(sequence, 7, "numbering goes on after a reopen");
    assert.deepEqual([...((await reopened.kinesisRecords.read(STREAM, 3, 0, 1, 1_000))[0]?.data ?? [])], [...bytes], "binary data round-trips byte for byte");
  });

  test("read stops at limit, and once the data before a record reaches maxBytes, but always gives one record when there is one", async ({ store }) => {
    await store.kinesisRecords.append(STREAM, [record(0, "1111"), record(1, "xx"), record(0, "2222"), record(0, "3333"), record(0, "4444")]);
    const read = async (limit: number, maxBytes: number, after = 0) => sequences(await store.kinesisRecords.read(STREAM, 0, after, limit, maxBytes));
    assert.deepEqual(await read(2, 1_000), [1, 3], "limit");
    assert.deepEqual(await read(0, 1_000), [], "a limit of 0 gives none");
    assert.deepEqual(await read(100, 8), [1, 3], "the third record's predecessors already hold 8 bytes");
    assert.deepEqual(await read(100, 9), [1, 3, 4], "8 bytes before the third: under 9, so it is given");
    assert.deepEqual(await read(100, 12), [1, 3, 4]);
    assert.deepEqual(await read(100, 13), [1, 3, 4, 5]);
    assert.deepEqual(await read(100, 1), [1], "one record even when it alone passes maxBytes");
    assert.deepEqual(await read(100, 0), [1], "at least one");
    assert.deepEqual(await read(100, 5, 3), [4, 5], "counted from the first record read");
    assert.deepEqual(await read(1, 1_000, 4), [5]);

    const big = new Uint8Array(64 * 1024).fill(7);
    await store.kinesisRecords.append(OTHER, [{ shard: 0, partitionKey: "big", data: big, arrivedAt: 1 }, { shard: 0, partitionKey: "small", data: big.subarray(0, 1), arrivedAt: 1 }]);
    const [only, ...rest] = await store.kinesisRecords.read(OTHER, 0, 0, 10, 1_024);
    assert.equal(only?.data.length, big.length, "a record larger than maxBytes is given whole");
    assert.deepEqual(rest, []);
  });

  test("latest, oldest and before: the stream's last number, a shard's oldest kept, and where reading from a time starts", async (context) => {
    const { store } = context;
    assert.equal(await store.kinesisRecords.oldest(STREAM, 0), undefined);
    assert.equal(await store.kinesisRecords.before(STREAM, 0, 0), 0, "no record: the stream's latest, 0");
    // Shard 0 holds 1 (t=100), 3 (t=200), 5 (t=300); shard 1 holds 2 (t=150), 4 (t=250).
    await store.kinesisRecords.append(STREAM, [record(0, "a", 100), record(1, "b", 150)]);
    await store.kinesisRecords.append(STREAM, [record(0, "c", 200), record(1, "d", 250), record(0, "e", 300)]);
    await checkAndAfterReopen(context, async (current) => {
      const records = current.kinesisRecords;
      assert.equal(await records.latest(STREAM), 5);
      assert.equal(await records.latest(OTHER), 0, "another stream has none");
      assert.equal(await records.oldest(STREAM, 0), 1);
      assert.equal(await records.oldest(STREAM, 1), 2);
      assert.equal(await records.oldest(STREAM, 2), undefined);
      assert.equal(await records.before(STREAM, 0, 0), 0, "before every record: just before the first");
      assert.equal(await records.before(STREAM, 0, 100), 0, "arrived at the time counts");
      assert.equal(await records.before(STREAM, 0, 101), 2, "just before 3, the first at or after 101");
      assert.deepEqual(sequences(await records.read(STREAM, 0, await records.before(STREAM, 0, 101), 10, 1_000)), [3, 5], "reading after it starts there");
      assert.equal(await records.before(STREAM, 1, 200), 3);
      assert.equal(await records.before(STREAM, 0, 300), 4);
      assert.equal(await records.before(STREAM, 0, 301), 5, "none at or after the time: the stream's latest");
      assert.equal(await records.before(STREAM, 1, 251), 5, "the stream's latest, not the shard's last");
      assert.deepEqual(await records.read(STREAM, 1, await records.before(STREAM, 1, 251), 10, 1_000), []);
    });
    const reopened = context.store;
    await reopened.kinesisRecords.append(STREAM, [record(0, "f", 400), record(1, "g", 400)]);
    assert.equal(await reopened.kinesisRecords.latest(STREAM), 7);
    assert.equal(await reopened.kinesisRecords.before(STREAM, 1, 251), 6, "a later record of the shard is where it starts");
  });

  test("trim deletes the stream's records that arrived before a time and says how many; only that stream's", async (context) => {
    const { store } = context;
    await store.kinesisRecords.append(STREAM, [record(0, "a", 100), record(1, "b", 150), record(0, "c", 200), record(1, "d", 250)]);
    await store.kinesisRecords.append(OTHER, [record(0, "x", 100)]);
    assert.equal(await store.kinesisRecords.trim(STREAM, 200), 2);
    assert.equal(await store.kinesisRecords.trim(STREAM, 200), 0, "nothing left to trim");
    await checkAndAfterReopen(context, async (current) => {
      const records = current.kinesisRecords;
      assert.equal(await records.oldest(STREAM, 0), 3);
      assert.equal(await records.oldest(STREAM, 1), 4);
      assert.deepEqual(sequences(await records.read(STREAM, 0, 0, 10, 1_000)), [3], "reading from before the trim starts at the oldest kept");
      assert.equal(await records.before(STREAM, 0, 0), 2, "before every kept record: just before the shard's oldest kept");
      assert.equal(await records.latest(STREAM), 4, "trimming keeps the counter");
      assert.equal(await records.oldest(OTHER, 0), 1, "another stream's records stay");
    });
    const reopened = context.store;
    assert.equal(await reopened.kinesisRecords.trim(STREAM, 1_000), 2);
    assert.equal(await reopened.kinesisRecords.oldest(STREAM, 0), undefined);
    assert.deepEqual(await reopened.kinesisRecords.append(STREAM, [record(0, "e")]), [5], "numbering goes on after a trim");
  });

  test("forget deletes a stream's records and counter (one created again starts at 1) and leaves other streams alone; streams number apart", async (context) => {
    const { store } = context;
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "a"), record(1, "b")]), [1, 2]);
    assert.deepEqual(await store.kinesisRecords.append(OTHER, [record(0, "x")]), [1], "each stream has its own numbers");
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "c")]), [3]);
    assert.deepEqual(await store.kinesisRecords.append(OTHER, [record(0, "y")]), [2]);
    await store.kinesisRecords.forget(STREAM);
    await store.kinesisRecords.forget("arn:aws:kinesis:us-east-1:123456789012:stream/never-written");
    await checkAndAfterReopen(context, async (current) => {
      assert.equal(await current.kinesisRecords.latest(STREAM), 0);
      assert.deepEqual(await current.kinesisRecords.read(STREAM, 0, 0, 10, 1_000), []);
      assert.equal(await current.kinesisRecords.oldest(STREAM, 0), undefined);
      assert.equal(await current.kinesisRecords.latest(OTHER), 2);
      assert.deepEqual(seen(await current.kinesisRecords.read(OTHER, 0, 0, 10, 1_000)).map((r) => r[3]), ["x", "y"]);
    });
    assert.deepEqual(await context.store.kinesisRecords.append(STREAM, [record(0, "again")]), [1], "created again under its name: starts at 1");
  });

  test("close cuts shards at the stream's last number: appends naming them are refused whole from then on (others go on); closing one already closed closes nothing; forget reopens", async (context) => {
    const { store } = context;
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "a"), record(1, "b"), record(2, "c")]), [1, 2, 3]);
    assert.equal(await store.kinesisRecords.close(STREAM, [0, 1], 1_000), 3, "the cut: the stream's last number");
    assert.equal(await store.kinesisRecords.append(STREAM, [record(2, "d"), record(0, "late")]), undefined, "a batch naming a closed shard is refused");
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(2, "d"), record(3, "child")]), [4, 5], "nothing of the refused batch took a number");
    assert.equal(await store.kinesisRecords.close(STREAM, [1, 2], 1_000), undefined, "shard 1 was closed already: nothing closed");
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(2, "e")]), [6], "so shard 2 is still open");
    assert.equal(await store.kinesisRecords.close(OTHER, [0], 1_000), 0, "a stream without records cuts at 0");
    await checkAndAfterReopen(context, async (current) => {
      assert.deepEqual(sequences(await current.kinesisRecords.read(STREAM, 0, 0, 10, 1_000)), [1], "the closed shard holds what it had");
      assert.equal(await current.kinesisRecords.append(STREAM, [record(1, "x")]), undefined, "closed across a reopen");
    });
    await context.store.kinesisRecords.forget(STREAM);
    assert.deepEqual(await context.store.kinesisRecords.append(STREAM, [record(0, "new")]), [1], "a stream created again has no closed shards");
  });

  test("reopen opens closed shards again and answers which were closed: appends to them commit after what they had; others stay closed; kept across a reopen", async (context) => {
    const { store } = context;
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "a"), record(1, "b")]), [1, 2]);
    assert.equal(await store.kinesisRecords.close(STREAM, [0, 1], 1_000), 2);
    assert.deepEqual(await store.kinesisRecords.reopen(STREAM, [0, 2]), [0], "shard 2 was never closed");
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "c")]), [3], "the reopened shard takes appends again");
    assert.equal(await store.kinesisRecords.append(STREAM, [record(1, "x")]), undefined, "shard 1 stays closed");
    assert.deepEqual(await store.kinesisRecords.reopen(OTHER, [0]), [], "a stream with no closed shards reopens none");
    await checkAndAfterReopen(context, async (current) => {
      assert.deepEqual(sequences(await current.kinesisRecords.read(STREAM, 0, 0, 10, 1_000)), [1, 3]);
      assert.equal(await current.kinesisRecords.append(STREAM, [record(1, "y")]), undefined, "still closed across a reopen");
    });
    assert.equal(await context.store.kinesisRecords.close(STREAM, [0], 1_000), 3, "a reopened shard can be closed again");
  });

  test("a closure keeps its time: reopen with closedBefore reopens only closures made before it (an old one, not a fresh one); stillClosed holds until its closure is reopened; kept across a reopen", async (context) => {
    const { store } = context;
    assert.deepEqual(await store.kinesisRecords.append(STREAM, [record(0, "a"), record(1, "b")]), [1, 2]);
    assert.equal(await store.kinesisRecords.close(STREAM, [0], 1_000), 2, "an old closure");
    assert.equal(await store.kinesisRecords.close(STREAM, [1, 2], 100_000), 2, "a fresh one");
    assert.equal(await store.kinesisRecords.stillClosed(STREAM, [1, 2], 100_000), true);
    assert.equal(await store.kinesisRecords.stillClosed(STREAM, [0, 1], 100_000), false, "shard 0's closure was made at another time");
    await checkAndAfterReopen(context, async (current) => {
      assert.equal(await current.kinesisRecords.stillClosed(STREAM, [0], 1_000), true, "the time is kept");
    });
    const records = context.store.kinesisRecords;
    assert.deepEqual(await records.reopen(STREAM, [0, 1, 2, 3], 100_000), [0], "only the closure made before 100,000");
    assert.equal(await records.stillClosed(STREAM, [0], 1_000), false, "reopened");
    assert.deepEqual(await records.append(STREAM, [record(0, "c")]), [3], "the old closure's shard takes appends again");
    assert.equal(await records.append(STREAM, [record(1, "x")]), undefined, "the fresh closure's shard does not");
    assert.deepEqual(await records.reopen(STREAM, [0], 100_001), [], "a closure is reopened once");
    assert.deepEqual(await records.reopen(STREAM, [1, 2], 100_001), [1, 2], "once old enough, the fresh one too");
    assert.deepEqual(await records.append(STREAM, [record(1, "d"), record(2, "e")]), [4, 5]);
  });

  test("a stale reopen racing a close and another reopen on two stores (nodes): the old closure is reopened once, and the shard ends closed exactly when the close won", async ({ store, another }) => {
    const other = await another();
    const ROUNDS = 12;
    for (let shard = 0; shard < ROUNDS; shard++) {
      assert.notEqual(await store.kinesisRecords.close(STREAM, [shard], 1_000), undefined, "an interrupted resharding's closure");
      // A resharding closing the shard afresh while two nodes reopen the old closure: the fresh closure (at 61,000) is not stale for them.
      const [first, second, cut] = await Promise.all([
        store.kinesisRecords.reopen(STREAM, [shard], 61_000),
        other.kinesisRecords.reopen(STREAM, [shard], 61_000),
        (shard % 2 === 0 ? other : store).kinesisRecords.close(STREAM, [shard], 61_000),
      ]);
      assert.deepEqual([...first, ...second], [shard], `round ${shard}: one of the two reopened it`);
      const closed = await store.kinesisRecords.stillClosed(STREAM, [shard], 61_000);
      assert.equal(closed, cut !== undefined, `round ${shard}: closed afterwards exactly when the close won (it lost when it saw the old closure)`);
      assert.equal(await store.kinesisRecords.stillClosed(STREAM, [shard], 1_000), false, `round ${shard}: the old closure is gone`);
      const appended = await other.kinesisRecords.append(STREAM, [record(shard, `r${shard}`)]);
      assert.equal(appended === undefined, closed, `round ${shard}: appends are refused exactly when it is closed`);
    }
  });

  test("appends racing on two stores (nodes) get distinct numbers, each batch consecutive, committed in order (a reader following along misses none)", async ({ store, another }) => {
    const other = await another();
    const BATCHES = 24;
    const SIZE = 3;
    let appending = true;
    // A reader polling while the appends run: were a number committed after a larger one was read, it would skip it.
    const follow = async () => {
      const got: number[] = [];
      while (appending) {
        const page = await store.kinesisRecords.read(STREAM, 0, got.at(-1) ?? 0, 1_000, 1_000_000);
        got.push(...sequences(page));
        if (page.length === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      got.push(...sequences(await readAll(store, STREAM, 0, got.at(-1) ?? 0)));
      return got;
    };
    const following = follow();
    const batches = await Promise.all(
      Array.from({ length: BATCHES }, (_, b) =>
        (b % 2 === 0 ? store : other).kinesisRecords.append(STREAM, Array.from({ length: SIZE }, (_, i) => record(0, `${b}.${i}`))),
      ),
    ).finally(() => (appending = false));
    const followed = await following;
    const all = batches.map((numbers) => numbers ?? []).flat();
    assert.deepEqual([...all].sort((a, b) => a - b), Array.from({ length: BATCHES * SIZE }, (_, i) => i + 1), "every number once, none skipped");
    for (const numbers of batches.map((n) => n ?? [])) assert.deepEqual(numbers, numbers.map((_, i) => (numbers[0] ?? 0) + i), "a batch's numbers are consecutive");
    assert.deepEqual(followed, Array.from({ length: BATCHES * SIZE }, (_, i) => i + 1), "the reader saw every record, in order");
    const stored = await readAll(store, STREAM, 0);
    batches.forEach((numbers, b) => {
      const texts = (numbers ?? []).map((n) => stored.find((r) => r.sequence === n)?.data.toString());
      assert.deepEqual(texts, Array.from({ length: SIZE }, (_, i) => `${b}.${i}`), "each number holds its own batch's record, in the batch's order");
    });
    assert.equal(await other.kinesisRecords.latest(STREAM), BATCHES * SIZE);
  });
}
