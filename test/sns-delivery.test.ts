/**
 * SNS deliveries end to end on a real Unkai: to SQS queues (envelope, raw, filter policies on
 * attributes and body, FIFO), to a Lambda function (the event a recorder fixture reports), to http
 * endpoints (a node server in the test that confirms through SubscribeURL), signatures checked with
 * node:crypto against the certificate Unkai serves, and topics as a function's dead-letter target.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AddPermissionCommand, CreateFunctionCommand, InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishBatchCommand, PublishCommand, SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { retryDelaysMs } from "../src/services/sns/delivery-policy.js";
import { createFromFixture, DEFAULT_CREDENTIALS, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Endpoint, verifySignature, type Envelope } from "./helpers/sns.js";
import { Collector, waitFor } from "./helpers/wait.js";
import { allowServiceToInvoke, queuePolicy } from "./helpers/service-access.js";

const ACCOUNT = "000000000000";
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const functionArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

describe("SNS deliveries", () => {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) }));
  let sns: SNSClient;
  let sqs: SQSClient;
  before(() => {
    sns = new SNSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(() => collector.close());

  /** A queue whose policy lets this account's topics deliver to it, as SNS requires of a subscribed queue or a dead-letter queue. */
  const queue = async (name: string, fifo = false) => {
    const Policy = queuePolicy(queueArn(name), [{ service: "sns.amazonaws.com", sourceArn: "arn:aws:sns:us-east-1:000000000000:*" }]);
    return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { Policy, ...(fifo ? { FifoQueue: "true" } : {}) } }))).QueueUrl ?? "";
  };
  const receiveAll = async (url: string): Promise<Message[]> => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }))).Messages ?? [];
  /** Subscribes an http endpoint with `Attributes` and confirms it through its SubscriptionConfirmation's SubscribeURL. */
  const subscribeConfirmed = async (TopicArn: string, endpoint: Endpoint, Attributes: Record<string, string>) => {
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: endpoint.url, Attributes }));
    const confirmation = await waitFor("the SubscriptionConfirmation", () => endpoint.of("SubscriptionConfirmation")[0], 30_000);
    assert.equal((await fetch(confirmation.body.SubscribeURL ?? "")).status, 200);
  };

  it("SQS subscribers get the signed envelope, or the raw message; filter policies on attributes and body hold back what does not match", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders" }));
    const [envelopeQ, rawQ, byAttribute, byBody] = await Promise.all([queue("env-q"), queue("raw-q"), queue("attr-q"), queue("body-q")]);
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("env-q") }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("raw-q"), Attributes: { RawMessageDelivery: "true" } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("attr-q"), Attributes: { FilterPolicy: '{"kind":["big"],"n":[{"numeric":[">",10]}]}' } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("body-q"), Attributes: { FilterPolicy: '{"order":{"total":[{"numeric":[">=",100]}]}}', FilterPolicyScope: "MessageBody" } }));
    const big = await sns.send(new PublishCommand({ TopicArn, Message: '{"order":{"total":150}}', Subject: "New order",
      MessageAttributes: { kind: { DataType: "String", StringValue: "big" }, n: { DataType: "Number", StringValue: "11" } } }));
    await sns.send(new PublishCommand({ TopicArn, Message: '{"order":{"total":5}}', MessageAttributes: { kind: { DataType: "String", StringValue: "small" }, n: { DataType: "Number", StringValue: "11" } } }));

    const envelopes = (await receiveAll(envelopeQ)).map((m) => JSON.parse(m.Body ?? "{}") as Envelope);
    assert.equal(envelopes.length, 2);
    const first = envelopes.find((e) => e.MessageId === big.MessageId);
    assert.ok(first);
    assert.equal(first.Type, "Notification");
    assert.equal(first.TopicArn, TopicArn);
    assert.equal(first.Subject, "New order");
    assert.equal(first.Message, '{"order":{"total":150}}');
    assert.equal(first.SignatureVersion, "1");
    assert.match(first.SigningCertURL ?? "", new RegExp(`^${suite.unkai.url}/_aws/sns/SimpleNotificationService-[0-9a-f]{32}\\.pem$`));
    assert.match(first.UnsubscribeURL ?? "", /\?Action=Unsubscribe&SubscriptionArn=arn%3Aaws%3Asns%3A/);
    assert.deepEqual(first.MessageAttributes?.kind, { Type: "String", Value: "big" });
    assert.equal(await verifySignature(first), true, "the signature verifies against the served certificate");
    assert.equal(await verifySignature({ ...first, Message: "tampered" }), false, "and fails for an altered message");

    const raw = await receiveAll(rawQ);
    assert.deepEqual(raw.map((m) => m.Body).sort(), ['{"order":{"total":150}}', '{"order":{"total":5}}']);
    assert.equal(raw.find((m) => m.Body?.includes("150"))?.MessageAttributes?.kind?.StringValue, "big");
    const attributeMatches = (await receiveAll(byAttribute)).map((m) => (JSON.parse(m.Body ?? "{}") as Envelope).MessageId);
    assert.deepEqual(attributeMatches, [big.MessageId], "only the message whose attributes match");
    const bodyMatches = (await receiveAll(byBody)).map((m) => (JSON.parse(m.Body ?? "{}") as Envelope).MessageId);
    assert.deepEqual(bodyMatches, [big.MessageId], "only the message whose body matches");
  });

  it("raw delivery to SQS keeps each attribute's data type: Binary, Number and String.Array arrive as SNS got them", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "typed" }));
    const url = await queue("typed-raw-q");
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("typed-raw-q"), Attributes: { RawMessageDelivery: "true" } }));
    const picture = Buffer.from([0, 1, 2, 250, 255]);
    await sns.send(new PublishCommand({ TopicArn, Message: "with attributes", MessageAttributes: {
      picture: { DataType: "Binary", BinaryValue: picture }, count: { DataType: "Number", StringValue: "42" },
      tags: { DataType: "String.Array", StringValue: '["a","b"]' }, label: { DataType: "String", StringValue: "plain" },
    } }));
    const [message] = await receiveAll(url);
    assert.equal(message?.Body, "with attributes");
    const attributes = message?.MessageAttributes ?? {};
    assert.equal(attributes.picture?.DataType, "Binary");
    assert.deepEqual(Buffer.from(attributes.picture?.BinaryValue ?? new Uint8Array()), picture, "the binary value, byte for byte");
    assert.deepEqual([attributes.count?.DataType, attributes.count?.StringValue], ["Number", "42"]);
    assert.deepEqual([attributes.tags?.DataType, attributes.tags?.StringValue], ["String.Array", '["a","b"]']);
    assert.deepEqual([attributes.label?.DataType, attributes.label?.StringValue], ["String", "plain"]);
  });

  it("SignatureVersion 2 signs with SHA256; MessageStructure json sends each protocol its entry; PublishBatch fans out every entry", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "v2", Attributes: { SignatureVersion: "2" } }));
    const url = await queue("v2-q");
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("v2-q") }));
    await sns.send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "for everyone", sqs: "for queues" }) }));
    const batch = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "a", Message: "one" }, { Id: "b", Message: "" }, { Id: "c", Message: "three" }] }));
    assert.deepEqual(batch.Successful?.map((s) => s.Id), ["a", "c"]);
    assert.deepEqual(batch.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]), [["b", "InvalidParameter", true]]);
    const envelopes = (await receiveAll(url)).map((m) => JSON.parse(m.Body ?? "{}") as Envelope);
    assert.deepEqual(envelopes.map((e) => e.Message).sort(), ["for queues", "one", "three"]);
    for (const envelope of envelopes) {
      assert.equal(envelope.SignatureVersion, "2");
      assert.equal(await verifySignature(envelope), true);
    }
  });

  it("a FIFO topic delivers to a FIFO queue with its group, deduplicates for five minutes and numbers its messages", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ledger.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
    const url = await queue("ledger.fifo", true);
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("ledger.fifo"), Attributes: { RawMessageDelivery: "true" } }));
    await assert.rejects(sns.send(new PublishCommand({ TopicArn, Message: "no group" })), { name: "InvalidParameterException", message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics" });
    const one = await sns.send(new PublishCommand({ TopicArn, Message: "debit 1", MessageGroupId: "acct-1" }));
    const dup = await sns.send(new PublishCommand({ TopicArn, Message: "debit 1", MessageGroupId: "acct-1" }));
    const two = await sns.send(new PublishCommand({ TopicArn, Message: "debit 2", MessageGroupId: "acct-1" }));
    assert.equal(dup.MessageId, one.MessageId, "a duplicate answers the first MessageId");
    assert.ok(BigInt(two.SequenceNumber ?? "0") > BigInt(one.SequenceNumber ?? "0"));
    const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, AttributeNames: ["All"] }))).Messages ?? [];
    assert.deepEqual(got.map((m) => m.Body), ["debit 1", "debit 2"], "delivered once each, in order");
    assert.equal(got[0]?.Attributes?.MessageGroupId, "acct-1");
  });

  it("a Lambda subscriber is invoked with SNS's event", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "to-fn" }));
    await createFromFixture(suite.client, "sns-recorder", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("sns-recorder") } } });
    await allowServiceToInvoke(suite.client, "sns-recorder", "sns.amazonaws.com", String(TopicArn));
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: functionArn("sns-recorder") }));
    const published = await sns.send(new PublishCommand({ TopicArn, Message: "hello function", MessageAttributes: { who: { DataType: "String", StringValue: "me" } } }));
    const started = await waitFor("the function's event", () => collector.recorded("sns-recorder").find((r) => r.phase === "start"), 60_000);
    const event = started.event as { Records: { EventSource: string; EventVersion: string; EventSubscriptionArn: string; Sns: Envelope }[] };
    assert.equal(event.Records.length, 1);
    const [record] = event.Records;
    assert.equal(record?.EventSource, "aws:sns");
    assert.equal(record?.EventVersion, "1.0");
    assert.equal(record?.EventSubscriptionArn, SubscriptionArn);
    assert.equal(record?.Sns.Type, "Notification");
    assert.equal(record?.Sns.MessageId, published.MessageId);
    assert.equal(record?.Sns.Message, "hello function");
    assert.equal(record?.Sns.Subject, null);
    assert.deepEqual(record?.Sns.MessageAttributes, { who: { Type: "String", Value: "me" } });
    assert.ok(record?.Sns.SigningCertUrl && record.Sns.UnsubscribeUrl, "Lambda's spelling of the URLs");
    assert.equal(await verifySignature({ ...(record?.Sns ?? {}), SigningCertURL: record?.Sns.SigningCertUrl }), true);
  });

  it("an http endpoint gets a SubscriptionConfirmation first, nothing until it confirms through SubscribeURL, then notifications (retried after a failure)", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "to-http" }));
    const confirming = await new Endpoint().start("/hook");
    const silent = await new Endpoint().start("/never-confirms");
    try {
      const pending = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: confirming.url, Attributes: { DeliveryPolicy: '{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":1}}' } }));
      assert.equal(pending.SubscriptionArn, "pending confirmation");
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: silent.url }));
      const confirmation = await waitFor("the SubscriptionConfirmation", () => confirming.of("SubscriptionConfirmation")[0], 30_000);
      assert.equal(confirmation.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
      assert.equal(confirmation.body.TopicArn, TopicArn);
      assert.equal(await verifySignature(confirmation.body), true);
      await waitFor("the silent endpoint's confirmation", () => silent.of("SubscriptionConfirmation")[0], 30_000);

      await sns.send(new PublishCommand({ TopicArn, Message: "before confirming" }));
      // The endpoint confirms by fetching SubscribeURL, unsigned, as a subscriber does on AWS.
      const confirmed = await fetch(confirmation.body.SubscribeURL ?? "");
      assert.equal(confirmed.status, 200);
      assert.match(await confirmed.text(), /<SubscriptionArn>arn:aws:sns:us-east-1:000000000000:to-http:[0-9a-f-]{36}<\/SubscriptionArn>/);

      confirming.answer = () => (confirming.of("Notification").length === 1 ? 500 : 200);
      await sns.send(new PublishCommand({ TopicArn, Message: "after confirming", Subject: "Hi" }));
      const notifications = await waitFor("the notification, delivered again after a 500", () => (confirming.of("Notification").length >= 2 ? confirming.of("Notification") : undefined), 30_000);
      assert.deepEqual(notifications.map((n) => n.body.Message), ["after confirming", "after confirming"], "only what was published after confirmation, retried once");
      assert.equal(notifications[0]?.headers["x-amz-sns-message-type"], "Notification");
      assert.equal(notifications[0]?.headers["x-amz-sns-topic-arn"], TopicArn);
      assert.equal(await verifySignature(notifications[1]?.body ?? {}), true);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.deepEqual(silent.received.map((r) => r.body.Type), ["SubscriptionConfirmation"], "an unconfirmed endpoint never gets a notification");
    } finally {
      await confirming.close();
      await silent.close();
    }
  });

  it("one topic fans out to an SQS queue, a Lambda function and an http endpoint, each through its own filter policy", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "fan-out" }));
    const url = await queue("fan-out-q");
    await createFromFixture(suite.client, "fan-out-fn", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("fan-out-fn") } } });
    await suite.client.send(new AddPermissionCommand({ FunctionName: "fan-out-fn", StatementId: "sns", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: TopicArn }));
    const endpoint = await new Endpoint().start("/fan-out");
    try {
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("fan-out-q"), Attributes: { FilterPolicy: '{"kind":["order"]}' } }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: functionArn("fan-out-fn"), Attributes: { FilterPolicy: '{"total":[{"numeric":[">",100]}]}', FilterPolicyScope: "MessageBody" } }));
      await subscribeConfirmed(TopicArn, endpoint, { FilterPolicy: '{"kind":[{"anything-but":"order"}]}' });

      const publish = (Message: string, kind: string) => sns.send(new PublishCommand({ TopicArn, Message, MessageAttributes: { kind: { DataType: "String", StringValue: kind } } }));
      const bigOrder = await publish('{"total":500}', "order");
      await publish('{"total":5}', "order");
      const invoice = await publish('{"total":50}', "invoice");

      const queued = (await receiveAll(url)).map((m) => (JSON.parse(m.Body ?? "{}") as Envelope).Message).sort();
      assert.deepEqual(queued, ['{"total":500}', '{"total":5}'].sort(), "the queue: both orders");
      const posted = await waitFor("the http notification", () => endpoint.of("Notification")[0], 30_000);
      assert.equal(posted.body.MessageId, invoice.MessageId, "the endpoint: the invoice");
      const started = await waitFor("the function's event", () => collector.recorded("fan-out-fn").find((r) => r.phase === "start"), 60_000);
      const event = started.event as { Records: { Sns: Envelope }[] };
      assert.equal(event.Records[0]?.Sns.MessageId, bigOrder.MessageId, "the function: the message whose body's total is over 100");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(collector.recorded("fan-out-fn").filter((r) => r.phase === "start").length, 1, "and nothing else");
      assert.equal(endpoint.of("Notification").length, 1);
    } finally {
      await endpoint.close();
    }
  });

  it("an http delivery policy's phases: numNoDelayRetries retry at once; a policy SNS would refuse is refused", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "phases" }));
    const endpoint = await new Endpoint().start("/phases");
    try {
      // Three retries with no delay: all four attempts come at once (the 20 s default delay would not).
      const DeliveryPolicy = '{"healthyRetryPolicy":{"numRetries":3,"numNoDelayRetries":3},"requestPolicy":{"headerContentType":"application/json"}}';
      await subscribeConfirmed(TopicArn, endpoint, { DeliveryPolicy });
      endpoint.answer = () => (endpoint.of("Notification").length <= 3 ? 503 : 200);
      await sns.send(new PublishCommand({ TopicArn, Message: "until it sticks" }));
      const attempts = await waitFor("four attempts, the last answered", () => (endpoint.of("Notification").length >= 4 ? endpoint.of("Notification") : undefined), 15_000);
      assert.deepEqual(attempts.map((a) => a.body.Message), Array(4).fill("until it sticks"));
      assert.equal(attempts[0]?.headers["content-type"], "application/json", "the request policy's Content-Type");

      const [subscription] = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions ?? [];
      const refuse = (policy: object, why: RegExp) => assert.rejects(
        sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscription?.SubscriptionArn, AttributeName: "DeliveryPolicy", AttributeValue: JSON.stringify(policy) })),
        (error: Error) => error.name === "InvalidParameterException" && why.test(error.message));
      await refuse({ healthyRetryPolicy: { minDelayTarget: 30, maxDelayTarget: 10 } }, /minDelayTarget must not exceed maxDelayTarget/);
      await refuse({ healthyRetryPolicy: { numRetries: 2, numNoDelayRetries: 3 } }, /add up to no more than numRetries/);
      await refuse({ healthyRetryPolicy: { numRetries: 101 } }, /numRetries must be an integer from 0 to 100/);
      await refuse({ healthyRetryPolicy: { backoffFunction: "cubic" } }, /backoffFunction must be one of/);
      await refuse({ requestPolicy: { headerContentType: "text/plain\r\nx-injected: 1" } }, /headerContentType must be a media type/);
    } finally {
      await endpoint.close();
    }
  });

  it("a throttle policy spaces a subscription's notifications: maxReceivesPerSecond 2 spreads three over at least a second", async () => {
    const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "throttled" }));
    const endpoint = await new Endpoint().start("/throttled");
    try {
      await subscribeConfirmed(TopicArn, endpoint, { DeliveryPolicy: '{"throttlePolicy":{"maxReceivesPerSecond":2}}' });
      for (const n of [1, 2, 3]) await sns.send(new PublishCommand({ TopicArn, Message: `n${n}` }));
      const got = await waitFor("three notifications", () => (endpoint.of("Notification").length >= 3 ? endpoint.of("Notification") : undefined), 30_000);
      assert.deepEqual(got.map((r) => r.body.Message).sort(), ["n1", "n2", "n3"]);
      const span = (got[2]?.at ?? 0) - (got[0]?.at ?? 0);
      assert.ok(span >= 900, `three notifications at 2 per second span at least a second; they spanned ${span} ms`);
      const [subscription] = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions ?? [];
      await assert.rejects(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscription?.SubscriptionArn, AttributeName: "DeliveryPolicy", AttributeValue: '{"throttlePolicy":{"maxReceivesPerSecond":0}}' })),
        (error: Error) => error.name === "InvalidParameterException" && /maxReceivesPerSecond must be an integer of at least 1/.test(error.message));
    } finally {
      await endpoint.close();
    }
  });

  it("delivery policy phases become one delay per retry", () => {
    const policy = (healthy: object) => JSON.stringify({ healthyRetryPolicy: healthy });
    assert.deepEqual(retryDelaysMs(undefined), [20_000, 20_000, 20_000], "SNS's http default: 3 retries, 20 s apart");
    assert.deepEqual(retryDelaysMs(policy({ numRetries: 8, numNoDelayRetries: 1, numMinDelayRetries: 2, numMaxDelayRetries: 2, minDelayTarget: 1, maxDelayTarget: 4 })),
      [0, 1_000, 1_000, 1_000, 2_500, 4_000, 4_000, 4_000], "no delay, then the minimum, linear backoff from minimum to maximum, then the maximum");
    assert.deepEqual(retryDelaysMs(policy({ numRetries: 3, minDelayTarget: 1, maxDelayTarget: 16, backoffFunction: "exponential" })), [1_000, 4_000, 16_000]);
    assert.deepEqual(retryDelaysMs(JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 1, minDelayTarget: 5 } } })), [5_000], "a topic's policy shape");
  });

  it("an unsigned request cannot confirm with a guessed token or do anything but follow SNS's links", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "guarded" }));
    const guessed = await fetch(`${suite.unkai.url}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TopicArn ?? "")}&Token=${"0".repeat(128)}`);
    assert.equal(guessed.status, 400);
    assert.match(await guessed.text(), /<Code>InvalidParameter<\/Code>/);
    const publish = await fetch(`${suite.unkai.url}/?Action=Publish&TopicArn=${encodeURIComponent(TopicArn ?? "")}&Message=hi`);
    assert.equal(publish.status, 403, "Publish is not one of the unsigned links");
    assert.match(await publish.text(), /MissingAuthenticationToken/);
    const other = await fetch(`${suite.unkai.url}/_aws/sns/SimpleNotificationService-${"0".repeat(32)}.pem`);
    assert.equal(other.status, 404);
    // A web page (or anyone unsigned) cannot make Unkai POST to an address of its choosing.
    const target = await new Endpoint().start("/victim");
    try {
      const subscribe = await fetch(`${suite.unkai.url}/?Action=Subscribe&Version=2010-03-31&TopicArn=${encodeURIComponent(TopicArn ?? "")}&Protocol=http&Endpoint=${encodeURIComponent(target.url)}`);
      assert.equal(subscribe.status, 403);
      const posted = await fetch(`${suite.unkai.url}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `Action=Subscribe&Version=2010-03-31&TopicArn=${encodeURIComponent(TopicArn ?? "")}&Protocol=http&Endpoint=${encodeURIComponent(target.url)}` });
      assert.equal(posted.status, 403);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.deepEqual(target.received, [], "nothing reached the endpoint");
      assert.deepEqual((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions, []);
    } finally {
      await target.close();
    }
  });

  it("UnsubscribeURL works unsigned, as SNS's link; a failed delivery goes to the subscription's RedrivePolicy queue", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "links" }));
    const [kept, dlq] = await Promise.all([queue("links-q"), queue("links-dlq")]);
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("links-q") }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("no-such-queue"), Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("links-dlq") }) } }));
    await sns.send(new PublishCommand({ TopicArn, Message: "first" }));
    const dead = JSON.parse((await receiveAll(dlq))[0]?.Body ?? "{}") as Envelope;
    assert.equal(dead.Message, "first", "the undeliverable message, in its envelope");
    const envelope = JSON.parse((await receiveAll(kept))[0]?.Body ?? "{}") as Envelope;
    const unsubscribed = await fetch(envelope.UnsubscribeURL ?? "");
    assert.equal(unsubscribed.status, 200);
    await sns.send(new PublishCommand({ TopicArn, Message: "second" }));
    assert.deepEqual(await receiveAll(kept), [], "nothing after unsubscribing");
  });

  it("a failed asynchronous invocation's event reaches an SNS topic as its dead-letter target, and a success record as its OnSuccess destination", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "fn-dlq-topic" }));
    const url = await queue("fn-dlq-topic-q");
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("fn-dlq-topic-q") }));
    await createFromFixture(suite.client, "sns-dlq-throws", "throws", { DeadLetterConfig: { TargetArn: TopicArn } });
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "sns-dlq-throws", MaximumRetryAttempts: 0 }));
    await suite.client.send(new InvokeCommand({ FunctionName: "sns-dlq-throws", InvocationType: "Event", Payload: Buffer.from('{"poison":true}') }));
    const message = await waitFor("the dead letter on the queue", async () => (await receiveAll(url))[0], 60_000);
    const envelope = JSON.parse(message.Body ?? "{}") as Envelope;
    assert.equal(envelope.TopicArn, TopicArn);
    assert.deepEqual(JSON.parse(envelope.Message ?? ""), { poison: true });
    assert.equal(envelope.MessageAttributes?.ErrorMessage?.Value, "the payload has no 'name'");
    await createFromFixture(suite.client, "sns-dest-ok", "node-esm", { Handler: "index.handler" });
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "sns-dest-ok", DestinationConfig: { OnSuccess: { Destination: TopicArn } } }));
    await suite.client.send(new InvokeCommand({ FunctionName: "sns-dest-ok", InvocationType: "Event", Payload: Buffer.from('{"name":"topic"}') }));
    const success = await waitFor("the OnSuccess record on the queue", async () => (await receiveAll(url))[0], 60_000);
    const record = JSON.parse((JSON.parse(success.Body ?? "{}") as Envelope).Message ?? "{}") as { requestContext?: { condition?: string }; requestPayload?: unknown };
    assert.equal(record.requestContext?.condition, "Success");
    assert.deepEqual(record.requestPayload, { name: "topic" });
    await assert.rejects(suite.client.send(new CreateFunctionCommand({
      FunctionName: "nowhere-dlq", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: Buffer.from("x") },
      DeadLetterConfig: { TargetArn: "arn:aws:sns:us-east-1:999999999999:elsewhere" },
    })), { name: "InvalidParameterValueException" });
  });
});
