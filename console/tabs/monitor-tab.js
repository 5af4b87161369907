/**
 * The Monitoring tab: charts of the function's AWS/Lambda metrics read with CloudWatch's GetMetricData
 * (the very query `aws cloudwatch get-metric-data` would send, kept on the charts as `data-query`), a
 * cold-start chart and the monthly cost estimate, Lambda against an always-on VM, from Unkai's invocation
 * records (CloudWatch has no cold-start metric, and the estimate needs billed durations).
 */
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { cloudwatch, unkaiJson } from "../api.js";
import { lineChart } from "../charts.js";
import { dollars, HOURS_PER_MONTH, LAMBDA_PRICE, lambdaMonthly, vmMonthly } from "../cost.js";
import { errorBox, h, replace } from "../dom.js";

const RANGES = [["60", "1 hour", 60], ["180", "3 hours", 300], ["720", "12 hours", 900], ["1440", "1 day", 1800], ["10080", "7 days", 10_800]];

export async function monitorTab(body, fn) {
  const name = fn.Configuration.FunctionName;
  const errors = errorBox();
  const range = h("select", { id: "metrics-range", "aria-label": "Time range" }, RANGES.map(([v, l]) => h("option", { value: v }, `Last ${l}`)));
  const charts = h("div", { class: "charts", id: "charts" });
  const cost = h("div", { class: "card", id: "cost" });
  let timer;

  async function load() {
    const [minutes, , period] = RANGES.find(([v]) => v === range.value);
    const endMs = Math.ceil(Date.now() / (period * 1000)) * period * 1000;
    const query = metricQuery(name, endMs - Number(minutes) * 60_000, endMs, period);
    try {
      const [out, m] = await Promise.all([
        cloudwatch().send(new GetMetricDataCommand({ ...query, StartTime: new Date(query.StartTime), EndTime: new Date(query.EndTime) })),
        unkaiJson(`/_unkai/functions/${encodeURIComponent(name)}/metrics`, { query: { since: String(query.StartTime), period: String(period) } }),
      ]);
      errors.clear();
      charts.dataset.query = JSON.stringify(query);
      renderCharts(out.MetricDataResults ?? [], query, m);
      renderCost(cost, m, fn.Configuration.MemorySize);
    } catch (error) {
      errors.show(error);
    }
  }

  function renderCharts(results, query, m) {
    const periodMs = query.MetricDataQueries[0].MetricStat.Period * 1000;
    const times = [];
    for (let t = query.StartTime; t < query.EndTime; t += periodMs) times.push(t);
    const series = (id) => {
      const r = results.find((x) => x.Id === id);
      const at = new Map((r?.Timestamps ?? []).map((ts, i) => [new Date(ts).getTime(), r.Values[i]]));
      return times.map((t) => at.get(t));
    };
    const present = (values) => values.filter((v) => v !== undefined);
    const sum = (id) => String(present(series(id)).reduce((a, b) => a + b, 0));
    const max = (id, digits) => { const values = present(series(id)); return values.length ? Math.max(...values).toFixed(digits) : "–"; };
    const coldTimes = m.buckets.map((b) => b.start);
    replace(charts,
      lineChart({ title: "Invocations", times, series: [
        { name: "Invocations", color: "#2f6fde", values: series("invocations"), summary: sum("invocations") },
        { name: "Errors", color: "#d2372b", values: series("errors"), summary: sum("errors") },
        { name: "Throttles", color: "#e09b13", values: series("throttles"), summary: sum("throttles") }] }),
      lineChart({ title: "Duration", unit: "ms", times, series: [
        { name: "p50", color: "#2f6fde", values: series("p50"), summary: `max ${max("p50", 1)}` },
        { name: "p99", color: "#8a3fd1", values: series("p99"), summary: `max ${max("p99", 1)}` }] }),
      lineChart({ title: "Concurrent executions", times, series: [{ name: "Concurrent executions", color: "#555", values: series("concurrent"), summary: `max ${max("concurrent", 0)}` }] }),
      lineChart({ title: "Cold starts", times: coldTimes, series: [{ name: "Cold starts", color: "#0f8f7f", values: m.buckets.map((b) => b.coldStarts), summary: String(m.totals.coldStarts) }] }));
  }

  range.addEventListener("change", () => void load());
  replace(body, h("div", { class: "toolbar" }, range, h("button", { onclick: () => void load() }, "Refresh"), h("span", { class: "hint" }, "From CloudWatch (GetMetricData on AWS/Lambda; cold starts and cost from Unkai's invocation records); refreshes every 15 s.")),
    errors.el, charts, cost);
  await load();
  timer = setInterval(() => void load(), 15_000);
  return () => clearInterval(timer);
}

