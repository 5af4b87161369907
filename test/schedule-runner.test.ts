/**
 * The schedule runner over a real SQLite ScheduleTimerStore: two runners on one file act as two
 * nodes; a test clock steps through minutes; a stalled node loses its lease; firings missed while
 * down are skipped; and a started runner fires a timer on time by the real clock.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pino } from "pino";
import { ScheduleRunner, type ScheduleHandler, type ScheduleRunnerOptions } from "../src/async/schedule-runner.js";
import { nextFireAfter, parseSchedule } from "../src/core/schedule/index.js";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";

const silent = pino({ level: "silent" });
const T0 = Date.parse("2026-01-01T00:00:00Z");
const MINUTE = 60_000;

interface Firing {
  readonly node: string;
  readonly schedule: string;
  readonly fireAt: number;
  readonly firingId: string;
}

/** Two stores (connections) on one fresh SQLite file: two nodes sharing the data. */
function twoNodes(): { a: Store; b: Store; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), "unkai-schedules-"));
  const path = join(dir, "unkai.db");
  const fail = (error: unknown) => {
    throw error instanceof Error ? error : new Error(String(error));
  };
  const a = openSqliteStore(path, fail);
  const b = openSqliteStore(path, fail);
  return { a, b, cleanup: async () => { await a.close(); await b.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Every schedule is rate(1 minute) anchored at T0; firings are recorded per node. */
function rateHandler(node: string, firings: Firing[], hold?: (id: string) => Promise<void>): ScheduleHandler {
  const schedule = parseSchedule("rate(1 minute)", { allowAt: false });
  return {
    fire: async (id, fireAt, firingId) => {
      await hold?.(id);
      firings.push({ node, schedule: id, fireAt, firingId });
    },
    nextAfter: async (_id, afterMs) => nextFireAfter(schedule, afterMs, { anchorMs: T0 }),
  };
}

function options(owner: string, clock: { now: number }, overrides: Partial<ScheduleRunnerOptions> = {}): ScheduleRunnerOptions {
  return { timerPrefix: "rule/", owner, leaseMs: 30_000, pollMs: 1_000, batch: 8, missedAfterMs: MINUTE, now: () => clock.now, ...overrides };
}

describe("schedule runner", () => {
  it("two nodes stepping through ten minutes fire each schedule once per minute, together", async () => {
    const { a, b, cleanup } = twoNodes();
    try {
      const clock = { now: T0 };
      const firings: Firing[] = [];
      const ids = Array.from({ length: 20 }, (_, i) => `rule/r${i}`);
      for (const id of ids) await a.scheduleTimers.set(id, T0 + MINUTE);
      const runnerA = new ScheduleRunner(a.scheduleTimers, rateHandler("a", firings), options("a", clock), silent);
      const runnerB = new ScheduleRunner(b.scheduleTimers, rateHandler("b", firings), options("b", clock), silent);
      for (let minute = 1; minute <= 10; minute++) {
        clock.now = T0 + minute * MINUTE + 250;
        await Promise.all([runnerA.tick(), runnerB.tick()]);
      }
      assert.equal(firings.length, ids.length * 10);
      const keys = new Set(firings.map((f) => f.firingId));
      assert.equal(keys.size, firings.length, "no firing was delivered twice");
      for (const id of ids) {
        const times = firings.filter((f) => f.schedule === id).map((f) => (f.fireAt - T0) / MINUTE).sort((x, y) => x - y);
        assert.deepEqual(times, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], id);
      }
      assert.equal((await b.scheduleTimers.get("rule/r0"))?.nextFireAt, T0 + 11 * MINUTE);
    } finally {
      await cleanup();
    }
  });

  it("a node that stalls past its lease loses the firing to another node, which delivers it with the same firing id", async () => {
    const { a, b, cleanup } = twoNodes();
    try {
      const clock = { now: T0 + MINUTE };
      const firings: Firing[] = [];
      await a.scheduleTimers.set("rule/stall", T0 + MINUTE);
      let release: () => void = () => undefined;
      const stalled = new Promise<void>((resolve) => (release = resolve));
      const runnerA = new ScheduleRunner(a.scheduleTimers, rateHandler("a", firings, () => stalled), options("a", clock), silent);
      const runnerB = new ScheduleRunner(b.scheduleTimers, rateHandler("b", firings), options("b", clock), silent);
      const aTick = runnerA.tick();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(await runnerB.tick(), 0, "held by a");
      clock.now = T0 + MINUTE + 30_000; // a's lease ends
      assert.equal(await runnerB.tick(), 1);
      release();
      await aTick;
      assert.deepEqual(firings.map((f) => [f.node, f.firingId]), [["b", `rule/stall@${T0 + MINUTE}`], ["a", `rule/stall@${T0 + MINUTE}`]]);
      const timer = await a.scheduleTimers.get("rule/stall");
      assert.equal(timer?.nextFireAt, T0 + 2 * MINUTE, "advanced once, by b; a's late advance was fenced off");
      assert.equal(timer?.leaseOwner, undefined);
    } finally {
      await cleanup();
    }
  });

  it("a firing that throws is not advanced and is fired again after its lease", async () => {
    const { a, cleanup } = twoNodes();
    try {
      const clock = { now: T0 + MINUTE };
      const firings: Firing[] = [];
      let failures = 1;
      const handler = rateHandler("a", firings, async () => {
        if (failures-- > 0) throw new Error("target store unavailable");
      });
      await a.scheduleTimers.set("rule/flaky", T0 + MINUTE);
      const runner = new ScheduleRunner(a.scheduleTimers, handler, options("a", clock), silent);
      assert.equal(await runner.tick(), 0);
      assert.equal((await a.scheduleTimers.get("rule/flaky"))?.nextFireAt, T0 + MINUTE, "not advanced");
      assert.equal(await runner.tick(), 0, "still leased");
      clock.now += 30_000;
      assert.equal(await runner.tick(), 1);
      assert.deepEqual(firings.map((f) => f.fireAt), [T0 + MINUTE]);
    } finally {
      await cleanup();
    }
  });

  it("firings missed while Unkai was down are skipped, not replayed; the next one is after the restart", async () => {
    const { a, cleanup } = twoNodes();
    try {
      const firings: Firing[] = [];
      await a.scheduleTimers.set("rule/down", T0 + MINUTE);
      const clock = { now: T0 + 10 * MINUTE + 5_000 }; // back after nine missed minutes
      const runner = new ScheduleRunner(a.scheduleTimers, rateHandler("a", firings), options("a", clock), silent);
      assert.equal(await runner.tick(), 0);
      assert.equal(firings.length, 0);
      assert.equal((await a.scheduleTimers.get("rule/down"))?.nextFireAt, T0 + 11 * MINUTE);
      clock.now = T0 + 11 * MINUTE + 100;
      assert.equal(await runner.tick(), 1);
      // Late by less than missedAfterMs (a short stall) still delivers.
      clock.now = T0 + 12 * MINUTE + 59_000;
      assert.equal(await runner.tick(), 1);
      assert.deepEqual(firings.map((f) => (f.fireAt - T0) / MINUTE), [11, 12]);
    } finally {
      await cleanup();
    }
  });

  it("a started runner sleeps until the next due time and fires it on time by the real clock", async () => {
    const { a, cleanup } = twoNodes();
    try {
      const fired: number[] = [];
      const handler: ScheduleHandler = {
        fire: async () => void fired.push(Date.now()),
        nextAfter: async () => undefined,
      };
      const runner = new ScheduleRunner(a.scheduleTimers, handler, { timerPrefix: "at/", owner: "a", leaseMs: 30_000, pollMs: 60_000, batch: 8, missedAfterMs: MINUTE, now: Date.now }, silent);
      runner.start();
      const due = Date.now() + 400;
      await a.scheduleTimers.set("at/once", due);
      runner.wake();
      const deadline = Date.now() + 10_000;
      while (fired.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await runner.close();
      assert.equal(fired.length, 1);
      const lateMs = (fired[0] ?? 0) - due;
      assert.ok(lateMs >= 0 && lateMs < 1_000, `fired ${lateMs} ms after its time`);
      assert.equal((await a.scheduleTimers.get("at/once"))?.nextFireAt, undefined, "a one-shot timer ends");
    } finally {
      await cleanup();
    }
  });
  it("a runner leaves another kind's overdue timers alone and does not spin on them", async () => {
    const { a, b, cleanup } = twoNodes();
    try {
      const fired: string[] = [];
      let looks = 0;
      // The real store, counting the rule runner's looks (claimDue calls) to show it sleeps.
      const counted = new Proxy(a.scheduleTimers, {
        get: (target, name, receiver) => {
          if (name === "claimDue") looks++;
          return Reflect.get(target, name, receiver) as unknown;
        },
      });
      const handler: ScheduleHandler = { fire: async (id) => void fired.push(id), nextAfter: async () => undefined };
      const runner = new ScheduleRunner(counted, handler, { timerPrefix: "rule/", owner: "a", leaseMs: 30_000, pollMs: 60_000, batch: 8, missedAfterMs: MINUTE, now: Date.now }, silent);
      await b.scheduleTimers.set("alarm/overdue", Date.now() - 1_000);
      await a.scheduleTimers.set("rule/soon", Date.now() + 200);
      runner.start();
      const deadline = Date.now() + 10_000;
      while (fired.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const looksAfterFiring = looks;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await runner.close();
      assert.deepEqual(fired, ["rule/soon"]);
      assert.ok(looks - looksAfterFiring <= 2, `${looks - looksAfterFiring} looks in a second with nothing of its own due`);
      const alarm = await b.scheduleTimers.get("alarm/overdue");
      assert.deepEqual([alarm?.leaseOwner, alarm?.leaseCounter], [undefined, 0], "never claimed");
      assert.ok(alarm?.nextFireAt !== undefined, "nor cleared");
    } finally {
      await cleanup();
    }
  });
});
