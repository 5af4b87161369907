/**
 * The principals, resources and calls of test/iam-matrix.test.ts: IAM users with their own keys (inline,
 * managed, group policies, a permissions boundary), AssumeRole sessions (with and without session
 * policies, of a role with a boundary), resource policies (bucket, queue, function, topic), and the real
 * SDK v3 calls each case makes with the principal's own credentials (one client per principal and service).
 */
import {
  AddUserToGroupCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand,
  CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMClient, ListUsersCommand, PutGroupPolicyCommand, PutRolePolicyCommand, PutUserPolicyCommand, TagUserCommand,
} from "@aws-sdk/client-iam";
import { AddPermissionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, GetTopicAttributesCommand, PublishCommand, SetTopicAttributesCommand, SNSClient, TagResourceCommand as SnsTagCommand } from "@aws-sdk/client-sns";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TagResourceCommand as DdbTagCommand } from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { createFromFixture, DEFAULT_CREDENTIALS } from "./clients.js";
import type { Keys } from "./outcome.js";

export const ACCOUNT = "000000000000";
const REGION = "us-east-1";
export const BUCKET = "matrix-data";
export const OTHER_BUCKET = "matrix-other";
export const QUEUE = "matrix-q";
export const POLICY_QUEUE = "matrix-policy-q";
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:matrix-topic`;
export const TABLE = "matrix-table";
export const FUNCTION = "matrix-fn";
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const session = (r: string, s: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${r}/${s}`;
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** One SDK v3 client per principal and service, made on first use. */
export class Clients {
  private readonly made = new Map<string, unknown>();
  constructor(private readonly url: string, private readonly keys: Keys) {}
  private get<T>(name: string, make: () => T): T {
    if (!this.made.has(name)) this.made.set(name, make());
    return this.made.get(name) as T;
  }
  private options() {
    return { endpoint: this.url, region: REGION, credentials: this.keys, maxAttempts: 1 };
  }
  get s3(): S3Client { return this.get("s3", () => new S3Client({ ...this.options(), forcePathStyle: true })); }
  get sqs(): SQSClient { return this.get("sqs", () => new SQSClient(this.options())); }
  get sns(): SNSClient { return this.get("sns", () => new SNSClient(this.options())); }
  get lambda(): LambdaClient { return this.get("lambda", () => new LambdaClient(this.options())); }
  get ddb(): DynamoDBClient { return this.get("ddb", () => new DynamoDBClient(this.options())); }
  get iam(): IAMClient { return this.get("iam", () => new IAMClient(this.options())); }
  get sts(): STSClient { return this.get("sts", () => new STSClient(this.options())); }
  get logs(): CloudWatchLogsClient { return this.get("logs", () => new CloudWatchLogsClient(this.options())); }
  get events(): EventBridgeClient { return this.get("events", () => new EventBridgeClient(this.options())); }
  destroy(): void {
    for (const client of this.made.values()) (client as { destroy(): void }).destroy();
  }
}

export interface World {
  readonly url: string;
  readonly queueUrl: string;
  readonly policyQueueUrl: string;
  readonly principals: ReadonlyMap<string, Clients>;
}

/** A call a case makes, by name, with the principal's clients. */
export type Call = (c: Clients, w: World) => Promise<unknown>;

