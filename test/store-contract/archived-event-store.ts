/** ArchivedEventStore: EventBridge archives' events, read back by event time in archive order, counted, aged out and forgotten per archive. */
import assert from "node:assert/strict";
import type { ArchivedEventAppend } from "../../src/store/ports.js";
import type { StoreTest } from "./harness.js";

const event = (archive: string, eventTime: number, body: string, archivedAt = 1_000): ArchivedEventAppend => ({ archive, eventTime, archivedAt, body });

export function archivedEventStoreContract(test: StoreTest): void {
  test("append keeps events durably; read gives a window by event time, then archive order, paged by a cursor", async ({ store, reopen }) => {
    await store.archivedEvents.append([event("a", 300, '{"n":1}'), event("a", 100, '{"n":2}'), event("b", 100, '{"n":"other"}')]);
    await store.archivedEvents.append([event("a", 300, '{"n":3}'), event("a", 200, '{"n":4}'), event("a", 400, '{"n":5}')]);
    await store.archivedEvents.append([]);
    const current = await reopen();
    const all = await current.archivedEvents.read("a", 0, 10_000, undefined, 100);
    assert.deepEqual(all.map((r) => r.body), ['{"n":2}', '{"n":4}', '{"n":1}', '{"n":3}', '{"n":5}'], "by event time; equal times in the order they were archived");
    assert.deepEqual(all.map((r) => r.eventTime), [100, 200, 300, 300, 400]);
    const window = await current.archivedEvents.read("a", 200, 400, undefined, 100);
    assert.deepEqual(window.map((r) => r.body), ['{"n":4}', '{"n":1}', '{"n":3}'], "the start is in the window, the end is not");
    const firstPage = await current.archivedEvents.read("a", 0, 10_000, undefined, 3);
    assert.equal(firstPage.length, 3);
    const last = firstPage.at(-1)!;
    const secondPage = await current.archivedEvents.read("a", 0, 10_000, { eventTime: last.eventTime, sequence: last.sequence }, 3);
    assert.deepEqual(secondPage.map((r) => r.body), ['{"n":3}', '{"n":5}'], "the cursor resumes after the last row, even between two of the same time");
    assert.deepEqual(await current.archivedEvents.read("a", 500, 600, undefined, 10), []);
    assert.deepEqual((await current.archivedEvents.read("b", 0, 10_000, undefined, 10)).map((r) => r.body), ['{"n":"other"}'], "archives are apart");
  });

  test("stats counts an archive's events and their UTF-8 bytes; deleteArchivedBefore ages them out in batches; forget empties one archive", async ({ store }) => {
    const body = JSON.stringify({ text: "é€😀" });
    await store.archivedEvents.append([event("s", 1, body, 10), event("s", 2, '{"a":1}', 20), event("s", 3, '{"a":2}', 30), event("t", 1, '{"t":1}', 10)]);
    assert.deepEqual({ ...(await store.archivedEvents.stats("s")) }, { count: 3, bytes: Buffer.byteLength(body, "utf8") + 14 });
    assert.deepEqual({ ...(await store.archivedEvents.stats("none")) }, { count: 0, bytes: 0 });
    assert.equal(await store.archivedEvents.deleteArchivedBefore("s", 30, 1), 1, "at most the limit");
    assert.equal(await store.archivedEvents.deleteArchivedBefore("s", 30, 10), 1);
    assert.equal(await store.archivedEvents.deleteArchivedBefore("s", 30, 10), 0, "archived at the time itself is kept");
    assert.deepEqual((await store.archivedEvents.read("s", 0, 100, undefined, 10)).map((r) => r.body), ['{"a":2}']);
    assert.equal((await store.archivedEvents.stats("t")).count, 1, "another archive's events are not aged by this one");
    await store.archivedEvents.forget("s");
    assert.equal((await store.archivedEvents.stats("s")).count, 0);
    assert.equal((await store.archivedEvents.stats("t")).count, 1);
  });
}
