/** The storage contract against the embedded backend: each case on a fresh SQLite file in its own temp dir. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { describeStoreContract, type StoreHarness } from "./store-contract/index.js";
import { CoverageRecorder } from "./store-contract/recorder.js";

/** A StoreHarness whose calls answer directly (SQLite is synchronous). */
interface SqliteHarness extends StoreHarness {
  open(): Store;
  destroy(): void;
}

function sqliteHarness(): SqliteHarness {
  const dir = mkdtempSync(join(tmpdir(), "unkai-contract-"));
  const path = join(dir, "unkai.db");
  return {
    open: () =>
      openSqliteStore(path, (error) => {
        throw error instanceof Error ? error : new Error(String(error));
      }),
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
