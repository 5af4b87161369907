/** MetricFilterStore (CloudWatch Logs' metric filters) and MetricDataStore (the points they yield). */
import assert from "node:assert/strict";
import type { MetricFilter } from "../../src/store/ports.js";
import { plain, type StoreTest } from "./harness.js";

const filter = (logGroupName: string, filterName: string, metricName = "Errors", creationTime = 1): MetricFilter => ({
  logGroupName,
  filterName,
  filterPattern: "ERROR",
  metricTransformations: [{ metricName, metricNamespace: "App", metricValue: "1", defaultValue: 0, unit: "Count" }],
  creationTime,
});

export function metricFilterStoreContract(test: StoreTest): void {
  test("put inserts or replaces by group and name; list filters by group, name prefix and metric; delete", async ({ store, reopen }) => {
    await store.metricFilters.put(filter("/b", "zeta"));
    await store.metricFilters.put(filter("/a", "errors-api", "ApiErrors"));
    await store.metricFilters.put(filter("/a", "errors_%", "Other"));
    await store.metricFilters.put(filter("/a", "errors-api", "ApiErrors", 2));
    const current = await reopen();
    const names = async (q: Parameters<typeof current.metricFilters.list>[0]) => (await current.metricFilters.list(q)).map((f) => `${f.logGroupName}:${f.filterName}`);
    assert.deepEqual(await names({}), ["/a:errors-api", "/a:errors_%", "/b:zeta"]);
    assert.deepEqual(plain((await current.metricFilters.list({ logGroupName: "/a", filterNamePrefix: "errors-" }))), [plain(filter("/a", "errors-api", "ApiErrors", 2))]);
    assert.deepEqual(await names({ logGroupName: "/a", filterNamePrefix: "errors_" }), ["/a:errors_%"], "the prefix has no wildcards");
    assert.deepEqual(await names({ metricName: "Errors", metricNamespace: "App" }), ["/b:zeta"]);
    assert.deepEqual(await names({ metricName: "Errors", metricNamespace: "Other" }), []);
    assert.equal(await current.metricFilters.delete("/a", "errors-api"), true);
    assert.equal(await current.metricFilters.delete("/a", "errors-api"), false);
    await current.metricFilters.deleteGroup("/a");
    assert.deepEqual(await names({}), ["/b:zeta"]);
  });
}

export function metricDataStoreContract(test: StoreTest): void {
  test("add appends points; query reads one metric's points in [from, to), oldest first, every dimension set", async ({ store, reopen }) => {
    await store.metricData.add([
      { namespace: "App", metricName: "Latency", dimensions: { Path: "/pay" }, timestamp: 2_000, value: 900, unit: "Milliseconds" },
      { namespace: "App", metricName: "Latency", dimensions: {}, timestamp: 1_000, value: 1.5 },
      { namespace: "App", metricName: "Errors", dimensions: {}, timestamp: 1_500, value: 1 },
      { namespace: "Other", metricName: "Latency", dimensions: {}, timestamp: 1_500, value: 7 },
    ]);
    await store.metricData.add([]);
    const current = await reopen();
    assert.deepEqual(plain(await current.metricData.query("App", "Latency", 0, 10_000)), [
      { namespace: "App", metricName: "Latency", dimensions: {}, timestamp: 1_000, value: 1.5 },
      { namespace: "App", metricName: "Latency", dimensions: { Path: "/pay" }, timestamp: 2_000, value: 900, unit: "Milliseconds" },
    ]);
    assert.deepEqual((await current.metricData.query("App", "Latency", 1_000, 2_000)).map((p) => p.value), [1.5], "to is exclusive, from inclusive");
  });
}
