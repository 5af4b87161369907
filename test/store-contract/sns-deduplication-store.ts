/** SnsDeduplicationStore: FIFO topics' deduplication ids over their window, numbered per topic, shared by every node. */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:t.fifo";
const OTHER = "arn:aws:sns:us-east-1:123456789012:u.fifo";

export function snsDeduplicationStoreContract(test: StoreTest): void {
  test("claim records an id once per window with increasing sequence numbers; a duplicate hears the first message; it survives a reopen", async ({ store, reopen }) => {
    const now = 1_000_000;
    const first = await store.snsDeduplication.claim(TOPIC, "d1", "m1", now, now + 300_000);
    assert.deepEqual({ ...first }, { messageId: "m1", sequence: first.sequence, fresh: true });
    const second = await store.snsDeduplication.claim(TOPIC, "d2", "m2", now, now + 300_000);
    assert.ok(second.fresh && second.sequence > first.sequence, "numbered in order");
    assert.deepEqual({ ...(await store.snsDeduplication.claim(TOPIC, "d1", "m3", now + 1, now + 300_001)) }, { messageId: "m1", sequence: first.sequence, fresh: false });
    assert.equal((await store.snsDeduplication.claim(OTHER, "d1", "m4", now, now + 300_000)).fresh, true, "another topic's ids are its own");
    const reopened = await reopen();
    assert.deepEqual({ ...(await reopened.snsDeduplication.claim(TOPIC, "d1", "m5", now + 299_999, now + 600_000)) }, { messageId: "m1", sequence: first.sequence, fresh: false });
    const after = await reopened.snsDeduplication.claim(TOPIC, "d1", "m6", now + 300_000, now + 600_000);
    assert.ok(after.fresh && after.messageId === "m6" && after.sequence > second.sequence, "the window ended: a new message, numbered after the others");
  });

  test("release forgets only its own message's record; deleteExpired forgets ended windows", async ({ store }) => {
    const now = 2_000_000;
    await store.snsDeduplication.claim(TOPIC, "r", "m1", now, now + 300_000);
    await store.snsDeduplication.release(TOPIC, "r", "other-message");
    assert.equal((await store.snsDeduplication.claim(TOPIC, "r", "m2", now, now + 300_000)).fresh, false, "another message's release changes nothing");
    await store.snsDeduplication.release(TOPIC, "r", "m1");
    assert.equal((await store.snsDeduplication.claim(TOPIC, "r", "m3", now, now + 300_000)).messageId, "m3");
    await store.snsDeduplication.claim(TOPIC, "short", "m4", now, now + 10);
    assert.equal(await store.snsDeduplication.deleteExpired(now + 10), 1);
    assert.equal(await store.snsDeduplication.deleteExpired(now + 10), 0);
    assert.equal((await store.snsDeduplication.claim(TOPIC, "r", "m5", now + 10, now + 300_000)).messageId, "m3", "a live record stays");
  });

  test("two stores (nodes) racing for one id: exactly one publishes it", async ({ store, another }) => {
    const now = 3_000_000;
    const other = await another();
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? store : other).snsDeduplication.claim(TOPIC, "race", `m${i}`, now, now + 300_000)));
    assert.equal(claims.filter((c) => c.fresh).length, 1);
    const winner = claims.find((c) => c.fresh);
    assert.ok(claims.every((c) => c.messageId === winner?.messageId && c.sequence === winner.sequence));
  });
}
