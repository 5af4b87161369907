/**
 * An alarm's state change is written over the alarm as it is stored then, not over the copy an evaluation
 * started from: the evaluator reads every alarm at the start of its round, and a TagResource (ABAC's Deny
 * tag), a PutMetricAlarm or a DeleteAlarms made meanwhile must not be undone. Drives the real changeState
 * over a real SQLite store, with the interleaving written out (on a live server it is a matter of timing).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { changeState } from "../src/services/cloudwatch/alarms.js";
import type { StoredAlarm } from "../src/services/cloudwatch/alarm-model.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };

function alarm(name: string, change: Partial<StoredAlarm> = {}): StoredAlarm {
  return {
    AlarmName: name, AlarmArn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`, ActionsEnabled: false, OKActions: [], AlarmActions: [], InsufficientDataActions: [],
    Namespace: "App", MetricName: "Errors", Dimensions: [], Statistic: "Sum", Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "missing", configuredAt: 1, StateValue: "OK", StateReason: "first", stateUpdatedAt: 1, stateTransitionedAt: 1,
    ...change,
  };
}

describe("alarm state changes over what is stored", () => {
  const dir = mkdtempSync(join(tmpdir(), "unkai-alarm-state-"));
  const store = openSqliteStore(join(dir, "unkai.db"), (error) => assert.fail(String(error)), { defaultRetentionDays: 30, groupMaxBytes: 100_000 });
  // ActionsEnabled is false throughout: no action is sent, so no destinations are needed.
  const deps = { alarms: store.alarms, destinations: undefined as never, account: ACCOUNT, logger: pino({ level: "silent" }) };
  const stored = async (name: string) => {
    const document = await store.alarms.get(name);
    return document ? (JSON.parse(document.document) as StoredAlarm) : undefined;
  };
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps tags and configuration changed after the evaluation read the alarm", async () => {
    const evaluated = alarm("tagged");
    await store.alarms.put({ name: "tagged", document: JSON.stringify(evaluated) });
    // Meanwhile: TagResource adds the tag a Deny is conditioned on, and PutMetricAlarm raises the threshold.
    await store.alarms.put({ name: "tagged", document: JSON.stringify(alarm("tagged", { tags: { locked: "true" }, Threshold: 10 })) });
    const next = await changeState(deps, evaluated, "ALARM", "Threshold Crossed", undefined, 1000);
    const now = await stored("tagged");
    assert.deepEqual(now?.tags, { locked: "true" }, "the tag added meanwhile survives");
    assert.equal(now?.Threshold, 10, "so does the new configuration");
    assert.deepEqual([now?.StateValue, now?.StateReason, now?.stateTransitionedAt], ["ALARM", "Threshold Crossed", 1000]);
    assert.deepEqual(next, now);
  });

  it("does not bring back an alarm deleted after the evaluation read it", async () => {
    const evaluated = alarm("gone");
    await store.alarms.put({ name: "gone", document: JSON.stringify(evaluated) });
    assert.equal(await store.alarms.delete("gone"), true);
    await changeState(deps, evaluated, "ALARM", "Threshold Crossed", undefined, 1000);
    assert.equal(await stored("gone"), undefined);
  });
});
