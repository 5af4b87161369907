/**
 * Two Unkai nodes on one PostgreSQL and one blob directory, addressed directly (no balancer): what
 * one node must honour of the other's — the account's concurrency limit counted over both, a code
 * URL presigned by one and downloaded from the other, a dead node's schedule timers taken over.
 * Functions run under the process sandbox (the test is about the cluster, not isolation).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createFromFixture, invoke, lambda } from "./helpers/clients.js";
import { postgresAvailable, startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, type Recorded } from "./helpers/wait.js";

const skip = !postgresAvailable() ? "needs PostgreSQL 15 (scripts/install-test-deps.sh)" : false;
/** Small, so a dozen parallel calls exceed it; each node alone would admit this many. */
const ACCOUNT_LIMIT = 3;

/** The most attempts that ran at once, from the starts and ends the function itself reported. */
function mostAtOnce(recorded: readonly Recorded[]): number {
  const marks = recorded.map((r) => ({ at: r.at, step: r.phase === "start" ? 1 : -1 })).sort((x, y) => x.at - y.at || x.step - y.step);
  let running = 0;
  let most = 0;
  for (const mark of marks) most = Math.max(most, (running += mark.step));
  return most;
}

describe("two nodes on one PostgreSQL: limits, code URLs and timers hold across nodes", { skip }, () => {
  let pg: PostgresServer | undefined;
  const nodes: TestUnkai[] = [];
  const collector = new Collector();
  const blobs = mkdtempSync(join(tmpdir(), "unkai-nodes-blobs-"));
  let env: Record<string, string> = {};
  const node = (i: number) => {
    const n = nodes[i];
    assert.ok(n, `node ${i} is not running`);
    return n;
  };

  before(async () => {
    pg = await startPostgres();
    await collector.start();
    env = { UNKAI_STORE: await pg.createDatabase("nodes"), UNKAI_BLOBS: blobs, UNKAI_SANDBOX: "process", UNKAI_ACCOUNT_CONCURRENCY: String(ACCOUNT_LIMIT) };
    for (let i = 0; i < 2; i++) nodes.push(await startUnkai(env));
  });
  after(async () => {
    for (const n of nodes) if (n.process.exitCode === null && n.process.signalCode === null) await n.stop();
    await collector.close();
    await pg?.stop();
    rmSync(blobs, { recursive: true, force: true });
  });

  it(`holds the account's concurrency limit (${ACCOUNT_LIMIT}) for the sum over both nodes; the excess is throttled as ConcurrentInvocationLimitExceeded`, async () => {
    await createFromFixture(lambda(node(0).url), "slow", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("slow") } } });
    for (let i = 0; i < 2; i++) assert.equal((await invoke(lambda(node(i).url), "slow", { warm: i })).status, 200);
    const before = collector.recorded("slow").length;
    let ran = 0;
    const reasons: string[] = [];
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      try {
        if ((await invoke(lambda(node(i % 2).url), "slow", { sleepMs: 1500, call: i }, false)).status === 200) ran++;
      } catch (error) {
        const { name, Reason, message } = error as { name?: string; Reason?: string; message?: string };
        assert.equal(name, "TooManyRequestsException", String(error));
        assert.equal(message, "Rate Exceeded.");
        reasons.push(Reason ?? "");
      }
    }));
    const most = mostAtOnce(collector.recorded("slow").slice(before));
    console.log(`# account limit ${ACCOUNT_LIMIT} over two nodes: ${ran} ran, ${reasons.length} throttled, at most ${most} running at once`);
    assert.ok(most <= ACCOUNT_LIMIT, `${most} ran at once; each node alone admits ${ACCOUNT_LIMIT}`);
    assert.ok(ran >= ACCOUNT_LIMIT && reasons.length > 0, `${ran} ran, ${reasons.length} throttled`);
    assert.deepEqual([...new Set(reasons)], ["ConcurrentInvocationLimitExceeded"]);
    // The slots were given back: both nodes admit again.
    for (let i = 0; i < 2; i++) assert.equal((await invoke(lambda(node(i).url), "slow", { after: i })).status, 200);
  });
});
