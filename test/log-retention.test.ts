/**
 * Logs cannot fill the disk: retention (PutRetentionPolicy, the configured default, the sweeper),
 * PutLogEvents' age rules, and the byte cap per log group against a stdout flood.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteRetentionPolicyCommand, DescribeLogGroupsCommand,
  FilterLogEventsCommand, GetLogEventsCommand, PutLogEventsCommand, PutRetentionPolicyCommand, type LogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import { aws, createFromFixture, invoke } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const MB = 1024 * 1024;
const DAY_MS = 86_400_000;
const GROUP_CAP = 4 * MB;

describe("log retention and the per-group cap", () => {
  const suite = unkaiSuite({ UNKAI_LOG_SWEEP_INTERVAL_MS: "300", UNKAI_LOG_GROUP_MAX_BYTES: String(GROUP_CAP), UNKAI_LOG_RETENTION_DAYS: "7" });
  let logs: CloudWatchLogsClient;

  before(async () => {
    logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    await createFromFixture(suite.client, "healthy", "node-cjs");
  });

  const describeGroup = async (name: string): Promise<LogGroup | undefined> =>
    (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups?.find((g) => g.logGroupName === name);

  async function stillServing(): Promise<void> {
    const result = await invoke(suite.client, "healthy", { ping: true }, false);
    assert.equal(result.functionError, undefined);
  }

  it("PutRetentionPolicy takes only CloudWatch's periods (SDK and AWS CLI), and DescribeLogGroups shows them", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/custom/app" }));
    assert.equal((await describeGroup("/custom/app"))?.retentionInDays, undefined, "CreateLogGroup sets no retention, as on AWS");
    for (const days of [0, 2, 10, 4000, -1]) {
      await assert.rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: "/custom/app", retentionInDays: days })), (error: Error) => {
        assert.equal(error.name, "InvalidParameterException");
        assert.match(error.message, new RegExp(`Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \\[1, 3, 5, 7, 14, 30, .*3653\\]`));
        return true;
      });
    }
    const bad = await aws(suite.unkai.url, ["logs", "put-retention-policy", "--log-group-name", "/custom/app", "--retention-in-days", "2"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidParameterException/);
    const good = await aws(suite.unkai.url, ["logs", "put-retention-policy", "--log-group-name", "/custom/app", "--retention-in-days", "3653"]);
    assert.equal(good.code, 0, good.stderr);
    assert.equal((await describeGroup("/custom/app"))?.retentionInDays, 3653);
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: "/custom/app" }));
    assert.equal((await describeGroup("/custom/app"))?.retentionInDays, undefined);
    await assert.rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: "/no/such/group", retentionInDays: 1 })), { name: "ResourceNotFoundException" });
    await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: "/custom/app" })), { name: "ResourceAlreadyExistsException" });
  });

  it("DescribeLogGroups logGroupNamePattern: a case-sensitive substring, only name/creationTime/arn, never with a prefix", async () => {
    for (const name of ["/pattern/DataLogs", "aws/DataLogs-x", "GroupDataLogs", "/pattern/datalogs"]) await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: "GroupDataLogs", retentionInDays: 1 }));
    const found = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "DataLogs" }));
    assert.deepEqual(found.logGroups?.map((g) => g.logGroupName), ["/pattern/DataLogs", "GroupDataLogs", "aws/DataLogs-x"]);
    assert.deepEqual(Object.keys(found.logGroups?.[1] ?? {}).sort(), ["arn", "creationTime", "logGroupName"], "no retention or size, as AWS answers a pattern");
    const paged = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "DataLogs", limit: 2 }));
    assert.equal(paged.logGroups?.length, 2);
    const rest = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "DataLogs", limit: 2, nextToken: paged.nextToken }));
    assert.deepEqual(rest.logGroups?.map((g) => g.logGroupName), ["aws/DataLogs-x"]);
    const cli = await aws(suite.unkai.url, ["logs", "describe-log-groups", "--log-group-name-pattern", "datalogs"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { logGroups: { logGroupName: string }[] }).logGroups.map((g) => g.logGroupName), ["/pattern/datalogs"]);
    await assert.rejects(logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "Data", logGroupNamePrefix: "/pattern" })), {
      name: "InvalidParameterException", message: /logGroupNamePrefix and logGroupNamePattern are mutually exclusive/,
    });
    await assert.rejects(logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "no spaces" })), { name: "InvalidParameterException", message: /logGroupNamePattern/ });
  });

  it("a function's log group gets the configured default retention (UNKAI_LOG_RETENTION_DAYS=7)", async () => {
    await invoke(suite.client, "healthy");
    assert.equal((await describeGroup("/aws/lambda/healthy"))?.retentionInDays, 7);
  });

  it("PutLogEvents rejects what CloudWatch rejects: older than 14 days, older than retention, over 2 hours ahead", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/custom/ages" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/custom/ages", logStreamName: "s" }));
    const now = Date.now();
    const out = await logs.send(new PutLogEventsCommand({
      logGroupName: "/custom/ages", logStreamName: "s",
      logEvents: [{ timestamp: now - 15 * DAY_MS, message: "too old" }, { timestamp: now, message: "kept" }, { timestamp: now + 3 * 3_600_000, message: "too new" }],
    }));
    assert.deepEqual(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 2 });
    const kept = await logs.send(new GetLogEventsCommand({ logGroupName: "/custom/ages", logStreamName: "s" }));
    assert.deepEqual(kept.events?.map((e) => e.message), ["kept"]);
    await assert.rejects(logs.send(new PutLogEventsCommand({
      logGroupName: "/custom/ages", logStreamName: "s", logEvents: [{ timestamp: now, message: "b" }, { timestamp: now - 1000, message: "a" }],
    })), { name: "InvalidParameterException" });
    await assert.rejects(logs.send(new PutLogEventsCommand({ logGroupName: "/custom/ages", logStreamName: "nope", logEvents: [{ timestamp: now, message: "x" }] })), {
      name: "ResourceNotFoundException",
    });
  });

  it("events older than the group's retention disappear after the sweeper runs; newer ones and the byte total stay right", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/custom/expiring" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/custom/expiring", logStreamName: "s" }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/custom/expiring", retentionInDays: 1 }));
    const now = Date.now();
    // 1 day minus 3 s old: accepted now, past the 1-day retention 3 s from now.
    const out = await logs.send(new PutLogEventsCommand({
      logGroupName: "/custom/expiring", logStreamName: "s",
      logEvents: [
        { timestamp: now - DAY_MS - 60_000, message: "already expired" },
        { timestamp: now - DAY_MS + 3_000, message: "about to expire" },
        { timestamp: now - 3_600_000, message: "fresh" },
      ],
    }));
    assert.deepEqual(out.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
    const messages = async () => (await logs.send(new FilterLogEventsCommand({ logGroupName: "/custom/expiring" }))).events?.map((e) => e.message);
    assert.deepEqual(await messages(), ["about to expire", "fresh"]);
    assert.equal((await describeGroup("/custom/expiring"))?.storedBytes, "about to expire".length + 26 + "fresh".length + 26);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await messages())?.length !== 1) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await messages(), ["fresh"]);
    assert.equal((await describeGroup("/custom/expiring"))?.storedBytes, "fresh".length + 26);
    await stillServing();
  });

  it("a stdout flood invoked many times stays under the group's cap: the oldest invocations are evicted, the newest survive", async () => {
    await createFromFixture(suite.client, "flood", "floods-stdout", { Timeout: 30 });
    const dbSize = () => ["unkai.db", "unkai.db-wal"].reduce((sum, file) => sum + (statSync(join(suite.unkai.dataDir, file), { throwIfNoEntry: false })?.size ?? 0), 0);
    const requestIds: string[] = [];
    const round = async () => {
      for (let i = 0; i < 16; i++) {
        const result = await invoke(suite.client, "flood", { mb: 2 });
        assert.equal(result.functionError, undefined, result.payload);
        requestIds.push(/REPORT RequestId: (\S+)/.exec(result.log)?.[1] ?? "");
        if (i % 4 === 0) await stillServing();
      }
    };
    const start = dbSize();
    await round();
    const afterFirst = dbSize();
    await round();
    const afterSecond = dbSize();
    const group = await describeGroup("/aws/lambda/flood");
    assert.ok(group?.storedBytes !== undefined && group.storedBytes <= GROUP_CAP, `stored ${group?.storedBytes} bytes, cap ${GROUP_CAP}`);
    assert.ok((group.storedBytes ?? 0) > GROUP_CAP / 2, `the cap trims to just under itself, not to nothing (${group.storedBytes})`);
    const starts = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/flood", filterPattern: '"START RequestId"' }));
    const kept = new Set(starts.events?.map((e) => /START RequestId: (\S+)/.exec(e.message ?? "")?.[1]));
    assert.ok(!kept.has(requestIds[0]), "the first invocation's lines were evicted");
    assert.ok(kept.has(requestIds.at(-1)), "the last invocation's lines survive");
    const reports = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/flood", filterPattern: '"REPORT RequestId"' }));
    assert.ok(reports.events?.some((e) => e.message?.includes(requestIds.at(-1) ?? "?")), "the newest REPORT line survives");
    console.log(`# 2 × 16 invocations writing 2 MB of stdout each: stored ${group.storedBytes} bytes (cap ${GROUP_CAP}); ` +
      `database + WAL grew by ${((afterFirst - start) / MB).toFixed(1)} MB in the first round, ${((afterSecond - afterFirst) / MB).toFixed(1)} MB in the second`);
    // Each round writes 32 MB of lines: without reusing the pages eviction frees, the files would grow by about
    // that much again. The WAL's size moves with checkpoint timing by up to its autocheckpoint size (~4 MB),
    // so the bound leaves room for that and no more.
    assert.ok(afterSecond - afterFirst < 2 * GROUP_CAP, "at the cap, freed pages are reused: the files stop growing");
    await stillServing();
  });
});
