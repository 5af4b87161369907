/**
 * CloudWatch Logs live tail (StartLiveTail): an AWS event stream over HTTP/1.1, read with SDK v3's
 * StartLiveTailCommand and boto3 1.43's start_live_tail. Events written by PutLogEvents and by a
 * function's console.log arrive in `sessionUpdate`s, filtered by group, stream and pattern; bad requests
 * get CloudWatch Logs' errors; a session ends with SessionTimeoutException at its lifetime; and a session
 * whose client went away leaves the hub (checked in-process on a real socket).
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { before, describe, it } from "node:test";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, StartLiveTailCommand,
  type StartLiveTailCommandInput, type StartLiveTailResponseStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { compileFilterPattern } from "../src/core/log-filter/index.js";
import { eventStreamResponse, EventStreamOutput } from "../src/protocol/codecs/event-stream-output.js";
import { loadModel } from "../src/protocol/codecs/model.js";
import { liveTailHub } from "../src/services/logs/live-tail.js";
import { createFromFixture, DEFAULT_CREDENTIALS, invoke } from "./helpers/clients.js";
import { runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const ARN = (group: string) => `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;
/** Short enough that one session sees its timeout while the others run; long enough for a cold start under load. */
const SESSION_TIMEOUT_MS = 12_000;
/** boto3 1.43 (the pyenv Python): Debian's boto3 1.26 predates StartLiveTail. */
const NEW_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3";

/**
 * The SDK puts `stream-` before the endpoint's host (AWS serves live tail on `streaming-logs.<region>`);
 * a custom endpoint such as Unkai's needs `disableHostPrefix`, as every host-prefixed operation does.
 */
const logsClient = (url: string) => new CloudWatchLogsClient({
  endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1, disableHostPrefix: true,
});

interface Tailed {
  readonly start: NonNullable<StartLiveTailResponseStream["sessionStart"]> | undefined;
  readonly messages: string[];
  readonly updates: number;
}

