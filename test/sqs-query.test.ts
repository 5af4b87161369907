/**
 * SQS over the Query protocol (form-encoded `Action=…`, XML answers), as Debian's AWS CLI 2.9.19 and
 * boto3 1.26 speak it, on the same queues SDK v3 reaches over JSON; SQS's XML errors and refused calls.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "111122223333";
const FORM = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

/** Runs a boto3 snippet (Debian's python3: boto3 1.26, Query protocol) with `sqs` a client on Unkai; prints its JSON. */
function boto3(url: string, body: string): Promise<unknown> {
  return runBoto3([
    "import json, sys, boto3, botocore.exceptions",
    `sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
    "def error_code(call):",
    "    try:",
    "        call()",
    "        return None",
    "    except botocore.exceptions.ClientError as e:",
    "        return e.response['Error']['Code']",
    body,
  ], [url]);
}

async function cli(url: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const run = await aws(url, ["sqs", ...args]);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trim() === "" ? {} : (JSON.parse(run.stdout) as Record<string, unknown>);
}

describe("SQS over Query (AWS CLI 2.9.19, boto3 1.26)", () => {
  const suite = unkaiSuite({ UNKAI_ACCOUNT_ID: ACCOUNT });

  it("the CLI creates, lists, sends, receives and deletes; SDK v3 reads the same queue over JSON", async () => {
    const url = suite.unkai.url;
    const created = await cli(url, ["create-queue", "--queue-name", "cli-q", "--attributes", "VisibilityTimeout=20"]);
    assert.equal(created.QueueUrl, `${url}/${ACCOUNT}/cli-q`);
    const queueUrl = String(created.QueueUrl);
    assert.deepEqual((await cli(url, ["list-queues", "--queue-name-prefix", "cli-"])).QueueUrls, [queueUrl]);
    const sent = await cli(url, ["send-message", "--queue-url", queueUrl, "--message-body", "from the CLI <&> ü",
      "--message-attributes", '{"timestamp":{"DataType":"Number","StringValue":"1493147359900"}}']);
    assert.equal(sent.MD5OfMessageAttributes, "235c5c510d26fb653d073faed50ae77c");
    const attributes = await cli(url, ["get-queue-attributes", "--queue-url", queueUrl, "--attribute-names", "All"]);
    assert.equal((attributes.Attributes as Record<string, string>).ApproximateNumberOfMessages, "1");
    const sdk = new SQSClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const got = await sdk.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ["All"], VisibilityTimeout: 0 }));
    assert.equal(got.Messages?.[0]?.Body, "from the CLI <&> ü", "the SDK's MD5 check passed on a message the CLI sent");
    const received = await cli(url, ["receive-message", "--queue-url", queueUrl, "--attribute-names", "All", "--message-attribute-names", "All"]);
    const [message] = received.Messages as { Body: string; ReceiptHandle: string; MD5OfBody: string; Attributes: Record<string, string> }[];
    assert.equal(message?.Body, "from the CLI <&> ü");
    assert.equal(message?.Attributes.ApproximateReceiveCount, "2");
    await cli(url, ["delete-message", "--queue-url", queueUrl, "--receipt-handle", message?.ReceiptHandle ?? ""]);
    await cli(url, ["delete-queue", "--queue-url", queueUrl]);
    const gone = await aws(url, ["sqs", "get-queue-url", "--queue-name", "cli-q"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /AWS\.SimpleQueueService\.NonExistentQueue/);
  });

  it("boto3 sends batches and FIFO messages, receives what SDK v3 sent, and sees SQS's legacy error codes", async () => {
    const url = suite.unkai.url;
    const sdk = new SQSClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const { QueueUrl } = await sdk.send(new CreateQueueCommand({ QueueName: "boto.fifo", Attributes: { FifoQueue: "true" } }));
    await sdk.send(new SendMessageCommand({ QueueUrl, MessageBody: "sdk first", MessageGroupId: "g", MessageDeduplicationId: "d1",
      MessageAttributes: { kind: { DataType: "String", StringValue: "sdk" } } }));
    const result = await boto3(url, [
      `q = sys.argv[1] + "/${ACCOUNT}/boto.fifo"`,
      "batch = sqs.send_message_batch(QueueUrl=q, Entries=[{'Id': 'a', 'MessageBody': 'boto second', 'MessageGroupId': 'g', 'MessageDeduplicationId': 'd2'},",
      "    {'Id': 'b', 'MessageBody': 'dup', 'MessageGroupId': 'g', 'MessageDeduplicationId': 'd1'}])",
      "got = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, MessageAttributeNames=['All'], AttributeNames=['All'])",
      "print(json.dumps({",
      "  'ok': sorted(s['Id'] for s in batch['Successful']),",
      "  'bodies': [m['Body'] for m in got['Messages']],",
      "  'kind': got['Messages'][0]['MessageAttributes']['kind']['StringValue'],",
      "  'group': got['Messages'][0]['Attributes']['MessageGroupId'],",
      "  'missing': error_code(lambda: sqs.get_queue_url(QueueName='nope')),",
      "  'tooMany': error_code(lambda: sqs.send_message_batch(QueueUrl=q, Entries=[{'Id': str(i), 'MessageBody': 'm', 'MessageGroupId': 'g'} for i in range(11)])),",
      "  'exists': error_code(lambda: sqs.create_queue(QueueName='boto.fifo', Attributes={'FifoQueue': 'true', 'VisibilityTimeout': '99'})),",
      "}))",
    ].join("\n"));
    assert.deepEqual(result, {
      ok: ["a", "b"], bodies: ["sdk first", "boto second"], kind: "sdk", group: "g",
      missing: "AWS.SimpleQueueService.NonExistentQueue", tooMany: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", exists: "QueueAlreadyExists",
    });
  });

  it("AddPermission and RemovePermission edit the queue's Policy, keeping statements set directly; bad labels and actions are refused", async () => {
    const url = suite.unkai.url;
    const queueUrl = String((await cli(url, ["create-queue", "--queue-name", "granted-q"])).QueueUrl);
    const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:granted-q`;
    const own = { Sid: "set-directly", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "SQS:GetQueueUrl", Resource: arn };
    await cli(url, ["set-queue-attributes", "--queue-url", queueUrl, "--attributes", JSON.stringify({ Policy: JSON.stringify({ Version: "2012-10-17", Statement: [own] }) })]);
    await cli(url, ["add-permission", "--queue-url", queueUrl, "--label", "partner-send", "--aws-account-ids", "444455556666", "777788889999", "--actions", "SendMessage", "ReceiveMessage"]);
    const policy = async () => {
      const attributes = (await cli(url, ["get-queue-attributes", "--queue-url", queueUrl, "--attribute-names", "Policy"])).Attributes as Record<string, string> | undefined;
      return attributes?.Policy === undefined ? undefined : (JSON.parse(attributes.Policy) as { Statement: Record<string, unknown>[] });
    };
    assert.deepEqual((await policy())?.Statement, [own, {
      Sid: "partner-send", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::444455556666:root", "arn:aws:iam::777788889999:root"] },
      Action: ["SQS:SendMessage", "SQS:ReceiveMessage"], Resource: arn,
    }]);
    const refused = async (args: readonly string[], code: string, message: RegExp) => {
      const run = await aws(url, ["sqs", ...args]);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, new RegExp(`\\(${code}\\)`));
      assert.match(run.stderr, message);
    };
    await refused(["add-permission", "--queue-url", queueUrl, "--label", "partner-send", "--aws-account-ids", "444455556666", "--actions", "SendMessage"], "InvalidParameterValue", /Already exists/);
    await refused(["add-permission", "--queue-url", queueUrl, "--label", "x", "--aws-account-ids", "444455556666", "--actions", "CreateQueue"], "InvalidParameterValue", /Only the queue owner/);
    await refused(["add-permission", "--queue-url", queueUrl, "--label", "x", "--aws-account-ids", "not-an-account", "--actions", "SendMessage"], "InvalidParameterValue", /12 digits/);
    await refused(["remove-permission", "--queue-url", queueUrl, "--label", "nobody"], "InvalidParameterValue", /can't find label/);
    await refused(["remove-permission", "--queue-url", `${url}/${ACCOUNT}/no-such-q`, "--label", "partner-send"], "AWS.SimpleQueueService.NonExistentQueue", /does not exist/);
    await cli(url, ["remove-permission", "--queue-url", queueUrl, "--label", "partner-send"]);
    assert.deepEqual((await policy())?.Statement, [own]);
    await cli(url, ["remove-permission", "--queue-url", queueUrl, "--label", "set-directly"]);
    assert.equal(await policy(), undefined, "the attribute goes when its last statement does");
  });

  it("answers Query errors in SQS's XML shape", async () => {
    const response = await signedFetch(`${suite.unkai.url}/`, { method: "POST", service: "sqs", headers: FORM, body: "Action=GetQueueUrl&QueueName=nope&Version=2012-11-05" });
    assert.equal(response.status, 400);
    const xml = await response.text();
    assert.match(xml, /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code><Message>The specified queue does not exist\.<\/Message>/);
    assert.match(xml, /<RequestId>[^<]+<\/RequestId>/);
  });

  it("refuses unsigned Query calls, in SQS's XML", async () => {
    const response = await fetch(`${suite.unkai.url}/?Action=ListQueues&Version=2012-11-05`);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /<Code>MissingAuthenticationToken<\/Code>/);
    const toQueue = await fetch(`${suite.unkai.url}/${ACCOUNT}/anything?Action=SendMessage&MessageBody=x&Version=2012-11-05`);
    assert.equal(toQueue.status, 403);
  });
});
