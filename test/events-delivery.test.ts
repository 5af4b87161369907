/**
 * EventBridge delivery and scheduled rules below the API (src/services/events/delivery.ts,
 * schedules.ts) on a real SQLite store and async queue, with a test clock: what lands in the queue
 * for matching, disabled and scheduled rules, and that a redelivered firing is one queued event.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pino } from "pino";
import { Destinations, lambdaTarget } from "../src/async/destinations.js";
import { AsyncQueue } from "../src/async/queue.js";
import { eventFromEntry, type BusEvent } from "../src/core/events/envelope.js";
import { ruleKey, type RuleRecord } from "../src/core/events/resources.js";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { EventDelivery } from "../src/services/events/delivery.js";
import { DeliveryOutbox, EVENTBRIDGE_OUTBOX } from "../src/async/delivery-outbox.js";
import { RuleSchedules } from "../src/services/events/schedules.js";

const silent = pino({ level: "silent" });
const ACCOUNT = { accountId: "123456789012", region: "us-east-1" };
const T0 = Date.parse("2026-01-01T00:00:30Z");
const FN = "arn:aws:lambda:us-east-1:123456789012:function:target";

function rule(name: string, extra: Partial<RuleRecord>): RuleRecord {
  return {
    Name: name, Arn: `arn:aws:events:us-east-1:123456789012:rule/${name}`, EventBusName: "default", State: "ENABLED",
    CreatedBy: ACCOUNT.accountId, ScheduleAnchor: T0, Targets: [{ Id: "t", Arn: FN }], ...extra,
  };
}

/** Delivery with Lambda targets only (these cases use Lambda and bus targets; every function exists). */
function deliveryOn(store: Store): EventDelivery {
  const destinations = new Destinations([lambdaTarget(new AsyncQueue(store.asyncQueue), () => Promise.resolve(true))]);
  const outbox = new DeliveryOutbox(store.eventDeliveries, destinations, { scale: 0 }, Date.now, silent, EVENTBRIDGE_OUTBOX);
  return new EventDelivery(store.eventRules, destinations, outbox, silent);
}

