// CloudWatch benchmarks (phase `cloudwatch` of `npm run bench`), on an Unkai of its own:
// - PutLogEvents ingestion (100 events per request, replayed by wrk) into a log group with 10 metric
//   filters of every pattern kind, beside the same requests into a group with none, same server, same run;
// - alarm evaluation lag: a data point that breaches an alarm's threshold → the alarm's SNS topic →
//   an HTTP subscriber in this process, p50/p99 over many alarms, with the evaluation interval shortened
//   to 1 s (CloudWatch evaluates every minute; Unkai's default is the same, `--alarm-evaluation-interval-ms`).
import http from "node:http";
import { fmt, percentile, request, sleep } from "./lib.js";
import { measured } from "./throughput.js";

const LOGS_JSON = "application/x-amz-json-1.1";
const QUERY = "application/x-www-form-urlencoded";
const EVENTS_PER_REQUEST = 100;
const EVALUATION_INTERVAL_MS = 1000;

// One of each pattern kind the filter language has: terms, phrases, OR terms, exclusions, JSON
// comparisons (string, number, nested, combined), space-delimited fields with conditions, a regex.
const FILTERS = [
  ["terms", "ERROR", "1"],
  ["phrase", '"payment failed"', "1"],
  ["or-terms", "?ERROR ?WARN", "1"],
  ["exclusion", "ERROR -DEBUG", "1"],
  ["json-string", '{ $.level = "ERROR" }', "1"],
  ["json-number", "{ $.latency > 500 }", "$.latency"],
  ["json-and", '{ $.user.id = "u-1" && $.latency >= 100 }', "1"],
  ["space-delimited", "[ip, user, status=5*, bytes]", "$bytes"],
  ["space-wildcard", '[w1, w2="*fail*", w3]', "1"],
  ["regex", "%pay[a-z]+%", "1"],
];

// The 100 events of one request: five kinds of line, each matched by some filters and missed by others.
const LINES = [
  JSON.stringify({ level: "ERROR", latency: 600, user: { id: "u-1" } }),
  "ERROR payment failed for order 42",
  "127.0.0.1 alice 503 1200",
  "DEBUG nothing to see",
  JSON.stringify({ level: "INFO", latency: 20, user: { id: "u-2" } }),
];

async function logs(url, op, body) {
  const res = await request(url, { method: "POST", service: "logs", headers: { "content-type": LOGS_JSON, "x-amz-target": `Logs_20140328.${op}` }, body });
  if (res.status !== 200) throw new Error(`logs ${op}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res.body ? JSON.parse(res.body) : {};
}

/** One Query-protocol call (CloudWatch, SNS); resolves the XML text. */
async function query(url, service, params) {
  const body = new URLSearchParams(params).toString();
  const res = await request(`${url}/`, { method: "POST", service, headers: { "content-type": QUERY }, body });
  if (res.status !== 200) throw new Error(`${service} ${params.Action}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res.body;
}

function putLogEventsTarget(url, group) {
  const now = Date.now();
  const logEvents = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => ({ timestamp: now + i, message: LINES[i % LINES.length] }));
  return {
    url, method: "POST", sign: "logs",
    headers: { "content-type": LOGS_JSON, "x-amz-target": "Logs_20140328.PutLogEvents" },
    body: JSON.stringify({ logGroupName: group, logStreamName: "bench", logEvents }),
  };
}

/** The sum of one filter's metric over the run: every matching event must have added its point. */
async function metricSum(url, metricName, startMs) {
  const xml = await query(url, "monitoring", {
    Action: "GetMetricStatistics", Version: "2010-08-01", Namespace: "Bench/Filters", MetricName: metricName,
    StartTime: new Date(startMs - 60_000).toISOString(), EndTime: new Date(Date.now() + 3_600_000).toISOString(),
    Period: "86400", "Statistics.member.1": "SampleCount",
  });
  return [...xml.matchAll(/<SampleCount>([\d.]+)<\/SampleCount>/g)].reduce((a, m) => a + Number(m[1]), 0);
}

