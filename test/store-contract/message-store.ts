/**
 * MessageStore: SQS messages in queue order, visibility, FIFO groups, deduplication windows, redrive
 * to a dead-letter queue, retention. Times are passed explicitly; none of these cases reads a clock.
 */
import assert from "node:assert/strict";
import type { NewQueueMessage, ReceiveRequest } from "../../src/store/ports.js";
import { checkAndAfterReopen, type StoreTest } from "./harness.js";
import { queueRecord } from "./queue-store.js";
import type { ContractStore } from "./recorder.js";

const T = 1_700_000_000_000;
const WINDOW = 300_000;

const message = (id: string, change: Partial<NewQueueMessage> = {}): NewQueueMessage => ({
  id, body: `body of ${id}`, meta: JSON.stringify({ id }), sentAt: T, visibleAt: T, ...change,
});

const receiveAt = (queue: string, now: number, change: Partial<ReceiveRequest> = {}): ReceiveRequest => ({
  queue, now, limit: 10, visibleUntil: now + 30_000, receipt: `r-${now}`, sentAfter: 0, fifo: queue.endsWith(".fifo"), ...change,
});

async function ids(store: ContractStore, request: ReceiveRequest): Promise<string[]> {
  return (await store.messages.receive(request)).delivered.map((m) => m.id);
}

