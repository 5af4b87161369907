/**
 * LogStore: groups of streams of events. Cases for a new LogStore method go here, one `test` each;
 * the coverage check at the end of the suite names any method no case calls.
 */
import assert from "node:assert/strict";
import type { LogQuery, StoredLogEvent } from "../../src/store/ports.js";
import type { StoreTest } from "./harness.js";
import type { ContractStore } from "./recorder.js";

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
    assert.deepEqual(all.map((g) => [g.name, g.storedBytes]), [["/aws/lambda/a", 6], ["/aws/lambda/b", 6], ["/custom", 1]], "bytes are UTF-8 bytes");
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
    assert.deepEqual([old?.firstEventTimestamp, old?.lastEventTimestamp, old?.storedBytes], [100, 250, 6]);
    assert.deepEqual((await store.logs.streams("g", undefined, 2)).map((s) => s.logStreamName), ["new", "mid"]);
    assert.deepEqual((await store.logs.streams("g", "o", 10)).map((s) => s.logStreamName), ["old"]);
    assert.deepEqual(await store.logs.streams("none", undefined, 10), []);
  });

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
}
