/**
 * `aws:ResourceTag/<key>` (attribute-based access control) under `--iam enforce`, with an IAM user's own keys
 * through the SDK v3 and the AWS CLI v2: a user tagged team=a whose only policy allows each action where the
 * resource's `team` tag equals `${aws:PrincipalTag/team}` may use the team-a function, queue, topic, table,
 * bucket and rule, is refused the team-b ones with each service's AccessDenied and AWS's sentence, and is
 * allowed the team-b one on the next request after the root retags it (the tag cache is invalidated), and
 * refused again once the tag is removed. Kinesis streams and API Gateway's HTTP and REST APIs and stages likewise
 * (a REST stage inherits its API's tags, its own winning, as AWS documents for the V1 API; an HTTP API's stage does
 * not). A caller whose policies never mention the key never looks tags up.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMClient, PutUserPolicyCommand, TagRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient, TagResourceCommand, UntagResourceCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, PublishCommand, SNSClient, TagResourceCommand as TagTopicCommand } from "@aws-sdk/client-sns";
import { CreateTableCommand, DynamoDBClient, PutItemCommand, TagResourceCommand as TagTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutBucketTaggingCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeRuleCommand, EventBridgeClient, PutRuleCommand, TagResourceCommand as TagRuleCommand } from "@aws-sdk/client-eventbridge";
import {
  AddTagsToStreamCommand, CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand, RemoveTagsFromStreamCommand,
  TagResourceCommand as TagStreamCommand,
} from "@aws-sdk/client-kinesis";
import {
  ApiGatewayV2Client, CreateApiCommand, CreateStageCommand as CreateHttpStageCommand, GetApiCommand, GetStageCommand as GetHttpStageCommand,
  TagResourceCommand as TagHttpApiCommand, UntagResourceCommand as UntagHttpApiCommand,
} from "@aws-sdk/client-apigatewayv2";
import {
  APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, GetResourcesCommand, GetRestApiCommand, GetStageCommand as GetRestStageCommand,
  PutMethodCommand, TagResourceCommand as TagRestApiCommand, UntagResourceCommand as UntagRestApiCommand,
} from "@aws-sdk/client-api-gateway";
import { IamEnforcer } from "../src/auth/iam-enforcer.js";
import { ResourceTagChanges, withResourceTagChangeCount } from "../src/auth/resource-tag-changes.js";
import { resourceTagLookup } from "../src/auth/resource-tags.js";
import type { UnkaiRequest } from "../src/protocol/http.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { awsAs, DEFAULT_CREDENTIALS, fixtureZip, invoke } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { attempt, type Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const SAME_TEAM = { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } };
const ABAC = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{
    Effect: "Allow", Resource: "*", Condition: SAME_TEAM,
    Action: [
      "lambda:InvokeFunction", "sqs:SendMessage", "sns:Publish", "dynamodb:PutItem", "s3:ListBucket", "events:DescribeRule", "iam:GetRole",
      "kinesis:DescribeStreamSummary", "kinesis:PutRecord", "apigateway:GET",
    ],
  }, {
    Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: "arn:aws:s3:::abac-a/*",
    Condition: { StringEquals: { "s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}" } },
  }],
});
/** Tagging allowed only with the caller's own team as the value and `team` as the only key. */
const TAG_OWN_TEAM = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{
    Effect: "Allow", Resource: "*", Action: ["lambda:TagResource", "lambda:UntagResource", "sqs:CreateQueue", "sns:TagResource"],
    Condition: { StringEqualsIfExists: { "aws:RequestTag/team": "${aws:PrincipalTag/team}" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] }, Null: { "aws:TagKeys": "false" } },
  }],
});
/** AWS's sentence for this user's implicit deny. */
const denied = (action: string, resource: string) =>
  `User: arn:aws:iam::${ACCOUNT}:user/dev-a is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

describe("aws:ResourceTag under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const root = { endpoint: "", region: REGION, credentials: DEFAULT_CREDENTIALS };
  let dev: Keys;
  const as = (credentials: Keys | typeof DEFAULT_CREDENTIALS) => ({ endpoint: suite.unkai.url, region: REGION, credentials });

  before(async () => {
    root.endpoint = suite.unkai.url;
    const iam = new IAMClient(root);
    await iam.send(new CreateUserCommand({ UserName: "dev-a", Tags: [{ Key: "team", Value: "a" }] }));
    await iam.send(new PutUserPolicyCommand({ UserName: "dev-a", PolicyName: "same-team", PolicyDocument: ABAC }));
    await iam.send(new PutUserPolicyCommand({ UserName: "dev-a", PolicyName: "tag-own-team", PolicyDocument: TAG_OWN_TEAM }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "dev-a" }));
    dev = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  });

  it("Lambda: invokes the team's function, is refused the other team's until TagResource retags it, and again after UntagResource (SDK v3, CLI)", async () => {
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await new IAMClient(root).send(new CreateRoleCommand({ RoleName: "abac-fn", AssumeRolePolicyDocument: trust }));
    const lambdaRoot = new LambdaClient(root);
    for (const team of ["a", "b"]) {
      await lambdaRoot.send(new CreateFunctionCommand({
        FunctionName: `fn-${team}`, Runtime: "nodejs20.x", Handler: "index.handler", Role: `arn:aws:iam::${ACCOUNT}:role/abac-fn`,
        Code: { ZipFile: await fixtureZip("node-esm") }, Tags: { team },
      }));
    }
    const lambda = new LambdaClient(as(dev));
    assert.equal((await invoke(lambda, "fn-a", { hi: 1 }, false)).payload.includes("\"hi\":1"), true);
    const arnB = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-b`;
    assert.equal(await attempt(() => invoke(lambda, "fn-b")), `AccessDeniedException: ${denied("lambda:InvokeFunction", arnB)}`);

    await lambdaRoot.send(new TagResourceCommand({ Resource: arnB, Tags: { team: "a" } }));
    assert.equal(await attempt(() => invoke(lambda, "fn-b", {}, false)), "ok", "the retag counts from the next request");

    await lambdaRoot.send(new UntagResourceCommand({ Resource: arnB, TagKeys: ["team"] }));
    const dir = mkdtempSync(join(tmpdir(), "abac-"));
    try {
      const run = await awsAs(suite.unkai.url, dev, ["lambda", "invoke", "--function-name", "fn-b", join(dir, "out.json")]);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /AccessDeniedException/);
      assert.ok(run.stderr.includes(denied("lambda:InvokeFunction", arnB)), run.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("SQS: SendMessage to the team's queue only, until TagQueue retags the other", async () => {
    const sqsRoot = new SQSClient(root);
    const urls: Record<string, string> = {};
    for (const team of ["a", "b"]) urls[team] = (await sqsRoot.send(new CreateQueueCommand({ QueueName: `q-${team}`, tags: { team } }))).QueueUrl ?? "";
    const sqs = new SQSClient(as(dev));
    assert.equal(await attempt(() => sqs.send(new SendMessageCommand({ QueueUrl: urls.a, MessageBody: "x" }))), "ok");
    const arnB = `arn:aws:sqs:${REGION}:${ACCOUNT}:q-b`;
    assert.match(await attempt(() => sqs.send(new SendMessageCommand({ QueueUrl: urls.b, MessageBody: "x" }))), new RegExp(`^(AccessDenied|AccessDeniedException): ${escape(denied("sqs:SendMessage", arnB))}`));
    await sqsRoot.send(new TagQueueCommand({ QueueUrl: urls.b, Tags: { team: "a" } }));
    assert.equal(await attempt(() => sqs.send(new SendMessageCommand({ QueueUrl: urls.b, MessageBody: "x" }))), "ok");
  });

  it("a queue policy that tests aws:ResourceTag decides for a user with no policy of its own, and follows TagQueue", async () => {
    const iam = new IAMClient(root);
    await iam.send(new CreateUserCommand({ UserName: "plain" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "plain" }));
    const plain = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    const sqsRoot = new SQSClient(root);
    const url = (await sqsRoot.send(new CreateQueueCommand({ QueueName: "q-open", tags: { open: "yes" } }))).QueueUrl ?? "";
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:q-open`;
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/plain` }, Action: "sqs:SendMessage", Resource: arn, Condition: { StringEquals: { "aws:ResourceTag/open": "yes" } } }],
    });
    await sqsRoot.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: policy } }));
    const sqs = new SQSClient(as(plain));
    assert.equal(await attempt(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }))), "ok", "the queue policy names the user and its tag condition holds");
    await sqsRoot.send(new TagQueueCommand({ QueueUrl: url, Tags: { open: "no" } }));
    assert.match(await attempt(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }))), /is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:q-open/);
  });

  it("SNS: Publish to the team's topic only, until TagResource retags the other", async () => {
    const snsRoot = new SNSClient(root);
    const arns: Record<string, string> = {};
    for (const team of ["a", "b"]) arns[team] = (await snsRoot.send(new CreateTopicCommand({ Name: `t-${team}`, Tags: [{ Key: "team", Value: team }] }))).TopicArn ?? "";
    const sns = new SNSClient(as(dev));
    assert.equal(await attempt(() => sns.send(new PublishCommand({ TopicArn: arns.a, Message: "x" }))), "ok");
    assert.equal(await attempt(() => sns.send(new PublishCommand({ TopicArn: arns.b, Message: "x" }))), `AuthorizationErrorException: ${denied("sns:Publish", arns.b!)}`);
    await snsRoot.send(new TagTopicCommand({ ResourceArn: arns.b, Tags: [{ Key: "team", Value: "a" }] }));
    assert.equal(await attempt(() => sns.send(new PublishCommand({ TopicArn: arns.b, Message: "x" }))), "ok");
  });

  it("DynamoDB: PutItem into the team's table only, until TagResource retags the other", async () => {
    const ddbRoot = new DynamoDBClient(root);
    const arns: Record<string, string> = {};
    for (const team of ["a", "b"]) {
      const made = await ddbRoot.send(new CreateTableCommand({
        TableName: `tbl-${team}`, BillingMode: "PAY_PER_REQUEST", Tags: [{ Key: "team", Value: team }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }));
      arns[team] = made.TableDescription?.TableArn ?? "";
    }
    const ddb = new DynamoDBClient(as(dev));
    const put = (team: string) => ddb.send(new PutItemCommand({ TableName: `tbl-${team}`, Item: { id: { S: "1" } } }));
    assert.equal(await attempt(() => put("a")), "ok");
    assert.equal(await attempt(() => put("b")), `AccessDeniedException: ${denied("dynamodb:PutItem", arns.b!)}`);
    await ddbRoot.send(new TagTableCommand({ ResourceArn: arns.b, Tags: [{ Key: "team", Value: "a" }] }));
    assert.equal(await attempt(() => put("b")), "ok");
  });

  it("S3: ListObjectsV2 on the team's bucket only, until PutBucketTagging retags the other", async () => {
    const s3Root = new S3Client({ ...root, forcePathStyle: true });
    for (const team of ["a", "b"]) {
      await s3Root.send(new CreateBucketCommand({ Bucket: `abac-${team}` }));
      await s3Root.send(new PutBucketTaggingCommand({ Bucket: `abac-${team}`, Tagging: { TagSet: [{ Key: "team", Value: team }] } }));
    }
    const s3 = new S3Client({ ...as(dev), forcePathStyle: true });
    const list = (team: string) => s3.send(new ListObjectsV2Command({ Bucket: `abac-${team}` }));
    assert.equal(await attempt(() => list("a")), "ok");
    assert.equal(await attempt(() => list("b")), `AccessDenied: ${denied("s3:ListBucket", "arn:aws:s3:::abac-b")}`);
    await s3Root.send(new PutBucketTaggingCommand({ Bucket: "abac-b", Tagging: { TagSet: [{ Key: "team", Value: "a" }] } }));
    assert.equal(await attempt(() => list("b")), "ok");
  });

  it("S3 objects: GetObject where s3:ExistingObjectTag/team is the user's team, until PutObjectTagging retags the object", async () => {
    const s3Root = new S3Client({ ...root, forcePathStyle: true });
    for (const team of ["a", "b"]) await s3Root.send(new PutObjectCommand({ Bucket: "abac-a", Key: `doc-${team}`, Body: team, Tagging: `team=${team}` }));
    const s3 = new S3Client({ ...as(dev), forcePathStyle: true });
    const get = (team: string) => s3.send(new GetObjectCommand({ Bucket: "abac-a", Key: `doc-${team}` })).then((r) => r.Body?.transformToString());
    assert.equal(await get("a"), "a");
    assert.equal(await attempt(() => get("b")), `AccessDenied: ${denied("s3:GetObject", "arn:aws:s3:::abac-a/doc-b")}`);
    await s3Root.send(new PutObjectTaggingCommand({ Bucket: "abac-a", Key: "doc-b", Tagging: { TagSet: [{ Key: "team", Value: "a" }] } }));
    assert.equal(await get("b"), "b");
    // S3 does not supply the key to DeleteObject ("you cannot … delete … an object based on its existing tags"): the Allow never applies.
    assert.equal(await attempt(() => s3.send(new DeleteObjectCommand({ Bucket: "abac-a", Key: "doc-a" }))), `AccessDenied: ${denied("s3:DeleteObject", "arn:aws:s3:::abac-a/doc-a")}`);
  });

  it("EventBridge: DescribeRule on the team's rule only, until TagResource retags the other", async () => {
    const eventsRoot = new EventBridgeClient(root);
    const arns: Record<string, string> = {};
    for (const team of ["a", "b"]) {
      arns[team] = (await eventsRoot.send(new PutRuleCommand({ Name: `r-${team}`, ScheduleExpression: "rate(1 day)", State: "DISABLED", Tags: [{ Key: "team", Value: team }] }))).RuleArn ?? "";
    }
    const events = new EventBridgeClient(as(dev));
    const describe = (team: string) => events.send(new DescribeRuleCommand({ Name: `r-${team}` }));
    assert.equal(await attempt(() => describe("a")), "ok");
    assert.equal(await attempt(() => describe("b")), `AccessDeniedException: ${denied("events:DescribeRule", arns.b!)}`);
    await eventsRoot.send(new TagRuleCommand({ ResourceARN: arns.b, Tags: [{ Key: "team", Value: "a" }] }));
    assert.equal(await attempt(() => describe("b")), "ok");
  });

  it("IAM: GetRole on the team's role only (a role with a path too), until TagRole retags the other", async () => {
    const iamRoot = new IAMClient(root);
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    for (const team of ["a", "b"]) await iamRoot.send(new CreateRoleCommand({ RoleName: `role-${team}`, Path: "/teams/", AssumeRolePolicyDocument: trust, Tags: [{ Key: "team", Value: team }] }));
    const iam = new IAMClient(as(dev));
    const get = (team: string) => iam.send(new GetRoleCommand({ RoleName: `role-${team}` }));
    assert.equal(await attempt(() => get("a")), "ok");
    assert.equal(await attempt(() => get("b")), `AccessDenied: ${denied("iam:GetRole", `arn:aws:iam::${ACCOUNT}:role/role-b`)}`);
    await iamRoot.send(new TagRoleCommand({ RoleName: "role-b", Tags: [{ Key: "team", Value: "a" }] }));
    assert.equal(await attempt(() => get("b")), "ok");
  });

  it("Kinesis: DescribeStreamSummary and PutRecord on the team's stream only, until AddTagsToStream retags the other; RemoveTagsFromStream refuses it again", async () => {
    const kinesisRoot = new KinesisClient(root);
    for (const team of ["a", "b"]) await kinesisRoot.send(new CreateStreamCommand({ StreamName: `ks-${team}`, ShardCount: 1, Tags: { team } }));
    const kinesis = new KinesisClient(as(dev));
    const describe = (team: string) => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `ks-${team}` }));
    const put = (team: string) => kinesis.send(new PutRecordCommand({ StreamName: `ks-${team}`, PartitionKey: "k", Data: Buffer.from("x") }));
    const arnB = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/ks-b`;
    assert.equal(await attempt(() => describe("a")), "ok");
    assert.equal(await attempt(() => put("a")), "ok");
    assert.equal(await attempt(() => describe("b")), `AccessDeniedException: ${denied("kinesis:DescribeStreamSummary", arnB)}`);
    assert.equal(await attempt(() => put("b")), `AccessDeniedException: ${denied("kinesis:PutRecord", arnB)}`);
    await kinesisRoot.send(new AddTagsToStreamCommand({ StreamName: "ks-b", Tags: { team: "a" } }));
    assert.equal(await attempt(() => describe("b")), "ok", "the retag counts from the next request");
    assert.equal(await attempt(() => put("b")), "ok");
    await kinesisRoot.send(new RemoveTagsFromStreamCommand({ StreamName: "ks-b", TagKeys: ["team"] }));
    assert.equal(await attempt(() => describe("b")), `AccessDeniedException: ${denied("kinesis:DescribeStreamSummary", arnB)}`);
    await kinesisRoot.send(new TagStreamCommand({ ResourceARN: arnB, Tags: { team: "a" } }));
    assert.equal(await attempt(() => put("b")), "ok", "TagResource counts too");
  });

  it("HTTP APIs: GetApi on the team's API only, until TagResource retags the other; a stage has its own tags, none inherited", async () => {
    const v2Root = new ApiGatewayV2Client(root);
    const ids: Record<string, string> = {};
    for (const team of ["a", "b"]) ids[team] = (await v2Root.send(new CreateApiCommand({ Name: `http-${team}`, ProtocolType: "HTTP", Tags: { team } }))).ApiId ?? "";
    const v2 = new ApiGatewayV2Client(as(dev));
    const getApi = (team: string) => v2.send(new GetApiCommand({ ApiId: ids[team] }));
    const apiB = `arn:aws:apigateway:${REGION}::/apis/${ids.b}`;
    assert.equal(await attempt(() => getApi("a")), "ok");
    assert.equal(await attempt(() => getApi("b")), `AccessDeniedException: ${denied("apigateway:GET", apiB)}`);
    await v2Root.send(new TagHttpApiCommand({ ResourceArn: apiB, Tags: { team: "a" } }));
    assert.equal(await attempt(() => getApi("b")), "ok", "the retag counts from the next request");

    // An HTTP API's stage keeps its own tags; AWS documents tag inheritance for the V1 (REST) API only.
    await v2Root.send(new CreateHttpStageCommand({ ApiId: ids.b, StageName: "dev", Tags: { team: "b" } }));
    const getStage = () => v2.send(new GetHttpStageCommand({ ApiId: ids.b, StageName: "dev" }));
    assert.equal(await attempt(getStage), `AccessDeniedException: ${denied("apigateway:GET", `${apiB}/stages/dev`)}`, "the API's team=a is not the stage's");
    await v2Root.send(new TagHttpApiCommand({ ResourceArn: `${apiB}/stages/dev`, Tags: { team: "a" } }));
    assert.equal(await attempt(getStage), "ok");

    await v2Root.send(new UntagHttpApiCommand({ ResourceArn: apiB, TagKeys: ["team"] }));
    assert.equal(await attempt(() => getApi("b")), `AccessDeniedException: ${denied("apigateway:GET", apiB)}`);
  });

  it("REST APIs: GetRestApi and GetResources on the team's API only, until TagResource retags the other; a stage inherits the API's tags, its own winning", async () => {
    const v1Root = new APIGatewayClient(root);
    const ids: Record<string, string> = {};
    for (const team of ["a", "b"]) ids[team] = (await v1Root.send(new CreateRestApiCommand({ name: `rest-${team}`, tags: { team } }))).id ?? "";
    const v1 = new APIGatewayClient(as(dev));
    const apiArn = (team: string) => `arn:aws:apigateway:${REGION}::/restapis/${ids[team]}`;
    assert.equal(await attempt(() => v1.send(new GetRestApiCommand({ restApiId: ids.a }))), "ok");
    assert.equal(await attempt(() => v1.send(new GetRestApiCommand({ restApiId: ids.b }))), `AccessDeniedException: ${denied("apigateway:GET", apiArn("b"))}`);
    assert.equal(await attempt(() => v1.send(new GetResourcesCommand({ restApiId: ids.b }))), `AccessDeniedException: ${denied("apigateway:GET", `${apiArn("b")}/resources`)}`);
    await v1Root.send(new TagRestApiCommand({ resourceArn: apiArn("b"), tags: { team: "a" } }));
    assert.equal(await attempt(() => v1.send(new GetRestApiCommand({ restApiId: ids.b }))), "ok", "the retag counts from the next request");
    assert.equal(await attempt(() => v1.send(new GetResourcesCommand({ restApiId: ids.b }))), "ok", "the API's resources inherit its tags");

    const { items } = await v1Root.send(new GetResourcesCommand({ restApiId: ids.a }));
    await v1Root.send(new PutMethodCommand({ restApiId: ids.a, resourceId: items?.[0]?.id, httpMethod: "GET", authorizationType: "NONE" }));
    await v1Root.send(new CreateDeploymentCommand({ restApiId: ids.a, stageName: "prod" }));
    const getStage = () => v1.send(new GetRestStageCommand({ restApiId: ids.a, stageName: "prod" }));
    assert.equal(await attempt(getStage), "ok", "an untagged stage has its API's team=a");
    await v1Root.send(new TagRestApiCommand({ resourceArn: `${apiArn("a")}/stages/prod`, tags: { team: "b" } }));
    assert.equal(await attempt(getStage), `AccessDeniedException: ${denied("apigateway:GET", `${apiArn("a")}/stages/prod`)}`, "the stage's own tag wins");
    await v1Root.send(new UntagRestApiCommand({ resourceArn: `${apiArn("a")}/stages/prod`, tagKeys: ["team"] }));
    assert.equal(await attempt(getStage), "ok");
  });

  it("aws:RequestTag and aws:TagKeys: the user may tag only with its own team and only the key team (Lambda TagResource/UntagResource, SQS CreateQueue tags, SNS TagResource)", async () => {
    const lambda = new LambdaClient(as(dev));
    const fnA = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-a`;
    assert.equal(await attempt(() => lambda.send(new TagResourceCommand({ Resource: fnA, Tags: { team: "a" } }))), "ok");
    assert.equal(await attempt(() => lambda.send(new TagResourceCommand({ Resource: fnA, Tags: { team: "b" } }))), `AccessDeniedException: ${denied("lambda:TagResource", fnA)}`);
    assert.equal(await attempt(() => lambda.send(new TagResourceCommand({ Resource: fnA, Tags: { team: "a", owner: "x" } }))), `AccessDeniedException: ${denied("lambda:TagResource", fnA)}`, "aws:TagKeys has a key the policy does not list");
    assert.equal(await attempt(() => lambda.send(new UntagResourceCommand({ Resource: fnA, TagKeys: ["owner"] }))), `AccessDeniedException: ${denied("lambda:UntagResource", fnA)}`);

    const sqs = new SQSClient(as(dev));
    assert.equal(await attempt(() => sqs.send(new CreateQueueCommand({ QueueName: "mine", tags: { team: "a" } }))), "ok");
    const theirs = `arn:aws:sqs:${REGION}:${ACCOUNT}:theirs`;
    assert.match(await attempt(() => sqs.send(new CreateQueueCommand({ QueueName: "theirs", tags: { team: "b" } }))), new RegExp(`: ${escape(denied("sqs:CreateQueue", theirs))}$`));
    assert.match(await attempt(() => sqs.send(new CreateQueueCommand({ QueueName: "theirs" }))), new RegExp(`: ${escape(denied("sqs:CreateQueue", theirs))}$`), "no tags: aws:TagKeys is missing");

    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:t-a`;
    const sns = new SNSClient(as(dev));
    assert.equal(await attempt(() => sns.send(new TagTopicCommand({ ResourceArn: topic, Tags: [{ Key: "team", Value: "a" }] }))), "ok");
    assert.equal(await attempt(() => sns.send(new TagTopicCommand({ ResourceArn: topic, Tags: [{ Key: "team", Value: "c" }] }))), `AuthorizationErrorException: ${denied("sns:TagResource", topic)}`);
  });
});

/** A RegExp source matching `text` literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

describe("the resource tag cache", () => {
  it("follows this node's tag writes at once, and another node's (the raw store) within maxAgeMs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "abac-cache-"));
    const raw = openSqliteStore(join(dir, "unkai.db"), () => {});
    try {
      const changes = new ResourceTagChanges();
      const store = withResourceTagChangeCount(raw, changes);
      let nowMs = 1_000;
      const lookup = resourceTagLookup({ account: { accountId: ACCOUNT, region: REGION }, store, changes, maxAgeMs: 500, now: () => nowMs, functionTags: async () => undefined });
      const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:cached`;
      await store.queues.create({ name: "cached", fifo: false, attributes: {}, tags: { team: "a" }, createdAt: 1, modifiedAt: 1 });
      assert.deepEqual(await lookup(arn, "sqs:SendMessage"), { conditionKey: "aws:ResourceTag", tags: { team: "a" } });
      const before = changes.generation;
      await store.messages.send("cached", [{ id: "m1", body: "x", meta: "{}", sentAt: 1, visibleAt: 1 }], 1, 0);
      assert.equal(changes.generation, before, "a message write does not drop cached tags");
      await store.queues.setTags("cached", { team: "b" });
      assert.deepEqual((await lookup(arn, "sqs:SendMessage"))?.tags, { team: "b" }, "a write through this node's store counts from the next lookup");
      await raw.queues.setTags("cached", { team: "c" });
      assert.deepEqual((await lookup(arn, "sqs:SendMessage"))?.tags, { team: "b" }, "another node's write is not seen while the entry is young");
      nowMs += 501;
      assert.deepEqual((await lookup(arn, "sqs:SendMessage"))?.tags, { team: "c" }, "…and is after maxAgeMs");
      await store.queues.delete("cached");
      assert.equal(await lookup(arn, "sqs:SendMessage"), undefined, "a deleted queue has no tags");
    } finally {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("resource tags are looked up only for policies that test them", () => {
  it("a caller whose policies never mention aws:ResourceTag costs no lookup; one whose policies do is asked once per request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "abac-lookups-"));
    const store = openSqliteStore(join(dir, "unkai.db"), () => {});
    try {
      const account = { accountId: ACCOUNT, region: REGION };
      const now = Date.now();
      for (const [name, document] of [
        ["plain", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*" }] })],
        ["tagged", ABAC],
      ] as const) {
        await store.iam.create({ kind: "user", name, id: `AIDA${name.toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, path: "/", createdAt: now, tags: { team: "a" } });
        await store.iam.putInlinePolicy("user", name, { policyName: "p", document });
      }
      const asked: string[] = [];
      const enforcer = new IamEnforcer({
        iam: store.iam, account, roleOf: async () => undefined,
        resourceTagsOf: async (arn) => {
          asked.push(arn);
          return { conditionKey: "aws:ResourceTag", tags: { team: "a" } };
        },
      });
      const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:f`;
      const request = (userName: string): UnkaiRequest => ({
        method: "POST", path: "/", query: new URLSearchParams(), rawQuery: "", headers: {}, rawHeaders: [], body: Buffer.alloc(0),
        remoteAddress: "127.0.0.1", requestId: "r", caller: { accessKeyId: "k", region: REGION, service: "lambda", principal: { kind: "user", userName } },
      });
      assert.equal(await enforcer.check(request("plain"), [{ action: "lambda:InvokeFunction", resource: fn }]), undefined);
      assert.deepEqual(asked, [], "no tag lookup for a caller whose policies never test them");
      assert.equal(await enforcer.check(request("tagged"), [{ action: "lambda:InvokeFunction", resource: fn }]), undefined, "allowed by the tag");
      assert.deepEqual(asked, [fn]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
