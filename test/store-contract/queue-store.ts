/** QueueStore: SQS queues by name; create never replaces; delete takes the queue's messages with it. */
import assert from "node:assert/strict";
import type { QueueRecord } from "../../src/store/ports.js";
import { checkAndAfterReopen, plain, type StoreTest } from "./harness.js";

const T = 1_700_000_000_000;

export const queueRecord = (name: string, change: Partial<QueueRecord> = {}): QueueRecord => ({
  name,
  fifo: name.endsWith(".fifo"),
  attributes: { VisibilityTimeout: "30", DelaySeconds: "0" },
  tags: {},
  createdAt: T,
  modifiedAt: T,
  ...change,
});

export function queueStoreContract(test: StoreTest): void {
  test("create inserts once; get and list by prefix in name order with paging", async (context) => {
    const { store } = context;
    assert.equal(await store.queues.create(queueRecord("orders", { tags: { team: "a" } })), true);
    assert.equal(await store.queues.create(queueRecord("orders", { attributes: { VisibilityTimeout: "5" } })), false, "an existing queue is kept");
    await store.queues.create(queueRecord("orders_dlq"));
    await store.queues.create(queueRecord("jobs.fifo"));
    await store.queues.create(queueRecord("order%x"));
    await checkAndAfterReopen(context, async (s) => {
      assert.deepEqual(plain(await s.queues.get("orders")), plain(queueRecord("orders", { tags: { team: "a" } })));
      assert.equal((await s.queues.get("jobs.fifo"))?.fifo, true);
      assert.equal(await s.queues.get("missing"), undefined);
      assert.deepEqual((await s.queues.list("", undefined, 10)).map((q) => q.name), ["jobs.fifo", "order%x", "orders", "orders_dlq"]);
      assert.deepEqual((await s.queues.list("orders", undefined, 10)).map((q) => q.name), ["orders", "orders_dlq"]);
      assert.deepEqual((await s.queues.list("order_", undefined, 10)).map((q) => q.name), [], "`_` is a character, not a wildcard");
      assert.deepEqual((await s.queues.list("order", undefined, 2)).map((q) => q.name), ["order%x", "orders"]);
      assert.deepEqual((await s.queues.list("order", "orders", 2)).map((q) => q.name), ["orders_dlq"]);
    });
  });

  test("setAttributes and setTags replace; false for a missing queue", async ({ store }) => {
    await store.queues.create(queueRecord("q"));
    assert.equal(await store.queues.setAttributes("q", { VisibilityTimeout: "60" }, T + 5), true);
    assert.equal(await store.queues.setTags("q", { env: "test" }), true);
    const q = await store.queues.get("q");
    assert.deepEqual(plain(q?.attributes), { VisibilityTimeout: "60" });
    assert.deepEqual(plain(q?.tags), { env: "test" });
    assert.equal(q?.modifiedAt, T + 5);
    assert.equal(q?.createdAt, T);
    assert.equal(await store.queues.setAttributes("missing", {}, T), false);
    assert.equal(await store.queues.setTags("missing", {}), false);
  });

  test("delete removes the queue, its messages and its deduplication ids; a new queue of that name starts empty", async ({ store }) => {
    await store.queues.create(queueRecord("q.fifo"));
    await store.messages.send("q.fifo", [{ id: "m1", body: "b", meta: "{}", groupId: "g", dedupKey: "d1", sentAt: T, visibleAt: T }], T, T + 300_000);
    assert.equal(await store.queues.delete("q.fifo"), true);
    assert.equal(await store.queues.delete("q.fifo"), false);
    assert.equal(await store.queues.get("q.fifo"), undefined);
    await store.queues.create(queueRecord("q.fifo"));
    assert.deepEqual(await store.messages.peek("q.fifo", 0, 10), []);
    const [again] = (await store.messages.send("q.fifo", [{ id: "m2", body: "b", meta: "{}", groupId: "g", dedupKey: "d1", sentAt: T, visibleAt: T }], T, T + 300_000)) ?? [];
    assert.deepEqual(again, { id: "m2", seq: 1, duplicate: false });
  });
}
