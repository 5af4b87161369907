/**
 * Issue 16's bad-input list, each case sent by both real clients to the same queues: the AWS CLI
 * 2.9.19 (Query protocol; its `--debug` log shows the HTTP status) and SDK v3 (AWS JSON 1.0; the
 * error's name and `$metadata.httpStatusCode`). Each must get SQS's own code and status: the CLI
 * sees the legacy Query code (`AWS.SimpleQueueService.…` where SQS has one), SDK v3 the JSON name.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "111122223333";

interface Case {
  readonly name: string;
  /** The CLI's arguments after `sqs` (file:// paths are written by `files`). */
  readonly cli: (url: string) => string[];
  /** The same request through SDK v3. */
  readonly sdk: (client: SQSClient, url: string) => Promise<unknown>;
  readonly queryCode: string;
  readonly jsonName: string;
  readonly status: number;
  readonly message?: RegExp;
}

describe("SQS bad input: the same error code and status over Query (CLI v2) and JSON (SDK v3)", () => {
  const suite = unkaiSuite({ UNKAI_ACCOUNT_ID: ACCOUNT });
  let dir = "";
  let client: SQSClient;
  const file = (name: string) => `file://${join(dir, name)}`;
  const standard = (url: string) => `${url}/${ACCOUNT}/bad-input`;
  const fifo = (url: string) => `${url}/${ACCOUNT}/bad-input.fifo`;
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` }));
  const duplicates = [{ Id: "same", MessageBody: "1" }, { Id: "same", MessageBody: "2" }];
  const tooLarge = "x".repeat(1_048_577);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sqs-bad-input-"));
    writeFileSync(join(dir, "eleven.json"), JSON.stringify(entries(11)));
    writeFileSync(join(dir, "duplicates.json"), JSON.stringify(duplicates));
    writeFileSync(join(dir, "large.txt"), tooLarge);
    client = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await client.send(new CreateQueueCommand({ QueueName: "bad-input" }));
    await client.send(new CreateQueueCommand({ QueueName: "bad-input.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: readonly Case[] = [
    {
      name: "a batch of 11 entries",
      cli: (url) => ["send-message-batch", "--queue-url", standard(url), "--entries", file("eleven.json")],
      sdk: (c, url) => c.send(new SendMessageBatchCommand({ QueueUrl: standard(url), Entries: entries(11) })),
      queryCode: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", jsonName: "TooManyEntriesInBatchRequest", status: 400,
      message: /Maximum number of entries per request are 10\. You have sent 11\./,
    },
    {
      name: "two batch entries with one id",
      cli: (url) => ["send-message-batch", "--queue-url", standard(url), "--entries", file("duplicates.json")],
      sdk: (c, url) => c.send(new SendMessageBatchCommand({ QueueUrl: standard(url), Entries: duplicates })),
      queryCode: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", jsonName: "BatchEntryIdsNotDistinct", status: 400,
      message: /Id same repeated/,
    },
    {
      name: "a message one byte over the limit",
      cli: (url) => ["send-message", "--queue-url", standard(url), "--message-body", file("large.txt")],
      sdk: (c, url) => c.send(new SendMessageCommand({ QueueUrl: standard(url), MessageBody: tooLarge })),
      queryCode: "InvalidParameterValue", jsonName: "InvalidParameterValue", status: 400,
      message: /Message must be shorter than 1048576 bytes/,
    },
    {
      name: "an unknown queue attribute name",
      cli: (url) => ["get-queue-attributes", "--queue-url", standard(url), "--attribute-names", "NoSuchAttribute"],
      sdk: (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: standard(url), AttributeNames: ["NoSuchAttribute" as "All"] })),
      queryCode: "InvalidAttributeName", jsonName: "InvalidAttributeName", status: 400,
      message: /Unknown Attribute NoSuchAttribute/,
    },
    {
      name: "an unknown attribute on CreateQueue",
      cli: () => ["create-queue", "--queue-name", "never-made", "--attributes", "Colour=blue"],
      sdk: (c) => c.send(new CreateQueueCommand({ QueueName: "never-made", Attributes: { Colour: "blue" } as Record<string, string> })),
      queryCode: "InvalidAttributeName", jsonName: "InvalidAttributeName", status: 400,
    },
    {
      name: "a message attribute name SQS does not allow",
      cli: (url) => ["send-message", "--queue-url", standard(url), "--message-body", "m", "--message-attributes", '{"bad name!":{"DataType":"String","StringValue":"v"}}'],
      sdk: (c, url) => c.send(new SendMessageCommand({ QueueUrl: standard(url), MessageBody: "m", MessageAttributes: { "bad name!": { DataType: "String", StringValue: "v" } } })),
      queryCode: "InvalidParameterValue", jsonName: "InvalidParameterValue", status: 400,
    },
    {
      name: "a FIFO message without a group id",
      cli: (url) => ["send-message", "--queue-url", fifo(url), "--message-body", "m"],
      sdk: (c, url) => c.send(new SendMessageCommand({ QueueUrl: fifo(url), MessageBody: "m" })),
      queryCode: "MissingParameter", jsonName: "MissingParameter", status: 400,
      message: /The request must contain the parameter MessageGroupId\./,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.queryCode} ${c.status} to the CLI, ${c.jsonName} ${c.status} to SDK v3`, async () => {
      const run = await aws(suite.unkai.url, ["--debug", "sqs", ...c.cli(suite.unkai.url)]);
      assert.notEqual(run.code, 0, "the CLI call must fail");
      const said = /An error occurred \(([^)]+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)/.exec(run.stderr);
      assert.ok(said, `the CLI printed SQS's error:\n${run.stderr.slice(-2000)}`);
      assert.equal(said[1], c.queryCode);
      if (c.message) assert.match(said[2] ?? "", c.message);
      const statuses = [...run.stderr.matchAll(/"POST \/[^"]* HTTP\/1\.1" (\d{3})/g)].map((m) => Number(m[1]));
      assert.deepEqual(statuses, [c.status], "one request, answered with SQS's status");

      const error = await c.sdk(client, suite.unkai.url).then(() => assert.fail("SDK v3 call must fail"), (e: unknown) => e as { name: string; message: string; $metadata?: { httpStatusCode?: number } });
      assert.equal(error.name, c.jsonName);
      assert.equal(error.$metadata?.httpStatusCode, c.status);
      if (c.message) assert.match(error.message, c.message);
    });
  }
});