async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "unkai-events-"));
  const store = openSqliteStore(join(dir, "unkai.db"), (error) => {
    throw error instanceof Error ? error : new Error(String(error));
  });
  try {
    await body(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function queued(store: Store): Promise<{ id: string; payload: unknown }[]> {
  const ready = await store.asyncQueue.ready(Number.MAX_SAFE_INTEGER, 100);
  const leased = await store.asyncQueue.lease(ready.map((e) => e.id), Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER);
  for (const event of leased) await store.asyncQueue.retry(event.id, event.leaseToken, 0, true);
  return leased.map((e) => ({ id: e.id, payload: JSON.parse(e.payload.toString("utf8")) as unknown }));
}

function event(detail: Record<string, unknown>): BusEvent {
  const made = eventFromEntry({ Source: "app", DetailType: "thing", Detail: JSON.stringify(detail) }, { account: ACCOUNT.accountId, region: ACCOUNT.region, nowMs: T0 });
  assert.ok(!("ErrorCode" in made));
  return made;
}

describe("EventBridge delivery", () => {
  it("queues the event for the targets of enabled matching rules only, once per rule and target", async () => {
    await withStore(async (store) => {
      const delivery = deliveryOn(store);
      await store.eventRules.put(ruleKey("default", "match"), rule("match", { EventPattern: '{"detail": {"n": [{"numeric": [">", 1]}]}}' }));
      await store.eventRules.put(ruleKey("default", "off"), rule("off", { EventPattern: '{"source": ["app"]}', State: "DISABLED" }));
      await store.eventRules.put(ruleKey("default", "other"), rule("other", { EventPattern: '{"source": ["elsewhere"]}' }));
      await store.eventRules.put(ruleKey("orders", "other-bus"), rule("other-bus", { EventBusName: "orders", EventPattern: '{"source": ["app"]}' }));
      const sent = event({ n: 5 });
      assert.equal(await delivery.publish("default", sent), 1);
      assert.equal(await delivery.publish("default", event({ n: 0 })), 0);
      const got = await queued(store);
      assert.equal(got.length, 1);
      assert.deepEqual(got[0]?.payload, sent);
    });
  });

  it("an event-bus target puts the event itself on that bus; a bus loop stops after a few hops", async () => {
    await withStore(async (store) => {
      const delivery = deliveryOn(store);
      const busArn = (name: string) => `arn:aws:events:us-east-1:123456789012:event-bus/${name}`;
      await store.eventRules.put(ruleKey("default", "forward"), rule("forward", { EventPattern: '{"source": ["app"]}', Targets: [{ Id: "bus", Arn: busArn("orders"), InputPath: "$.detail" }] }));
      await store.eventRules.put(ruleKey("orders", "to-fn"), rule("to-fn", { EventBusName: "orders", Arn: "arn:aws:events:us-east-1:123456789012:rule/orders/to-fn", EventPattern: '{"detail": {"n": [1]}}' }));
      await store.eventRules.put(ruleKey("loop", "again"), rule("again", { EventBusName: "loop", Arn: "arn:aws:events:us-east-1:123456789012:rule/loop/again", EventPattern: '{"source": ["app"]}', Targets: [{ Id: "self", Arn: busArn("loop") }] }));
      const sent = event({ n: 1 });
      await delivery.publish("default", sent);
      const got = await queued(store);
      assert.deepEqual(got.map((e) => e.payload), [sent], "the whole event reached the orders bus's function (InputPath does not apply to a bus target)");
      await delivery.publish("loop", event({ n: 2 })); // ends instead of recursing forever
    });
  });

  it("a scheduled rule's firing queues AWS's Scheduled Event; firing it again is the same queued event", async () => {
    await withStore(async (store) => {
      const clock = { now: T0 };
      const delivery = deliveryOn(store);
      const schedules = new RuleSchedules(store.eventRules, store.scheduleTimers, delivery, ACCOUNT, { owner: "test", now: () => clock.now, rateScale: 1, missedAfterMs: 60_000 }, silent);
      const tick = rule("tick", { ScheduleExpression: "rate(1 minute)" });
      await store.eventRules.put(ruleKey("default", "tick"), tick);
      await schedules.changed(tick, ruleKey("default", "tick"));
      const timer = await store.scheduleTimers.get(`events-rule:${ruleKey("default", "tick")}`);
      assert.equal(timer?.nextFireAt, Date.parse("2026-01-01T00:01:00Z"), "rates count from the rule's minute");
      clock.now = Date.parse("2026-01-01T00:01:00.200Z");
      assert.equal(await schedules.runner.tick(), 1);
      const [first] = await queued(store);
      assert.deepEqual({ ...(first?.payload as object), id: "-" }, {
        version: "0", id: "-", "detail-type": "Scheduled Event", source: "aws.events", account: ACCOUNT.accountId,
        time: "2026-01-01T00:01:00Z", region: "us-east-1", resources: [tick.Arn], detail: {},
      });
      // The same firing delivered again (a node died before advancing it): the queue keeps one event.
      await delivery.toTargets(tick, first?.payload as BusEvent, `events-rule:${ruleKey("default", "tick")}@${Date.parse("2026-01-01T00:01:00Z")}`);
      assert.equal((await queued(store)).length, 1);
      // Disabled: the timer goes away and nothing more fires.
      const off = { ...tick, State: "DISABLED" as const };
      await store.eventRules.put(ruleKey("default", "tick"), off);
      await schedules.changed(off, ruleKey("default", "tick"));
      assert.equal(await store.scheduleTimers.get(`events-rule:${ruleKey("default", "tick")}`), undefined);
      clock.now = Date.parse("2026-01-01T00:05:00Z");
      assert.equal(await schedules.runner.tick(), 0);
    });
  });
});