describe("CloudWatch Logs live tail", () => {
  const suite = unkaiSuite({ UNKAI_LIVE_TAIL_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) });
  let logs: CloudWatchLogsClient;
  /** A session opened first and left open: it must end with SessionTimeoutException. */
  let timedOut: Promise<{ error: Error | undefined; updates: number }>;

  before(async () => {
    logs = logsClient(suite.unkai.url);
    for (const group of ["/app/web", "/app/other"]) await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const stream of ["web-1", "web-2", "api-1"]) await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/web", logStreamName: stream }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/other", logStreamName: "x" }));
    const response = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [ARN("/app/other")] }));
    timedOut = (async () => {
      let updates = 0;
      try {
        for await (const event of response.responseStream ?? []) if (event.sessionUpdate) updates += 1;
        return { error: undefined, updates };
      } catch (error) {
        return { error: error as Error, updates };
      }
    })();
  });

  const put = (group: string, stream: string, ...messages: string[]) =>
    logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: messages.map((message) => ({ timestamp: Date.now(), message })) }));

  /**
   * Opens a session, runs `write` once its `sessionStart` arrived, and reads updates until `done` holds
   * (then leaves the stream, which closes the connection).
   */
  async function tail(input: StartLiveTailCommandInput, write: () => Promise<unknown>, done: (messages: string[]) => boolean): Promise<Tailed> {
    const response = await logs.send(new StartLiveTailCommand(input));
    let start: Tailed["start"];
    const messages: string[] = [];
    let updates = 0;
    for await (const event of response.responseStream ?? []) {
      if (event.sessionStart) {
        start = event.sessionStart;
        await write();
      }
      if (event.sessionUpdate) {
        updates += 1;
        assert.equal(event.sessionUpdate.sessionMetadata?.sampled, false);
        for (const result of event.sessionUpdate.sessionResults ?? []) {
          assert.ok(typeof result.timestamp === "number" && typeof result.ingestionTime === "number" && result.ingestionTime >= result.timestamp - 60_000);
          messages.push(`${result.logGroupIdentifier} ${result.logStreamName} ${result.message}`);
        }
        if (done(messages)) break;
      }
    }
    return { start, messages, updates };
  }

  it("streams what PutLogEvents writes, as it is ingested, filtered by the pattern and the stream prefix", async () => {
    const input = { logGroupIdentifiers: [ARN("/app/web")], logStreamNamePrefixes: ["web-"], logEventFilterPattern: "ERROR -ignored" };
    const { start, messages } = await tail(input, async () => {
      await put("/app/web", "web-1", "ERROR payment-failed", "INFO fine", "ERROR ignored here");
      await put("/app/web", "api-1", "ERROR from a stream not tailed");
      await put("/app/other", "x", "ERROR from a group not tailed");
      await put("/app/web", "web-2", "ERROR second");
    }, (m) => m.length >= 2);
    assert.deepEqual(messages, [`${ARN("/app/web")} web-1 ERROR payment-failed`, `${ARN("/app/web")} web-2 ERROR second`]);
    assert.ok(start?.sessionId && start.requestId, "sessionStart names the session and request");
    assert.deepEqual(start.logGroupIdentifiers, [ARN("/app/web")]);
    assert.deepEqual(start.logStreamNamePrefixes, ["web-"]);
    assert.equal(start.logEventFilterPattern, "ERROR -ignored");
  });

  it("sends an update every second, empty when nothing arrived", async () => {
    const began = Date.now();
    const { messages, updates } = await tail({ logGroupIdentifiers: ["/app/web"], logStreamNames: ["web-1"] }, async () => undefined, () => true);
    assert.deepEqual(messages, []);
    assert.equal(updates, 1);
    assert.ok(Date.now() - began >= 900, "the first update comes about a second after the start");
  });

  it("streams a function's console.log from its /aws/lambda group, beside another group", async () => {
    await createFromFixture(suite.client, "tailed", "node-cjs");
    await invoke(suite.client, "tailed", { warm: true }); // creates the group and the environment
    const input = { logGroupIdentifiers: [ARN("/aws/lambda/tailed"), ARN("/app/web")], logEventFilterPattern: '"echo" "tail-me"' };
    const { messages } = await tail(input, () => invoke(suite.client, "tailed", { note: "tail-me" }), (m) => m.length >= 1);
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? "", /^arn:aws:logs:us-east-1:000000000000:log-group:\/aws\/lambda\/tailed \d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]+ .*echo \{"note":"tail-me"\}/);
  });

  it("refuses what CloudWatch Logs refuses, with its error types", async () => {
    const refused = async (input: Partial<StartLiveTailCommandInput>, name: string, message: RegExp) => {
      await assert.rejects(logs.send(new StartLiveTailCommand(input as StartLiveTailCommandInput)), (error: Error) => {
        assert.equal(error.name, name);
        assert.match(error.message, message);
        return true;
      });
    };
    await refused({}, "InvalidParameterException", /Value null at 'logGroupIdentifiers' failed to satisfy constraint: Member must not be null/);
    await refused({ logGroupIdentifiers: [] }, "InvalidParameterException", /'logGroupIdentifiers' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    await refused({ logGroupIdentifiers: Array.from({ length: 11 }, (_, i) => ARN(`/g${i}`)) }, "InvalidParameterException", /Member must have length less than or equal to 10/);
    await refused({ logGroupIdentifiers: [ARN("/app/missing")] }, "ResourceNotFoundException", /log group does not exist/);
    await refused({ logGroupIdentifiers: ["arn:aws:logs:us-east-1:111111111111:log-group:/app/web"] }, "ResourceNotFoundException", /log group does not exist/);
    await refused({ logGroupIdentifiers: [`${ARN("/app/web")}:*`] }, "InvalidParameterException", /'logGroupIdentifiers.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await refused({ logGroupIdentifiers: [ARN("/app/web")], logEventFilterPattern: "{ $.a = " }, "InvalidParameterException", /Invalid filter pattern/);
    await refused({ logGroupIdentifiers: [ARN("/app/web")], logStreamNames: ["web-1"], logStreamNamePrefixes: ["web"] }, "InvalidParameterException", /mutually exclusive/);
    await refused({ logGroupIdentifiers: [ARN("/app/web"), ARN("/app/other")], logStreamNames: ["web-1"] }, "InvalidParameterException", /single log group/);
  });

  it("boto3's start_live_tail reads the same stream", async () => {
    const script = [
      "import json, sys, time, boto3",
      "from botocore.config import Config",
      "c = boto3.client('logs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test', config=Config(inject_host_prefix=False))",
      "stream = c.start_live_tail(logGroupIdentifiers=['/app/web'], logStreamNames=['web-1'], logEventFilterPattern='%py-[0-9]+%')['responseStream']",
      "seen = []",
      "for event in stream:",
      "    if 'sessionStart' in event:",
      "        c.put_log_events(logGroupName='/app/web', logStreamName='web-1', logEvents=[{'timestamp': int(time.time() * 1000), 'message': m} for m in ['py-42 hello', 'py-x no']])",
      "    for r in event.get('sessionUpdate', {}).get('sessionResults', []):",
      "        seen.append([r['logGroupIdentifier'], r['message']])",
      "    if seen: break",
      "print(json.dumps(seen))",
    ];
    const run = await runProcess(NEW_PYTHON, ["-c", script.join("\n"), suite.unkai.url], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [["/app/web", "py-42 hello"]]);
  });

  it("ends a session at its lifetime with SessionTimeoutException, after an update a second", async () => {
    const { error, updates } = await timedOut;
    assert.equal(error?.name, "SessionTimeoutException");
    assert.match(error.message, /timed out after 12 seconds/);
    assert.ok(updates >= 5, `updates kept coming while the session lasted (${updates})`);
  });
});