const body = "x";
/** The calls every principal of the matrix makes (test/helpers/iam-matrix-cases.ts says who may). */
export const STANDARD_CALLS: Record<string, Call> = {
  "s3:GetObject public/a.txt": (c) => c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "public/a.txt" })),
  "s3:GetObject home/alice/a.txt": (c) => c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "home/alice/a.txt" })),
  "s3:PutObject shared/x.txt": (c) => c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "shared/x.txt", Body: body })),
  "s3:ListObjectsV2 matrix-other": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: OTHER_BUCKET })),
  "sqs:SendMessage matrix-q": (c, w) => c.sqs.send(new SendMessageCommand({ QueueUrl: w.queueUrl, MessageBody: body })),
  "sqs:GetQueueAttributes matrix-q": (c, w) => c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: w.queueUrl, AttributeNames: ["All"] })),
  "sqs:SendMessage matrix-policy-q": (c, w) => c.sqs.send(new SendMessageCommand({ QueueUrl: w.policyQueueUrl, MessageBody: body })),
  "sns:Publish matrix-topic": (c) => c.sns.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: body })),
  "lambda:Invoke matrix-fn (DryRun)": (c) => c.lambda.send(new InvokeCommand({ FunctionName: FUNCTION, InvocationType: "DryRun" })),
  "dynamodb:GetItem": (c) => c.ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: "a" } } })),
  "dynamodb:PutItem": (c) => c.ddb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: "b" } } })),
  "iam:ListUsers": (c) => c.iam.send(new ListUsersCommand({})),
  "iam:GetRole reader-role": (c) => c.iam.send(new GetRoleCommand({ RoleName: "reader-role" })),
  "sts:AssumeRole reader-role": (c) => c.sts.send(new AssumeRoleCommand({ RoleArn: role("reader-role"), RoleSessionName: "probe" })),
  "sts:GetCallerIdentity": (c) => c.sts.send(new GetCallerIdentityCommand({})),
  "logs:DescribeLogGroups": (c) => c.logs.send(new DescribeLogGroupsCommand({})),
  "events:PutEvents default": async (c) => {
    const answer = await c.events.send(new PutEventsCommand({ Entries: [{ Source: "matrix", DetailType: "probe", Detail: "{}" }] }));
    if (answer.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(answer.Entries)}`);
  },
};

/** Calls only the condition cases make. */
export const CONDITION_CALLS: Record<string, Call> = {
  "s3:ListObjectsV2 matrix-data prefix public/": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "public/" })),
  "s3:ListObjectsV2 matrix-data prefix reports/2024/": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "reports/2024/" })),
  "s3:ListObjectsV2 matrix-data prefix reports/1999/": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "reports/1999/" })),
  "s3:ListObjectsV2 matrix-data prefix home/alice/": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "home/alice/" })),
  "s3:ListObjectsV2 matrix-data prefix home/bob/": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "home/bob/" })),
  "s3:ListObjectsV2 matrix-data": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET })),
  "s3:ListObjectsV2 matrix-other MaxKeys 5": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: OTHER_BUCKET, MaxKeys: 5 })),
  "s3:ListObjectsV2 matrix-other MaxKeys 50": (c) => c.s3.send(new ListObjectsV2Command({ Bucket: OTHER_BUCKET, MaxKeys: 50 })),
  "s3:GetObject tagged.txt (secret tag)": (c) => c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "tagged.txt" })),
  "s3:PutObject home/alice/b.txt": (c) => c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "home/alice/b.txt", Body: body })),
  "s3:PutObject home/bob/b.txt": (c) => c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "home/bob/b.txt", Body: body })),
  "sqs:TagQueue team": (c, w) => c.sqs.send(new TagQueueCommand({ QueueUrl: w.queueUrl, Tags: { team: "a" } })),
  "sqs:TagQueue env": (c, w) => c.sqs.send(new TagQueueCommand({ QueueUrl: w.queueUrl, Tags: { env: "b" } })),
  "sns:TagResource team": (c) => c.sns.send(new SnsTagCommand({ ResourceArn: TOPIC_ARN, Tags: [{ Key: "team", Value: "a" }] })),
  "sns:TagResource team,env": (c) => c.sns.send(new SnsTagCommand({ ResourceArn: TOPIC_ARN, Tags: [{ Key: "team", Value: "a" }, { Key: "env", Value: "b" }] })),
  "sns:TagResource team,owner": (c) => c.sns.send(new SnsTagCommand({ ResourceArn: TOPIC_ARN, Tags: [{ Key: "team", Value: "a" }, { Key: "owner", Value: "c" }] })),
  "dynamodb:TagResource cost-center,x": (c) => c.ddb.send(new DdbTagCommand({ ResourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`, Tags: [{ Key: "cost-center", Value: "1" }, { Key: "x", Value: "2" }] })),
  "dynamodb:TagResource x": (c) => c.ddb.send(new DdbTagCommand({ ResourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`, Tags: [{ Key: "x", Value: "2" }] })),
  "sqs:GetQueueAttributes matrix-policy-q": (c, w) => c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: w.policyQueueUrl, AttributeNames: ["All"] })),
  "sns:GetTopicAttributes matrix-topic": (c) => c.sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN })),
  "s3:GetObject matrix-other/np/a.txt": (c) => c.s3.send(new GetObjectCommand({ Bucket: OTHER_BUCKET, Key: "np/a.txt" })),
  "lambda:Invoke matrix-fn (RequestResponse)": async (c) => {
    const answer = await c.lambda.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: Buffer.from("{}") }));
    if (answer.FunctionError) throw new Error(`function error ${answer.FunctionError}`);
  },
};

async function keysFor(iam: IAMClient, name: string, setup: (n: string) => Promise<unknown> = async () => undefined, boundary?: string): Promise<Keys> {
  await iam.send(new CreateUserCommand({ UserName: name, PermissionsBoundary: boundary }));
  await setup(name);
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

async function createResources(root: Clients): Promise<{ queueUrl: string; policyQueueUrl: string }> {
  await root.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await root.s3.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
  for (const Key of ["public/a.txt", "home/alice/a.txt", "home/bob/a.txt"]) await root.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: body }));
  await root.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "tagged.txt", Body: body, Tagging: "secret=1" }));
  await root.s3.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: "np/a.txt", Body: body }));
  const queueUrl = (await root.sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl ?? "";
  const policyQueueUrl = (await root.sqs.send(new CreateQueueCommand({ QueueName: POLICY_QUEUE }))).QueueUrl ?? "";
  await root.sns.send(new CreateTopicCommand({ Name: "matrix-topic" }));
  await root.ddb.send(new CreateTableCommand({
    TableName: TABLE, BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  }));
  await root.logs.send(new CreateLogGroupCommand({ logGroupName: "/matrix/app" }));
  const trust = doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });
  await root.iam.send(new CreateRoleCommand({ RoleName: "matrix-fn-role", AssumeRolePolicyDocument: trust }));
  await createFromFixture(root.lambda, FUNCTION, "node-cjs", { Role: role("matrix-fn-role") });
  return { queueUrl, policyQueueUrl };
}

/** Resource policies: AWS's "same account" examples (a user named alone, a role, a session, an explicit Deny). */
async function putResourcePolicies(root: Clients, w: { queueUrl: string; policyQueueUrl: string }): Promise<void> {
  await root.s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: doc(
    { Sid: "GuestReadsPublic", Effect: "Allow", Principal: { AWS: user("guest") }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/public/*` },
    { Sid: "DenyAdminWrites", Effect: "Deny", Principal: { AWS: user("admin-denied") }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/*` },
    { Sid: "RoleWritesShared", Effect: "Allow", Principal: { AWS: role("bounded-role") }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/shared/*` },
    { Sid: "SessionWritesShared", Effect: "Allow", Principal: { AWS: session("bounded-role", "named") }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/shared/*` },
  ) }));
  await root.sqs.send(new SetQueueAttributesCommand({ QueueUrl: w.policyQueueUrl, Attributes: { Policy: doc(
    { Sid: "GuestSends", Effect: "Allow", Principal: { AWS: user("guest") }, Action: "sqs:SendMessage", Resource: queueArn(POLICY_QUEUE) },
    { Sid: "DenyAdmin", Effect: "Deny", Principal: { AWS: user("admin-denied") }, Action: "sqs:SendMessage", Resource: queueArn(POLICY_QUEUE) },
    { Sid: "EveryoneReadsAttributes", Effect: "Allow", Principal: "*", Action: "sqs:GetQueueAttributes", Resource: queueArn(POLICY_QUEUE) },
  ) } }));
  await root.s3.send(new PutBucketPolicyCommand({ Bucket: OTHER_BUCKET, Policy: doc(
    { Sid: "OnlyAdminReadsNp", Effect: "Deny", NotPrincipal: { AWS: [user("admin"), user("bounded-user"), `arn:aws:iam::${ACCOUNT}:root`] }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${OTHER_BUCKET}/np/*` },
  ) }));
  await root.sns.send(new SetTopicAttributesCommand({ TopicArn: TOPIC_ARN, AttributeName: "Policy", AttributeValue: doc(
    { Sid: "GuestPublishes", Effect: "Allow", Principal: { AWS: [user("guest"), user("bounded-user")] }, Action: "sns:Publish", Resource: TOPIC_ARN },
    { Sid: "DenyAdmin", Effect: "Deny", Principal: { AWS: user("admin-denied") }, Action: "sns:Publish", Resource: TOPIC_ARN },
    { Sid: "AccountDelegates", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sns:GetTopicAttributes", Resource: TOPIC_ARN },
  ) }));
  await root.lambda.send(new AddPermissionCommand({ FunctionName: FUNCTION, StatementId: "guest", Action: "lambda:InvokeFunction", Principal: user("guest") }));
  await root.lambda.send(new AddPermissionCommand({ FunctionName: FUNCTION, StatementId: "reader", Action: "lambda:InvokeFunction", Principal: role("reader-role") }));
}

/** Identity policies of the users (and groups) the cases name. */
async function createUsers(iam: IAMClient): Promise<Map<string, Keys>> {
  const keys = new Map<string, Keys>();
  // IAM caps a user's inline policies at 2,048 bytes together, so the condition statements go in managed policies of four.
  const inline = (statements: object[]) => (n: string) => iam.send(new PutUserPolicyCommand({ UserName: n, PolicyName: "inline", PolicyDocument: doc(...statements) }));
  const managedChunks = (statements: object[]) => async (n: string) => {
    for (let i = 0; i < statements.length; i += 4) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `${n}-${i / 4}`, PolicyDocument: doc(...statements.slice(i, i + 4)) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: n, PolicyArn: Policy?.Arn }));
    }
  };
  const attach = (...arns: string[]) => async (n: string) => { for (const PolicyArn of arns) await iam.send(new AttachUserPolicyCommand({ UserName: n, PolicyArn })); };
  const both = (...steps: ((n: string) => Promise<unknown>)[]) => async (n: string) => { for (const step of steps) await step(n); };
  const tag = (Key: string, Value: string) => (n: string) => iam.send(new TagUserCommand({ UserName: n, Tags: [{ Key, Value }] }));
  const join = (...groups: string[]) => async (n: string) => { for (const GroupName of groups) await iam.send(new AddUserToGroupCommand({ GroupName, UserName: n })); };

  await iam.send(new CreateGroupCommand({ GroupName: "devs" }));
  await iam.send(new PutGroupPolicyCommand({ GroupName: "devs", PolicyName: "devs", PolicyDocument: doc(
    { Effect: "Allow", Action: ["sqs:SendMessage", "sqs:GetQueueAttributes"], Resource: queueArn(QUEUE) },
    { Effect: "Allow", Action: "dynamodb:GetItem", Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}` },
    { Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${BUCKET}`, Condition: { StringLike: { "s3:prefix": ["home/${aws:username}/*"] } } },
    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::${BUCKET}/home/\${aws:username}/*` },
  ) }));
  await iam.send(new CreateGroupCommand({ GroupName: "guarded" }));
  await iam.send(new PutGroupPolicyCommand({ GroupName: "guarded", PolicyName: "guard", PolicyDocument: doc({ Effect: "Deny", Action: ["dynamodb:PutItem", "sqs:SendMessage"], Resource: "*" }) }));
  const userBoundary = await iam.send(new CreatePolicyCommand({ PolicyName: "matrix-user-boundary", PolicyDocument: doc({ Effect: "Allow", Action: ["s3:*", "sqs:*"], Resource: "*" }) }));

  const specs: [string, ((n: string) => Promise<unknown>) | undefined, string?][] = [
    ["admin", attach(managed("AdministratorAccess"))],
    ["nobody", undefined],
    ["guest", undefined],
    ["admin-denied", attach(managed("AdministratorAccess"))],
    ["alice", join("devs")],
    ["bob", join("devs")],
    ["carol", both(join("devs", "guarded"), inline([{ Effect: "Allow", Action: "dynamodb:*", Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}` }]))],
    ["dave", both(attach(managed("AdministratorAccess")), inline([{ Effect: "Deny", NotAction: ["s3:*", "iam:Get*", "iam:List*"], Resource: "*" }]))],
    ["erin", inline([
      { Effect: "Allow", Action: "s3:*", Resource: "*" },
      { Effect: "Deny", Action: "s3:*", NotResource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] },
      { Effect: "Allow", Action: "sqs:*", NotResource: queueArn(POLICY_QUEUE) },
    ])],
    ["power", attach(managed("PowerUserAccess"))],
    ["bounded-user", attach(managed("AdministratorAccess")), userBoundary.Policy?.Arn],
    ["tls-only", both(attach(managed("AmazonS3FullAccess"), managed("AmazonSQSFullAccess")),
      inline([{ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }]))],
    ["assumer", undefined],
    ["cond", managedChunks(CONDITION_STATEMENTS)],
    ["tagged", both(tag("team", "blue"), inline(TAG_STATEMENTS))],
    ["untagged", inline(TAG_STATEMENTS)],
  ];
  for (const [name, setup, boundary] of specs) keys.set(name, await keysFor(iam, name, setup, boundary));
  return keys;
}

/** The `cond` user's statements: one condition operator each (AWS's "IAM JSON policy elements: Condition operators" examples). */
const CONDITION_STATEMENTS: object[] = [
  { Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: queueArn(QUEUE), Condition: { IpAddress: { "aws:SourceIp": "127.0.0.0/8" } } },
  { Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn(QUEUE), Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } } },
  { Effect: "Allow", Action: "sns:Publish", Resource: TOPIC_ARN, Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
  { Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*", Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } } },
  { Effect: "Allow", Action: "dynamodb:PutItem", Resource: "*", Condition: { DateLessThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } } },
  { Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${BUCKET}`, Condition: { StringLike: { "s3:prefix": ["public/*", "reports/20??/*"] } } },
  { Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${OTHER_BUCKET}`, Condition: { NumericLessThanEquals: { "s3:max-keys": "10" } } },
  { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: { Null: { "s3:ExistingObjectTag/secret": "true" } } },
  { Effect: "Allow", Action: "sqs:TagQueue", Resource: queueArn(QUEUE), Condition: { Null: { "aws:RequestTag/team": "false" } } },
  { Effect: "Allow", Action: "sns:TagResource", Resource: TOPIC_ARN, Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["team", "env"] } } },
  { Effect: "Allow", Action: "dynamodb:TagResource", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["cost-center"] } } },
  { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*", Condition: { StringEqualsIgnoreCase: { "aws:username": "COND" } } },
  { Effect: "Allow", Action: "events:PutEvents", Resource: "*", Condition: { StringEquals: { "aws:username": "COND" } } },
  { Effect: "Allow", Action: "iam:ListUsers", Resource: "*", Condition: { StringNotEquals: { "aws:username": "cond" } } },
  { Effect: "Allow", Action: "iam:GetRole", Resource: "*", Condition: { StringNotLike: { "aws:username": "x*" } } },
  { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*", Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:user/co*" } } },
];

