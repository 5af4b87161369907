/**
 * Every Unkai request maps to the IAM permissions AWS would check for it (the `Service.authorize`
 * seam): action names and resource ARNs from the Service Authorization Reference, checked on a real
 * in-process Unkai's services; and a service cannot be built with a route its table does not map.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import type { ActionRequest } from "../src/core/iam-policy/index.js";
import { unmappedRoutes } from "../src/protocol/action-table.js";
import type { Service, UnkaiRequest } from "../src/protocol/http.js";
import { Router } from "../src/protocol/router.js";
import { loadConfig } from "../src/server/config.js";
import { startUnkai, type RunningUnkai } from "../src/server/unkai.js";
import { lambdaActions } from "../src/services/lambda/authorization.js";
import { STS_ERRORS } from "../src/services/sts/errors.js";
import { loadModel } from "../src/protocol/codecs/model.js";
import { modelService } from "../src/protocol/codecs/model-service.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const FN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function`;

function request(method: string, target: string, init: { body?: string; headers?: Record<string, string>; service?: string } = {}): UnkaiRequest {
  const url = new URL(target, "http://127.0.0.1");
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    rawQuery: url.search.slice(1),
    headers: { host: "127.0.0.1", ...init.headers },
    rawHeaders: [],
    body: Buffer.from(init.body ?? ""),
    remoteAddress: "127.0.0.1",
    requestId: "test",
    caller: { accessKeyId: "test", region: REGION, service: init.service, principal: { kind: "key", name: "test" } },
  };
}

const plain = (needs: readonly ActionRequest[] | Promise<readonly ActionRequest[]>) => sync(needs).map((n) => ({ action: n.action, resource: n.resource, ...(n.keys && Object.keys(n.keys).length > 0 ? { keys: n.keys } : {}) }));

/** The tables tested here answer synchronously (only a Function URL's needs a read first). */
function sync(needs: readonly ActionRequest[] | Promise<readonly ActionRequest[]>): readonly ActionRequest[] {
  if (needs instanceof Promise) throw new Error("expected a synchronous authorization table");
  return needs;
}

