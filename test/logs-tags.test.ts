/**
 * CloudWatch Logs log groups keep tags (CreateLogGroup `tags`, TagResource / UntagResource / ListTagsForResource by
 * the group's ARN, the deprecated TagLogGroup / UntagLogGroup / ListTagsLogGroup by name, over the same tags), within
 * CloudWatch Logs' limits, and lose them with the group; DeleteLogStream removes a stream and its events. SDK v3 and
 * the AWS CLI; under `--iam enforce` a group's tags are its `aws:ResourceTag/<key>` and tags sent its
 * `aws:RequestTag/<key>` / `aws:TagKeys`. Before tags were kept every tagging operation was unknown to Unkai.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteLogStreamCommand, DescribeLogGroupsCommand,
  DescribeLogStreamsCommand, GetLogEventsCommand, ListTagsForResourceCommand, ListTagsLogGroupCommand, PutLogEventsCommand, TagLogGroupCommand,
  TagResourceCommand, UntagLogGroupCommand, UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const groupArn = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
const many = (count: number, prefix = "k") => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `v${i}`]));

describe("CloudWatch Logs: log group tags and DeleteLogStream", () => {
  const suite = unkaiSuite();
  let logs: CloudWatchLogsClient;
  const tagsOf = async (name: string) => (await logs.send(new ListTagsForResourceCommand({ resourceArn: groupArn(name) }))).tags;
  const legacyTagsOf = async (name: string) => (await logs.send(new ListTagsLogGroupCommand({ logGroupName: name }))).tags;

  before(() => {
    logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });

  it("CreateLogGroup keeps its tags; ListTagsForResource (by the logGroupArn DescribeLogGroups gives) and ListTagsLogGroup agree", async () => {
    const tags = { team: "payments", "cost:centre": "4 2", "ünïcode/=+-@.": "välue", empty: "" };
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/tagged", tags }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/plain" }));
    const described = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/tagged" }))).logGroups?.[0];
    assert.equal(described?.logGroupArn, groupArn("/app/tagged"));
    assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: described?.logGroupArn }))).tags, tags);
    assert.deepEqual(await legacyTagsOf("/app/tagged"), tags);
    assert.deepEqual(await tagsOf("/app/plain"), {});
    assert.deepEqual(await legacyTagsOf("/app/plain"), {});
  });

  it("TagResource adds and replaces, UntagResource removes (a key not there is no error); the deprecated operations act on the same tags", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/retag", tags: { a: "1", b: "2" } }));
    await logs.send(new TagResourceCommand({ resourceArn: groupArn("/app/retag"), tags: { b: "two", c: "3" } }));
    assert.deepEqual(await tagsOf("/app/retag"), { a: "1", b: "two", c: "3" });
    // A key named __proto__ is a tag like any other (JSON, not the object's prototype).
    await logs.send(new TagResourceCommand({ resourceArn: groupArn("/app/retag"), tags: JSON.parse('{"__proto__":"p"}') as Record<string, string> }));
    assert.equal(Object.hasOwn((await tagsOf("/app/retag")) ?? {}, "__proto__"), true);
    await logs.send(new UntagResourceCommand({ resourceArn: groupArn("/app/retag"), tagKeys: ["a", "never", "__proto__"] }));
    assert.deepEqual(await tagsOf("/app/retag"), { b: "two", c: "3" });
    await logs.send(new TagLogGroupCommand({ logGroupName: "/app/retag", tags: { d: "4" } }));
    await logs.send(new UntagLogGroupCommand({ logGroupName: "/app/retag", tags: ["b"] }));
    assert.deepEqual(await tagsOf("/app/retag"), { c: "3", d: "4" });
    assert.deepEqual(await legacyTagsOf("/app/retag"), { c: "3", d: "4" });
  });

  it("refuses what CloudWatch Logs refuses: over 50 tags, long keys and values, aws: keys, the :* ARN, missing groups", async () => {
    const name = "/app/limits";
    await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: many(40) }));
    // 51 in one request: the model's limit on the map, as any constraint failure.
    assert.match(await attempt(() => logs.send(new CreateLogGroupCommand({ logGroupName: "/app/too-many", tags: many(51) }))), /^InvalidParameterException: 1 validation error detected: .*'tags'.*50/);
    // 40 stored + 11 new: TooManyTagsException (TagLogGroup's model has no such error: InvalidParameterException).
    assert.match(await attempt(() => logs.send(new TagResourceCommand({ resourceArn: groupArn(name), tags: many(11, "x") }))), /^TooManyTagsException: A resource can have no more than 50 tags/);
    assert.match(await attempt(() => logs.send(new TagLogGroupCommand({ logGroupName: name, tags: many(11, "x") }))), /^InvalidParameterException: A resource can have no more than 50 tags/);
    await logs.send(new TagResourceCommand({ resourceArn: groupArn(name), tags: { ...many(10, "x"), k0: "replaced" } }));
    assert.equal(Object.keys((await tagsOf(name)) ?? {}).length, 50, "replacing a key does not count twice");
    assert.equal((await tagsOf(name))?.k0, "replaced");
    assert.equal(await attempt(() => logs.send(new CreateLogGroupCommand({ logGroupName: "/app/too-many" }))), "ok", "the refused create made nothing");
    assert.deepEqual(await tagsOf("/app/too-many"), {});

    const bad: { tags: Record<string, string>; error: RegExp }[] = [
      { tags: { ["k".repeat(129)]: "v" }, error: /^InvalidParameterException: 1 validation error detected/ },
      { tags: { k: "v".repeat(257) }, error: /^InvalidParameterException: 1 validation error detected/ },
      { tags: { "bad*key": "v" }, error: /^InvalidParameterException: 1 validation error detected/ },
      { tags: { "": "v" }, error: /^InvalidParameterException: 1 validation error detected/ },
      { tags: { "aws:owner": "me" }, error: /^InvalidParameterException: Tag keys beginning with 'aws:' are reserved/ },
      { tags: { "AWS:owner": "me" }, error: /^InvalidParameterException: Tag keys beginning with 'aws:' are reserved/ },
    ];
    for (const { tags, error } of bad) {
      assert.match(await attempt(() => logs.send(new TagResourceCommand({ resourceArn: groupArn("/app/plain"), tags }))), error, JSON.stringify(tags));
      assert.match(await attempt(() => logs.send(new CreateLogGroupCommand({ logGroupName: "/app/bad-tags", tags }))), error, JSON.stringify(tags));
    }
    assert.equal((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/bad-tags" }))).logGroups?.length, 0, "no group made with refused tags");
    assert.deepEqual(await tagsOf("/app/plain"), {});

    // The `arn` DescribeLogGroups reports (with `:*`) is refused by the tagging operations, as on AWS.
    for (const resourceArn of [`${groupArn("/app/plain")}:*`, "not-an-arn", "arn:aws:s3:::bucket"]) {
      assert.equal(await attempt(() => logs.send(new ListTagsForResourceCommand({ resourceArn }))), "ValidationException: Invalid resourceArn", resourceArn);
      assert.equal(await attempt(() => logs.send(new TagResourceCommand({ resourceArn, tags: { a: "b" } }))), "ValidationException: Invalid resourceArn", resourceArn);
    }
    const missing = "ResourceNotFoundException: The specified log group does not exist.";
    for (const resourceArn of [groupArn("/app/none"), `arn:aws:logs:${REGION}:111111111111:log-group:/app/plain`, `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/app/plain`,
      `arn:aws:logs:${REGION}:${ACCOUNT}:destination:d`, `${groupArn("/app/plain")}:log-stream:s`]) {
      assert.equal(await attempt(() => logs.send(new ListTagsForResourceCommand({ resourceArn }))), missing, resourceArn);
      assert.equal(await attempt(() => logs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["a"] }))), missing, resourceArn);
    }
    assert.equal(await attempt(() => logs.send(new TagLogGroupCommand({ logGroupName: "/app/none", tags: { a: "b" } }))), missing);
    assert.equal(await attempt(() => logs.send(new UntagLogGroupCommand({ logGroupName: "/app/none", tags: ["a"] }))), missing);
    assert.equal(await attempt(() => logs.send(new ListTagsLogGroupCommand({ logGroupName: "/app/none" }))), missing);
  });

  it("a deleted group's tags go with it: created again, it has none", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/again", tags: { gone: "soon" } }));
    await logs.send(new TagResourceCommand({ resourceArn: groupArn("/app/again"), tags: { more: "too" } }));
    await logs.send(new DeleteLogGroupCommand({ logGroupName: "/app/again" }));
    assert.equal(await attempt(() => tagsOf("/app/again")), "ResourceNotFoundException: The specified log group does not exist.");
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/again" }));
    assert.deepEqual(await tagsOf("/app/again"), {});
  });

  it("DeleteLogStream removes the stream and its events (GetLogEvents then fails as AWS does), and only it", async () => {
    const group = "/app/streams";
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const stream of ["doomed", "kept"]) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: [{ timestamp: Date.now(), message: `hello from ${stream}` }] }));
    }
    const bytes = async () => (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups?.[0]?.storedBytes;
    assert.equal(await bytes(), "hello from doomed".length + "hello from kept".length + 2 * 26);
    await logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "doomed" }));
    const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams?.map((s) => s.logStreamName);
    assert.deepEqual(streams, ["kept"]);
    assert.equal(await bytes(), "hello from kept".length + 26, "the stream's bytes leave the group's total");
    const stream = "ResourceNotFoundException: The specified log stream does not exist.";
    assert.equal(await attempt(() => logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "doomed" }))), stream);
    assert.deepEqual((await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "kept" }))).events?.map((e) => e.message), ["hello from kept"]);
    assert.equal(await attempt(() => logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "doomed" }))), stream);
    assert.equal(await attempt(() => logs.send(new DeleteLogStreamCommand({ logGroupName: "/app/none", logStreamName: "kept" }))), "ResourceNotFoundException: The specified log group does not exist.");
    assert.match(await attempt(() => logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "a:b" }))), /^InvalidParameterException: 1 validation error detected/);
    // A stream created again starts empty.
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "doomed" }));
    assert.deepEqual((await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "doomed" }))).events, []);
  });

  it("two DeleteLogStream calls at once: one deletes, the other finds nothing; no 500", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/race" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/race", logStreamName: "s" }));
    const outcomes = await Promise.all([1, 2, 3].map(() => attempt(() => logs.send(new DeleteLogStreamCommand({ logGroupName: "/app/race", logStreamName: "s" })))));
    assert.deepEqual(outcomes.sort(), ["ResourceNotFoundException: The specified log stream does not exist.", "ResourceNotFoundException: The specified log stream does not exist.", "ok"]);
  });

  it("the AWS CLI tags, lists, untags and deletes a stream", async () => {
    const cli = (...args: string[]) => aws(suite.unkai.url, ["logs", ...args]);
    assert.equal((await cli("create-log-group", "--log-group-name", "/cli/group", "--tags", "team=cli,stage=dev")).code, 0);
    const arn = groupArn("/cli/group");
    assert.equal((await cli("tag-resource", "--resource-arn", arn, "--tags", "extra=1")).code, 0);
    assert.equal((await cli("untag-resource", "--resource-arn", arn, "--tag-keys", "stage")).code, 0);
    const listed = await cli("list-tags-for-resource", "--resource-arn", arn);
    assert.deepEqual(JSON.parse(listed.stdout), { tags: { team: "cli", extra: "1" } });
    const refused = await cli("list-tags-for-resource", "--resource-arn", `${arn}:*`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ValidationException.*Invalid resourceArn/);
    assert.equal((await cli("create-log-stream", "--log-group-name", "/cli/group", "--log-stream-name", "s")).code, 0);
    assert.equal((await cli("delete-log-stream", "--log-group-name", "/cli/group", "--log-stream-name", "s")).code, 0);
    const again = await cli("delete-log-stream", "--log-group-name", "/cli/group", "--log-stream-name", "s");
    assert.match(again.stderr, /ResourceNotFoundException.*The specified log stream does not exist\./);
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const denied = (action: string, resource: string) =>
  new RegExp(`^AccessDenied(Exception)?: ${escape(`User: arn:aws:iam::${ACCOUNT}:user/log-writer is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`)}$`);

describe("CloudWatch Logs log group tags under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let root: CloudWatchLogsClient;
  let user: CloudWatchLogsClient;
  const POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "logs:*", Resource: "*" },
      // A locked group takes no events and is not deleted, whatever else allows it.
      { Effect: "Deny", Action: ["logs:PutLogEvents", "logs:DeleteLogGroup"], Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/locked": "yes" } } },
      // No one tags a group `locked` but root, by CreateLogGroup or TagResource.
      { Effect: "Deny", Action: ["logs:CreateLogGroup", "logs:TagResource"], Resource: "*", Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["locked"] } } },
    ],
  });

  before(async () => {
    const config = { endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    const iam = new IAMClient(config);
    await iam.send(new CreateUserCommand({ UserName: "log-writer" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "log-writer", PolicyName: "logs", PolicyDocument: POLICY }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "log-writer" }));
    const keys: Keys = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    root = new CloudWatchLogsClient(config);
    user = new CloudWatchLogsClient({ ...config, credentials: keys });
    for (const [name, tags] of [["/locked", { locked: "yes" }], ["/open", { locked: "no" }]] as const) {
      await root.send(new CreateLogGroupCommand({ logGroupName: name, tags }));
      await root.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: "s" }));
    }
  });

  const put = (client: CloudWatchLogsClient, group: string) =>
    attempt(() => client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "hi" }] })));

  it("a Deny on aws:ResourceTag/locked refuses PutLogEvents and DeleteLogGroup on the tagged group only, and follows its tags", async () => {
    assert.match(await put(user, "/locked"), denied("logs:PutLogEvents", `${groupArn("/locked")}:log-stream:s`));
    assert.match(await attempt(() => user.send(new DeleteLogGroupCommand({ logGroupName: "/locked" }))), denied("logs:DeleteLogGroup", `${groupArn("/locked")}:*`));
    assert.equal(await put(user, "/open"), "ok");
    assert.equal(await put(root, "/locked"), "ok", "root is not bound by the user's policy");
    // Untagged by root, the group is the user's to write to; tagged again, it is not.
    await root.send(new UntagResourceCommand({ resourceArn: groupArn("/locked"), tagKeys: ["locked"] }));
    assert.equal(await put(user, "/locked"), "ok");
    await root.send(new TagLogGroupCommand({ logGroupName: "/locked", tags: { locked: "yes" } }));
    assert.match(await put(user, "/locked"), denied("logs:PutLogEvents", `${groupArn("/locked")}:log-stream:s`));
    assert.equal(await attempt(() => user.send(new DeleteLogGroupCommand({ logGroupName: "/open" }))), "ok");
  });

  it("tags sent supply aws:TagKeys: the user may not tag a group `locked` by CreateLogGroup or TagResource, and may tag it otherwise", async () => {
    assert.match(await attempt(() => user.send(new CreateLogGroupCommand({ logGroupName: "/mine", tags: { locked: "yes" } }))), denied("logs:CreateLogGroup", `${groupArn("/mine")}:*`));
    assert.equal(await attempt(() => user.send(new CreateLogGroupCommand({ logGroupName: "/mine", tags: { team: "a" } }))), "ok");
    // The tagging operations are authorized on the ARN without `:*`, as AWS documents.
    assert.match(await attempt(() => user.send(new TagResourceCommand({ resourceArn: groupArn("/mine"), tags: { locked: "yes" } }))), denied("logs:TagResource", groupArn("/mine")));
    assert.equal(await attempt(() => user.send(new TagResourceCommand({ resourceArn: groupArn("/mine"), tags: { stage: "dev" } }))), "ok");
    assert.deepEqual((await user.send(new ListTagsForResourceCommand({ resourceArn: groupArn("/mine") }))).tags, { team: "a", stage: "dev" });
  });
});