/** The tagged and untagged users' statements: principal tags, a variable's default, …IfExists, set operators on a missing key. */
const TAG_STATEMENTS: object[] = [
  { Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "blue" } } },
  { Effect: "Allow", Action: "dynamodb:PutItem", Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/\${aws:PrincipalTag/team, '${TABLE}'}` },
  { Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: "*", Condition: { StringEqualsIfExists: { "aws:PrincipalTag/team": "blue" } } },
  { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["x"] } } },
  { Effect: "Allow", Action: "events:PutEvents", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["x"] } } },
];

/** Roles and the AssumeRole sessions the cases name (`role/session`). */
async function createSessions(iam: IAMClient, assumer: STSClient): Promise<Map<string, Keys>> {
  const trust = doc({ Effect: "Allow", Principal: { AWS: user("assumer") }, Action: "sts:AssumeRole" });
  await iam.send(new CreateRoleCommand({ RoleName: "reader-role", AssumeRolePolicyDocument: trust }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: "reader-role", PolicyArn: managed("AmazonS3ReadOnlyAccess") }));
  await iam.send(new PutRolePolicyCommand({ RoleName: "reader-role", PolicyName: "queue", PolicyDocument: doc({ Effect: "Allow", Action: ["sqs:SendMessage", "sqs:GetQueueAttributes"], Resource: queueArn(QUEUE) }) }));
  const roleBoundary = await iam.send(new CreatePolicyCommand({ PolicyName: "matrix-role-boundary", PolicyDocument: doc({ Effect: "Allow", Action: ["sqs:*", "sns:*"], Resource: "*" }) }));
  await iam.send(new CreateRoleCommand({ RoleName: "bounded-role", AssumeRolePolicyDocument: trust, PermissionsBoundary: roleBoundary.Policy?.Arn }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: "bounded-role", PolicyArn: managed("AdministratorAccess") }));

  const sessions = new Map<string, Keys>();
  const assume = async (roleName: string, name: string, extra: { Policy?: string; PolicyArns?: { arn: string }[] } = {}) => {
    const { Credentials } = await assumer.send(new AssumeRoleCommand({ RoleArn: role(roleName), RoleSessionName: name, ...extra }));
    sessions.set(`${roleName}/${name}`, { accessKeyId: Credentials?.AccessKeyId ?? "", secretAccessKey: Credentials?.SecretAccessKey ?? "", sessionToken: Credentials?.SessionToken });
  };
  await assume("reader-role", "plain");
  await assume("reader-role", "narrow", { Policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/public/*` }) });
  await assume("reader-role", "arns", { PolicyArns: [{ arn: managed("AmazonSQSFullAccess") }, { arn: managed("AmazonDynamoDBFullAccess") }] });
  await assume("bounded-role", "anon");
  await assume("bounded-role", "named");
  return sessions;
}

/** Creates every resource, policy and principal, and a client set per principal (`root` is the account's own key). */
export async function buildWorld(url: string): Promise<World> {
  const root = new Clients(url, DEFAULT_CREDENTIALS);
  const urls = await createResources(root);
  const users = await createUsers(root.iam);
  const assumer = new Clients(url, users.get("assumer") as Keys);
  const sessions = await createSessions(root.iam, assumer.sts);
  assumer.destroy();
  await putResourcePolicies(root, urls);
  const principals = new Map<string, Clients>([["root", root]]);
  for (const [name, keys] of [...users, ...sessions]) principals.set(name, new Clients(url, keys));
  return { url, ...urls, principals };
}