export function messageStoreContract(test: StoreTest): void {
  test("send stores in order, durably; receive hands them out once until their visibility passes", async (context) => {
    await context.store.queues.create(queueRecord("q"));
    assert.equal(await context.store.messages.send("missing", [message("x")], T, T + WINDOW), undefined);
    const sent = await context.store.messages.send("q", [message("a"), message("b"), message("c", { visibleAt: T + 10_000 })], T, T + WINDOW);
    assert.deepEqual(sent, [{ id: "a", seq: 1, duplicate: false }, { id: "b", seq: 2, duplicate: false }, { id: "c", seq: 3, duplicate: false }]);
    await checkAndAfterReopen(context, async (s) => assert.deepEqual((await s.messages.peek("q", 0, 10)).map((m) => m.id), ["a", "b", "c"]));
    const store = context.store;
    assert.deepEqual(await store.messages.counts("q", T, 0), { visible: 2, inFlight: 0, delayed: 1 });
    const first = await store.messages.receive(receiveAt("q", T + 1, { limit: 1 }));
    assert.equal(first.movedToDeadLetter, 0);
    const [a] = first.delivered;
    assert.equal(a?.id, "a");
    assert.equal(a?.body, "body of a");
    assert.equal(a?.meta, JSON.stringify({ id: "a" }));
    assert.deepEqual([a?.receiveCount, a?.firstReceivedAt, a?.visibleAt, a?.receipt, a?.sentAt, a?.groupId], [1, T + 1, T + 30_001, `r-${T + 1}`, T, undefined]);
    assert.deepEqual(await ids(store, receiveAt("q", T + 2)), ["b"], "a is in flight, c delayed");
    assert.deepEqual(await store.messages.counts("q", T + 2, 0), { visible: 0, inFlight: 2, delayed: 1 });
    assert.equal(await store.messages.nextVisibleAt("q", T + 2, 0), T + 10_000);
    assert.deepEqual(await ids(store, receiveAt("q", T + 10_000)), ["c"]);
    const again = (await store.messages.receive(receiveAt("q", T + 30_001))).delivered;
    assert.deepEqual(again.map((m) => [m.id, m.receiveCount, m.firstReceivedAt]), [["a", 2, T + 1]], "visibility passed: a again, counted twice");
  });

  test("oldestSentAt: the oldest message sent after the retention bound that is visible or in flight, not a delayed one", async ({ store }) => {
    await store.queues.create(queueRecord("age"));
    assert.equal(await store.messages.oldestSentAt("age", T, 0), undefined, "an empty queue has no oldest message");
    await store.messages.send("age", [message("delayed", { sentAt: T - 9_000, visibleAt: T + 10_000 }), message("x", { sentAt: T - 5_000, visibleAt: T - 5_000 }), message("y")], T, T + WINDOW);
    assert.equal(await store.messages.oldestSentAt("age", T, 0), T - 5_000);
    const [x] = (await store.messages.receive(receiveAt("age", T, { limit: 1 }))).delivered;
    assert.equal(x?.id, "x");
    assert.equal(await store.messages.oldestSentAt("age", T, 0), T - 5_000, "a message in flight still counts");
    assert.equal(await store.messages.oldestSentAt("age", T, T - 5_000), T, "a message past the retention bound does not");
    assert.equal(await store.messages.delete("age", x?.seq ?? 0, x?.receipt ?? ""), true);
    assert.equal(await store.messages.oldestSentAt("age", T, 0), T);
    assert.equal(await store.messages.oldestSentAt("age", T + 10_000, 0), T - 9_000, "a delayed message counts once it is visible");
  });

  test("delete and changeVisibility take only the latest receipt", async ({ store }) => {
    await store.queues.create(queueRecord("q"));
    await store.messages.send("q", [message("a")], T, T + WINDOW);
    await store.messages.receive(receiveAt("q", T, { visibleUntil: T + 5, receipt: "old" }));
    const [latest] = (await store.messages.receive(receiveAt("q", T + 5, { receipt: "new" }))).delivered;
    assert.equal(latest?.seq, 1);
    assert.equal(await store.messages.changeVisibility("q", 1, "old", T + 99, T + 6), "unknown");
    assert.equal(await store.messages.delete("q", 1, "old"), false, "an older receipt deletes nothing");
    assert.equal(await store.messages.changeVisibility("q", 1, "new", T + 100, T + 6), "changed");
    assert.equal(await store.messages.nextVisibleAt("q", T + 6, 0), T + 100);
    assert.equal(await store.messages.changeVisibility("q", 1, "new", T + 6, T + 6), "changed", "visibility 0: visible now");
    assert.equal(await store.messages.changeVisibility("q", 1, "new", T + 60, T + 7), "not-in-flight");
    assert.equal(await store.messages.delete("q", 1, "new"), true, "the latest receipt deletes even after its visibility passed");
    assert.equal(await store.messages.delete("q", 1, "new"), false);
    assert.deepEqual(await store.messages.peek("q", 0, 10), []);
  });

  test("FIFO: a group with a message in flight is skipped; several of one group may go in one receive", async ({ store }) => {
    await store.queues.create(queueRecord("f.fifo"));
    await store.messages.send("f.fifo", [message("a1", { groupId: "A" }), message("b1", { groupId: "B" }), message("a2", { groupId: "A" }), message("a3", { groupId: "A" })], T, T + WINDOW);
    assert.deepEqual(await ids(store, receiveAt("f.fifo", T, { limit: 2 })), ["a1", "b1"]);
    assert.deepEqual(await ids(store, receiveAt("f.fifo", T + 1)), [], "A and B are both in flight");
    assert.equal(await store.messages.delete("f.fifo", 1, `r-${T}`), true);
    assert.deepEqual(await ids(store, receiveAt("f.fifo", T + 2)), ["a2", "a3"], "a1 deleted: the rest of A in order");
    assert.deepEqual(await ids(store, receiveAt("f.fifo", T + 30_002)), ["b1", "a2", "a3"], "visibility passed: in queue order again");
  });

  test("deduplication: a key seen in its window stores nothing and answers the first message, even after its delete", async ({ store }) => {
    await store.queues.create(queueRecord("d.fifo"));
    const first = await store.messages.send("d.fifo", [message("m1", { groupId: "g", dedupKey: "k" }), message("m2", { groupId: "g", dedupKey: "k" })], T, T + WINDOW);
    assert.deepEqual(first, [{ id: "m1", seq: 1, duplicate: false }, { id: "m1", seq: 1, duplicate: true }]);
    await store.messages.receive(receiveAt("d.fifo", T + 1, { receipt: "r" }));
    assert.equal(await store.messages.delete("d.fifo", 1, "r"), true);
    assert.deepEqual(await store.messages.send("d.fifo", [message("m3", { groupId: "g", dedupKey: "k" })], T + WINDOW - 1, T + 2 * WINDOW), [{ id: "m1", seq: 1, duplicate: true }]);
    assert.deepEqual(await store.messages.send("d.fifo", [message("m4", { groupId: "g", dedupKey: "k" })], T + WINDOW, T + 2 * WINDOW), [{ id: "m4", seq: 2, duplicate: false }], "window over");
    assert.deepEqual(await store.messages.send("d.fifo", [message("m5", { groupId: "g", dedupKey: "other" })], T + WINDOW, T + 2 * WINDOW), [{ id: "m5", seq: 3, duplicate: false }]);
  });

  test("redrive: a message received maxReceiveCount times moves to the dead-letter queue on the next receive", async ({ store }) => {
    await store.queues.create(queueRecord("src"));
    await store.queues.create(queueRecord("dlq"));
    await store.messages.send("dlq", [message("already")], T, T + WINDOW);
    await store.messages.send("src", [message("poison", { sentAt: T - 50 }), message("fine")], T, T + WINDOW);
    const deadLetter = { queue: "dlq", maxReceiveCount: 2, resetSentAt: false };
    for (const [i, now] of [T, T + 40_000].entries()) {
      const got = await store.messages.receive(receiveAt("src", now, { limit: 1, deadLetter }));
      assert.deepEqual(got.delivered.map((m) => [m.id, m.receiveCount]), [["poison", i + 1]]);
    }
    const third = await store.messages.receive(receiveAt("src", T + 80_000, { deadLetter }));
    assert.equal(third.movedToDeadLetter, 1);
    assert.deepEqual(third.delivered.map((m) => m.id), ["fine"], "the moved message's place goes to the next one");
    const moved = (await store.messages.peek("dlq", 0, 10)).map((m) => [m.id, m.seq, m.receiveCount, m.sentAt, m.visibleAt, m.receipt]);
    assert.deepEqual(moved, [["already", 1, 0, T, T, undefined], ["poison", 2, 2, T - 50, T + 80_000, undefined]]);
    await store.messages.send("src", [message("fifoish")], T, T + WINDOW);
    await store.messages.receive(receiveAt("src", T + 110_000, { limit: 1, deadLetter: { queue: "dlq", maxReceiveCount: 0, resetSentAt: true } }));
    assert.deepEqual((await store.messages.peek("dlq", 2, 10)).map((m) => [m.id, m.sentAt]), [["fine", T + 110_000], ["fifoish", T + 110_000]], "resetSentAt: retention starts again");
  });

  test("redrive to a queue that no longer exists delivers the message instead", async ({ store }) => {
    await store.queues.create(queueRecord("src"));
    await store.messages.send("src", [message("a")], T, T + WINDOW);
    const got = await store.messages.receive(receiveAt("src", T, { deadLetter: { queue: "gone", maxReceiveCount: 0, resetSentAt: false } }));
    assert.deepEqual([got.delivered.length, got.movedToDeadLetter], [1, 0]);
  });

  test("retention: messages sent at or before sentAfter are never delivered nor counted; deleteExpired removes them and ended dedup windows", async ({ store }) => {
    await store.queues.create(queueRecord("r.fifo"));
    await store.messages.send("r.fifo", [message("old", { groupId: "g", dedupKey: "k1", sentAt: T }), message("new", { groupId: "h", sentAt: T + 10 })], T, T + WINDOW);
    assert.deepEqual(await store.messages.counts("r.fifo", T + 20, T), { visible: 1, inFlight: 0, delayed: 0 });
    assert.equal(await store.messages.nextVisibleAt("r.fifo", T + 20, T), undefined);
    assert.deepEqual(await ids(store, receiveAt("r.fifo", T + 20, { sentAfter: T, visibleUntil: T + 20 })), ["new"]);
    assert.equal(await store.messages.deleteExpired("r.fifo", T, T + 20, 10), 1);
    assert.deepEqual((await store.messages.peek("r.fifo", 0, 10)).map((m) => m.id), ["new"]);
    assert.deepEqual(await store.messages.send("r.fifo", [message("again", { groupId: "g", dedupKey: "k1" })], T + 30, T + WINDOW), [{ id: "old", seq: 1, duplicate: true }], "the window outlives the message");
    assert.equal(await store.messages.deleteExpired("r.fifo", T, T + WINDOW, 10), 0);
    assert.deepEqual(await store.messages.send("r.fifo", [message("again", { groupId: "g", dedupKey: "k1" })], T + 30, T + 2 * WINDOW), [{ id: "again", seq: 3, duplicate: false }], "deleteExpired forgot the ended window");
  });

  test("purge empties the queue but keeps its deduplication ids and its counter", async ({ store }) => {
    await store.queues.create(queueRecord("p.fifo"));
    await store.messages.send("p.fifo", [message("a", { groupId: "g", dedupKey: "k" }), message("b", { groupId: "g" })], T, T + WINDOW);
    assert.equal(await store.messages.purge("p.fifo"), 2);
    assert.deepEqual(await store.messages.counts("p.fifo", T, 0), { visible: 0, inFlight: 0, delayed: 0 });
    assert.deepEqual(await store.messages.send("p.fifo", [message("c", { groupId: "g", dedupKey: "k" }), message("d", { groupId: "g" })], T, T + WINDOW), [
      { id: "a", seq: 1, duplicate: true }, { id: "d", seq: 3, duplicate: false },
    ]);
  });

  test("peek pages in queue order and changes nothing", async ({ store }) => {
    await store.queues.create(queueRecord("q"));
    await store.messages.send("q", ["a", "b", "c"].map((id) => message(id)), T, T + WINDOW);
    assert.deepEqual((await store.messages.peek("q", 1, 1)).map((m) => m.id), ["b"]);
    assert.deepEqual((await store.messages.peek("q", 0, 10)).map((m) => m.receiveCount), [0, 0, 0]);
    assert.deepEqual(await store.messages.counts("q", T, 0), { visible: 3, inFlight: 0, delayed: 0 });
  });

  test("two stores on the same data never deliver one message twice within its visibility", async ({ store, another }) => {
    const other = await another();
    await store.queues.create(queueRecord("q"));
    await store.messages.send("q", Array.from({ length: 20 }, (_, i) => message(`m${i}`)), T, T + WINDOW);
    const [x, y] = await Promise.all([store.messages.receive(receiveAt("q", T, { receipt: "x" })), other.messages.receive(receiveAt("q", T, { receipt: "y" }))]);
    const all = [...x.delivered, ...y.delivered].map((m) => m.id);
    assert.equal(all.length, 20);
    assert.equal(new Set(all).size, 20);
  });
}
