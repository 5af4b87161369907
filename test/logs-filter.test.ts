/**
 * FilterLogEvents and TestMetricFilter apply CloudWatch's filter pattern language (src/core/log-filter)
 * over the wire: SDK v3, the AWS CLI v2 (JSON 1.1) and boto3.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand, TestMetricFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { aws } from "./helpers/clients.js";
import { runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

const GROUP = "/app/payments";
const LINES = [
  "INFO payment accepted order=1",
  "ERROR payment-failed order=2",
  "ERRORS are plural order=3",
  '{"level":"ERROR","latency":900,"path":"/pay"}',
  '{"level":"INFO","latency":20,"path":"/health"}',
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 2048',
  "WARN slow disk",
];

describe("FilterLogEvents and TestMetricFilter", () => {
  const suite = unkaiSuite();
  let logs: CloudWatchLogsClient;

  before(async () => {
    logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "s" }));
    const now = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: "s", logEvents: LINES.map((message, i) => ({ timestamp: now + i, message })) }));
  });

  const filtered = async (filterPattern: string, limit?: number): Promise<string[]> =>
    ((await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern, limit }))).events ?? []).map((e) => e.message ?? "");

  it("matches terms as whole, case-sensitive words, with ?OR and -exclusions (SDK v3)", async () => {
    assert.deepEqual(await filtered("ERROR"), [LINES[1], LINES[3]], "a term is also found in a JSON event's text, not in ERRORS");
    assert.deepEqual(await filtered("?ERROR ?WARN"), [LINES[1], LINES[3], LINES[6]]);
    assert.deepEqual(await filtered("order -payment"), [LINES[2]]);
    assert.deepEqual(await filtered('"payment-failed"'), [LINES[1]]);
    assert.deepEqual(await filtered("error"), []);
    assert.equal((await filtered("")).length, LINES.length, "no pattern: every event");
  });

  it("matches JSON and space-delimited patterns", async () => {
    assert.deepEqual(await filtered('{ $.level = "ERROR" && $.latency > 500 }'), [LINES[3]]);
    assert.deepEqual(await filtered('{ $.path != "/health" }'), [LINES[3]]);
    assert.deepEqual(await filtered("[ip, user, username, timestamp, request = *html*, status = 4*, bytes > 1000]"), [LINES[5]]);
  });

  it("pages matches with nextToken", async () => {
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "order", limit: 2 }));
    assert.deepEqual(first.events?.map((e) => e.message), [LINES[0], LINES[1]]);
    assert.ok(first.nextToken);
    const second = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "order", limit: 2, nextToken: first.nextToken }));
    assert.deepEqual(second.events?.map((e) => e.message), [LINES[2]]);
  });

  it("refuses a bad pattern with InvalidParameterException, on every client", async () => {
    await assert.rejects(filtered("{ $.level = "), (error: Error) => {
      assert.equal(error.name, "InvalidParameterException");
      assert.match(error.message, /^Invalid filter pattern/);
      return true;
    });
    const cli = await aws(suite.unkai.url, ["logs", "filter-log-events", "--log-group-name", GROUP, "--filter-pattern", "user@example.com"]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /InvalidParameterException.*Invalid filter pattern/);
    await assert.rejects(logs.send(new TestMetricFilterCommand({ filterPattern: "[a, a]", logEventMessages: ["x y"] })), { name: "InvalidParameterException" });
  });

  it("the AWS CLI's filter-log-events finds what the pattern matches", async () => {
    const cli = await aws(suite.unkai.url, ["logs", "filter-log-events", "--log-group-name", GROUP, "--filter-pattern", "{ $.latency >= 20 }"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { events: { message: string }[] }).events.map((e) => e.message), [LINES[3], LINES[4]]);
  });

  it("TestMetricFilter answers the matches with their extracted values (SDK v3 and AWS CLI)", async () => {
    const out = await logs.send(new TestMetricFilterCommand({ filterPattern: "[level = ERROR, what, order]", logEventMessages: ["INFO ok order=1", "ERROR payment-failed order=2"] }));
    assert.deepEqual(out.matches, [{ eventNumber: 2, eventMessage: "ERROR payment-failed order=2", extractedValues: { $level: "ERROR", $what: "payment-failed", $order: "order=2" } }]);
    const cli = await aws(suite.unkai.url, ["logs", "test-metric-filter", "--filter-pattern", "{ $.latency > 500 }", "--log-event-messages", LINES[3] as string, LINES[4] as string]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), { matches: [{ eventNumber: 1, eventMessage: LINES[3], extractedValues: { "$.latency": "900" } }] });
  });

  it("boto3 filters and tests patterns too", async () => {
    const script = [
      "import json, sys, boto3, botocore.exceptions",
      `c = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
      `ev = c.filter_log_events(logGroupName="${GROUP}", filterPattern="?WARN ?INFO -payment")["events"]`,
      `t = c.test_metric_filter(filterPattern="{ $.level = ERROR }", logEventMessages=['{"level":"ERROR"}', '{"level":"INFO"}'])["matches"]`,
      "try:",
      `    c.filter_log_events(logGroupName="${GROUP}", filterPattern="%bad(group)%")`,
      "    err = None",
      "except botocore.exceptions.ClientError as e:",
      "    err = e.response['Error']['Code']",
      "print(json.dumps({'events': [e['message'] for e in ev], 'numbers': [m['eventNumber'] for m in t], 'error': err}))",
    ].join("\n");
    const run = await runProcess("/usr/bin/python3", ["-c", script, suite.unkai.url], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { events: [LINES[4], LINES[6]], numbers: [1], error: "InvalidParameterException" });
  });
});
