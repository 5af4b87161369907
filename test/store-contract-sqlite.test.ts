/** The storage contract against the embedded backend: each case on a fresh SQLite file in its own temp dir. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { describeStoreContract, type StoreHarness, type StoreOptions } from "./store-contract/index.js";
import { CoverageRecorder } from "./store-contract/recorder.js";
import { REPO_ROOT } from "./helpers/paths.js";

/** A StoreHarness whose calls answer directly (SQLite is synchronous). */
interface SqliteHarness extends StoreHarness {
  readonly path: string;
  open(): Store;
  destroy(): void;
}

function sqliteHarness(options?: StoreOptions): SqliteHarness {
  const dir = mkdtempSync(join(tmpdir(), "unkai-contract-"));
  const path = join(dir, "unkai.db");
  return {
    path,
    open: () =>
      openSqliteStore(
        path,
        (error) => {
          throw error instanceof Error ? error : new Error(String(error));
        },
        options?.logPolicy,
      ),
    destroy: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describeStoreContract("SQLite", sqliteHarness);

describe("store contract coverage measurement", () => {
  it("names the methods no case called, including one added to a port object later", async () => {
    const harness = sqliteHarness();
    const real = harness.open();
    try {
      // A method someone adds to a port without a contract case (here on the prototype, as a class would).
      const logs = Object.create({ expire: () => 0 }, Object.getOwnPropertyDescriptors(real.logs)) as typeof real.logs;
      const coverage = new CoverageRecorder();
      const store = coverage.wrap({ ...real, logs, close: () => real.close() });
      await store.functions.count();
      assert.equal(await store.logs.groups(undefined).then((groups) => groups.length), 0);
      const { total, covered, uncovered } = coverage.report();
      assert.equal(covered, 2);
      assert.equal(total, uncovered.length + 2);
      assert.ok(uncovered.includes("logs.expire"), "a prototype method counts");
      assert.ok(uncovered.includes("functions.get") && uncovered.includes("store.close") && uncovered.includes("objects.putObject"));
      assert.ok(!uncovered.includes("functions.count"));
    } finally {
      real.close();
      harness.destroy();
    }
  });
});

describe("SQLite async queue: claimers in parallel threads", () => {
  // The contract's claimers share one thread, where a synchronous backend cannot interleave; here two
  // connections on one file lease the same 3,000 ids at the same time, as two processes would.
  it("leases each event to exactly one claimer", async () => {
    const harness = sqliteHarness();
    const now = 1_000_000;
    const ids = Array.from({ length: 3_000 }, (_, i) => `event-${i}`);
    const store = harness.open();
    try {
      store.asyncQueue.enqueue(ids.map((id, i) => ({ id, functionName: "fn", qualifier: "$LATEST", payload: Buffer.from("{}"), enqueuedAt: now - 1_000 + i })));
      const startLine = new SharedArrayBuffer(4);
      const claim = (order: readonly string[]) =>
        new Promise<string[]>((resolve, reject) => {
          const worker = new Worker(join(REPO_ROOT, "dist", "test", "helpers", "lease-claimer.js"), { workerData: { path: harness.path, ids: order, now, startLine } });
          worker.once("message", (leased: string[]) => resolve(leased));
          worker.once("error", reject);
        });
      const [a, b] = await Promise.all([claim(ids), claim([...ids].reverse())]);
      assert.equal(a.length + b.length, ids.length, "no event was leased twice");
      assert.deepEqual([...a, ...b].sort(), [...ids].sort(), "every event was leased");
      assert.ok(a.length > 0 && b.length > 0, `both claimers got events (${a.length} and ${b.length})`);
      assert.deepEqual(store.asyncQueue.ready(now, 10), []);
    } finally {
      store.close();
      harness.destroy();
    }
  });
});
