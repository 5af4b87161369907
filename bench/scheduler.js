// EventBridge Scheduler firing accuracy (phase `scheduler` of `npm run bench`, issue 18): one-time
// `at()` schedules created through the Scheduler API (REST JSON, SigV4) on Unkai's own clock, each
// delivering to an SQS queue; lateness is the message's SentTimestamp (when Unkai's delivery enqueued it)
// minus the schedule's due second. `at()` has whole-second resolution, so the schedules are spread over
// a few seconds, several due at once (a burst as a real fleet of schedules makes). Baseline: the
// schedule runner alone on the same store kind (bench/schedule-lateness.js measures it the same way).
import { ensureBenchRole, fmt, percentile, request, sleep } from "./lib.js";

const QUEUE = "bench-scheduler";
const JSON10 = "application/x-amz-json-1.0";

async function sqs(url, op, body) {
  const res = await request(url, { method: "POST", service: "sqs", headers: { "content-type": JSON10, "x-amz-target": `AmazonSQS.${op}` }, body });
  if (res.status !== 200) throw new Error(`${op}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res.body ? JSON.parse(res.body) : {};
}

/** `yyyy-mm-ddThh:mm:ss` in UTC, as at() takes it. */
const atExpression = (ms) => `at(${new Date(ms).toISOString().slice(0, 19)})`;

export async function phaseScheduler({ unkai, log, quick }) {
  const url = unkai.url;
  const count = quick ? 40 : 150;
  const seconds = quick ? 4 : 10;
  const { QueueUrl } = await sqs(url, "CreateQueue", { QueueName: QUEUE });
  const { Attributes } = await sqs(url, "GetQueueAttributes", { QueueUrl, AttributeNames: ["QueueArn"] });
  // The first due second far enough ahead that every schedule exists before it.
  const first = (Math.floor(Date.now() / 1000) + 4 + Math.ceil(count / 50)) * 1000;
  const role = await ensureBenchRole(url);
  log(`(m) Scheduler: ${count} at() schedules due over ${seconds} s, each to an SQS queue`);
  for (let i = 0; i < count; i++) {
    const due = first + (i % seconds) * 1000;
    const res = await request(`${url}/schedules/bench-${i}`, {
      method: "POST", service: "scheduler", headers: { "content-type": "application/json" },
      body: { ScheduleExpression: atExpression(due), FlexibleTimeWindow: { Mode: "OFF" }, ActionAfterCompletion: "DELETE",
        Target: { Arn: Attributes.QueueArn, RoleArn: role, Input: JSON.stringify({ due }) } },
    });
    if (res.status !== 200) throw new Error(`CreateSchedule: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  }
  const lateness = [];
  const deadline = first + seconds * 1000 + 30_000;
  while (lateness.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs(url, "ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["SentTimestamp"] });
    for (const m of Messages) {
      lateness.push(Number(m.Attributes.SentTimestamp) - JSON.parse(m.Body).due);
      await sqs(url, "DeleteMessage", { QueueUrl, ReceiptHandle: m.ReceiptHandle });
    }
    if (Messages.length === 0) await sleep(100);
  }
  lateness.sort((a, b) => a - b);
  return { count, seconds, delivered: lateness.length, p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness.at(-1), min: lateness[0] };
}

/** Summary row; target: an at() schedule fires within 1 s of its time. */
export function schedulerSummaryRows(s, verdict) {
  if (!s) return ["| (m) Scheduler | not measured | | | | |"];
  return [`| (m) Scheduler at() firing lateness p50 / p99 (${s.delivered} of ${s.count} firings) | ${fmt(s.p50, 0)} / ${fmt(s.p99, 0)} ms | due time | — | p99 ≤ 1000 ms | ${verdict(s.delivered === s.count && s.p99 <= 1000)} |`];
}

export function schedulerSection(s) {
  const lines = ["## (m) EventBridge Scheduler firing accuracy", ""];
  lines.push("One-time `at()` schedules made through the Scheduler API (`POST /schedules/<name>`, SigV4), several due in each of a few consecutive seconds, each delivering its `Input` to an SQS queue; lateness = the message's `SentTimestamp` (set when Unkai's delivery enqueued it) − the schedule's due time. `ActionAfterCompletion: DELETE`, so each schedule also deletes itself after firing. The schedule runner alone (no API, no delivery) is measured by `node bench/schedule-lateness.js`. A real-time `rate(1 minute)` EventBridge rule takes minutes, so it is not part of this run: `node bench/rate-realtime.js [minutes]` measures it, and its figures are kept in docs/events.md (\"Measured firing accuracy\").");
  lines.push("");
  if (!s) return [...lines, "Not measured in this run.", ""];
  lines.push(`${s.delivered} of ${s.count} firings arrived; lateness min ${fmt(s.min, 0)} ms, p50 ${fmt(s.p50, 0)} ms, p99 ${fmt(s.p99, 0)} ms, max ${fmt(s.max, 0)} ms (${s.count} schedules over ${s.seconds} s).`, "");
  return lines;
}
