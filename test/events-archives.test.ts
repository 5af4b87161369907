/**
 * EventBridge archives and replays on a real Unkai through SDK v3 and the AWS CLI: an archive with a
 * pattern keeps only matching events (counted and sized by DescribeArchive); replays send a window of
 * them again, in event-time order and marked with `replay-name`, to the rules of the bus (only the
 * FilterArns rules when given) and are never archived again; CancelReplay; the 10-active-replays quota;
 * bad input answered with EventBridge's errors; archives and their events across a SIGKILL, and the
 * replay it interrupted marked FAILED; retention ages events out.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CancelReplayCommand, CreateArchiveCommand, CreateEventBusCommand, DeleteArchiveCommand, DescribeArchiveCommand, DescribeReplayCommand,
  EventBridgeClient, ListArchivesCommand, ListReplaysCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand, StartReplayCommand,
  UpdateArchiveCommand, type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { names } from "../src/services/events/names.js";
import { EventArchiver } from "../src/services/events/archiving.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { failure } from "./helpers/outcome.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const PREFIX = `arn:aws:events:us-east-1:${ACCOUNT}`;
const BUS_ARN = (bus: string) => `${PREFIX}:event-bus/${bus}`;
const QUEUE_ARN = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

function clients(url: string) {
  const config = { endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
  return { events: new EventBridgeClient(config), sqs: new SQSClient(config) };
}

type Clients = ReturnType<typeof clients>;

/** A queue whose policy lets this account's EventBridge rules send (--iam enforce, the default, checks it as AWS does). */
async function queue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<string> {
  const Policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN(name), Condition: { ArnLike: { "aws:SourceArn": `${PREFIX}:rule/*` } } }],
  });
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...attributes, Policy } }));
  assert.ok(created.QueueUrl);
  return created.QueueUrl;
}

/** Receives until `count` messages came (or fails after 30 s), in the order the queue gave them. */
async function receive(sqs: SQSClient, url: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  await waitFor(`${count} messages on ${url}`, async () => {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 600 }));
    got.push(...(page.Messages ?? []));
    return got.length >= count ? true : undefined;
  }, 30_000);
  return got;
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const got = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return Number(got.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(got.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function put(events: EventBridgeClient, entries: PutEventsRequestEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 10) {
    const answer = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
    assert.equal(answer.FailedEntryCount, 0, JSON.stringify(answer.Entries));
  }
}

async function ruleTo(events: EventBridgeClient, bus: string, name: string, source: string, target: { Id: string; Arn: string; SqsParameters?: { MessageGroupId: string } }): Promise<string> {
  const rule = await events.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify({ source: [source] }) }));
  const targets = await events.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [target] }));
  assert.equal(targets.FailedEntryCount, 0, JSON.stringify(targets.FailedEntries));
  assert.ok(rule.RuleArn);
  return rule.RuleArn;
}

async function replayEnded(events: EventBridgeClient, name: string) {
  return waitFor(`replay ${name} to end`, async () => {
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: name }));
    return ["COMPLETED", "CANCELLED", "FAILED"].includes(replay.State ?? "") ? replay : undefined;
  }, 60_000);
}

/** Whole seconds, as EventBridge keeps an event's time. */
const secondsAgo = (now: number, seconds: number) => new Date(Math.floor(now / 1000) * 1000 - seconds * 1000);

