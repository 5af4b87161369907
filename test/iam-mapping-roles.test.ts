/**
 * Event source mappings check the function's execution role, as AWS does: CreateEventSourceMapping
 * refuses a queue or stream the role cannot read, naming what is missing, and accepts it once the role
 * has AWSLambdaSQSQueueExecutionRole / AWSLambdaDynamoDBExecutionRole. Driven by the AWS CLI v2 and SDK v3.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateEventSourceMappingCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

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
});
