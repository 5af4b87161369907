/**
 * Schedules across real restarts, end to end: an EventBridge rate rule (AWS CLI v2) and a Scheduler
 * rate schedule (SDK v3), both to SQS, keep their timers on the data dir; firings due while Unkai was
 * down (SIGTERM, then SIGKILL) are not replayed when it comes back, and both go on firing afterwards.
 * A Scheduler EndDate (AWS CLI v2) stops a rate schedule's firings. Rates are scaled so
 * `rate(1 minute)` fires every 2 s, on whole seconds, so each message's scheduled time is exact.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { ensureSchedulerRole } from "./helpers/test-role.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const QUEUE_ARN = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const PERIOD_MS = 2_000;
const MISSED_AFTER_MS = 2_000;
/** Long enough for several due times to pass unseen, beyond the missed-after limit. */
const DOWNTIME_MS = 3 * PERIOD_MS;
const ENV = { UNKAI_SCHEDULER_RATE_SCALE: String(PERIOD_MS / 60_000), UNKAI_SCHEDULER_MISSED_AFTER_MS: String(MISSED_AFTER_MS) };

const wholeSecondAhead = (ms: number) => Math.ceil((Date.now() + ms) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function sqsClient(url: string): SQSClient {
  return new SQSClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
}

/** The scheduled times (ms) of the firings a queue holds, read and deleted; `time` is where each body says it. */
async function drain(sqs: SQSClient, queueUrl: string, time: (body: Record<string, unknown>) => unknown): Promise<number[]> {
  const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  const messages = page.Messages ?? [];
  if (messages.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  return messages.map((m) => Date.parse(String(time(JSON.parse(m.Body ?? "{}") as Record<string, unknown>))));
}

const ruleTime = (body: Record<string, unknown>) => body.time;
const scheduleTime = (body: Record<string, unknown>) => body.scheduled;

describe("schedules across downtime", { concurrency: true }, () => {
  it("a rate rule and a rate schedule skip the firings due while Unkai was down (SIGTERM, then SIGKILL), and fire on after restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-schedule-downtime-"));
    let unkai: TestUnkai | undefined = await startUnkai(ENV, dataDir);
    let sqs = sqsClient(unkai.url);
    try {
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN("rule-ticks") }] });
      await sqs.send(new CreateQueueCommand({ QueueName: "rule-ticks", Attributes: { Policy: policy } }));
      await sqs.send(new CreateQueueCommand({ QueueName: "schedule-ticks" }));
      const rule = await aws(unkai.url, ["events", "put-rule", "--name", "tick", "--schedule-expression", "rate(1 minute)"]);
      assert.equal(rule.code, 0, rule.stderr);
      const targets = await aws(unkai.url, ["events", "put-targets", "--rule", "tick", "--targets", `Id=q,Arn=${QUEUE_ARN("rule-ticks")}`]);
      assert.equal(targets.code, 0, targets.stderr);
      const scheduler = new SchedulerClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      const ROLE = await ensureSchedulerRole(unkai.url, DEFAULT_CREDENTIALS);
      await scheduler.send(new CreateScheduleCommand({
        Name: "tick", ScheduleExpression: "rate(1 minute)", StartDate: new Date(wholeSecondAhead(1_000)), FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: QUEUE_ARN("schedule-ticks"), RoleArn: ROLE, Input: JSON.stringify({ scheduled: "<aws.scheduler.scheduled-time>" }) },
      }));
      scheduler.destroy();

      const seen = { rule: [] as number[], schedule: [] as number[] };
      const queues = async (client: SQSClient) => ({
        rule: (await client.send(new GetQueueUrlCommand({ QueueName: "rule-ticks" }))).QueueUrl ?? "",
        schedule: (await client.send(new GetQueueUrlCommand({ QueueName: "schedule-ticks" }))).QueueUrl ?? "",
      });
      /** Waits until both have fired at least twice at or after `sinceMs`. */
      const firesSince = async (client: SQSClient, sinceMs: number) => {
        const urls = await queues(client);
        await waitFor(`two rule and two schedule firings since ${iso(sinceMs)}`, async () => {
          seen.rule.push(...(await drain(client, urls.rule, ruleTime)));
          seen.schedule.push(...(await drain(client, urls.schedule, scheduleTime)));
          const count = (times: number[]) => times.filter((t) => t >= sinceMs).length;
          return count(seen.rule) >= 2 && count(seen.schedule) >= 2 ? true : undefined;
        }, 30_000);
      };

      await firesSince(sqs, 0);
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        sqs.destroy();
        const running: TestUnkai = unkai;
        unkai = undefined;
        if (signal === "SIGTERM") assert.equal(await running.stop(), 0);
        else {
          const exited = new Promise((resolve) => running.process.once("exit", resolve));
          running.process.kill("SIGKILL");
          await exited;
        }
        const stoppedAt = Date.now();
        // A timer may fire a millisecond early by Date.now(): sleep until the downtime has surely passed.
        while (Date.now() < stoppedAt + DOWNTIME_MS) await sleep(stoppedAt + DOWNTIME_MS - Date.now());
        const restartedAt = Date.now();
        unkai = await startUnkai(ENV, dataDir);
        sqs = sqsClient(unkai.url);
        await firesSince(sqs, restartedAt);

        // A firing due before stoppedAt may have been delivered before the stop (or, after SIGKILL,
        // be a redelivery of one); one due while down would be a replay — unless due within
        // MISSED_AFTER_MS of the restart, which AWS's "may lag by up to a minute" allows late.
        const replayedUntil = restartedAt - MISSED_AFTER_MS;
        assert.ok(replayedUntil - stoppedAt >= 2 * PERIOD_MS, "the downtime spans several due times");
        for (const [what, times] of Object.entries(seen)) {
          const replayed = times.filter((t) => t > stoppedAt && t < replayedUntil);
          assert.deepEqual(replayed.map(iso), [], `${what} (${signal}): firings due while down (${iso(stoppedAt)} to ${iso(replayedUntil)}) are not replayed`);
          assert.equal(new Set(times.filter((t) => t > stoppedAt)).size, times.filter((t) => t > stoppedAt).length, `${what} (${signal}): each firing after restart once`);
        }
      }
      console.log(`rule firings ${seen.rule.map(iso).join(" ")}\nschedule firings ${seen.schedule.map(iso).join(" ")}`);
    } finally {
      sqs.destroy();
      if (unkai) assert.equal(await unkai.stop(), 0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a rate schedule made with the AWS CLI stops firing at its EndDate", async () => {
    // AWS's default missed-after limit here: a firing made late by a busy host is still delivered.
    const unkai = await startUnkai({ UNKAI_SCHEDULER_RATE_SCALE: ENV.UNKAI_SCHEDULER_RATE_SCALE });
    const sqs = sqsClient(unkai.url);
    try {
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "ending" }))).QueueUrl ?? "";
      const start = wholeSecondAhead(3_000);
      // Firings at start, +2 s, +4 s; the next (+6 s) is after the EndDate.
      const end = start + 2.5 * PERIOD_MS;
      const target = { Arn: QUEUE_ARN("ending"), RoleArn: await ensureSchedulerRole(unkai.url, DEFAULT_CREDENTIALS), Input: JSON.stringify({ scheduled: "<aws.scheduler.scheduled-time>" }) };
      const created = await aws(unkai.url, ["scheduler", "create-schedule", "--name", "ending", "--schedule-expression", "rate(1 minute)",
        "--start-date", iso(start), "--end-date", new Date(end).toISOString(), "--flexible-time-window", "Mode=OFF", "--target", JSON.stringify(target)]);
      assert.equal(created.code, 0, created.stderr);
      const times: number[] = [];
      await waitFor("three firings", async () => {
        times.push(...(await drain(sqs, queueUrl, scheduleTime)));
        return times.length >= 3 ? true : undefined;
      }, 30_000);
      // Past where two more firings would have been, then one last look.
      await sleep(end + 2 * PERIOD_MS - Date.now());
      times.push(...(await drain(sqs, queueUrl, scheduleTime)));
      assert.deepEqual(times.sort((a, b) => a - b).map(iso), [start, start + PERIOD_MS, start + 2 * PERIOD_MS].map(iso));
      const got = await aws(unkai.url, ["scheduler", "get-schedule", "--name", "ending"]);
      assert.equal(got.code, 0, got.stderr);
      assert.equal((JSON.parse(got.stdout) as { State: string }).State, "ENABLED", "the schedule is kept (ActionAfterCompletion NONE)");
    } finally {
      sqs.destroy();
      assert.equal(await unkai.stop(), 0);
    }
  });
});