describe("EventBridge archives and replays", () => {
  let unkai: TestUnkai;
  let c: Clients;

  before(async () => {
    unkai = await startUnkai();
    c = clients(unkai.url);
  });

  after(async () => {
    c.events.destroy();
    c.sqs.destroy();
    assert.equal(await unkai.stop(), 0);
  });

  it("keeps only matching events; replays a window in event-time order with replay-name, to the FilterArns rules only; never archives them again", async () => {
    const { events, sqs } = c;
    await events.send(new CreateEventBusCommand({ Name: "orders" }));
    const created = await events.send(new CreateArchiveCommand({
      ArchiveName: "orders.archive_1", EventSourceArn: BUS_ARN("orders"), EventPattern: JSON.stringify({ source: ["shop"] }), Description: "shop events",
    }));
    assert.equal(created.ArchiveArn, `${PREFIX}:archive/orders.archive_1`);
    assert.equal(created.State, "ENABLED");
    const now = Date.now();
    const shop = (seconds: number, n: number): PutEventsRequestEntry => ({ EventBusName: "orders", Source: "shop", DetailType: "order", Detail: JSON.stringify({ n, note: "é😀" }), Time: secondsAgo(now, seconds) });
    // Put out of time order: a replay sends them by their time.
    await put(events, [shop(30, 3), shop(50, 1), shop(70, 0), shop(40, 2), { EventBusName: "orders", Source: "elsewhere", DetailType: "x", Detail: "{}", Time: secondsAgo(now, 45) }]);
    await put(events, [{ Source: "shop", DetailType: "order", Detail: "{}" }]); // the default bus: not this archive's
    const described = await events.send(new DescribeArchiveCommand({ ArchiveName: "orders.archive_1" }));
    assert.equal(described.EventCount, 4, "the four shop events on the orders bus");
    assert.equal(described.RetentionDays, 0);
    assert.equal(described.EventPattern, JSON.stringify({ source: ["shop"] }));
    assert.equal(described.Description, "shop events");

    // Rules made after the events were put: their queues get replayed events only.
    const fifo = await queue(sqs, "replayed.fifo", { FifoQueue: "true" });
    const plain = await queue(sqs, "replayed-all");
    const toFifo = await ruleTo(events, "orders", "to-fifo", "shop", { Id: "f", Arn: QUEUE_ARN("replayed.fifo"), SqsParameters: { MessageGroupId: "g" } });
    await ruleTo(events, "orders", "to-plain", "shop", { Id: "p", Arn: QUEUE_ARN("replayed-all") });

    const started = await events.send(new StartReplayCommand({
      ReplayName: "window", EventSourceArn: created.ArchiveArn, EventStartTime: secondsAgo(now, 60), EventEndTime: secondsAgo(now, 30),
      Destination: { Arn: BUS_ARN("orders"), FilterArns: [toFifo] },
    }));
    assert.equal(started.ReplayArn, `${PREFIX}:replay/window`);
    assert.equal(started.State, "STARTING");
    const done = await replayEnded(events, "window");
    assert.equal(done.State, "COMPLETED", done.StateReason);
    assert.equal(done.EventLastReplayedTime?.getTime(), secondsAgo(now, 40).getTime(), "the window's end is not in it");
    assert.ok(done.ReplayEndTime && done.ReplayStartTime && done.ReplayEndTime >= done.ReplayStartTime);
    assert.deepEqual(done.Destination, { Arn: BUS_ARN("orders"), FilterArns: [toFifo] });
    const windowed = (await receive(sqs, fifo, 2)).map((m) => JSON.parse(m.Body ?? "") as Record<string, unknown>);
    assert.deepEqual(windowed.map((e) => (e.detail as { n: number }).n), [1, 2], "by event time, the window's start included and its end not");
    assert.ok(windowed.every((e) => e["replay-name"] === "window" && e.source === "shop"));
    assert.equal(await depth(sqs, plain), 0, "FilterArns left the other rule out");

    await events.send(new StartReplayCommand({
      ReplayName: "everything", EventSourceArn: created.ArchiveArn, EventStartTime: secondsAgo(now, 3600), EventEndTime: new Date(now + 1000),
      Destination: { Arn: BUS_ARN("orders") },
    }));
    assert.equal((await replayEnded(events, "everything")).State, "COMPLETED");
    const all = await receive(sqs, plain, 4);
    const bodies = all.map((m) => m.Body ?? "");
    const replayed = bodies.map((b) => JSON.parse(b) as Record<string, unknown>);
    assert.deepEqual(replayed.map((e) => (e.detail as { n: number }).n), [0, 1, 2, 3]);
    assert.ok(replayed.every((e) => e["replay-name"] === "everything"));
    // The archived event is the replayed one without its marker: SizeBytes is their UTF-8 size.
    const marker = Buffer.byteLength(',"replay-name":"everything"');
    assert.equal(described.SizeBytes, bodies.reduce((sum, b) => sum + Buffer.byteLength(b) - marker, 0));

    const afterReplays = await events.send(new DescribeArchiveCommand({ ArchiveName: "orders.archive_1" }));
    assert.equal(afterReplays.EventCount, 4, "replayed events are not archived again");
    const listed = await events.send(new ListReplaysCommand({ EventSourceArn: created.ArchiveArn }));
    assert.deepEqual(listed.Replays?.map((r) => r.ReplayName).sort(), ["everything", "window"]);
    const archives = await events.send(new ListArchivesCommand({ EventSourceArn: BUS_ARN("orders") }));
    assert.deepEqual(archives.Archives?.map((a) => [a.ArchiveName, a.EventCount, a.State]), [["orders.archive_1", 4, "ENABLED"]]);
    // A new live event still reaches the archive and the rules.
    await put(events, [shop(0, 9)]);
    assert.equal((await events.send(new DescribeArchiveCommand({ ArchiveName: "orders.archive_1" }))).EventCount, 5);
  });

  it("CancelReplay stops a running replay; a finished one cannot be cancelled; at most 10 replays are active", async () => {
    const { events, sqs } = c;
    await events.send(new CreateEventBusCommand({ Name: "bulk" }));
    const archive = await events.send(new CreateArchiveCommand({ ArchiveName: "bulk", EventSourceArn: BUS_ARN("bulk") }));
    const count = 1500;
    await put(events, Array.from({ length: count }, (_, n) => ({ EventBusName: "bulk", Source: "bulk", DetailType: "n", Detail: JSON.stringify({ n }) })));
    assert.equal((await events.send(new DescribeArchiveCommand({ ArchiveName: "bulk" }))).EventCount, count);
    const url = await queue(sqs, "bulk-replayed");
    await ruleTo(events, "bulk", "all", "bulk", { Id: "q", Arn: QUEUE_ARN("bulk-replayed") });
    const replay = (name: string) => events.send(new StartReplayCommand({
      ReplayName: name, EventSourceArn: archive.ArchiveArn, EventStartTime: new Date(Date.now() - 3_600_000), EventEndTime: new Date(Date.now() + 60_000), Destination: { Arn: BUS_ARN("bulk") },
    }));

    await replay("to-cancel");
    const cancelled = await events.send(new CancelReplayCommand({ ReplayName: "to-cancel" }));
    assert.equal(cancelled.State, "CANCELLING");
    assert.equal(cancelled.ReplayArn, `${PREFIX}:replay/to-cancel`);
    const ended = await replayEnded(events, "to-cancel");
    assert.equal(ended.State, "CANCELLED");
    assert.ok(ended.ReplayEndTime);
    assert.ok(await depth(sqs, url) < count, "it stopped before sending everything");
    const again = await failure(events.send(new CancelReplayCommand({ ReplayName: "to-cancel" })));
    assert.equal(again.name, "IllegalStatusException");
    assert.equal(again.message, "Replay to-cancel is not in a valid state for this operation.");

    for (let i = 0; i < 10; i++) await replay(`busy-${i}`);
    const eleventh = await failure(replay("busy-10"));
    assert.equal(eleventh.name, "LimitExceededException");
    const active = await events.send(new ListReplaysCommand({ NamePrefix: "busy-" }));
    assert.equal(active.Replays?.length, 10);
    for (let i = 0; i < 10; i++) {
      const state = (await events.send(new DescribeReplayCommand({ ReplayName: `busy-${i}` }))).State;
      if (state === "STARTING" || state === "RUNNING") await events.send(new CancelReplayCommand({ ReplayName: `busy-${i}` }));
    }
    for (let i = 0; i < 10; i++) assert.ok(["CANCELLED", "COMPLETED"].includes((await replayEnded(events, `busy-${i}`)).State ?? ""));
    assert.equal((await events.send(new DescribeArchiveCommand({ ArchiveName: "bulk" }))).EventCount, count, "nothing replayed was archived again");
  });

  it("answers bad input with EventBridge's errors", async () => {
    const { events } = c;
    await events.send(new CreateEventBusCommand({ Name: "errs" }));
    const arn = (await events.send(new CreateArchiveCommand({ ArchiveName: "errs", EventSourceArn: BUS_ARN("errs") }))).ArchiveArn;
    const cases: [string, Promise<unknown>, string, RegExp?][] = [
      ["duplicate", events.send(new CreateArchiveCommand({ ArchiveName: "errs", EventSourceArn: BUS_ARN("errs") })), "ResourceAlreadyExistsException", /^Archive errs already exists\.$/],
      ["missing bus", events.send(new CreateArchiveCommand({ ArchiveName: "x1", EventSourceArn: BUS_ARN("nope") })), "ResourceNotFoundException", /Event bus nope does not exist/],
      ["another account's bus", events.send(new CreateArchiveCommand({ ArchiveName: "x2", EventSourceArn: "arn:aws:events:us-east-1:111111111111:event-bus/errs" })), "ValidationException", /EventSourceArn/],
      ["not a bus", events.send(new CreateArchiveCommand({ ArchiveName: "x3", EventSourceArn: `${PREFIX}:rule/errs` })), "ValidationException", /EventSourceArn/],
      ["bad pattern", events.send(new CreateArchiveCommand({ ArchiveName: "x4", EventSourceArn: BUS_ARN("errs"), EventPattern: '{"source":"shop"}' })), "InvalidEventPatternException"],
      ["pattern not JSON", events.send(new UpdateArchiveCommand({ ArchiveName: "errs", EventPattern: "{" })), "InvalidEventPatternException"],
      ["odd name", events.send(new CreateArchiveCommand({ ArchiveName: "a/b", EventSourceArn: BUS_ARN("errs") })), "ValidationException"],
      ["long name", events.send(new CreateArchiveCommand({ ArchiveName: "a".repeat(49), EventSourceArn: BUS_ARN("errs") })), "ValidationException"],
      ["negative retention", events.send(new CreateArchiveCommand({ ArchiveName: "x5", EventSourceArn: BUS_ARN("errs"), RetentionDays: -1 })), "ValidationException"],
      ["describe missing", events.send(new DescribeArchiveCommand({ ArchiveName: "missing" })), "ResourceNotFoundException", /^Archive missing does not exist\.$/],
      ["delete missing", events.send(new DeleteArchiveCommand({ ArchiveName: "missing" })), "ResourceNotFoundException"],
      ["two list filters", events.send(new ListArchivesCommand({ NamePrefix: "e", State: "ENABLED" })), "ValidationException", /At most one filter/],
      ["replay of a missing archive", events.send(new StartReplayCommand({ ReplayName: "r", EventSourceArn: `${PREFIX}:archive/missing`, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: BUS_ARN("errs") } })), "ValidationException", /Archive missing does not exist/],
      ["cross-bus replay", events.send(new StartReplayCommand({ ReplayName: "r", EventSourceArn: arn, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: BUS_ARN("default") } })), "ValidationException", /Cross event bus replay is not permitted/],
      ["not a bus destination", events.send(new StartReplayCommand({ ReplayName: "r", EventSourceArn: arn, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: QUEUE_ARN("q") } })), "ValidationException", /Destination\.Arn/],
      ["end before start", events.send(new StartReplayCommand({ ReplayName: "r", EventSourceArn: arn, EventStartTime: new Date(2000), EventEndTime: new Date(1000), Destination: { Arn: BUS_ARN("errs") } })), "ValidationException", /EventStartTime must be before EventEndTime/],
      ["a rule of another bus", events.send(new StartReplayCommand({ ReplayName: "r", EventSourceArn: arn, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: BUS_ARN("errs"), FilterArns: [`${PREFIX}:rule/other`] } })), "ValidationException", /FilterArns/],
      ["a missing rule", events.send(new StartReplayCommand({ ReplayName: "r", EventSourceArn: arn, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: BUS_ARN("errs"), FilterArns: [`${PREFIX}:rule/errs/gone`] } })), "ResourceNotFoundException", /Rule gone does not exist on EventBus errs/],
      ["odd replay name", events.send(new StartReplayCommand({ ReplayName: "r r", EventSourceArn: arn, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: BUS_ARN("errs") } })), "ValidationException"],
      ["describe missing replay", events.send(new DescribeReplayCommand({ ReplayName: "missing" })), "ResourceNotFoundException", /^Replay missing does not exist\.$/],
      ["cancel missing replay", events.send(new CancelReplayCommand({ ReplayName: "missing" })), "ResourceNotFoundException"],
    ];
    // The calls run at once; each gets its rejection handler now, so none is left unhandled while an earlier one is awaited.
    const outcomes = cases.map(([what, call, name, message]) => [what, failure(call), name, message] as const);
    for (const [what, outcome, name, message] of outcomes) {
      const error = await outcome;
      assert.equal(error.name, name, `${what}: ${error.message}`);
      if (message) assert.match(error.message, message, what);
    }
    await events.send(new StartReplayCommand({ ReplayName: "once", EventSourceArn: arn, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: BUS_ARN("errs") } }));
    const twice = await failure(events.send(new StartReplayCommand({ ReplayName: "once", EventSourceArn: arn, EventStartTime: new Date(0), EventEndTime: new Date(), Destination: { Arn: BUS_ARN("errs") } })));
    assert.equal(twice.name, "ResourceAlreadyExistsException");
    assert.equal(twice.message, "Replay once already exists.");

    // UpdateArchive changes the pattern and retention; DeleteArchive removes the archive and its events.
    const updated = await events.send(new UpdateArchiveCommand({ ArchiveName: "errs", EventPattern: JSON.stringify({ source: ["kept"] }), RetentionDays: 7 }));
    assert.equal(updated.ArchiveArn, arn);
    await put(events, [{ EventBusName: "errs", Source: "kept", DetailType: "d", Detail: "{}" }, { EventBusName: "errs", Source: "dropped", DetailType: "d", Detail: "{}" }]);
    const described = await events.send(new DescribeArchiveCommand({ ArchiveName: "errs" }));
    assert.deepEqual([described.EventCount, described.RetentionDays], [1, 7]);
    await events.send(new DeleteArchiveCommand({ ArchiveName: "errs" }));
    await events.send(new CreateArchiveCommand({ ArchiveName: "errs", EventSourceArn: BUS_ARN("errs") }));
    assert.equal((await events.send(new DescribeArchiveCommand({ ArchiveName: "errs" }))).EventCount, 0, "a new archive of the same name starts empty");
  });

  it("works through the AWS CLI", async () => {
    const created = await aws(unkai.url, ["events", "create-archive", "--archive-name", "cli-archive", "--event-source-arn", BUS_ARN("default"), "--event-pattern", '{"source":["cli"]}', "--retention-days", "3"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { ArchiveArn: string }).ArchiveArn, `${PREFIX}:archive/cli-archive`);
    const putting = await aws(unkai.url, ["events", "put-events", "--entries", JSON.stringify([{ Source: "cli", DetailType: "d", Detail: "{}" }])]);
    assert.equal(putting.code, 0, putting.stderr);
    const described = JSON.parse((await aws(unkai.url, ["events", "describe-archive", "--archive-name", "cli-archive"])).stdout) as { EventCount: number; RetentionDays: number; State: string };
    assert.deepEqual([described.EventCount, described.RetentionDays, described.State], [1, 3, "ENABLED"]);
    const replay = await aws(unkai.url, ["events", "start-replay", "--replay-name", "cli-replay", "--event-source-arn", `${PREFIX}:archive/cli-archive`,
      "--event-start-time", new Date(Date.now() - 3_600_000).toISOString(), "--event-end-time", new Date(Date.now() + 60_000).toISOString(), "--destination", JSON.stringify({ Arn: BUS_ARN("default") })]);
    assert.equal(replay.code, 0, replay.stderr);
    await waitFor("the CLI replay to complete", async () => {
      const got = JSON.parse((await aws(unkai.url, ["events", "describe-replay", "--replay-name", "cli-replay"])).stdout) as { State: string };
      return got.State === "COMPLETED" ? true : undefined;
    });
    const missing = await aws(unkai.url, ["events", "describe-archive", "--archive-name", "nope"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
  });
});

