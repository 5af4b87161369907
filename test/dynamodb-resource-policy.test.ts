/**
 * DynamoDB resource-based policies against a real Unkai under IAM enforcement (the default), with SDK v3:
 * PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on a table and on its stream, with revision
 * ids and ExpectedRevisionId; CreateTable's ResourcePolicy; a user with no policy of its own let in by a
 * table policy naming it (for the table and its indexes, and only for what it names); a Deny beating a
 * user's AdministratorAccess; a stream's own policy governing DynamoDB Streams' reads; and bad input
 * refused with DynamoDB's errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateTableCommand, DeleteResourcePolicyCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, GetResourcePolicyCommand,
  PolicyNotFoundException, PutItemCommand, PutResourcePolicyCommand, QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const ACCOUNT = "000000000000";
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/shared`;
const USER = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const allow = (principal: string, action: string, resource: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: action, Resource: resource }] });

describe("DynamoDB resource policies", () => {
  let unkai: TestUnkai;
  let root: DynamoDBClient;
  let iam: IAMClient;
  const users = new Map<string, { db: DynamoDBClient; streams: DynamoDBStreamsClient }>();
  let streamArn = "";
  const config = (url: string, credentials: { accessKeyId: string; secretAccessKey: string }) => ({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });

  async function user(name: string, administrator: boolean): Promise<{ db: DynamoDBClient; streams: DynamoDBStreamsClient }> {
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (administrator) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    assert.ok(AccessKey?.AccessKeyId && AccessKey.SecretAccessKey);
    const keys = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    const clients = { db: new DynamoDBClient(config(unkai.url, keys)), streams: new DynamoDBStreamsClient(config(unkai.url, keys)) };
    users.set(name, clients);
    return clients;
  }

  before(async () => {
    unkai = await startUnkai();
    root = new DynamoDBClient(config(unkai.url, DEFAULT_CREDENTIALS));
    iam = new IAMClient(config(unkai.url, DEFAULT_CREDENTIALS));
    await root.send(new CreateTableCommand({
      TableName: "shared", BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexes: [{ IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    streamArn = (await root.send(new DescribeTableCommand({ TableName: "shared" }))).Table?.LatestStreamArn ?? "";
    await root.send(new PutItemCommand({ TableName: "shared", Item: { pk: { S: "a" }, g: { S: "x" } } }));
    await user("reader", false);
    await user("admin", true);
  });
  after(async () => {
    for (const client of [root, iam, ...[...users.values()].flatMap((u) => [u.db, u.streams])]) client?.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
  });

  const clientOf = (name: string) => users.get(name) as { db: DynamoDBClient; streams: DynamoDBStreamsClient };
  const get = (name: string) => clientOf(name).db.send(new GetItemCommand({ TableName: "shared", Key: { pk: { S: "a" } } }));
  const refusal = async (call: Promise<unknown>): Promise<Error> => {
    const error = await call.then(() => undefined, (e: unknown) => e as Error);
    assert.ok(error, "the call was refused");
    return error;
  };

  it("lets in a user the table's policy names, for the table and its indexes and the actions named only, until the policy is deleted", async () => {
    const denied = await refusal(get("reader"));
    assert.equal(denied.name, "AccessDeniedException");
    assert.match(denied.message, /user\/reader is not authorized to perform: dynamodb:GetItem on resource/);
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: USER("reader") }, Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: [TABLE, `${TABLE}/index/*`] }] });
    const put = await root.send(new PutResourcePolicyCommand({ ResourceArn: TABLE, Policy: policy }));
    assert.match(put.RevisionId ?? "", /^\d+$/);
    const read = await root.send(new GetResourcePolicyCommand({ ResourceArn: TABLE }));
    assert.deepEqual([read.Policy, read.RevisionId], [policy, put.RevisionId]);

    assert.deepEqual((await get("reader")).Item?.pk, { S: "a" });
    const byIndex = await clientOf("reader").db.send(new QueryCommand({ TableName: "shared", IndexName: "byG", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "x" } } }));
    assert.equal(byIndex.Count, 1, "the table's policy governs its indexes");
    const notNamed = await refusal(clientOf("reader").db.send(new PutItemCommand({ TableName: "shared", Item: { pk: { S: "b" } } })));
    assert.equal(notNamed.name, "AccessDeniedException", "an action the policy does not name stays refused");

    const stale = await refusal(root.send(new DeleteResourcePolicyCommand({ ResourceArn: TABLE, ExpectedRevisionId: "1" })));
    assert.ok(stale instanceof PolicyNotFoundException, "a delete naming another revision changes nothing");
    const deleted = await root.send(new DeleteResourcePolicyCommand({ ResourceArn: TABLE, ExpectedRevisionId: put.RevisionId }));
    assert.equal(deleted.RevisionId, put.RevisionId);
    const gone = await refusal(root.send(new GetResourcePolicyCommand({ ResourceArn: TABLE })));
    assert.ok(gone instanceof PolicyNotFoundException, String(gone));
    assert.equal(gone.message, `Resource-based policy not found for the provided ResourceArn: ${TABLE}`);
    assert.equal((await refusal(get("reader"))).name, "AccessDeniedException", "refused again once the policy is gone");
  });

  it("a Deny in the table's policy wins over AdministratorAccess; a stream's own policy governs DynamoDB Streams' reads; revisions guard changes", async () => {
    assert.ok((await get("admin")).Item);
    const deny = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: { AWS: USER("admin") }, Action: "dynamodb:GetItem", Resource: TABLE }] });
    const first = await root.send(new PutResourcePolicyCommand({ ResourceArn: TABLE, Policy: deny }));
    assert.equal((await refusal(get("admin"))).name, "AccessDeniedException");
    const getByArn = () => clientOf("admin").db.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: "a" } } }));
    assert.equal((await refusal(getByArn())).name, "AccessDeniedException", "naming the table by its ARN meets the same Deny");
    const wrongRevision = await refusal(root.send(new PutResourcePolicyCommand({ ResourceArn: TABLE, Policy: allow(USER("admin"), "dynamodb:GetItem", TABLE), ExpectedRevisionId: "1" })));
    assert.ok(wrongRevision instanceof PolicyNotFoundException);
    assert.equal((await refusal(get("admin"))).name, "AccessDeniedException", "a refused change leaves the Deny in force");
    const second = await root.send(new PutResourcePolicyCommand({ ResourceArn: TABLE, Policy: allow(USER("admin"), "dynamodb:GetItem", TABLE), ExpectedRevisionId: first.RevisionId }));
    assert.ok(Number(second.RevisionId) > Number(first.RevisionId), "each change gets a later revision");
    assert.ok((await get("admin")).Item);
    assert.deepEqual((await getByArn()).Item?.pk, { S: "a" }, "and the same Allow");

    const describeStream = (name: string) => clientOf(name).streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    assert.equal((await refusal(describeStream("reader"))).name, "AccessDeniedException");
    await root.send(new PutResourcePolicyCommand({ ResourceArn: streamArn, Policy: allow(USER("reader"), "dynamodb:DescribeStream", streamArn) }));
    assert.equal((await describeStream("reader")).StreamDescription?.StreamArn, streamArn);
    assert.equal((await refusal(get("reader"))).name, "AccessDeniedException", "the stream's policy does not open the table");
    assert.match((await root.send(new GetResourcePolicyCommand({ ResourceArn: streamArn }))).Policy ?? "", /DescribeStream/);
  });

  it("revisions as AWS keeps them: the same policy again keeps its revision, NO_POLICY asks for none, a stale revision is refused in AWS's words (AWS-verified)", async () => {
    await root.send(new CreateTableCommand({ TableName: "revised", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] }));
    const arn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/revised`;
    const policy = (action: string) => allow(USER("reader"), action, arn);
    const put = async (action: string, ExpectedRevisionId?: string) => (await root.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy(action), ExpectedRevisionId }))).RevisionId ?? "";
    const first = await put("dynamodb:GetItem", "NO_POLICY");
    assert.equal(await put("dynamodb:GetItem"), first, "the same policy again changes nothing");
    const exists = await refusal(put("dynamodb:PutItem", "NO_POLICY"));
    assert.ok(exists instanceof PolicyNotFoundException);
    assert.equal(exists.message, `Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be present for table revised, but a policy exists with revision id ${first}.`);
    const second = await put("dynamodb:PutItem", first);
    const stale = (expected: string) => `Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id ${expected}, but the policy associated to target table revised has revision id ${second}.`;
    assert.equal((await refusal(put("dynamodb:Query", first))).message, stale(first));
    assert.equal((await refusal(root.send(new DeleteResourcePolicyCommand({ ResourceArn: arn, ExpectedRevisionId: first })))).message, stale(first));
    assert.equal((await refusal(root.send(new DeleteResourcePolicyCommand({ ResourceArn: arn, ExpectedRevisionId: "unknown" })))).message, stale("unknown"));
    assert.equal((await root.send(new DeleteResourcePolicyCommand({ ResourceArn: arn, ExpectedRevisionId: second }))).RevisionId, second);
  });

  it("CreateTable keeps a ResourcePolicy; bad input is refused with DynamoDB's errors; a table created again has none", async () => {
    const created = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/born-with-policy`;
    await root.send(new CreateTableCommand({
      TableName: "born-with-policy", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      ResourcePolicy: allow(USER("reader"), "dynamodb:GetItem", created),
    }));
    assert.match((await root.send(new GetResourcePolicyCommand({ ResourceArn: created }))).Policy ?? "", /user\/reader/);
    await root.send(new DeleteTableCommand({ TableName: "born-with-policy" }));
    await root.send(new CreateTableCommand({ TableName: "born-with-policy", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] }));
    assert.ok((await refusal(root.send(new GetResourcePolicyCommand({ ResourceArn: created })))) instanceof PolicyNotFoundException);

    const raw = async (operation: string, body: unknown) => {
      const response = await signedFetch(unkai.url, { method: "POST", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` }, body: JSON.stringify(body) });
      return { status: response.status, json: (await response.json()) as { __type?: string; message?: string } };
    };
    const cases: [string, unknown, string, RegExp][] = [
      ["PutResourcePolicy", { ResourceArn: TABLE, Policy: "{not json" }, "ValidationException", /Invalid policy document/],
      ["PutResourcePolicy", { ResourceArn: TABLE, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "dynamodb:GetItem", Resource: TABLE, Padding: "x".repeat(21_000) }] }) }, "ValidationException", /at most 20480 bytes/],
      ["PutResourcePolicy", { ResourceArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/missing-table`, Policy: allow(USER("reader"), "dynamodb:GetItem", "*") }, "ResourceNotFoundException", /Table: missing-table not found/],
      ["PutResourcePolicy", { ResourceArn: `${TABLE}/stream/2020-01-01T00:00:00.000`, Policy: allow(USER("reader"), "dynamodb:GetRecords", "*") }, "ResourceNotFoundException", /Stream: .* not found/],
      ["PutResourcePolicy", { ResourceArn: "arn:aws:dynamodb:eu-west-1:111111111111:table/shared", Policy: allow(USER("reader"), "dynamodb:GetItem", "*") }, "ValidationException", /neither a table nor a stream ARN of this account and Region/],
      ["GetResourcePolicy", { ResourceArn: 42 }, "SerializationException", /./],
      ["DeleteResourcePolicy", {}, "ValidationException", /resourceArn.*must not be null/],
    ];
    for (const [operation, body, type, message] of cases) {
      const answer = await raw(operation, body);
      assert.equal(answer.status, 400, `${operation} ${JSON.stringify(answer.json)}`);
      assert.equal(answer.json.__type, type, JSON.stringify(answer.json));
      assert.match(answer.json.message ?? "", message, JSON.stringify(answer.json));
    }
    assert.match((await root.send(new GetResourcePolicyCommand({ ResourceArn: TABLE }))).Policy ?? "", /user\/admin/, "no refused request changed the table's policy");
  });
});
