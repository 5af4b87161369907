/**
 * Log lines and invocation records are written behind (one transaction per tick): closing the store,
 * as a clean stop does, commits what is still queued. Checked on a real database file, closed right
 * after the writes (well inside the 20 ms tick) and read back by a fresh connection.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openSqliteStore } from "../src/store/sqlite/index.js";

describe("write-behind store on close", () => {
  const dir = mkdtempSync(join(tmpdir(), "unkai-writebehind-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("commits every queued log line and invocation record when the store closes", async () => {
    const path = join(dir, "unkai.db");
    const store = openSqliteStore(path, (error) => assert.fail(String(error)));
    const now = Date.now();
    for (let i = 0; i < 50; i++) {
      await store.invocations.add({
        requestId: `req-${i}`, functionName: "queued", version: "$LATEST", startedAt: now + i, durationMs: 1, billedDurationMs: 1,
        initDurationMs: undefined, coldStart: false, memorySizeMb: 128, maxMemoryUsedMb: 40, status: "success", errorType: undefined, logStream: "2026/12/03/[$LATEST]s",
      });
      await store.logs.append("/aws/lambda/queued", "2026/12/03/[$LATEST]s", [{ timestamp: now + i, message: `line ${i}` }]);
    }
    await store.close();

    const reopened = openSqliteStore(path, (error) => assert.fail(String(error)));
    try {
      assert.equal((await reopened.invocations.recent("queued", 100)).length, 50);
      const { events } = await reopened.logs.query({ group: "/aws/lambda/queued", limit: 100 });
      assert.deepEqual(events.map((e) => e.message).sort(), Array.from({ length: 50 }, (_, i) => `line ${i}`).sort());
    } finally {
      await reopened.close();
    }
  });
});