describe("live tail sessions", () => {
  it("sample an update down to 500 events spread over what arrived, and keep at most the newest 5,000", async () => {
    const hub = liveTailHub({ updateIntervalMs: 10, sessionTimeoutMs: 60_000, maxSessions: 15 });
    const session = hub.open({}, { groups: new Map([["/g", "g-id"]]), pattern: compileFilterPattern("") });
    const events = (count: number) => Array.from({ length: count }, (_, i) => ({ timestamp: i, message: `m${i}` }));
    const update = async () => {
      const next = await session.next();
      assert.equal(next.done, false);
      assert.equal(next.value?.member, "sessionUpdate");
      return next.value?.value as { sessionMetadata: { sampled: boolean }; sessionResults: { message: string; logGroupIdentifier: string }[] };
    };
    assert.equal((await session.next()).value?.member, "sessionStart");
    await hub.appended("/g", "s", events(300));
    const small = await update();
    assert.equal(small.sessionMetadata.sampled, false);
    assert.equal(small.sessionResults.length, 300);
    assert.equal(small.sessionResults[0]?.logGroupIdentifier, "g-id");
    await hub.appended("/g", "s", events(1_200));
    const sampled = await update();
    assert.equal(sampled.sessionMetadata.sampled, true);
    assert.equal(sampled.sessionResults.length, 500);
    assert.deepEqual([sampled.sessionResults[0]?.message, sampled.sessionResults[1]?.message, sampled.sessionResults[499]?.message], ["m0", "m2", "m1197"]);
    await hub.appended("/g", "s", events(7_000));
    const flooded = await update();
    assert.equal(flooded.sessionResults[0]?.message, "m2000", "the oldest 2,000 of 7,000 were dropped");
    await session.return();
    assert.equal(hub.size, 0);
  });


  it("leave the hub when the client goes away, and every one ends at shutdown", async () => {
    const hub = liveTailHub({ updateIntervalMs: 50, sessionTimeoutMs: 60_000, maxSessions: 15 });
    const model = loadModel("logs");
    const operation = model.operations.StartLiveTail;
    assert.ok(operation);
    const server = createServer((_req, res) => {
      const events = hub.open({ sessionId: "s" }, { groups: new Map([["/g", "/g"]]), pattern: compileFilterPattern("") });
      const response = eventStreamResponse(model, operation, new EventStreamOutput("responseStream", events), "awsJson1_1");
      res.writeHead(response.status, { "Content-Type": "application/vnd.amazon.eventstream" });
      void pipeline(response.body as Readable, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      for (let i = 0; i < 3; i += 1) {
        const controller = new AbortController();
        const response = await fetch(url, { signal: controller.signal });
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        await reader.read(); // sessionStart
        await hub.appended("/g", "s", [{ timestamp: 1, message: "m" }]);
        await waitFor("the session's update", async () => ((await reader.read()).value?.length ?? 0) > 0 || undefined);
        assert.equal(hub.size, 1);
        controller.abort();
        await waitFor("the session to leave the hub", () => hub.size === 0 || undefined);
      }
      const ended = await fetch(url).then(async (response) => {
        await waitFor("the session to join", () => hub.size === 1 || undefined);
        hub.closeAll();
        return Buffer.from(await response.arrayBuffer()).length;
      });
      assert.ok(ended > 0, "the response finished once the hub closed");
      assert.equal(hub.size, 0);
    } finally {
      server.close();
    }
  });
});

describe("live tail's session quota", () => {
  const suite = unkaiSuite({ UNKAI_LIVE_TAIL_MAX_SESSIONS: "2" });

  /** A session read up to its sessionStart, and a way to leave it (closing the connection). */
  async function opened(logs: CloudWatchLogsClient, controller = new AbortController()) {
    const response = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ["/quota"] }), { abortSignal: controller.signal });
    assert.ok(response.responseStream, "an event stream answers");
    const events: AsyncIterator<StartLiveTailResponseStream> = response.responseStream[Symbol.asyncIterator]();
    const first = await events.next();
    assert.ok(first.done !== true && first.value.sessionStart, "the session started");
    return { leave: () => controller.abort() };
  }

  it("refuses a session past the quota with LimitExceededException, and counts a session that went away as ended", async () => {
    const logs = logsClient(suite.unkai.url);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/quota" }));
    // A hostile client opening sessions and dropping them at once must not use the quota up.
    for (let i = 0; i < 10; i += 1) {
      const controller = new AbortController();
      const pending = logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ["/quota"] }), { abortSignal: controller.signal });
      controller.abort();
      await pending.catch(() => undefined);
    }
    const first = await waitFor("a session to open once the dropped ones are gone", () => opened(logs).catch(() => undefined));
    await opened(logs);
    await assert.rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ["/quota"] })), (error: Error) => {
      assert.equal(error.name, "LimitExceededException");
      assert.match(error.message, /limit of 2 concurrent Live Tail sessions/);
      return true;
    });
    first.leave();
    const third = await waitFor("the quota to free up once a client left", () => opened(logs).catch(() => undefined));
    third.leave();
    logs.destroy();
  });
});
