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

  test("a point's statistic set round-trips; metrics lists distinct metrics since a time, filtered and paged; prune drops old points", async ({ store, reopen }) => {
    const stats = { sampleCount: 4, sum: 10, minimum: 1, maximum: 4 };
    await store.metricData.add([
      { namespace: "App", metricName: "Latency", dimensions: { Path: "/b" }, timestamp: 5_000, value: 2.5, statistics: stats },
      { namespace: "App", metricName: "Latency", dimensions: { Path: "/a" }, timestamp: 6_000, value: 1 },
      { namespace: "App", metricName: "Latency", dimensions: { Path: "/a" }, timestamp: 7_000, value: 2 },
      { namespace: "App", metricName: "Errors", dimensions: {}, timestamp: 6_000, value: 1 },
      { namespace: "App", metricName: "Old", dimensions: {}, timestamp: 100, value: 1 },
      { namespace: "Zed", metricName: "Latency", dimensions: {}, timestamp: 6_000, value: 1 },
    ]);
    const current = await reopen();
    assert.deepEqual(plain((await current.metricData.query("App", "Latency", 5_000, 5_001))[0]?.statistics), stats);
    const ids = (list: { namespace: string; metricName: string; dimensions: Readonly<Record<string, string>> }[]) => list.map((m) => `${m.namespace}/${m.metricName}${JSON.stringify(m.dimensions)}`);
    assert.deepEqual(ids(await current.metricData.metrics({}, 1_000, 10)), ["App/Errors{}", 'App/Latency{"Path":"/a"}', 'App/Latency{"Path":"/b"}', "Zed/Latency{}"]);
    assert.deepEqual(ids(await current.metricData.metrics({ metricName: "Latency" }, 0, 10)), ['App/Latency{"Path":"/a"}', 'App/Latency{"Path":"/b"}', "Zed/Latency{}"]);
    const first = await current.metricData.metrics({ namespace: "App" }, 0, 2);
    assert.deepEqual(ids(first), ["App/Errors{}", 'App/Latency{"Path":"/a"}']);
    assert.deepEqual(ids(await current.metricData.metrics({ namespace: "App" }, 0, 2, first[1])), ['App/Latency{"Path":"/b"}', "App/Old{}"]);
    assert.equal(await current.metricData.prune(1_000), 1);
    assert.deepEqual(ids(await current.metricData.metrics({ namespace: "App" }, 0, 10)).length, 3);
  });
}
