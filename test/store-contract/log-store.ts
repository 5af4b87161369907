/**
 * LogStore: groups of streams of events. Cases for a new LogStore method go here, one `test` each;
 * the coverage check at the end of the suite names any method no case calls.
 */
import assert from "node:assert/strict";
import type { LogQuery, StoredLogEvent } from "../../src/store/ports.js";
import { checkAndAfterReopen, plain, type StoreTest } from "./harness.js";
import type { ContractStore } from "./recorder.js";

/** What each event counts for in stored bytes on top of its UTF-8 message (LogGroupInfo.storedBytes in ports.ts). */
const OVERHEAD = 26;

const events = (...pairs: [number, string][]) => pairs.map(([timestamp, message]) => ({ timestamp, message }));

/** Every event a query matches, page by page of `limit`, checking each page's cursor. */
async function allPages(store: ContractStore, query: Omit<LogQuery, "afterId">): Promise<StoredLogEvent[]> {
  const seen: StoredLogEvent[] = [];
  let afterId: number | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.logs.query({ ...query, afterId });
    assert.ok(page.events.length <= query.limit);
    seen.push(...page.events);
    if (page.lastId === undefined) return seen;
    assert.equal(page.events.length, query.limit, "a cursor comes only with a full page");
    afterId = page.lastId;
  }
  throw new Error("the query never ran out of pages");
}

/** The stored bytes of a group and of each of its streams, counted from the events a query returns. */
async function recount(store: ContractStore, group: string): Promise<{ group: number; streams: Map<string, number> }> {
  const streams = new Map<string, number>();
  let total = 0;
  for (const event of await allPages(store, { group, limit: 1_000 })) {
    const bytes = Buffer.byteLength(event.message) + OVERHEAD;
    streams.set(event.logStreamName, (streams.get(event.logStreamName) ?? 0) + bytes);
    total += bytes;
  }
  return { group: total, streams };
}

/** The running totals group() and streams() report equal a recount of what is stored. */
async function assertTotals(store: ContractStore, group: string): Promise<void> {
  const counted = await recount(store, group);
  assert.equal((await store.logs.group(group))?.storedBytes, counted.group, `${group}: the running total equals a recount`);
  for (const stream of await store.logs.streams(group, undefined, 100)) {
    assert.equal(stream.storedBytes, counted.streams.get(stream.logStreamName) ?? 0, `${group} ${stream.logStreamName}: the running total equals a recount`);
  }
}

const DAY_MS = 86_400_000;
/** The byte cap of the eviction case: about 30 of its 70-byte events. */
const CAP_BYTES = 2_000;
/** A fixed "now" for retention cases: they pass times explicitly and never wait. */
const NOW = 1_900_000_000_000;

async function messages(store: ContractStore, group: string): Promise<string[]> {
  return (await allPages(store, { group, limit: 100 })).map((event) => event.message);
}

async function threeStreams(store: ContractStore): Promise<void> {
  await store.logs.append("/aws/lambda/fn", "s1", events([1_000, "START one"], [1_100, "hello from s1"], [1_200, "END one"]));
  await store.logs.append("/aws/lambda/fn", "s2", events([1_050, "START two"], [1_500, "ERROR boom"]));
  await store.logs.append("/aws/lambda/other", "s1", events([1_000, "hello from other"]));
  await store.logs.append("/aws/lambda/fn", "s1", events([2_000, "hello again"]));
}

