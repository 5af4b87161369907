/**
 * Event source mappings check the function's execution role, as AWS does: CreateEventSourceMapping
 * refuses a queue or stream the role cannot read, naming what is missing, and accepts it once the role
 * has AWSLambdaSQSQueueExecutionRole / AWSLambdaDynamoDBExecutionRole; a mapping reads its queue as the role,
 * so taking the permission away stops its reads. Driven by the AWS CLI v2 and SDK v3.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { AttachRolePolicyCommand, CreateRoleCommand, DetachRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const POLICY = (name: string) => `arn:aws:iam::aws:policy/service-role/${name}`;

describe("event source mappings and the function's execution role", () => {
  const suite = unkaiSuite();
  const config = () => ({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });

  const roleWith = async (name: string, policy: string) => {
    const iam = new IAMClient(config());
    const arn = (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }))).Role?.Arn ?? "";
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: POLICY(policy) }));
    iam.destroy();
    return arn;
  };

  it("refuses an SQS mapping whose role cannot receive from the queue (CLI), and makes it once the role can", async () => {
    const basic = await roleWith("logs-only", "AWSLambdaBasicExecutionRole");
    await createFromFixture(suite.client, "queue-reader", "node-esm", { Role: basic });
    const sqs = new SQSClient(config());
    await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
    const refused = await aws(suite.unkai.url, ["lambda", "create-event-source-mapping", "--function-name", "queue-reader", "--event-source-arn", queueArn]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(InvalidParameterValueException\).*The function execution role does not have permissions to call ReceiveMessage on SQS/);

    const reader = await roleWith("queue-reader-role", "AWSLambdaSQSQueueExecutionRole");
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "queue-reader", Role: reader }));
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 30 }, { FunctionName: "queue-reader" });
    const made = await aws(suite.unkai.url, ["lambda", "create-event-source-mapping", "--function-name", "queue-reader", "--event-source-arn", queueArn]);
    assert.equal(made.code, 0, made.stderr);
    sqs.destroy();
  });

  it("reads the queue as the function's role: a role that loses AWSLambdaSQSQueueExecutionRole stops the mapping's reads until it has it again", async () => {
    const role = await roleWith("consumer-role", "AWSLambdaSQSQueueExecutionRole");
    await createFromFixture(suite.client, "consumer", "node-esm", { Role: role });
    const sqs = new SQSClient(config());
    const iam = new IAMClient(config());
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
    /** Messages not deleted yet, visible or in flight (a refused batch is in flight until it is given back). */
    const waiting = async () => {
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
      return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
    };
    const { UUID } = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`, BatchSize: 1 }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "first" }));
    await waitFor("the first message consumed", async () => ((await waiting()) === 0 ? true : undefined), 30_000);

    await iam.send(new DetachRolePolicyCommand({ RoleName: "consumer-role", PolicyArn: POLICY("AWSLambdaSQSQueueExecutionRole") }));
    // A long poll already waiting when the permission went may still take one message, as on AWS.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "second" }));
    const problem = await waitFor("the mapping to say why it reads nothing", async () => {
      const result = (await suite.client.send(new GetEventSourceMappingCommand({ UUID }))).LastProcessingResult ?? "";
      return /does not have permissions to call ReceiveMessage on SQS/.test(result) ? result : undefined;
    }, 30_000);
    assert.match(problem, /^PROBLEM: /);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "third" }));
    const unread = await waiting();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.ok(unread >= 1, "the message sent after the refusal waits in the queue");
    assert.equal(await waiting(), unread, "nothing is deleted (processed) while the role may not read");

    await iam.send(new AttachRolePolicyCommand({ RoleName: "consumer-role", PolicyArn: POLICY("AWSLambdaSQSQueueExecutionRole") }));
    await waitFor("the second message consumed once the role may read again", async () => ((await waiting()) === 0 ? true : undefined), 30_000);
    sqs.destroy();
    iam.destroy();
  });

  it("refuses a DynamoDB stream mapping whose role cannot read the stream (SDK v3), with AWS's sentence", async () => {
    const ddb = new DynamoDBClient(config());
    const table = await ddb.send(new CreateTableCommand({
      TableName: "orders", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST", StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    const streamArn = table.TableDescription?.LatestStreamArn ?? "";
    const queueOnly = await roleWith("queue-only", "AWSLambdaSQSQueueExecutionRole");
    await createFromFixture(suite.client, "stream-reader", "node-esm", { Role: queueOnly });
    const refused = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "stream-reader", EventSourceArn: streamArn, StartingPosition: "LATEST" })).catch((e: Error) => e);
    assert.ok(refused instanceof Error);
    assert.equal(refused.name, "InvalidParameterValueException");
    assert.equal(refused.message, `Cannot access stream ${streamArn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.`);

    // The suite's role (AdministratorAccess) may read anything.
    await createFromFixture(suite.client, "admin-reader", "node-esm", { Role: ROLE });
    const made = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "admin-reader", EventSourceArn: streamArn, StartingPosition: "LATEST" }));
    assert.ok(made.UUID);
    const dynamoRole = await roleWith("stream-role", "AWSLambdaDynamoDBExecutionRole");
    await createFromFixture(suite.client, "ddb-reader", "node-esm", { Role: dynamoRole });
    const also = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "ddb-reader", EventSourceArn: streamArn, StartingPosition: "LATEST" }));
    assert.ok(also.UUID);
    ddb.destroy();
  });

  it("asks a Kinesis mapping's role for kinesis: reads: DynamoDB's execution policy is refused, Kinesis's accepted", async () => {
    const kinesis = new KinesisClient(config());
    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
    const streamArn = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/clicks`;
    await createFromFixture(suite.client, "clicks-wrong-role", "node-esm", { Role: await roleWith("ddb-only", "AWSLambdaDynamoDBExecutionRole") });
    const refused = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "clicks-wrong-role", EventSourceArn: streamArn, StartingPosition: "LATEST" })).catch((e: Error) => e);
    assert.ok(refused instanceof Error);
    assert.equal(refused.message, `Cannot access stream ${streamArn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.`);
    await createFromFixture(suite.client, "clicks-reader", "node-esm", { Role: await roleWith("kinesis-role", "AWSLambdaKinesisExecutionRole") });
    assert.ok((await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "clicks-reader", EventSourceArn: streamArn, StartingPosition: "LATEST" }))).UUID);
    kinesis.destroy();
  });
});