async function ingestion(unkai, { seconds, warmSeconds, connections }) {
  const url = unkai.url;
  for (const group of ["bench-plain", "bench-filtered"]) {
    await logs(url, "CreateLogGroup", { logGroupName: group });
    await logs(url, "CreateLogStream", { logGroupName: group, logStreamName: "bench" });
  }
  for (const [name, pattern, value] of FILTERS) {
    await logs(url, "PutMetricFilter", {
      logGroupName: "bench-filtered", filterName: name, filterPattern: pattern,
      metricTransformations: [{ metricNamespace: "Bench/Filters", metricName: name, metricValue: value }],
    });
  }
  const startMs = Date.now();
  const rows = {};
  for (const group of ["bench-plain", "bench-filtered"]) {
    const run = await measured(unkai.pid, putLogEventsTarget(`${url}/`, group), connections, seconds, warmSeconds);
    if (run.errors || run.non2xx) throw new Error(`PutLogEvents into ${group}: ${run.errors} socket errors, ${run.non2xx} non-2xx responses`);
    rows[group] = run;
  }
  // "terms" (ERROR) matches the JSON line's text and "ERROR payment failed": 2 of every 5 lines.
  const counted = await metricSum(url, "terms", startMs);
  return { plain: rows["bench-plain"], filtered: rows["bench-filtered"], counted, connections, seconds };
}

/** An HTTP endpoint for SNS: confirms its subscription, then notes when each alarm's notification arrived. */
function subscriber() {
  const arrivals = new Map();
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const at = Date.now();
      res.end();
      const message = JSON.parse(text);
      if (message.Type === "SubscriptionConfirmation") http.get(message.SubscribeURL, (r) => r.resume());
      else if (message.Type === "Notification") arrivals.set(JSON.parse(message.Message).AlarmName, at);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, arrivals, close: () => new Promise((r) => server.close(r)) })));
}

async function alarmLag(unkai, { alarms }) {
  const url = unkai.url;
  const endpoint = await subscriber();
  try {
    const topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(await query(url, "sns", { Action: "CreateTopic", Version: "2010-03-31", Name: "bench-alarms" }))[1];
    await query(url, "sns", { Action: "Subscribe", Version: "2010-03-31", TopicArn: topicArn, Protocol: "http", Endpoint: endpoint.url });
    for (let i = 0; i < 100 && !/<SubscriptionArn>arn:/.test(await query(url, "sns", { Action: "ListSubscriptionsByTopic", Version: "2010-03-31", TopicArn: topicArn })); i++) await sleep(100);
    for (let i = 0; i < alarms; i++) {
      await query(url, "monitoring", {
        Action: "PutMetricAlarm", Version: "2010-08-01", AlarmName: `bench-${i}`, Namespace: "Bench/Alarms", MetricName: "Errors",
        "Dimensions.member.1.Name": "Case", "Dimensions.member.1.Value": String(i), Statistic: "Maximum", Period: "60",
        EvaluationPeriods: "2", DatapointsToAlarm: "1", Threshold: "1", ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching",
        "AlarmActions.member.1": topicArn,
      });
    }
    // Let every alarm leave INSUFFICIENT_DATA (missing data is not breaching: OK) before the first point.
    await sleep(3 * EVALUATION_INTERVAL_MS);
    const lags = [];
    for (let i = 0; i < alarms; i++) {
      // At a random point of the evaluation interval: the next notification would otherwise always
      // follow the previous one's evaluation by exactly one interval.
      await sleep(Math.random() * EVALUATION_INTERVAL_MS);
      const sentAt = Date.now();
      await query(url, "monitoring", {
        Action: "PutMetricData", Version: "2010-08-01", Namespace: "Bench/Alarms",
        "MetricData.member.1.MetricName": "Errors", "MetricData.member.1.Value": "5",
        "MetricData.member.1.Dimensions.member.1.Name": "Case", "MetricData.member.1.Dimensions.member.1.Value": String(i),
      });
      for (let t = 0; t < 100 && !endpoint.arrivals.has(`bench-${i}`); t++) await sleep(20);
      const at = endpoint.arrivals.get(`bench-${i}`);
      if (at !== undefined) lags.push(at - sentAt);
    }
    return { alarms, notified: lags.length, p50: percentile(lags, 50), p99: percentile(lags, 99), max: Math.max(...lags) };
  } finally {
    await endpoint.close();
  }
}

