/**
 * Under `--iam enforce`, the deliveries issue 20 lists beyond functions, queues and topics from S3, SNS
 * and EventBridge (test/iam-service-principals.test.ts), each tried with the real SDK v3:
 * - an EventBridge rule whose target is another event bus: the receiving bus's policy must allow
 *   events.amazonaws.com to events:PutEvents for the rule, or, for a target with a RoleArn, the role must
 *   trust EventBridge and be allowed events:PutEvents; refused, the event is dead-lettered with
 *   ERROR_CODE NO_PERMISSIONS and never reaches the receiving bus's rules;
 * - a CloudWatch alarm action to an SNS topic: SNS's default topic policy lets the account's alarms
 *   publish (AWS:SourceOwner); a policy that does not allow cloudwatch.amazonaws.com fails the action,
 *   as the alarm's history says;
 * - DynamoDB transactions: each item needs its own action (PutItem, GetItem, ConditionCheckItem …, and
 *   ExecuteTransaction's statements their PartiQL action) on its table, so a user allowed to put into one table cannot slip another table's item into a
 *   transaction, and nothing of the transaction is written.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudWatchClient, DescribeAlarmHistoryCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTableCommand, DynamoDBClient, ExecuteTransactionCommand, ScanCommand, TransactGetItemsCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutPermissionCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import { allowServicesToSend } from "./helpers/service-access.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const busArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;

describe("deliveries between services under --iam enforce: event buses, alarm topics, DynamoDB transactions", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce", UNKAI_ASYNC_RETRY_SCALE: "0.01" });
  const config = () => ({ endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  let sqs: SQSClient;

  /** A queue whose policy lets `service` send for `sourceArn` (as the services' guides write it). */
  const allowingQueue = async (name: string, service: string, sourceArn: string) => {
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await allowServicesToSend(sqs, QueueUrl, queueArn(name), [{ service, sourceArn }]);
  };
  /** The next message on `queue` (deleted), or undefined when none came within `waitSeconds`. */
  const receive = async (queue: string, waitSeconds: number): Promise<Message | undefined> => {
    const url = `${suite.unkai.url}/${ACCOUNT}/${queue}`;
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: waitSeconds, MessageAttributeNames: ["All"] }));
    const message = got.Messages?.[0];
    if (message) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    return message;
  };
  const nextMessage = (queue: string) => waitFor(`a message on ${queue}`, () => receive(queue, 1), 30_000);

  before(() => {
    sqs = new SQSClient(config());
  });
  after(() => {
    sqs.destroy();
  });

  it("a rule's event reaches another bus only where that bus's policy allows events.amazonaws.com for the rule; refused, it is dead-lettered (NO_PERMISSIONS)", async () => {
    const events = new EventBridgeClient(config());
    try {
      await events.send(new CreateEventBusCommand({ Name: "receiver" }));
      const { RuleArn: receiving = "" } = await events.send(new PutRuleCommand({ Name: "all", EventBusName: "receiver", EventPattern: JSON.stringify({ source: ["shop"] }) }));
      await allowingQueue("received", "events.amazonaws.com", receiving);
      await events.send(new PutTargetsCommand({ Rule: "all", EventBusName: "receiver", Targets: [{ Id: "q", Arn: queueArn("received") }] }));
      await sqs.send(new CreateQueueCommand({ QueueName: "forward-dlq" }));
      const { RuleArn: forward = "" } = await events.send(new PutRuleCommand({ Name: "forward", EventPattern: JSON.stringify({ source: ["shop"] }) }));
      await events.send(new PutTargetsCommand({ Rule: "forward", Targets: [{ Id: "bus", Arn: busArn("receiver"), DeadLetterConfig: { Arn: queueArn("forward-dlq") } }] }));
      const put = (n: number) => events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "order", Detail: JSON.stringify({ n }) }] }));

      await put(1); // the receiving bus has no policy: no service may put events on it
      const dead = await nextMessage("forward-dlq");
      assert.equal(dead.MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");
      assert.equal(dead.MessageAttributes?.RULE_ARN?.StringValue, forward);
      assert.match(dead.MessageAttributes?.ERROR_MESSAGE?.StringValue ?? "", /^Not authorized to send to arn:aws:events:.*event-bus\/receiver: its policy does not allow events\.amazonaws\.com to events:PutEvents/);
      assert.deepEqual((JSON.parse(dead.Body ?? "{}") as { detail: unknown }).detail, { n: 1 }, "the dead letter is the event");

      const policy = (sourceArn: string) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "from-rule", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "events:PutEvents", Resource: busArn("receiver"), Condition: { ArnEquals: { "aws:SourceArn": sourceArn } } }],
      });
      await events.send(new PutPermissionCommand({ EventBusName: "receiver", Policy: policy(`arn:aws:events:${REGION}:${ACCOUNT}:rule/other`) }));
      await put(2); // allowed for another rule only
      assert.equal((await nextMessage("forward-dlq")).MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");

      await events.send(new PutPermissionCommand({ EventBusName: "receiver", Policy: policy(forward) }));
      await put(3);
      const received = await nextMessage("received");
      assert.deepEqual((JSON.parse(received.Body ?? "{}") as { detail: unknown }).detail, { n: 3 }, "only the allowed event reached the receiving bus's rule");
      assert.equal(await receive("received", 0), undefined);
      assert.equal(await receive("forward-dlq", 0), undefined);
    } finally {
      events.destroy();
    }
  });

  it("a bus target with a RoleArn is sent as that role: the role must trust events.amazonaws.com and be allowed events:PutEvents on the receiving bus", async () => {
    const events = new EventBridgeClient(config());
    const iam = new IAMClient(config());
    try {
      await events.send(new CreateEventBusCommand({ Name: "receiver2" }));
      const { RuleArn: receiving = "" } = await events.send(new PutRuleCommand({ Name: "all2", EventBusName: "receiver2", EventPattern: JSON.stringify({ source: ["crm"] }) }));
      await allowingQueue("received2", "events.amazonaws.com", receiving);
      await events.send(new PutTargetsCommand({ Rule: "all2", EventBusName: "receiver2", Targets: [{ Id: "q", Arn: queueArn("received2") }] }));
      const trusting = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "bus-sender", AssumeRolePolicyDocument: trusting("lambda.amazonaws.com") }));
      await sqs.send(new CreateQueueCommand({ QueueName: "as-role-dlq" }));
      await events.send(new PutRuleCommand({ Name: "forward-as-role", EventPattern: JSON.stringify({ source: ["crm"] }) }));
      await events.send(new PutTargetsCommand({ Rule: "forward-as-role", Targets: [{ Id: "bus", Arn: busArn("receiver2"), RoleArn: Role?.Arn, DeadLetterConfig: { Arn: queueArn("as-role-dlq") } }] }));
      const put = (n: number) => events.send(new PutEventsCommand({ Entries: [{ Source: "crm", DetailType: "lead", Detail: JSON.stringify({ n }) }] }));
      const refusal = async () => {
        const dead = await nextMessage("as-role-dlq");
        assert.equal(dead.MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");
        return dead.MessageAttributes?.ERROR_MESSAGE?.StringValue ?? "";
      };

      await put(1); // the role does not trust EventBridge
      assert.match(await refusal(), /does not allow events\.amazonaws\.com acting as arn:aws:iam::000000000000:role\/bus-sender to events:PutEvents/);
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "bus-sender", PolicyDocument: trusting("events.amazonaws.com") }));
      await put(2); // trusted, but nothing allows it events:PutEvents (and the bus has no policy)
      await refusal();
      await iam.send(new PutRolePolicyCommand({
        RoleName: "bus-sender", PolicyName: "put-on-receiver2",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: busArn("receiver2") }] }),
      }));
      await put(3);
      assert.deepEqual((JSON.parse((await nextMessage("received2")).Body ?? "{}") as { detail: unknown }).detail, { n: 3 }, "the role's own policy lets the event in, with no bus policy");
      assert.equal(await receive("received2", 0), undefined);
    } finally {
      events.destroy();
      iam.destroy();
    }
  });

  it("an alarm's SNS action publishes as cloudwatch.amazonaws.com: SNS's default policy allows it, a policy without it fails the action in the alarm's history", async () => {
    const sns = new SNSClient(config());
    const cw = new CloudWatchClient(config());
    try {
      const { TopicArn: topic = "" } = await sns.send(new CreateTopicCommand({ Name: "pager" }));
      await allowingQueue("pages", "sns.amazonaws.com", topic);
      await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: queueArn("pages"), Attributes: { RawMessageDelivery: "true" } }));
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: "paged", Namespace: "Shop", MetricName: "Errors", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
        ComparisonOperator: "GreaterThanThreshold", AlarmActions: [topic],
      }));
      const alarmArn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:paged`;
      const lastAction = async () => ((await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "paged", HistoryItemType: "Action" }))).AlarmHistoryItems ?? [])[0]?.HistorySummary ?? "";
      const alarm = async (reason: string) => {
        await cw.send(new SetAlarmStateCommand({ AlarmName: "paged", StateValue: "OK", StateReason: "reset" }));
        await cw.send(new SetAlarmStateCommand({ AlarmName: "paged", StateValue: "ALARM", StateReason: reason }));
      };

      await alarm("default policy");
      assert.equal(await lastAction(), `Successfully executed action ${topic}`);
      assert.equal((JSON.parse((await nextMessage("pages")).Body ?? "{}") as { NewStateReason?: string }).NewStateReason, "default policy");

      // The account's own principals only: CloudWatch is not one of them.
      const onlyAccount = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sns:Publish", Resource: topic };
      await sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: "Policy", AttributeValue: JSON.stringify({ Version: "2012-10-17", Statement: [onlyAccount] }) }));
      await alarm("account only");
      assert.match(await lastAction(), new RegExp(`^Failed to execute action ${topic}\\. Received error: "Not authorized to send to ${topic}: its policy does not allow cloudwatch\\.amazonaws\\.com to sns:Publish`));

      const fromAlarm = { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topic, Condition: { ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` } } };
      await sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: "Policy", AttributeValue: JSON.stringify({ Version: "2012-10-17", Statement: [onlyAccount, fromAlarm] }) }));
      await alarm("allowed");
      assert.equal(await lastAction(), `Successfully executed action ${topic}`);
      const page = JSON.parse((await nextMessage("pages")).Body ?? "{}") as { NewStateReason?: string; AlarmArn?: string };
      assert.deepEqual([page.NewStateReason, page.AlarmArn], ["allowed", alarmArn], "the refused notification was never published");
      assert.equal(await receive("pages", 0), undefined);
    } finally {
      sns.destroy();
      cw.destroy();
    }
  });

  it("a transaction needs each item's own action on its table: a user who may put into table a cannot include table b, and nothing is written", async () => {
    const root = new DynamoDBClient(config());
    const iam = new IAMClient(config());
    let user: DynamoDBClient | undefined;
    try {
      for (const name of ["tx-a", "tx-b"]) {
        await root.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
      }
      const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      await iam.send(new CreateUserCommand({ UserName: "tx-writer" }));
      await iam.send(new PutUserPolicyCommand({
        UserName: "tx-writer", PolicyName: "put-into-a",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:TransactWriteItems", "dynamodb:TransactGetItems", "dynamodb:PutItem"], Resource: table("tx-a") }] }),
      }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "tx-writer" }));
      user = new DynamoDBClient({ ...config(), credentials: { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" } });
      const put = (name: string, pk: string) => ({ Put: { TableName: name, Item: { pk: { S: pk } } } });

      const refused = await user.send(new TransactWriteItemsCommand({ TransactItems: [put("tx-a", "1"), put("tx-b", "1")] })).then(() => undefined, (error: Error) => error);
      assert.equal(refused?.name, "AccessDeniedException");
      assert.match(refused?.message ?? "", new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/tx-writer is not authorized to perform: dynamodb:PutItem on resource: ${table("tx-b")} because no identity-based policy allows the dynamodb:PutItem action`));
      for (const name of ["tx-a", "tx-b"]) assert.equal((await root.send(new ScanCommand({ TableName: name }))).Count, 0, `nothing was written to ${name}`);

      // A condition check is its own action (ConditionCheckItem), and a read in a transaction is GetItem.
      const checked = await user.send(new TransactWriteItemsCommand({ TransactItems: [put("tx-a", "2"), { ConditionCheck: { TableName: "tx-a", Key: { pk: { S: "x" } }, ConditionExpression: "attribute_not_exists(pk)" } }] })).then(() => undefined, (error: Error) => error);
      assert.match(checked?.message ?? "", /not authorized to perform: dynamodb:ConditionCheckItem on resource: .*table\/tx-a/);
      const read = await user.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: "tx-a", Key: { pk: { S: "1" } } } }] })).then(() => undefined, (error: Error) => error);
      assert.match(read?.message ?? "", /not authorized to perform: dynamodb:GetItem on resource: .*table\/tx-a/);
      assert.equal((await root.send(new ScanCommand({ TableName: "tx-a" }))).Count, 0);

      // PartiQL's transaction asks each statement's action on its table (PartiQLInsert here), as AWS does.
      const insert = (name: string, pk: string) => ({ Statement: `INSERT INTO "${name}" VALUE {'pk': '${pk}'}` });
      const partiql = await user.send(new ExecuteTransactionCommand({ TransactStatements: [insert("tx-a", "3"), insert("tx-b", "3")] })).then(() => undefined, (error: Error) => error);
      assert.match(partiql?.message ?? "", /not authorized to perform: dynamodb:PartiQLInsert on resource: .*table\/tx-a/);
      await iam.send(new PutUserPolicyCommand({
        UserName: "tx-writer", PolicyName: "insert-into-a",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:PartiQLInsert", Resource: table("tx-a") }] }),
      }));
      const partiqlB = await user.send(new ExecuteTransactionCommand({ TransactStatements: [insert("tx-a", "3"), insert("tx-b", "3")] })).then(() => undefined, (error: Error) => error);
      assert.match(partiqlB?.message ?? "", /not authorized to perform: dynamodb:PartiQLInsert on resource: .*table\/tx-b/);
      for (const name of ["tx-a", "tx-b"]) assert.equal((await root.send(new ScanCommand({ TableName: name }))).Count, 0, `still nothing in ${name}`);

      await user.send(new TransactWriteItemsCommand({ TransactItems: [put("tx-a", "1"), put("tx-a", "2")] }));
      await user.send(new ExecuteTransactionCommand({ TransactStatements: [insert("tx-a", "3")] }));
      assert.equal((await root.send(new ScanCommand({ TableName: "tx-a" }))).Count, 3, "its own table's items are written");
    } finally {
      user?.destroy();
      root.destroy();
      iam.destroy();
    }
  });
});