/** GetMetricData's input for the charts (times as epoch ms), the same whether the console or the AWS CLI sends it. */
function metricQuery(name, startMs, endMs, period) {
  const stat = (Id, MetricName, Stat) =>
    ({ Id, MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName, Dimensions: [{ Name: "FunctionName", Value: name }] }, Period: period, Stat } });
  return {
    StartTime: startMs, EndTime: endMs, ScanBy: "TimestampAscending",
    MetricDataQueries: [stat("invocations", "Invocations", "Sum"), stat("errors", "Errors", "Sum"), stat("throttles", "Throttles", "Sum"),
      stat("p50", "Duration", "p50"), stat("p99", "Duration", "p99"), stat("concurrent", "ConcurrentExecutions", "Maximum")],
  };
}

/** Observed load → a month at that rate, next to a VM of the same memory; the inputs let a reader try another load. */
function renderCost(el, m, memorySizeMb) {
  const windowSeconds = (m.until - m.since) / 1000;
  const observedRps = m.totals.invocations / windowSeconds;
  const rps = h("input", { type: "number", min: 0, step: "any", id: "cost-rps", value: Number(observedRps.toPrecision(3)), "aria-label": "Requests per second" });
  const billed = h("input", { type: "number", min: 1, step: "any", id: "cost-billed", value: Math.round(m.totals.averageBilledDurationMs ?? 100), "aria-label": "Billed duration per request (ms)" });
  const memory = h("input", { type: "number", min: 128, max: 10_240, id: "cost-memory", value: memorySizeMb, "aria-label": "Memory (MB)" });
  const out = h("div", { class: "cost-compare" });
  const update = () => {
    const l = lambdaMonthly(Number(rps.value) || 0, Number(billed.value) || 0, Number(memory.value) || 128);
    const vm = vmMonthly(Number(memory.value) || 128);
    const cheaper = l.total <= vm.total ? "Lambda is cheaper at this load." : `An always-on ${vm.type} is cheaper at this load.`;
    replace(out,
      h("div", { class: "cost-box", id: "cost-lambda" }, h("div", { class: "hint" }, "Lambda, per month"), h("div", { class: "big" }, dollars(l.total)),
        h("div", { class: "hint" }, `${Math.round(l.requests).toLocaleString("en-US")} requests (${dollars(l.requestCost)}) + ${Math.round(l.gbSeconds).toLocaleString("en-US")} GB-s (${dollars(l.computeCost)})`)),
      h("div", { class: "cost-box", id: "cost-vm" }, h("div", { class: "hint" }, `EC2 ${vm.type} always on, per month`), h("div", { class: "big" }, dollars(vm.total)),
        h("div", { class: "hint" }, `$${vm.hourly}/h × ${HOURS_PER_MONTH} h, ${vm.memoryMb / 1024} GiB`)),
      h("p", { class: "verdict", id: "cost-verdict" }, cheaper));
  };
  for (const input of [rps, billed, memory]) input.addEventListener("input", update);
  replace(el, h("h3", {}, "Estimated monthly cost"),
    h("div", { class: "row" }, h("label", {}, "Requests per second", rps), h("label", {}, "Billed ms per request", billed), h("label", {}, "Memory (MB)", memory)),
    h("p", { class: "hint" }, `Observed: ${m.totals.invocations} invocation${m.totals.invocations === 1 ? "" : "s"} in ${Math.round(windowSeconds / 60)} min (${observedRps.toPrecision(3)}/s), average billed ${Math.round(m.totals.averageBilledDurationMs ?? 0)} ms.`),
    out,
    h("p", { class: "hint" }, `Assumptions: AWS Lambda us-east-1 x86 prices ($${LAMBDA_PRICE.perMillionRequests} per 1M requests, $${LAMBDA_PRICE.perGbSecond} per GB-second, no free tier), a steady load all month; the VM is the smallest EC2 t3 on-demand Linux instance in us-east-1 with at least that memory, running ${HOURS_PER_MONTH} h, without storage or data transfer.`));
  update();
}