/** The whole phase against its own Unkai; helpers come from run.js. */
export async function phaseCloudWatch({ startUnkai, stopUnkai, log, quick }) {
  const unkai = await startUnkai("cloudwatch", { UNKAI_ALARM_EVALUATION_INTERVAL_MS: String(EVALUATION_INTERVAL_MS) });
  try {
    const seconds = quick ? 2 : 4;
    log(`(l) PutLogEvents, ${EVENTS_PER_REQUEST} events per request, with 10 metric filters and with none (wrk, 8 connections, ${seconds} s each)`);
    const ingest = await ingestion(unkai, { seconds, warmSeconds: 1, connections: 8 });
    const alarms = quick ? 10 : 40;
    log(`(l) alarm lag: data point → ALARM → SNS → HTTP subscriber, ${alarms} alarms, evaluated every ${EVALUATION_INTERVAL_MS} ms`);
    const lag = await alarmLag(unkai, { alarms });
    return { ingest, lag, intervalMs: EVALUATION_INTERVAL_MS, eventsPerRequest: EVENTS_PER_REQUEST };
  } finally {
    await stopUnkai(unkai);
  }
}

const eventsPerSec = (run, c) => run.rps * c.eventsPerRequest;

/** Summary rows; the issue sets no target for these figures. */
export function cloudWatchSummaryRows(c) {
  if (!c) return ["| (l) CloudWatch | not measured | | | | |"];
  const { plain, filtered } = c.ingest;
  return [
    `| (l) PutLogEvents ingestion with 10 metric filters (wrk, 8 connections) | ${fmt(eventsPerSec(filtered, c), 0)} events/s | ${fmt(eventsPerSec(plain, c), 0)} events/s (no filters, same server) | ${fmt((100 * filtered.rps) / plain.rps, 1)} % | — | |`,
    `| (l) alarm lag, data point → SNS delivery, p50 / p99 | ${fmt(c.lag.p50, 0)} / ${fmt(c.lag.p99, 0)} ms | ${c.intervalMs} ms (evaluation interval) | ${fmt(c.lag.p50 / c.intervalMs)}× | — | |`,
  ];
}

/** The BENCHMARKS.md section. */
export function cloudWatchSection(c) {
  const lines = ["## (l) CloudWatch: metric filters at ingestion, alarm lag", ""];
  lines.push(`Ingestion: wrk replays one signed PutLogEvents request of ${EVENTS_PER_REQUEST} events (five kinds of line: a JSON object, an error phrase, a space-delimited access line, a debug line, another JSON object) into a log group with 10 metric filters — one of each pattern kind: a term, a quoted phrase, \`?\` OR terms, an exclusion, JSON string and number comparisons, a nested JSON AND, space-delimited fields with a condition and with a wildcard, a regular expression — and into a group with none, on the same server in the same run. A request is answered after its events and their data points are written. Alarm lag: ${c?.lag.alarms ?? "n"} alarms (Maximum ≥ 1 in 1 of the last 2 periods of 60 s, so a point put just before a minute ends still counts; missing data not breaching), each with its own dimension; one data point of 5 at a time, timed from the PutMetricData request to the arrival of the ALARM notification at an HTTP subscriber of the alarm's SNS topic (in the bench process). Unkai evaluates alarms every \`--alarm-evaluation-interval-ms\` (default 60,000, CloudWatch's minute); this run uses ${EVALUATION_INTERVAL_MS} ms, so the lag is about half an interval on average plus evaluation and delivery.`);
  lines.push("");
  if (!c) return [...lines, "Not measured in this run.", ""];
  const { plain, filtered } = c.ingest;
  lines.push("| Log group | requests / s | events / s | p50 / p99 ms | server CPU / request | wrk CPU (% of a core) |", "|---|---|---|---|---|---|");
  for (const [label, run] of [["no metric filters", plain], ["10 metric filters", filtered]]) {
    lines.push(`| ${label} | ${fmt(run.rps, 0)} | ${fmt(eventsPerSec(run, c), 0)} | ${fmt(run.p50, 2)} / ${fmt(run.p99, 2)} | ${fmt(run.serverMsPerReq, 3)} ms | ${fmt(run.cpuPct, 0)} % |`);
  }
  const expected = (filtered.requests + (c.ingest.warmRequests ?? 0)) * (EVENTS_PER_REQUEST * 2) / 5;
  lines.push("", `The "terms" filter (\`ERROR\`) counted ${c.ingest.counted} matching events in the metric it feeds (2 of every 5 lines match; the filtered group's measured run alone sent ${fmt(expected, 0)} such lines, its unmeasured warm-up more).`, "");
  lines.push(`Alarm lag: ${c.lag.notified} of ${c.lag.alarms} alarms notified; p50 ${fmt(c.lag.p50, 0)} ms, p99 ${fmt(c.lag.p99, 0)} ms, max ${fmt(c.lag.max, 0)} ms with a ${c.intervalMs} ms evaluation interval.`, "");
  return lines;
}