export function logStoreContract(test: StoreTest): void {
  test("query returns a group's events in the order appended, with stream, times and distinct ids", async ({ store }) => {
    const before = Date.now();
    await threeStreams(store);
    const { events: found, lastId } = await store.logs.query({ group: "/aws/lambda/fn", limit: 100 });
    assert.equal(lastId, undefined, "no cursor when the page is not full");
    assert.deepEqual(found.map((e) => [e.logStreamName, e.timestamp, e.message]), [
      ["s1", 1_000, "START one"], ["s1", 1_100, "hello from s1"], ["s1", 1_200, "END one"],
      ["s2", 1_050, "START two"], ["s2", 1_500, "ERROR boom"], ["s1", 2_000, "hello again"],
    ]);
    assert.equal(new Set(found.map((e) => e.eventId)).size, found.length);
    for (const event of found) assert.ok(event.ingestionTime >= before - 1_000 && event.ingestionTime <= Date.now() + 1_000, "ingestion time is when it was stored");
    assert.deepEqual((await store.logs.query({ group: "/aws/lambda/none", limit: 10 })).events, []);
  });

  test("query reads from the end: the last `limit` events, oldest first, and before a cursor", async ({ store }) => {
    await threeStreams(store);
    const last = await store.logs.query({ group: "/aws/lambda/fn", limit: 2, fromEnd: true });
    assert.deepEqual(last.events.map((e) => e.message), ["ERROR boom", "hello again"]);
    assert.equal(last.lastId, undefined, "no forward cursor when reading from the end");
    const older = await store.logs.query({ group: "/aws/lambda/fn", limit: 2, fromEnd: true, beforeId: Number(last.events[0]?.eventId) });
    assert.deepEqual(older.events.map((e) => e.message), ["END one", "START two"]);
    const s1 = await store.logs.query({ group: "/aws/lambda/fn", streams: ["s1"], limit: 10, fromEnd: true, beforeId: Number(last.events[1]?.eventId) });
    assert.deepEqual(s1.events.map((e) => e.message), ["START one", "hello from s1", "END one"], "with the other filters");
  });

  test("query filters by streams, time range (inclusive) and substring, together", async ({ store }) => {
    await threeStreams(store);
    const messages = async (query: Omit<LogQuery, "group" | "limit">) =>
      (await store.logs.query({ group: "/aws/lambda/fn", limit: 100, ...query })).events.map((e) => e.message);
    assert.deepEqual(await messages({ streams: ["s2"] }), ["START two", "ERROR boom"]);
    assert.deepEqual(await messages({ streams: ["s1", "s2"] }), await messages({}));
    assert.deepEqual(await messages({ streams: [] }), await messages({}), "an empty stream list does not filter");
    assert.deepEqual(await messages({ startTime: 1_100, endTime: 1_500 }), ["hello from s1", "END one", "ERROR boom"]);
    assert.deepEqual(await messages({ contains: "hello" }), ["hello from s1", "hello again"]);
    assert.deepEqual(await messages({ contains: "HELLO" }), [], "the substring match is case-sensitive");
    assert.deepEqual(await messages({ contains: "%" }), [], "no wildcard characters");
    assert.deepEqual(await messages({ streams: ["s1"], startTime: 1_100, contains: "hello" }), ["hello from s1", "hello again"]);
  });

  test("query pages with its cursor: no duplicates, no gaps, filters kept", async ({ store }) => {
    for (let batch = 0; batch < 5; batch++) {
      await store.logs.append("g", `s${batch % 2}`, events(...Array.from({ length: 5 }, (_, i): [number, string] => [batch * 10 + i, `m${batch * 5 + i}`])));
    }
    const everything = await allPages(store, { group: "g", limit: 7 });
    assert.deepEqual(everything.map((e) => e.message), Array.from({ length: 25 }, (_, i) => `m${i}`));
    const exact = await allPages(store, { group: "g", limit: 5 });
    assert.equal(exact.length, 25, "a last full page ends with an empty one");
    const filtered = await allPages(store, { group: "g", streams: ["s1"], limit: 3 });
    assert.deepEqual(filtered.map((e) => e.message), ["m5", "m6", "m7", "m8", "m9", "m15", "m16", "m17", "m18", "m19"]);
  });

  test("groups: by name with a prefix, stored bytes summed over streams", async ({ store }) => {
    await store.logs.append("/aws/lambda/b", "s", events([1, "héllo"]));
    await store.logs.append("/aws/lambda/a", "s1", events([1, "abc"], [2, "de"]));
    await store.logs.append("/aws/lambda/a", "s2", events([3, "f"]));
    await store.logs.append("/custom", "s", events([1, "x"]));
    await store.logs.append("/aws/lambda/empty", "s", []);
    const all = await store.logs.groups(undefined);
    assert.deepEqual(
      all.map((g) => [g.name, g.storedBytes]),
      [["/aws/lambda/a", 6 + 3 * OVERHEAD], ["/aws/lambda/b", 6 + OVERHEAD], ["/custom", 1 + OVERHEAD]],
      "stored bytes are the messages' UTF-8 bytes plus 26 per event",
    );
    for (const group of all) assert.equal(typeof group.creationTime, "number");
    assert.deepEqual((await store.logs.groups("/aws/")).map((g) => g.name), ["/aws/lambda/a", "/aws/lambda/b"]);
    assert.deepEqual(await store.logs.groups("/nothing"), []);
  });

  test("streams: most recent last event first, with first and last event times and bytes", async ({ store }) => {
    await store.logs.append("g", "old", events([100, "a"], [200, "bb"]));
    await store.logs.append("g", "new", events([500, "c"]));
    await store.logs.append("g", "mid", events([300, "d"]));
    await store.logs.append("g", "old", events([250, "eee"]));
    await store.logs.append("other", "x", events([999, "z"]));
    const streams = await store.logs.streams("g", undefined, 10);
    assert.deepEqual(streams.map((s) => s.logStreamName), ["new", "mid", "old"]);
    const old = streams.find((s) => s.logStreamName === "old");
    assert.deepEqual([old?.firstEventTimestamp, old?.lastEventTimestamp, old?.storedBytes], [100, 250, 6 + 3 * OVERHEAD]);
    assert.deepEqual((await store.logs.streams("g", undefined, 2)).map((s) => s.logStreamName), ["new", "mid"]);
    assert.deepEqual((await store.logs.streams("g", "o", 10)).map((s) => s.logStreamName), ["old"]);
    assert.deepEqual(await store.logs.streams("none", undefined, 10), []);
  });

  test("createGroup makes an empty group without retention, once; group() reads one group", async ({ store, reopen }) => {
    assert.equal(await store.logs.createGroup("/made", 1_000), true);
    assert.equal(await store.logs.createGroup("/made", 2_000), false, "it exists");
    await store.logs.append("/written", "s", events([1, "x"]));
    assert.equal(await store.logs.createGroup("/written", 3_000), false, "a group created by a write exists too");
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.logs.group("/made")), { name: "/made", creationTime: 1_000, storedBytes: 0 }, "the first creation time, no retention, no bytes");
      assert.equal((await current.logs.group("/written"))?.storedBytes, 1 + OVERHEAD);
      assert.equal(await current.logs.group("/missing"), undefined);
      assert.equal(await current.logs.group("/made/"), undefined, "group() matches the whole name, not a prefix");
    });
  });

  test("createStream makes an empty stream once; hasStream sees streams made by createStream and by append", async (context) => {
    const { store, reopen } = context;
    await store.logs.createGroup("g", 1_000);
    assert.equal(await store.logs.createStream("g", "made", 2_000), true);
    assert.equal(await store.logs.createStream("g", "made", 3_000), false, "it exists");
    await store.logs.append("g", "written", events([5_000, "hi"]));
    assert.equal(await store.logs.createStream("g", "written", 4_000), false, "a stream created by a write exists too");
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.equal(await current.logs.hasStream("g", "made"), true);
      assert.equal(await current.logs.hasStream("g", "written"), true);
      assert.equal(await current.logs.hasStream("g", "none"), false);
      assert.equal(await current.logs.hasStream("other", "made"), false, "streams belong to their group");
      const made = (await current.logs.streams("g", undefined, 10)).find((stream) => stream.logStreamName === "made");
      assert.deepEqual(plain(made), { logStreamName: "made", creationTime: 2_000, storedBytes: 0 }, "empty: no event times, no bytes");
    });
    await context.store.logs.append("g", "made", events([6_000, "now it has one"]));
    assert.deepEqual(await messages(context.store, "g"), ["hi", "now it has one"]);
  });

  test(
    "groups created by a write get the default retention, groups from createGroup none; setRetention sets and removes it",
    async ({ store, reopen }) => {
      await store.logs.append("/by-write", "s", events([NOW, "a"]));
      await store.logs.createGroup("/by-create", NOW);
      await store.logs.append("/by-create", "s", events([NOW, "b"]));
      assert.equal((await store.logs.group("/by-write"))?.retentionInDays, 30);
      assert.equal((await store.logs.group("/by-create"))?.retentionInDays, undefined, "a later write does not add the default");
      assert.equal(await store.logs.setRetention("/missing", 7), false, "no such group");
      assert.equal(await store.logs.group("/missing"), undefined, "setRetention creates nothing");
      assert.equal(await store.logs.setRetention("/by-create", 7), true);
      assert.equal(await store.logs.setRetention("/by-write", undefined), true);
      await checkAndAfterReopen({ store, reopen }, async (current) => {
        assert.deepEqual((await current.logs.groups(undefined)).map((g) => [g.name, g.retentionInDays]), [["/by-create", 7], ["/by-write", undefined]]);
      });
    },
    { logPolicy: { defaultRetentionDays: 30, groupMaxBytes: 64 * 1024 * 1024 } },
  );

  test("deleteExpired deletes events older than their group's retention at `now`, in batches, oldest groups first", async (context) => {
    const { store, reopen } = context;
    await store.logs.createGroup("/forever", NOW - 3 * DAY_MS);
    await store.logs.createGroup("/older", NOW - 2 * DAY_MS);
    await store.logs.createGroup("/newer", NOW - DAY_MS);
    await store.logs.setRetention("/older", 7);
    await store.logs.setRetention("/newer", 1);
    const expired = (from: number, count: number, name: string) => Array.from({ length: count }, (_, i): [number, string] => [from + i, `${name} ${i}`]);
    await store.logs.append("/older", "s1", events(...expired(NOW - 8 * DAY_MS, 3, "old")));
    await store.logs.append("/older", "s2", events(...expired(NOW - 7 * DAY_MS - 10, 2, "old-s2"), [NOW - 7 * DAY_MS, "exactly 7 days old"], [NOW, "recent"]));
    await store.logs.append("/newer", "s", events(...expired(NOW - 2 * DAY_MS, 4, "newer"), [NOW - DAY_MS + 1, "recent"]));
    await store.logs.append("/forever", "s", events(...expired(NOW - 400 * DAY_MS, 3, "ancient")));
    assert.equal(await store.logs.deleteExpired(NOW, 3), 3);
    assert.equal((await messages(store, "/older")).length, 4, "the oldest group's expired events go first");
    assert.equal((await messages(store, "/newer")).length, 5);
    await assertTotals(store, "/older");
    assert.equal(await store.logs.deleteExpired(NOW, 3), 3);
    assert.equal(await store.logs.deleteExpired(NOW, 3), 3);
    assert.equal(await store.logs.deleteExpired(NOW, 3), 0, "nothing more is past its retention");
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(await messages(current, "/older"), ["exactly 7 days old", "recent"], "an event exactly as old as the retention stays");
      assert.deepEqual(await messages(current, "/newer"), ["recent"]);
      assert.equal((await messages(current, "/forever")).length, 3, "a group without retention keeps everything");
      for (const group of ["/older", "/newer", "/forever"]) await assertTotals(current, group);
    });
    await context.store.logs.setRetention("/forever", 1);
    assert.equal(await context.store.logs.deleteExpired(NOW, 100), 3, "a retention set later applies to the events already stored");
    assert.equal((await context.store.logs.group("/forever"))?.storedBytes, 0);
  });

  test(
    "a group past its byte cap loses its oldest events first, across streams; totals equal a recount",
    async ({ store, reopen }) => {
      for (let i = 0; i < 60; i++) await store.logs.append("/capped", i % 2 === 0 ? "even" : "odd", events([NOW + i, `${i}:${"é".repeat(20)}`]));
      await store.logs.append("/small", "s", events([NOW, "under the cap"]));
      await checkAndAfterReopen({ store, reopen }, async (current) => {
        const stored = (await current.logs.group("/capped"))?.storedBytes ?? 0;
        assert.ok(stored > 0 && stored <= CAP_BYTES, `stored ${stored} of at most ${CAP_BYTES}`);
        const kept = (await messages(current, "/capped")).map((message) => Number(message.split(":")[0]));
        assert.ok(kept.length < 60, "something was evicted");
        assert.deepEqual(kept, kept.map((_, i) => 60 - kept.length + i), "what is kept is the newest events, without gaps");
        await assertTotals(current, "/capped");
        assert.deepEqual(await messages(current, "/small"), ["under the cap"], "the cap is per group");
      });
    },
    { logPolicy: { defaultRetentionDays: undefined, groupMaxBytes: CAP_BYTES } },
  );

  test("deleteGroup removes its events and streams and nothing else", async ({ store, reopen }) => {
    await threeStreams(store);
    await store.logs.deleteGroup("/aws/lambda/fn");
    await store.logs.deleteGroup("/aws/lambda/never");
    const current = await reopen();
    assert.deepEqual((await current.logs.query({ group: "/aws/lambda/fn", limit: 10 })).events, []);
    assert.deepEqual(await current.logs.streams("/aws/lambda/fn", undefined, 10), []);
    assert.deepEqual((await current.logs.groups(undefined)).map((g) => g.name), ["/aws/lambda/other"]);
    assert.equal((await current.logs.query({ group: "/aws/lambda/other", limit: 10 })).events.length, 1);
  });

  test("group tags: createGroup with tags, setGroupTags replaces them, a group an append made has none; they go with the group", async (context) => {
    const { store, reopen } = context;
    assert.equal(await store.logs.createGroup("/tagged", 1_000, { team: "a", "cost:centre": "42" }), true);
    await store.logs.createGroup("/plain", 1_000);
    await store.logs.append("/written", "s", events([1, "x"]));
    assert.equal(await store.logs.setGroupTags("/missing", { a: "b" }), false, "no such group");
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.logs.groupTags("/tagged")), { team: "a", "cost:centre": "42" });
      assert.deepEqual(plain(await current.logs.groupTags("/plain")), {});
      assert.deepEqual(plain(await current.logs.groupTags("/written")), {});
      assert.equal(await current.logs.groupTags("/missing"), undefined);
      assert.deepEqual(plain(await current.logs.group("/tagged")), { name: "/tagged", creationTime: 1_000, storedBytes: 0 }, "group() is unchanged by tags");
    });
    const later = context.store;
    assert.equal(await later.logs.setGroupTags("/tagged", { only: "this" }), true);
    assert.equal(await later.logs.setGroupTags("/plain", {}), true);
    assert.deepEqual(plain(await later.logs.groupTags("/tagged")), { only: "this" }, "replaced, not merged");
    assert.deepEqual(plain(await later.logs.groupTags("/plain")), {});
    await later.logs.deleteGroup("/tagged");
    assert.equal(await later.logs.groupTags("/tagged"), undefined);
    await later.logs.createGroup("/tagged", 2_000);
    const current = await reopen();
    assert.deepEqual(plain(await current.logs.groupTags("/tagged")), {}, "a group created again starts without tags");
  });

  test("deleteStream removes the stream and its events, takes its bytes off the group, and leaves the rest", async (context) => {
    const { store, reopen } = context;
    await threeStreams(store);
    await store.logs.append("/aws/lambda/other", "s2", events([1_000, "the other group's s2"]));
    assert.equal(await store.logs.deleteStream("/aws/lambda/fn", "s1"), true);
    assert.equal(await store.logs.deleteStream("/aws/lambda/fn", "s1"), false, "already gone");
    assert.equal(await store.logs.deleteStream("/aws/lambda/never", "s1"), false, "no such group");
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.equal(await current.logs.hasStream("/aws/lambda/fn", "s1"), false);
      assert.deepEqual(await messages(current, "/aws/lambda/fn"), ["START two", "ERROR boom"]);
      assert.deepEqual((await current.logs.streams("/aws/lambda/fn", undefined, 10)).map((s) => s.logStreamName), ["s2"]);
      assert.deepEqual(await messages(current, "/aws/lambda/other"), ["hello from other", "the other group's s2"], "a stream of the same name in another group stays");
      await assertTotals(current, "/aws/lambda/fn");
      await assertTotals(current, "/aws/lambda/other");
    });
    await context.store.logs.append("/aws/lambda/fn", "s1", events([3_000, "a new s1"]));
    assert.deepEqual(await messages(context.store, "/aws/lambda/fn"), ["START two", "ERROR boom", "a new s1"], "an append after the delete starts the stream afresh");
    await assertTotals(context.store, "/aws/lambda/fn");
  });
}