describe("IAM actions and resources of every Unkai request", () => {
  let unkai: RunningUnkai;
  let dataDir: string;
  const service = (name: string): Service => {
    const found = unkai.services.find((s) => s.name === name);
    assert.ok(found?.authorize !== undefined, `${name} has an authorize seam`);
    return found;
  };
  const needs = (name: string, r: UnkaiRequest) => plain(service(name).authorize?.(r) ?? []);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "unkai-iam-actions-"));
    unkai = await startUnkai(loadConfig({ dataDir, port: "0", sandbox: "process", deployExample: "false", prestartPerRuntime: "0" }, {}), pino({ level: "silent" }));
  });
  after(async () => {
    await unkai.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lambdaCases: [string, UnkaiRequest, unknown][] = [
    ["Invoke", request("POST", "/2015-03-31/functions/my-fn/invocations"), [{ action: "lambda:InvokeFunction", resource: `${FN}:my-fn` }]],
    ["Invoke an alias by ?Qualifier", request("POST", "/2015-03-31/functions/my-fn/invocations?Qualifier=prod"), [{ action: "lambda:InvokeFunction", resource: `${FN}:my-fn:prod` }]],
    ["Invoke by qualified ARN", request("POST", `/2015-03-31/functions/${encodeURIComponent(`${FN}:my-fn:7`)}/invocations`), [{ action: "lambda:InvokeFunction", resource: `${FN}:my-fn:7` }]],
    ["InvokeWithResponseStream is lambda:InvokeFunction", request("POST", "/2021-11-15/functions/my-fn/response-streaming-invocations"), [{ action: "lambda:InvokeFunction", resource: `${FN}:my-fn` }]],
    ["ListFunctions names no resource", request("GET", "/2015-03-31/functions"), [{ action: "lambda:ListFunctions", resource: "*" }]],
    [
      "CreateFunction also passes the role",
      request("POST", "/2015-03-31/functions", { body: JSON.stringify({ FunctionName: "new-fn", Role: `arn:aws:iam::${ACCOUNT}:role/exec`, Layers: [] }) }),
      [
        { action: "lambda:CreateFunction", resource: `${FN}:new-fn`, keys: { "lambda:Layer": [] } },
        { action: "iam:PassRole", resource: `arn:aws:iam::${ACCOUNT}:role/exec`, keys: { "iam:PassedToService": "lambda.amazonaws.com" } },
      ],
    ],
    ["DeleteFunction", request("DELETE", "/2015-03-31/functions/my-fn"), [{ action: "lambda:DeleteFunction", resource: `${FN}:my-fn` }]],
    ["AddPermission carries lambda:Principal", request("POST", "/2015-03-31/functions/my-fn/policy", { body: JSON.stringify({ Principal: "s3.amazonaws.com" }) }), [{ action: "lambda:AddPermission", resource: `${FN}:my-fn`, keys: { "lambda:Principal": "s3.amazonaws.com" } }]],
    ["GetLayerVersion", request("GET", "/2018-10-31/layers/deps/versions/3"), [{ action: "lambda:GetLayerVersion", resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:deps:3` }]],
    ["GetLayerVersionByArn is lambda:GetLayerVersion on the version", request("GET", `/2018-10-31/layers?find=LayerVersion&Arn=${encodeURIComponent(`arn:aws:lambda:${REGION}:${ACCOUNT}:layer:deps:3`)}`), [{ action: "lambda:GetLayerVersion", resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:deps:3` }]],
    ["AddLayerVersionPermission by the layer's ARN", request("POST", `/2018-10-31/layers/${encodeURIComponent(`arn:aws:lambda:${REGION}:${ACCOUNT}:layer:deps`)}/versions/3/policy`), [{ action: "lambda:AddLayerVersionPermission", resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:deps:3` }]],
    ["PutProvisionedConcurrencyConfig on the qualifier", request("PUT", "/2019-09-30/functions/my-fn/provisioned-concurrency?Qualifier=live"), [{ action: "lambda:PutProvisionedConcurrencyConfig", resource: `${FN}:my-fn:live` }]],
    ["GetProvisionedConcurrencyConfig on the qualifier", request("GET", "/2019-09-30/functions/my-fn/provisioned-concurrency?Qualifier=3"), [{ action: "lambda:GetProvisionedConcurrencyConfig", resource: `${FN}:my-fn:3` }]],
    ["ListProvisionedConcurrencyConfigs on the function", request("GET", "/2019-09-30/functions/my-fn/provisioned-concurrency?List=ALL"), [{ action: "lambda:ListProvisionedConcurrencyConfigs", resource: `${FN}:my-fn` }]],
    ["TagResource names the ARN in the path", request("POST", `/2017-03-31/tags/${encodeURIComponent(`${FN}:my-fn`)}`), [{ action: "lambda:TagResource", resource: `${FN}:my-fn` }]],
    ["a malformed name still yields a resource, not an exception", request("GET", "/2015-03-31/functions/bad%20name"), [{ action: "lambda:GetFunction", resource: `${FN}:bad name` }]],
    ["no such route: nothing to authorize (Lambda refuses it)", request("PATCH", "/2015-03-31/functions/my-fn"), []],
  ];
  for (const [name, r, want] of lambdaCases) it(`Lambda ${name}`, () => assert.deepEqual(needs("lambda", r), want));

  const s3 = (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => request(method, path, { ...init, service: "s3" });
  const s3Cases: [string, UnkaiRequest, unknown][] = [
    ["ListBuckets", s3("GET", "/"), [{ action: "s3:ListAllMyBuckets", resource: "*" }]],
    ["GetObject", s3("GET", "/bucket/a/b.txt"), [{ action: "s3:GetObject", resource: "arn:aws:s3:::bucket/a/b.txt" }]],
    ["HeadObject", s3("HEAD", "/bucket/a"), [{ action: "s3:GetObject", resource: "arn:aws:s3:::bucket/a" }]],
    ["GetObject of a version", s3("GET", "/bucket/a?versionId=v1"), [{ action: "s3:GetObjectVersion", resource: "arn:aws:s3:::bucket/a" }]],
    ["virtual-hosted PutObject", request("PUT", "/k.txt", { headers: { host: "bucket.s3.localhost:4566" } }), [{ action: "s3:PutObject", resource: "arn:aws:s3:::bucket/k.txt" }]],
    ["ListObjectsV2 carries prefix and max-keys", s3("GET", "/bucket?list-type=2&prefix=home%2Falice%2F&max-keys=10"), [{ action: "s3:ListBucket", resource: "arn:aws:s3:::bucket", keys: { "s3:prefix": "home/alice/", "s3:max-keys": "10" } }]],
    ["HeadBucket is s3:ListBucket", s3("HEAD", "/bucket"), [{ action: "s3:ListBucket", resource: "arn:aws:s3:::bucket" }]],
    ["CreateBucket", s3("PUT", "/bucket"), [{ action: "s3:CreateBucket", resource: "arn:aws:s3:::bucket" }]],
    ["DeleteBucket", s3("DELETE", "/bucket"), [{ action: "s3:DeleteBucket", resource: "arn:aws:s3:::bucket" }]],
    ["PutBucketNotificationConfiguration", s3("PUT", "/bucket?notification"), [{ action: "s3:PutBucketNotification", resource: "arn:aws:s3:::bucket" }]],
    ["GetBucketLocation", s3("GET", "/bucket?location"), [{ action: "s3:GetBucketLocation", resource: "arn:aws:s3:::bucket" }]],
    ["CopyObject reads the source and writes the target", s3("PUT", "/dst/copy", { headers: { "x-amz-copy-source": "/src/orig%20name" } }), [{ action: "s3:GetObject", resource: "arn:aws:s3:::src/orig name" }, { action: "s3:PutObject", resource: "arn:aws:s3:::dst/copy" }]],
    ["CopyObject from a source version reads that version", s3("PUT", "/dst/copy", { headers: { "x-amz-copy-source": "/src/a?versionId=v1" } }), [{ action: "s3:GetObjectVersion", resource: "arn:aws:s3:::src/a" }, { action: "s3:PutObject", resource: "arn:aws:s3:::dst/copy" }]],
    ["CreateMultipartUpload", s3("POST", "/bucket/big?uploads"), [{ action: "s3:PutObject", resource: "arn:aws:s3:::bucket/big" }]],
    ["UploadPart", s3("PUT", "/bucket/big?partNumber=1&uploadId=u"), [{ action: "s3:PutObject", resource: "arn:aws:s3:::bucket/big" }]],
    ["ListParts", s3("GET", "/bucket/big?uploadId=u"), [{ action: "s3:ListMultipartUploadParts", resource: "arn:aws:s3:::bucket/big" }]],
    ["AbortMultipartUpload", s3("DELETE", "/bucket/big?uploadId=u"), [{ action: "s3:AbortMultipartUpload", resource: "arn:aws:s3:::bucket/big" }]],
    ["ListMultipartUploads", s3("GET", "/bucket?uploads"), [{ action: "s3:ListBucketMultipartUploads", resource: "arn:aws:s3:::bucket" }]],
    ["DeleteObject", s3("DELETE", "/bucket/a"), [{ action: "s3:DeleteObject", resource: "arn:aws:s3:::bucket/a" }]],
    ["DeleteObjects needs s3:DeleteObject on every key", s3("POST", "/bucket?delete", { body: "<Delete><Object><Key>a</Key></Object><Object><Key>b/c</Key></Object></Delete>" }), [{ action: "s3:DeleteObject", resource: "arn:aws:s3:::bucket/a" }, { action: "s3:DeleteObject", resource: "arn:aws:s3:::bucket/b/c" }]],
    ["DeleteObjects needs s3:DeleteObjectVersion for an entry with a VersionId", s3("POST", "/bucket?delete", { body: "<Delete><Object><Key>a</Key><VersionId>v1</VersionId></Object><Object><Key>b</Key></Object></Delete>" }), [{ action: "s3:DeleteObjectVersion", resource: "arn:aws:s3:::bucket/a" }, { action: "s3:DeleteObject", resource: "arn:aws:s3:::bucket/b" }]],
    ["ListObjectVersions", s3("GET", "/bucket?versions&prefix=a%2F"), [{ action: "s3:ListBucketVersions", resource: "arn:aws:s3:::bucket", keys: { "s3:prefix": "a/" } }]],
    ["GetBucketVersioning", s3("GET", "/bucket?versioning"), [{ action: "s3:GetBucketVersioning", resource: "arn:aws:s3:::bucket" }]],
    ["PutObjectTagging", s3("PUT", "/bucket/a?tagging"), [{ action: "s3:PutObjectTagging", resource: "arn:aws:s3:::bucket/a" }]],
    ["GetObjectTagging", s3("GET", "/bucket/a?tagging"), [{ action: "s3:GetObjectTagging", resource: "arn:aws:s3:::bucket/a" }]],
    ["DeleteObjectTagging", s3("DELETE", "/bucket/a?tagging"), [{ action: "s3:DeleteObjectTagging", resource: "arn:aws:s3:::bucket/a" }]],
    ["a sub-resource Unkai answers NotImplemented needs nothing", s3("GET", "/bucket?logging"), []],
    ["UploadPartCopy reads the source and writes the target", s3("PUT", "/dst/big?partNumber=1&uploadId=u", { headers: { "x-amz-copy-source": "/src/a" } }), [{ action: "s3:GetObject", resource: "arn:aws:s3:::src/a" }, { action: "s3:PutObject", resource: "arn:aws:s3:::dst/big" }]],
    ["GetObjectAttributes", s3("GET", "/bucket/a?attributes"), [{ action: "s3:GetObject", resource: "arn:aws:s3:::bucket/a" }, { action: "s3:GetObjectAttributes", resource: "arn:aws:s3:::bucket/a" }]],
    ["GetBucketAcl", s3("GET", "/bucket?acl"), [{ action: "s3:GetBucketAcl", resource: "arn:aws:s3:::bucket" }]],
    ["GetBucketOwnershipControls", s3("GET", "/bucket?ownershipControls"), [{ action: "s3:GetBucketOwnershipControls", resource: "arn:aws:s3:::bucket" }]],
    ["PutObjectAcl", s3("PUT", "/bucket/a?acl"), [{ action: "s3:PutObjectAcl", resource: "arn:aws:s3:::bucket/a" }]],
    ["GetObjectAcl of a version needs s3:GetObjectVersionAcl", s3("GET", "/bucket/a?acl&versionId=v1"), [{ action: "s3:GetObjectVersionAcl", resource: "arn:aws:s3:::bucket/a" }]],
    ["PutBucketLifecycleConfiguration", s3("PUT", "/bucket?lifecycle"), [{ action: "s3:PutLifecycleConfiguration", resource: "arn:aws:s3:::bucket" }]],
    ["GetBucketLifecycleConfiguration", s3("GET", "/bucket?lifecycle"), [{ action: "s3:GetLifecycleConfiguration", resource: "arn:aws:s3:::bucket" }]],
    ["DeleteBucketLifecycle is authorized by s3:PutLifecycleConfiguration", s3("DELETE", "/bucket?lifecycle"), [{ action: "s3:PutLifecycleConfiguration", resource: "arn:aws:s3:::bucket" }]],
    ["PutBucketPolicy", s3("PUT", "/bucket?policy"), [{ action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::bucket" }]],
    ["GetBucketPolicyStatus", s3("GET", "/bucket?policyStatus"), [{ action: "s3:GetBucketPolicyStatus", resource: "arn:aws:s3:::bucket" }]],
    ["DeleteBucketCors is authorized by s3:PutBucketCORS", s3("DELETE", "/bucket?cors"), [{ action: "s3:PutBucketCORS", resource: "arn:aws:s3:::bucket" }]],
    ["GetBucketTagging", s3("GET", "/bucket?tagging"), [{ action: "s3:GetBucketTagging", resource: "arn:aws:s3:::bucket" }]],
    ["a CORS preflight needs nothing (it is answered from the bucket's rules)", s3("OPTIONS", "/bucket/key"), []],
  ];
  for (const [name, r, want] of s3Cases) it(`S3 ${name}`, () => assert.deepEqual(needs("s3", r), want));

  const logs = (operation: string, body: unknown) => request("POST", "/", { body: JSON.stringify(body), headers: { "x-amz-target": `Logs_20140328.${operation}` } });
  const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/my-fn`;
  const logsCases: [string, UnkaiRequest, unknown][] = [
    ["PutLogEvents names the stream", logs("PutLogEvents", { logGroupName: "/aws/lambda/my-fn", logStreamName: "s1" }), [{ action: "logs:PutLogEvents", resource: `${group}:log-stream:s1` }]],
    ["CreateLogGroup names the group", logs("CreateLogGroup", { logGroupName: "/aws/lambda/my-fn" }), [{ action: "logs:CreateLogGroup", resource: `${group}:*` }]],
    ["FilterLogEvents by identifier", logs("FilterLogEvents", { logGroupIdentifier: "/aws/lambda/my-fn" }), [{ action: "logs:FilterLogEvents", resource: `${group}:*` }]],
    ["DescribeLogGroups", logs("DescribeLogGroups", {}), [{ action: "logs:DescribeLogGroups", resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` }]],
    ["CreateLogGroup with tags supplies them", logs("CreateLogGroup", { logGroupName: "/aws/lambda/my-fn", tags: { team: "a" } }),
      [{ action: "logs:CreateLogGroup", resource: `${group}:*`, keys: { "aws:TagKeys": ["team"], "aws:RequestTag/team": "a" } }]],
    ["TagResource names the ARN it is given (no :*), with the tags sent", logs("TagResource", { resourceArn: group, tags: { team: "a" } }),
      [{ action: "logs:TagResource", resource: group, keys: { "aws:TagKeys": ["team"], "aws:RequestTag/team": "a" } }]],
    ["UntagResource supplies aws:TagKeys", logs("UntagResource", { resourceArn: group, tagKeys: ["team"] }), [{ action: "logs:UntagResource", resource: group, keys: { "aws:TagKeys": ["team"] } }]],
    ["ListTagsForResource names the ARN", logs("ListTagsForResource", { resourceArn: group }), [{ action: "logs:ListTagsForResource", resource: group }]],
    ["TagLogGroup names the group, supplying no tag keys (AWS supports none there)", logs("TagLogGroup", { logGroupName: "/aws/lambda/my-fn", tags: { team: "a" } }),
      [{ action: "logs:TagLogGroup", resource: `${group}:*` }]],
    ["UntagLogGroup names the group", logs("UntagLogGroup", { logGroupName: "/aws/lambda/my-fn", tags: ["team"] }), [{ action: "logs:UntagLogGroup", resource: `${group}:*` }]],
    ["DeleteLogStream names the stream", logs("DeleteLogStream", { logGroupName: "/aws/lambda/my-fn", logStreamName: "s1" }), [{ action: "logs:DeleteLogStream", resource: `${group}:log-stream:s1` }]],
    ["an unparsable body still yields a resource", request("POST", "/", { body: "{", headers: { "x-amz-target": "Logs_20140328.DeleteLogGroup" } }), [{ action: "logs:DeleteLogGroup", resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group::*` }]],
  ];
  for (const [name, r, want] of logsCases) it(`Logs ${name}`, () => assert.deepEqual(needs("logs", r), want));

  const sts = (query: string) => request("GET", `/?${query}`, { service: "sts" });
  it("STS GetCallerIdentity needs no permission", () => assert.deepEqual(needs("sts", sts("Action=GetCallerIdentity&Version=2011-06-15")), []));
  it("STS AssumeRole needs sts:AssumeRole on the role, with sts:RoleSessionName", () =>
    assert.deepEqual(needs("sts", sts(`Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::${ACCOUNT}:role/r&RoleSessionName=s`)), [{ action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/r`, keys: { "sts:RoleSessionName": "s" } }]));

  it("STS AssumeRole with Tags also needs sts:TagSession, both with the request's tags and external id", () => {
    const query = `Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::${ACCOUNT}:role/r&RoleSessionName=s&ExternalId=xy&Tags.member.1.Key=team&Tags.member.1.Value=a&TransitiveTagKeys.member.1=team`;
    const keys = { "aws:TagKeys": ["team"], "aws:RequestTag/team": "a", "sts:TransitiveTagKeys": ["team"], "sts:ExternalId": "xy", "sts:RoleSessionName": "s" };
    const resource = `arn:aws:iam::${ACCOUNT}:role/r`;
    assert.deepEqual(needs("sts", sts(query)), [{ action: "sts:AssumeRole", resource, keys }, { action: "sts:TagSession", resource, keys }]);
  });

  it("STS AssumeRole in a POST form body, as the SDKs send it", () => {
    const body = `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(`arn:aws:iam::${ACCOUNT}:role/r`)}&RoleSessionName=s`;
    const r = request("POST", "/", { body, service: "sts", headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } });
    assert.deepEqual(needs("sts", r), [{ action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/r`, keys: { "sts:RoleSessionName": "s" } }]);
  });

  it("IAM names the role or user and carries iam:PolicyARN when attaching", () => {
    const query = (q: string) => request("POST", "/", { body: `${q}&Version=2010-05-08`, service: "iam", headers: { "content-type": "application/x-www-form-urlencoded" } });
    const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    assert.deepEqual(needs("iam", query(`Action=AttachRolePolicy&RoleName=exec&PolicyArn=${encodeURIComponent(basic)}`)), [
      { action: "iam:AttachRolePolicy", resource: `arn:aws:iam::${ACCOUNT}:role/exec`, keys: { "iam:PolicyARN": basic } },
    ]);
    assert.deepEqual(needs("iam", query("Action=CreatePolicy&PolicyName=p&Path=%2Fteam%2F&PolicyDocument=%7B%7D")), [{ action: "iam:CreatePolicy", resource: `arn:aws:iam::${ACCOUNT}:policy/team/p` }]);
    assert.deepEqual(needs("iam", query("Action=ListRoles")), [{ action: "iam:ListRoles", resource: "*" }]);
    assert.deepEqual(needs("iam", query("Action=AddUserToGroup&GroupName=g&UserName=u")), [{ action: "iam:AddUserToGroup", resource: `arn:aws:iam::${ACCOUNT}:group/g` }], "a group operation naming a user is about the group");
    assert.deepEqual(needs("iam", query("Action=ListGroupsForUser&UserName=u")), [{ action: "iam:ListGroupsForUser", resource: `arn:aws:iam::${ACCOUNT}:user/u` }]);
    assert.deepEqual(needs("iam", query("Action=AddRoleToInstanceProfile&InstanceProfileName=p&RoleName=r")), [{ action: "iam:AddRoleToInstanceProfile", resource: `arn:aws:iam::${ACCOUNT}:instance-profile/p` }], "an instance profile operation naming a role is about the profile");
    const mine = `arn:aws:iam::${ACCOUNT}:policy/team/p`;
    assert.deepEqual(needs("iam", query(`Action=TagPolicy&PolicyArn=${encodeURIComponent(mine)}&Tags.member.1.Key=k&Tags.member.1.Value=v`)), [{ action: "iam:TagPolicy", resource: mine, keys: { "aws:RequestTag/k": "v", "aws:TagKeys": ["k"] } }]);
    assert.deepEqual(needs("iam", query(`Action=ListEntitiesForPolicy&PolicyArn=${encodeURIComponent(mine)}&PolicyUsageFilter=PermissionsBoundary`)), [{ action: "iam:ListEntitiesForPolicy", resource: mine }]);
    assert.deepEqual(needs("iam", query("Action=UntagInstanceProfile&InstanceProfileName=p&TagKeys.member.1=k")), [{ action: "iam:UntagInstanceProfile", resource: `arn:aws:iam::${ACCOUNT}:instance-profile/p`, keys: { "aws:TagKeys": ["k"] } }]);
    assert.deepEqual(needs("iam", query("Action=CreateLoginProfile&UserName=u&Password=p")), [], "an operation Unkai does not implement needs nothing (it is refused)");
  });

  it("SNS names the topic: its own, the one Publish targets, a subscription's, or * for listings", () => {
    const query = (q: string) => request("POST", "/", { body: `${q}&Version=2010-03-31`, service: "sns", headers: { "content-type": "application/x-www-form-urlencoded" } });
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:orders`;
    assert.deepEqual(needs("sns", query("Action=CreateTopic&Name=orders")), [{ action: "sns:CreateTopic", resource: topic }]);
    assert.deepEqual(needs("sns", query(`Action=Publish&TopicArn=${encodeURIComponent(topic)}&Message=m`)), [{ action: "sns:Publish", resource: topic }]);
    assert.deepEqual(needs("sns", query(`Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(`${topic}:0b1c2d3e-0000-4000-8000-000000000000`)}`)), [{ action: "sns:Unsubscribe", resource: topic }]);
    assert.deepEqual(needs("sns", query("Action=ListTopics")), [{ action: "sns:ListTopics", resource: "*" }]);
  });

  it("a model-driven service with an operation missing from its authorization table refuses to build", () => {
    const build = (authorization: Record<string, () => []>) =>
      modelService({ name: "sts", model: loadModel("sts"), errors: STS_ERRORS, signingNames: ["sts"], logger: pino({ level: "silent" }), operations: { GetCallerIdentity: () => Promise.resolve({}) }, authorization });
    assert.throws(() => build({}), /sts operations without an IAM action in its authorization table: GetCallerIdentity/);
    assert.equal(typeof build({ GetCallerIdentity: () => [] }).authorize, "function");
  });

  it("every Lambda route is in the table, and a route missing from it is caught", () => {
    const table = lambdaActions({ region: REGION, accountId: ACCOUNT });
    const router = new Router().on("GET", "/2015-03-31/functions", () => Promise.resolve({ status: 200 })).on("GET", "/2099-01-01/new-operation", () => Promise.resolve({ status: 200 }));
    assert.deepEqual(unmappedRoutes(router.routeKeys(), table), ["GET /2099-01-01/new-operation"]);
    // The real Lambda service refuses to build with an unmapped route, so its having started proves its table is complete.
    assert.ok(unkai.services.some((s) => s.name === "lambda"));
  });
});
