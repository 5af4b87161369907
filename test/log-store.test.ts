/**
 * The SQLite log store's bounds on a real database file: running totals that always equal a
 * recount, oldest-first eviction past the cap, expiry in batches, and the sweeper's lifecycle
 * (with an injected clock, so "31 days later" takes no time).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { pino } from "pino";
import { RetentionSweeper } from "../src/store/retention-sweeper.js";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";

const DAY_MS = 86_400_000;

describe("SQLite log store bounds", () => {
  const dir = mkdtempSync(join(tmpdir(), "unkai-logstore-"));
  const path = join(dir, "unkai.db");
  const store: Store = openSqliteStore(path, (error) => assert.fail(String(error)), { defaultRetentionDays: 30, groupMaxBytes: 100_000 });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Totals recounted from the rows, to compare with the running ones. */
  function recount(group: string): { group: number; streams: Map<string, number> } {
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.prepare<[string], { log_stream: string; bytes: number }>(
        "SELECT log_stream, SUM(length(CAST(message AS BLOB)) + 26) AS bytes FROM log_events WHERE log_group = ? GROUP BY log_stream",
      ).all(group);
      return { group: rows.reduce((sum, row) => sum + row.bytes, 0), streams: new Map(rows.map((row) => [row.log_stream, row.bytes])) };
    } finally {
      db.close();
    }
  }

  async function assertTotals(group: string): Promise<void> {
    const counted = recount(group);
    assert.equal((await store.logs.group(group))?.storedBytes, counted.group, "the group's running total equals a recount");
    for (const stream of await store.logs.streams(group, undefined, 50)) {
      assert.equal(stream.storedBytes, counted.streams.get(stream.logStreamName) ?? 0, `stream ${stream.logStreamName}'s running total equals a recount`);
    }
  }

  it("evicts the oldest events first once a group passes its cap, and the totals stay exact", async () => {
    const now = Date.now();
    for (let i = 0; i < 300; i++) {
      await store.logs.append("/cap", i % 2 === 0 ? "even" : "odd", [{ timestamp: now + i, message: `${i}:${"é".repeat(487)}` }]);
    }
    const group = await store.logs.group("/cap");
    assert.equal(group?.retentionInDays, 30, "a group created by a write gets the default retention");
    assert.ok((group?.storedBytes ?? 0) <= 100_000 && (group?.storedBytes ?? 0) > 80_000, `stored ${group?.storedBytes}`);
    const { events } = await store.logs.query({ group: "/cap", limit: 10_000 });
    const numbers = events.map((event) => Number(event.message.split(":")[0]));
    assert.equal(numbers.at(-1), 299, "the newest event is kept");
    assert.deepEqual(numbers, numbers.map((_, i) => 300 - numbers.length + i), "what is kept is exactly the newest, without gaps");
    await assertTotals("/cap");
  });

  it("appends queued together keep their order within each group, and each stream's first, last and total stay exact", async () => {
    // Interleaved groups and streams, written in one write-behind batch (no read in between).
    const t = Date.now();
    const appends: [string, string, number][] = [["/order-a", "s1", 1], ["/order-b", "x", 2], ["/order-a", "s2", 3], ["/order-a", "s2", 4], ["/order-b", "x", 5], ["/order-a", "s1", 6]];
    for (const [group, stream, n] of appends) await store.logs.append(group, stream, [{ timestamp: t + n, message: `${n}a` }, { timestamp: t + n, message: `${n}b` }]);
    const messages = async (group: string) => (await store.logs.query({ group, limit: 100 })).events.map((e) => `${e.logStreamName}:${e.message}`);
    assert.deepEqual(await messages("/order-a"), ["s1:1a", "s1:1b", "s2:3a", "s2:3b", "s2:4a", "s2:4b", "s1:6a", "s1:6b"]);
    assert.deepEqual(await messages("/order-b"), ["x:2a", "x:2b", "x:5a", "x:5b"]);
    const streams = new Map((await store.logs.streams("/order-a", undefined, 10)).map((s) => [s.logStreamName, s]));
    assert.equal(streams.get("s1")?.firstEventTimestamp, t + 1);
    assert.equal(streams.get("s1")?.lastEventTimestamp, t + 6);
    assert.equal(streams.get("s2")?.firstEventTimestamp, t + 3);
    assert.equal(streams.get("s2")?.lastEventTimestamp, t + 4);
    await assertTotals("/order-a");
    await assertTotals("/order-b");
  });

  it("deletes expired events in batches of the given size, only in groups with retention", async () => {
    const now = Date.now();
    assert.ok(await store.logs.createGroup("/forever", now));
    assert.ok(await store.logs.createStream("/forever", "s", now));
    await store.logs.append("/forever", "s", Array.from({ length: 50 }, (_, i) => ({ timestamp: now - 400 * DAY_MS + i, message: `kept ${i}` })));
    await store.logs.append("/expiring", "s", Array.from({ length: 2500 }, (_, i) => ({ timestamp: now - 31 * DAY_MS + i, message: `old ${i}` })));
    await store.logs.append("/expiring", "s", [{ timestamp: now, message: "new" }]);
    assert.equal(await store.logs.deleteExpired(now, 1000), 1000);
    assert.equal(await store.logs.deleteExpired(now, 1000), 1000);
    assert.equal(await store.logs.deleteExpired(now, 1000), 500);
    assert.equal(await store.logs.deleteExpired(now, 1000), 0);
    assert.deepEqual((await store.logs.query({ group: "/expiring", limit: 10 })).events.map((e) => e.message), ["new"]);
    assert.equal((await store.logs.query({ group: "/forever", limit: 100 })).events.length, 50, "a group without retention keeps everything");
    await assertTotals("/expiring");
    assert.ok(await store.logs.setRetention("/forever", 1));
    assert.equal(await store.logs.deleteExpired(now, 1000), 50);
    await assertTotals("/forever");
    assert.equal(await store.logs.setRetention("/missing", 1), false);
  });

  it("the sweeper deletes everything past retention at its clock's time, and closes idempotently", async () => {
    const now = Date.now();
    await store.logs.append("/swept", "s", Array.from({ length: 2000 }, (_, i) => ({ timestamp: now + i, message: `line ${i}` })));
    let clock = now;
    const sweeper = new RetentionSweeper([{ name: "log events", deleteExpired: (at, limit) => store.logs.deleteExpired(at, limit) }], { intervalMs: 60_000, batchSize: 700, now: () => clock }, pino({ level: "silent" }));
    await sweeper.sweep();
    assert.equal((await store.logs.group("/swept"))?.storedBytes, recount("/swept").group);
    assert.equal((await store.logs.query({ group: "/swept", limit: 10_000 })).events.length, 2000, "nothing is past 30 days yet");
    clock = now + 31 * DAY_MS;
    await sweeper.sweep();
    assert.equal((await store.logs.query({ group: "/swept", limit: 10_000 })).events.length, 0);
    assert.equal((await store.logs.group("/swept"))?.storedBytes, 0);
    sweeper.start();
    await sweeper.close();
    await sweeper.close();
  });

  it("invocation records started before the cut-off are deleted in batches; newer ones stay", async () => {
    const now = Date.now();
    const record = (requestId: string, startedAt: number) => ({
      requestId, functionName: "f", version: "$LATEST", startedAt, durationMs: 1, billedDurationMs: 1, initDurationMs: undefined,
      coldStart: false, memorySizeMb: 128, maxMemoryUsedMb: 1, status: "success" as const, errorType: undefined, logStream: undefined,
    });
    for (let i = 0; i < 25; i++) await store.invocations.add(record(`old-${i}`, now - 40 * DAY_MS + i));
    await store.invocations.add(record("new", now));
    const cutOff = now - 30 * DAY_MS;
    assert.equal(await store.invocations.deleteStartedBefore(cutOff, 10), 10);
    assert.equal(await store.invocations.deleteStartedBefore(cutOff, 10), 10);
    assert.equal(await store.invocations.deleteStartedBefore(cutOff, 10), 5);
    assert.equal(await store.invocations.deleteStartedBefore(cutOff, 10), 0);
    assert.deepEqual((await store.invocations.recent("f", 100)).map((r) => r.requestId), ["new"]);
  });
});
