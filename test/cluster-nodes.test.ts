/**
 * Two Unkai nodes on one PostgreSQL and one blob directory, addressed directly (no balancer): what
 * one node must honour of the other's — the account's concurrency limit counted over both, a code
 * URL presigned by one and downloaded from the other, a dead node's schedule timers taken over.
 * Functions run under the process sandbox (the test is about the cluster, not isolation).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { createFromFixture, DEFAULT_CREDENTIALS, invoke, lambda } from "./helpers/clients.js";
import { postgresAvailable, startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor, type Recorded } from "./helpers/wait.js";
import { allowServiceToInvoke } from "./helpers/service-access.js";

const DATABASE = "nodes";
const skip = !postgresAvailable() ? "needs PostgreSQL 15 (scripts/install-test-deps.sh)" : false;
/** Small, so a dozen parallel calls exceed it; each node alone would admit this many. */
const ACCOUNT_LIMIT = 3;
/** A schedule timer's lease (src/services/events/schedules.ts): what a dead node's timer waited for before leases named their node. */
const TIMER_LEASE_MS = 60_000;

/** The most attempts that ran at once, from the starts and ends the function itself reported. */
/** GETs `url` from the node listening on `port`, with the URL's own Host header (as a balancer passes it on). */
function getVia(port: number, url: string): Promise<{ status: number; body: Buffer }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: `${target.pathname}${target.search}`, headers: { host: target.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

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
    env = { UNKAI_STORE: await pg.createDatabase(DATABASE), UNKAI_BLOBS: blobs, UNKAI_SANDBOX: "process", UNKAI_ACCOUNT_CONCURRENCY: String(ACCOUNT_LIMIT) };
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
  it("serves GetFunction's Code.Location presigned by node A when the download reaches node B; a tampered URL is refused there", async () => {
    const fn = await lambda(node(0).url).send(new GetFunctionCommand({ FunctionName: "slow" }));
    const location = fn.Code?.Location ?? "";
    assert.equal(new URL(location).host, new URL(node(0).url).host, "on the host the caller reached");
    const portB = Number(new URL(node(1).url).port);
    const viaB = await getVia(portB, location);
    assert.equal(viaB.status, 200, viaB.body.toString());
    assert.equal(createHash("sha256").update(viaB.body).digest("base64"), fn.Configuration?.CodeSha256, "the function's package, whole");
    const tampered = new URL(location);
    tampered.searchParams.set("X-Amz-Expires", "86400");
    assert.equal((await getVia(portB, tampered.toString())).status, 403, "a changed expiry breaks the signature");
    const otherKey = new URL(location);
    otherKey.searchParams.set("X-Amz-Signature", "0".repeat(64));
    assert.equal((await getVia(portB, otherKey.toString())).status, 403);
  });
  it("moves the schedule timers of a SIGKILLed node to the other within the dead-node bound, not at its lease's end", async () => {
    const db = pg;
    assert.ok(db);
    await createFromFixture(lambda(node(0).url), "ticks", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("ticks") } } });
    const events = new EventBridgeClient({ endpoint: node(0).url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "tick", ScheduleExpression: "rate(1 minute)" }));
    await allowServiceToInvoke(lambda(node(0).url), "ticks", "events.amazonaws.com", String(RuleArn));
    await events.send(new PutTargetsCommand({ Rule: "tick", Targets: [{ Id: "fn", Arn: "arn:aws:lambda:us-east-1:000000000000:function:ticks" }] }));
    events.destroy();
    const bId = ((await (await fetch(`${node(1).url}/_unkai/health`)).json()) as { node: string }).node;
    // B claimed the timer and died before advancing it: the row as B's runner leaves it in that
    // window (its lease under B's node id, the firing due now), written here because the window is
    // milliseconds wide. Then B really dies.
    const dueAt = Date.now();
    const [timer] = await db.query<{ id: string }>(
      "UPDATE schedule_timers SET lease_owner = $1, lease_until = $2, lease_counter = lease_counter + 1, next_fire_at = $3 RETURNING id",
      [bId, dueAt + TIMER_LEASE_MS, dueAt], DATABASE,
    );
    assert.match(timer?.id ?? "", /^events-rule:/);
    await waitFor("node A's health to count B's timer lease", async () => {
      const seen = (await (await fetch(`${node(0).url}/_unkai/health`)).json()) as { nodes: { id: string; leasesHeld: number }[] };
      return seen.nodes.find((n) => n.id === bId)?.leasesHeld === 1 ? true : undefined;
    });
    const killed = node(1).process;
    const gone = new Promise((resolve) => killed.once("exit", resolve));
    killed.kill("SIGKILL");
    await gone;
    const killedAt = Date.now();
    const fired = await waitFor("node A to fire B's timer", () => collector.recorded("ticks").find((r) => r.phase === "start"), TIMER_LEASE_MS + 30_000);
    const tookMs = fired.at - killedAt;
    console.log(`# a SIGKILLed node's schedule timer fired by the other node ${tookMs} ms after the kill (its lease had ${TIMER_LEASE_MS} ms to run)`);
    const event = fired.event as { "detail-type": string; time: string; resources: string[] };
    assert.equal(event["detail-type"], "Scheduled Event");
    assert.equal(event.time, new Date(Math.floor(dueAt / 1000) * 1000).toISOString().replace(".000Z", "Z"), "the firing B had claimed");
    assert.ok(tookMs < 30_000, `took ${tookMs} ms: a dead node's leases are freed 10 s after its last heartbeat`);
  });
});
