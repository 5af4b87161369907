/**
 * The per-minute accumulators of AWS/* metrics find the cell of a dimensions object they have seen
 * without building its key (AWS/DynamoDB reports with the same frozen objects on every request): the
 * figures must land exactly where the keyed way puts them, across flushes and namespaces. Drives the
 * real accumulator over a real SQLite metric store.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ServiceMetricMinutes } from "../src/services/cloudwatch/service-metric-minutes.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";

describe("service metric minutes", () => {
  const dir = mkdtempSync(join(tmpdir(), "unkai-metric-minutes-"));
  const store = openSqliteStore(join(dir, "unkai.db"), (error) => assert.fail(String(error)));
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** Every stored point of a metric as [namespace, dimensions, sampleCount, sum]. */
  const points = async (namespace: string, metricName: string) =>
    (await store.metricData.query(namespace, metricName, 0, Date.now() + 120_000)).map((p) => [p.namespace, JSON.stringify(p.dimensions), p.statistics?.sampleCount, p.statistics?.sum]);

  it("keeps each flush's figures of a reused dimensions object apart, losing and repeating none", async () => {
    const minutes = new ServiceMetricMinutes(store.metricData);
    const table = Object.freeze({ TableName: "t1" });
    minutes.sink("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, 1, "Count");
    minutes.sink("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, 0.5, "Count");
    await minutes.flush();
    minutes.sink("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, 2, "Count");
    // An equal object that is not the same one reaches the same cell.
    minutes.sink("AWS/DynamoDB", "ConsumedReadCapacityUnits", { TableName: "t1" }, 4, "Count");
    await minutes.flush();
    await minutes.flush();
    assert.deepEqual(await points("AWS/DynamoDB", "ConsumedReadCapacityUnits"), [
      ["AWS/DynamoDB", '{"TableName":"t1"}', 2, 1.5],
      ["AWS/DynamoDB", '{"TableName":"t1"}', 2, 6],
    ]);
  });

  it("keeps one dimensions object's figures of the same name apart by namespace and by name", async () => {
    const minutes = new ServiceMetricMinutes(store.metricData);
    const dimensions = Object.freeze({ TableName: "t2" });
    minutes.sink("AWS/DynamoDB", "Shared", dimensions, 3, "Count");
    minutes.sink("Custom/Other", "Shared", dimensions, 5, "Count");
    minutes.sink("AWS/DynamoDB", "Shared", dimensions, 7, "Count");
    minutes.sink("AWS/DynamoDB", "Other", dimensions, 11, "Count");
    await minutes.flush();
    assert.deepEqual(await points("AWS/DynamoDB", "Shared"), [["AWS/DynamoDB", '{"TableName":"t2"}', 2, 10]]);
    assert.deepEqual(await points("Custom/Other", "Shared"), [["Custom/Other", '{"TableName":"t2"}', 1, 5]]);
    assert.deepEqual(await points("AWS/DynamoDB", "Other"), [["AWS/DynamoDB", '{"TableName":"t2"}', 1, 11]]);
  });

  it("keeps a reused object's times at three significant digits, one slot per value", async () => {
    const minutes = new ServiceMetricMinutes(store.metricData);
    const dimensions = Object.freeze({ TableName: "t3", Operation: "GetItem" });
    for (const ms of [0.12345, 0.12349, 0.5]) minutes.sink("AWS/DynamoDB", "SuccessfulRequestLatency", dimensions, ms, "Milliseconds");
    await minutes.flush();
    const stored = await store.metricData.query("AWS/DynamoDB", "SuccessfulRequestLatency", 0, Date.now() + 120_000);
    assert.deepEqual(stored.map((p) => [p.value, p.statistics?.sampleCount]).sort(), [[0.123, 2], [0.5, 1]]);
  });
});