describe("EventBridge archives across a restart", () => {
  it("keeps archives and their events through a SIGKILL; the replay it interrupted is FAILED and a new one replays", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-archives-"));
    let unkai = await startUnkai({}, dataDir);
    let c = clients(unkai.url);
    await c.events.send(new CreateArchiveCommand({ ArchiveName: "durable", EventSourceArn: BUS_ARN("default"), EventPattern: JSON.stringify({ source: ["keep"] }) }));
    await put(c.events, Array.from({ length: 2000 }, (_, n) => ({ Source: "keep", DetailType: "n", Detail: JSON.stringify({ n }) })));
    const url = await queue(c.sqs, "after-restart");
    await ruleTo(c.events, "default", "keep-rule", "keep", { Id: "q", Arn: QUEUE_ARN("after-restart") });
    const window = { EventStartTime: new Date(Date.now() - 3_600_000), EventEndTime: new Date(Date.now() + 600_000), Destination: { Arn: BUS_ARN("default") } };
    await c.events.send(new StartReplayCommand({ ReplayName: "interrupted", EventSourceArn: `${PREFIX}:archive/durable`, ...window }));
    const atStop = (await c.events.send(new DescribeReplayCommand({ ReplayName: "interrupted" }))).State;
    assert.ok(atStop === "STARTING" || atStop === "RUNNING", `still replaying 2000 events when stopped (${atStop})`);
    c.events.destroy();
    c.sqs.destroy();
    // Killed: nothing marks the replay; the next start finds it orphaned.
    const exited = new Promise((resolve) => unkai.process.once("exit", resolve));
    unkai.process.kill("SIGKILL");
    await exited;

    unkai = await startUnkai({}, dataDir);
    c = clients(unkai.url);
    try {
      const described = await c.events.send(new DescribeArchiveCommand({ ArchiveName: "durable" }));
      assert.equal(described.EventCount, 2000);
      const interrupted = await replayEnded(c.events, "interrupted");
      assert.equal(interrupted.State, "FAILED");
      assert.match(interrupted.StateReason ?? "", /not resumed/);
      assert.ok(interrupted.ReplayEndTime);
      const before = await depth(c.sqs, url);
      await c.events.send(new StartReplayCommand({ ReplayName: "after", EventSourceArn: `${PREFIX}:archive/durable`, ...window }));
      assert.equal((await replayEnded(c.events, "after")).State, "COMPLETED");
      await waitFor("the replayed events", async () => ((await depth(c.sqs, url)) >= before + 2000 ? true : undefined));
      assert.equal((await c.events.send(new DescribeArchiveCommand({ ArchiveName: "durable" }))).EventCount, 2000);
    } finally {
      c.events.destroy();
      c.sqs.destroy();
      assert.equal(await unkai.stop(), 0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("EventBridge archive retention", () => {
  it("deletes events archived longer ago than RetentionDays; 0 keeps them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unkai-archives-"));
    const store = openSqliteStore(join(dir, "unkai.db"), () => undefined);
    try {
      const day = 86_400_000;
      const now = 100 * day;
      const name = names({ accountId: ACCOUNT, region: "us-east-1" });
      const archiver = new EventArchiver(store.eventArchives, store.archivedEvents, name, () => now);
      const archive = (ArchiveName: string, RetentionDays: number) => ({ ArchiveName, ArchiveArn: name.archiveArn(ArchiveName), EventSourceArn: name.busArn("default"), RetentionDays, State: "ENABLED" as const, CreationTime: 0 });
      await store.eventArchives.put("short", archive("short", 2));
      await store.eventArchives.put("forever", archive("forever", 0));
      for (const a of ["short", "forever"]) {
        await store.archivedEvents.append([
          { archive: a, eventTime: 0, archivedAt: now - 3 * day, body: "{}" },
          { archive: a, eventTime: 0, archivedAt: now - 2 * day + 1, body: "{}" },
        ]);
      }
      assert.equal(await archiver.retentionJob().deleteExpired(now, 100), 1);
      assert.equal((await store.archivedEvents.stats("short")).count, 1, "the younger event stays");
      assert.equal((await store.archivedEvents.stats("forever")).count, 2);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
