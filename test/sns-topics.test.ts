/**
 * SNS topics and subscriptions through the three clients that speak its Query protocol: the AWS CLI
 * 2.9.19, boto3 1.26 and SDK v3; SNS's error codes and messages for bad input.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  CreateTopicCommand, GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTagsForResourceCommand,
  ListTopicsCommand, SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand, TagResourceCommand, UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const topicArn = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

/** Runs a boto3 snippet with `sns` a client on Unkai and `error_of(call)` its error's code, message and status; prints JSON. */
function boto3(url: string, body: string): Promise<unknown> {
  return runBoto3([
    "import json, sys, boto3, botocore.exceptions",
    `sns = boto3.client("sns", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
    "def error_of(call):",
    "    try:",
    "        call()",
    "        return None",
    "    except botocore.exceptions.ClientError as e:",
    "        return [e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']]",
    body,
  ], [url]);
}

async function cli(url: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const run = await aws(url, ["sns", ...args]);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trim() === "" ? {} : (JSON.parse(run.stdout) as Record<string, unknown>);
}

describe("SNS topics and subscriptions (AWS CLI 2.9.19, boto3 1.26, SDK v3)", () => {
  const suite = unkaiSuite();
  let sns: SNSClient;
  before(() => {
    sns = new SNSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });

  it("the CLI creates topics (idempotently), sets attributes and tags; SDK v3 reads them", async () => {
    const url = suite.unkai.url;
    const created = await cli(url, ["create-topic", "--name", "cli-topic", "--attributes", "DisplayName=Orders", "--tags", "Key=team,Value=a"]);
    assert.equal(created.TopicArn, topicArn("cli-topic"));
    assert.equal((await cli(url, ["create-topic", "--name", "cli-topic"])).TopicArn, topicArn("cli-topic"), "CreateTopic again answers the same ARN");
    const different = await aws(url, ["sns", "create-topic", "--name", "cli-topic", "--attributes", "DisplayName=Other"]);
    assert.notEqual(different.code, 0);
    assert.match(different.stderr, /InvalidParameter.*Topic already exists with different attributes/);
    await cli(url, ["set-topic-attributes", "--topic-arn", topicArn("cli-topic"), "--attribute-name", "SignatureVersion", "--attribute-value", "2"]);
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn("cli-topic") }))).Attributes ?? {};
    assert.equal(attributes.DisplayName, "Orders");
    assert.equal(attributes.SignatureVersion, "2");
    assert.equal(attributes.Owner, ACCOUNT);
    assert.equal(attributes.SubscriptionsConfirmed, "0");
    assert.ok((JSON.parse(attributes.Policy ?? "{}") as { Statement?: unknown }).Statement, "the default topic policy");
    await sns.send(new TagResourceCommand({ ResourceArn: topicArn("cli-topic"), Tags: [{ Key: "env", Value: "dev" }] }));
    const tags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn("cli-topic") }))).Tags ?? [];
    assert.deepEqual(tags.map((t) => `${t.Key}=${t.Value}`).sort(), ["env=dev", "team=a"]);
    await cli(url, ["untag-resource", "--resource-arn", topicArn("cli-topic"), "--tag-keys", "team"]);
    assert.deepEqual((await cli(url, ["list-tags-for-resource", "--resource-arn", topicArn("cli-topic")])).Tags, [{ Key: "env", Value: "dev" }]);
    const listed = await cli(url, ["list-topics"]);
    assert.ok((listed.Topics as { TopicArn: string }[]).some((t) => t.TopicArn === topicArn("cli-topic")));
    await cli(url, ["delete-topic", "--topic-arn", topicArn("cli-topic")]);
    const gone = await aws(url, ["sns", "get-topic-attributes", "--topic-arn", topicArn("cli-topic")]);
    assert.match(gone.stderr, /NotFound.*Topic does not exist/);
  });

  it("keeps a tag named __proto__", async () => {
    const created = await sns.send(new CreateTopicCommand({ Name: "inherited-tags", Tags: [{ Key: "__proto__", Value: "a" }] }));
    await sns.send(new TagResourceCommand({ ResourceArn: created.TopicArn, Tags: [{ Key: "constructor", Value: "b" }] }));
    const tags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: created.TopicArn }))).Tags ?? [];
    assert.deepEqual(tags.map((t) => `${t.Key}=${t.Value}`).sort(), ["__proto__=a", "constructor=b"]);
  });

  it("FIFO topics: the .fifo name and FifoTopic go together; ContentBasedDeduplication is FIFO-only", async () => {
    const fifo = await sns.send(new CreateTopicCommand({ Name: "orders.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }))).Attributes ?? {};
    assert.equal(attributes.FifoTopic, "true");
    assert.equal(attributes.ContentBasedDeduplication, "true");
    await assert.rejects(sns.send(new CreateTopicCommand({ Name: "plain.fifo" })), { name: "InvalidParameterException", message: "Invalid parameter: Topic Name" });
    await assert.rejects(sns.send(new CreateTopicCommand({ Name: "plain", Attributes: { FifoTopic: "true" } })), { name: "InvalidParameterException", message: /Fifo Topic names must end with \.fifo/ });
    await assert.rejects(sns.send(new CreateTopicCommand({ Name: "std", Attributes: { ContentBasedDeduplication: "true" } })), { name: "InvalidParameterException", message: /only be set for FIFO topics/ });
    await assert.rejects(sns.send(new CreateTopicCommand({ Name: "bad name!" })), { name: "InvalidParameterException", message: "Invalid parameter: Topic Name" });
    await assert.rejects(sns.send(new CreateTopicCommand({ Name: "attr", Attributes: { Nope: "1" } })), { name: "InvalidParameterException" });
    await assert.rejects(sns.send(new SubscribeCommand({ TopicArn: fifo.TopicArn, Protocol: "lambda", Endpoint: "arn:aws:lambda:us-east-1:000000000000:function:f" })), { name: "InvalidParameterException" });
  });

  it("subscriptions: sqs and lambda confirmed at once, attributes validated, listings, unsubscribe", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "subs" }));
    const q = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("q1"), Attributes: { RawMessageDelivery: "true" } }));
    assert.match(q.SubscriptionArn ?? "", new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    const again = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("q1") }));
    assert.equal(again.SubscriptionArn, q.SubscriptionArn, "Subscribe again answers the same subscription");
    const fn = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: "arn:aws:lambda:us-east-1:000000000000:function:f" }));
    const attributes = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn }))).Attributes ?? {};
    assert.equal(attributes.RawMessageDelivery, "true");
    assert.equal(attributes.PendingConfirmation, "false");
    assert.equal(attributes.Endpoint, queueArn("q1"));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: '{"kind":["a"]}' }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn, AttributeName: "FilterPolicyScope", AttributeValue: "MessageBody" }));
    const filtered = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn }))).Attributes ?? {};
    assert.equal(filtered.FilterPolicy, '{"kind":["a"]}');
    assert.equal(filtered.FilterPolicyScope, "MessageBody");
    await assert.rejects(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: '{"kind":"a"}' })), { name: "InvalidParameterException", message: /^Invalid parameter: FilterPolicy: / });
    await assert.rejects(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: fn.SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" })), { name: "InvalidParameterException", message: "Invalid parameter: Delivery protocol [lambda] does not support raw message delivery." });
    await assert.rejects(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn, AttributeName: "RedrivePolicy", AttributeValue: '{"deadLetterTargetArn":"nope"}' })), { name: "InvalidParameterException" });
    await assert.rejects(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn, AttributeName: "Colour", AttributeValue: "red" })), { name: "InvalidParameterException", message: "Invalid parameter: AttributeName" });
    const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions ?? [];
    assert.deepEqual(listed.map((s) => s.Protocol).sort(), ["lambda", "sqs"]);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: fn.SubscriptionArn }));
    await assert.rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: fn.SubscriptionArn })), { name: "NotFoundException", message: "Subscription does not exist" });
    assert.equal((await sns.send(new ListTopicsCommand({}))).Topics?.some((t) => t.TopicArn === TopicArn), true);
  });

  it("ListTopics pages by 100 with NextToken", async () => {
    await Promise.all(Array.from({ length: 105 }, (_, i) => sns.send(new CreateTopicCommand({ Name: `page-${String(i).padStart(3, "0")}` }))));
    const first = await sns.send(new ListTopicsCommand({}));
    assert.equal(first.Topics?.length, 100);
    assert.ok(first.NextToken);
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    assert.equal(second.NextToken, undefined);
    const all = [...(first.Topics ?? []), ...(second.Topics ?? [])].map((t) => t.TopicArn ?? "");
    assert.equal(new Set(all).size, all.length, "no topic twice");
    assert.equal(all.filter((arn) => arn.includes(":page-")).length, 105);
    await assert.rejects(sns.send(new ListTopicsCommand({ NextToken: "garbage" })), { name: "InvalidParameterException" });
  });

  it("boto3 sees SNS's error codes, messages and statuses", async () => {
    const result = await boto3(suite.unkai.url, [
      "arn = sns.create_topic(Name='boto')['TopicArn']",
      "print(json.dumps({",
      "  'missing': error_of(lambda: sns.get_topic_attributes(TopicArn=arn + 'x')),",
      "  'protocol': error_of(lambda: sns.subscribe(TopicArn=arn, Protocol='carrier-pigeon', Endpoint='x')),",
      "  'sqs': error_of(lambda: sns.subscribe(TopicArn=arn, Protocol='sqs', Endpoint='not-an-arn')),",
      "  'http': error_of(lambda: sns.subscribe(TopicArn=arn, Protocol='http', Endpoint='https://example.com')),",
      "  'email': error_of(lambda: sns.subscribe(TopicArn=arn, Protocol='email', Endpoint='../a@example.com')),",
      "  'token': error_of(lambda: sns.confirm_subscription(TopicArn=arn, Token='guess')),",
      "  'empty': error_of(lambda: sns.publish(TopicArn=arn, Message='')),",
      "  'big': error_of(lambda: sns.publish(TopicArn=arn, Message='x' * (256 * 1024 + 1))),",
      "  'attr': error_of(lambda: sns.publish(TopicArn=arn, Message='m', MessageAttributes={'a': {'DataType': 'Colour', 'StringValue': 'x'}})),",
      "  'structure': error_of(lambda: sns.publish(TopicArn=arn, Message='{\"sqs\": \"x\"}', MessageStructure='json')),",
      "  'subject': error_of(lambda: sns.publish(TopicArn=arn, Message='m', Subject='two\\nlines')),",
      "  'batch': error_of(lambda: sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[{'Id': str(i), 'Message': 'm'} for i in range(11)])),",
      "  'nowhere': error_of(lambda: sns.publish(TopicArn=arn.replace('boto', 'nowhere'), Message='m')),",
      "  'ok': sns.publish(TopicArn=arn, Message='fine', Subject='Hi')['MessageId'],",
      "}))",
    ].join("\n")) as Record<string, unknown>;
    assert.deepEqual(result.missing, ["NotFound", "Topic does not exist", 404]);
    assert.deepEqual(result.protocol, ["InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon", 400]);
    assert.deepEqual(result.sqs, ["InvalidParameter", "Invalid parameter: SQS endpoint ARN", 400]);
    assert.deepEqual(result.http, ["InvalidParameter", "Invalid parameter: Endpoint must match the specified protocol", 400]);
    assert.deepEqual(result.email, ["InvalidParameter", "Invalid parameter: Email address", 400]);
    assert.deepEqual(result.token, ["InvalidParameter", "Invalid parameter: Token", 400]);
    assert.deepEqual(result.empty, ["InvalidParameter", "Invalid parameter: Empty message", 400]);
    assert.deepEqual(result.big, ["InvalidParameter", "Invalid parameter: Message too long", 400]);
    assert.equal((result.attr as unknown[])[0], "ParameterValueInvalid");
    assert.deepEqual(result.structure, ["InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body", 400]);
    assert.deepEqual(result.subject, ["InvalidParameter", "Invalid parameter: Subject", 400]);
    assert.deepEqual(result.batch, ["TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.", 400]);
    assert.deepEqual(result.nowhere, ["NotFound", "Topic does not exist", 404]);
    assert.match(String(result.ok), /^[0-9a-f-]{36}$/);
  });
});
