// A real-time run of a `rate(1 minute)` EventBridge rule (issue 18: "fires within 1 s of its minute
// boundary"): `node bench/rate-realtime.js [minutes]` (default 3) after `npm run build`. Starts its own
// Unkai, puts the rule with an SQS target, waits the given minutes, and prints each firing's lateness:
// the message's SentTimestamp (when the delivery enqueued it) minus the event's `time` (the minute the
// firing was due). Not part of `npm run bench`, which would take minutes longer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { closeAgent, percentile, request, sleep, spawnUntilLine, stopProcess } from "./lib.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MINUTES = Number(process.argv[2] ?? 3);
const work = mkdtempSync(join(tmpdir(), "unkai-rate-"));
const { child, match } = await spawnUntilLine(process.execPath, [join(ROOT, "bin", "unkai.js"), "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", join(work, "data")], {
  env: { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn" }, cwd: ROOT, pattern: /Unkai ready at (http:\/\/[^\s]+) \(/,
});
child.stdout.resume();
const url = match[1];
const call = async (service, target, body) => {
  const res = await request(`${url}/`, { method: "POST", service, headers: { "content-type": service === "sqs" ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1", "x-amz-target": target }, body });
  if (res.status !== 200) throw new Error(`${target}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res.body ? JSON.parse(res.body) : {};
};
try {
  // Under --iam enforce (the default) the queue's policy must let the rule's deliveries in, as on AWS.
  const { RuleArn } = await call("events", "AWSEvents.PutRule", { Name: "every-minute", ScheduleExpression: "rate(1 minute)" });
  const queueArn = RuleArn.replace(/^arn:aws:events:([^:]+):(\d+):rule\/.*$/, "arn:aws:sqs:$1:$2:rate");
  const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": RuleArn } } }] };
  const { QueueUrl } = await call("sqs", "AmazonSQS.CreateQueue", { QueueName: "rate", Attributes: { Policy: JSON.stringify(policy) } });
  await call("events", "AWSEvents.PutTargets", { Rule: "every-minute", Targets: [{ Id: "q", Arn: queueArn }] });
  console.log(`rate(1 minute) to an SQS queue; waiting ${MINUTES} minutes…`);
  await sleep(MINUTES * 60_000 + 5_000);
  const lateness = [];
  for (;;) {
    const { Messages = [] } = await call("sqs", "AmazonSQS.ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["SentTimestamp"] });
    if (Messages.length === 0) break;
    for (const m of Messages) {
      lateness.push(Number(m.Attributes.SentTimestamp) - Date.parse(JSON.parse(m.Body).time));
      await call("sqs", "AmazonSQS.DeleteMessage", { QueueUrl, ReceiptHandle: m.ReceiptHandle });
    }
  }
  lateness.sort((a, b) => a - b);
  console.log(JSON.stringify({ minutes: MINUTES, firings: lateness.length, latenessMs: lateness, p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness.at(-1) }));
} finally {
  closeAgent();
  await stopProcess(child);
  rmSync(work, { recursive: true, force: true });
}
