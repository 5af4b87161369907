/**
 * The IAM policy engine (src/core/iam-policy/) against AWS's documented behaviour: validation with
 * IAM's MalformedPolicyDocument messages, and evaluation cases taken from the IAM User Guide's
 * example policies and evaluation-logic pages, each with an allowed and a denied request.
 * The engine is pure, so these tests call it directly; enforcement through real clients comes with the
 * IAM service.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compilePolicy, denialMessage, evaluate, findManagedPolicy, MalformedPolicyError, MANAGED_POLICIES, managedPolicyArn, parsePolicy, PolicyCache, requestContext,
  type ContextValue, type PolicyKind, type RequestPrincipal,
} from "../src/core/iam-policy/index.js";

const ACCOUNT = "111122223333";
const OTHER = "444455556666";
const PRINCIPALS = {
  alice: { type: "user", arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT },
  root: { type: "root", arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
  session: { type: "assumed-role", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/job-1`, accountId: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/app` },
  bob: { type: "user", arn: `arn:aws:iam::${OTHER}:user/bob`, accountId: OTHER },
  s3: { type: "service", arn: "s3.amazonaws.com", accountId: undefined },
  anonymous: { type: "anonymous", arn: "*", accountId: undefined },
} satisfies Record<string, RequestPrincipal>;

type Doc = Record<string, unknown>;
const allow = (Action: unknown, Resource: unknown = "*", extra: Doc = {}): Doc => ({ Effect: "Allow", Action, Resource, ...extra });
const deny = (Action: unknown, Resource: unknown = "*", extra: Doc = {}): Doc => ({ Effect: "Deny", Action, Resource, ...extra });
const doc = (...Statement: Doc[]): Doc => ({ Version: "2012-10-17", Statement });

interface Case {
  readonly name: string;
  readonly identity?: readonly Doc[];
  readonly resourcePolicy?: Doc;
  readonly boundary?: Doc;
  readonly session?: readonly Doc[];
  readonly resourceAccountId?: string;
  readonly principal?: keyof typeof PRINCIPALS;
  readonly action: string;
  readonly resource: string;
  readonly sourceIp?: string;
  readonly secure?: boolean;
  readonly now?: string;
  readonly region?: string;
  readonly tags?: Record<string, string>;
  readonly resourceTags?: Record<string, string>;
  readonly requestTags?: Record<string, string>;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  readonly extra?: Record<string, ContextValue>;
  readonly want: "Allow" | "ExplicitDeny" | "ImplicitDeny";
}

function run(c: Case) {
  const compile = (d: Doc, kind: PolicyKind, name: string) => compilePolicy(parsePolicy(JSON.stringify(d), kind), name);
  const principal = PRINCIPALS[c.principal ?? "alice"];
  const request = requestContext({
    action: c.action,
    resource: c.resource,
    principal,
    userName: principal.type === "user" ? principal.arn.split("/").pop() : undefined,
    principalTags: c.tags,
    resourceTags: c.resourceTags,
    requestTags: c.requestTags,
    sourceIp: c.sourceIp ?? "192.0.2.10",
    secureTransport: c.secure ?? true,
    now: new Date(c.now ?? "2026-06-15T12:00:00Z"),
    region: c.region ?? "us-east-1",
    sourceArn: c.sourceArn,
    sourceAccount: c.sourceAccount,
    extra: c.extra,
  });
  const result = evaluate(request, {
    identity: (c.identity ?? []).map((d, i) => compile(d, "identity", `identity-${i}`)),
    resource: c.resourcePolicy && compile(c.resourcePolicy, "resource", "resource"),
    boundary: c.boundary && compile(c.boundary, "managed", "boundary"),
    session: c.session?.map((d, i) => compile(d, "identity", `session-${i}`)),
    resourceAccountId: c.resourceAccountId,
  });
  return { request, result };
}

const BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:my-function`;

// Each pair of rows is one documented example: the request it allows and one it does not.
const CASES: readonly Case[] = [
  // Evaluation logic basics (IAM User Guide, "Policy evaluation logic")
  { name: "no policy at all is an implicit deny", action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "an identity Allow allows", identity: [doc(allow("s3:GetObject", `${BUCKET}/*`))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "an explicit Deny beats an Allow in another policy", identity: [doc(allow("s3:*")), doc(deny("s3:DeleteObject"))], action: "s3:DeleteObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  { name: "the Deny does not reach other actions", identity: [doc(allow("s3:*")), doc(deny("s3:DeleteObject"))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "the account root needs no policy", principal: "root", action: "lambda:DeleteFunction", resource: FN, want: "Allow" },
  { name: "a resource-policy Deny binds the root too", principal: "root", resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { Principal: "*" })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  // Action element: service prefix and name case-insensitive, `*` and `?`
  { name: "action names compare case-insensitively", identity: [doc(allow("S3:getobject"))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "s3:Get* covers GetObject", identity: [doc(allow("s3:Get*"))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "s3:Get* does not cover PutObject", identity: [doc(allow("s3:Get*"))], action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "? matches one character", identity: [doc(allow("lambda:?etFunction"))], action: "lambda:GetFunction", resource: FN, want: "Allow" },
  { name: "? matches exactly one character", identity: [doc(allow("lambda:?etFunction"))], action: "lambda:ResetFunction", resource: FN, want: "ImplicitDeny" },
  { name: "* as the whole action covers every service", identity: [doc(allow("*"))], action: "logs:PutLogEvents", resource: "*", want: "Allow" },
  // NotAction (IAM User Guide example "Allows access to all services except IAM")
  { name: "NotAction iam:* allows other services", identity: [doc(allow(undefined, "*", { Action: undefined, NotAction: "iam:*" }))], action: "lambda:InvokeFunction", resource: FN, want: "Allow" },
  { name: "NotAction iam:* does not allow IAM", identity: [doc(allow(undefined, "*", { Action: undefined, NotAction: "iam:*" }))], action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/x`, want: "ImplicitDeny" },
  // Resource element: case-sensitive, wildcards within segments
  { name: "resource ARNs compare case-sensitively", identity: [doc(allow("s3:GetObject", "arn:aws:s3:::Amzn-S3-Demo-Bucket/*"))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "bucket/* covers nested keys", identity: [doc(allow("s3:GetObject", `${BUCKET}/*`))], action: "s3:GetObject", resource: `${BUCKET}/a/b/c.txt`, want: "Allow" },
  { name: "bucket/* does not cover the bucket itself", identity: [doc(allow("s3:ListBucket", `${BUCKET}/*`))], action: "s3:ListBucket", resource: BUCKET, want: "ImplicitDeny" },
  { name: "a region wildcard stays in its segment", identity: [doc(allow("lambda:InvokeFunction", `arn:aws:lambda:us-*:${ACCOUNT}:function:my-function`))], action: "lambda:InvokeFunction", resource: FN, want: "Allow" },
  { name: "an unqualified function ARN does not cover an alias", identity: [doc(allow("lambda:InvokeFunction", FN))], action: "lambda:InvokeFunction", resource: `${FN}:prod`, want: "ImplicitDeny" },
  { name: "function:name:* covers its aliases and versions", identity: [doc(allow("lambda:InvokeFunction", `${FN}:*`))], action: "lambda:InvokeFunction", resource: `${FN}:prod`, want: "Allow" },
  { name: "NotResource: everything but the listed bucket", identity: [doc(allow("s3:*", undefined, { Resource: undefined, NotResource: [BUCKET, `${BUCKET}/*`] }))], action: "s3:GetObject", resource: "arn:aws:s3:::other/a", want: "Allow" },
  { name: "NotResource: not the listed bucket", identity: [doc(allow("s3:*", undefined, { Resource: undefined, NotResource: [BUCKET, `${BUCKET}/*`] }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  // Policy variables (IAM User Guide "IAM policy elements: Variables and tags", home-folder example)
  { name: "${aws:username} gives alice her home folder", identity: [doc(allow("s3:*", `${BUCKET}/home/\${aws:username}/*`))], action: "s3:PutObject", resource: `${BUCKET}/home/alice/notes.txt`, want: "Allow" },
  { name: "${aws:username} does not give alice bob's folder", identity: [doc(allow("s3:*", `${BUCKET}/home/\${aws:username}/*`))], action: "s3:PutObject", resource: `${BUCKET}/home/bob/notes.txt`, want: "ImplicitDeny" },
  { name: "a role session has no aws:username, so the variable matches nothing", principal: "session", identity: [doc(allow("s3:*", `${BUCKET}/home/\${aws:username}/*`))], action: "s3:PutObject", resource: `${BUCKET}/home//notes.txt`, want: "ImplicitDeny" },
  { name: "a variable's default value applies when the key is missing", principal: "session", identity: [doc(allow("s3:*", `${BUCKET}/\${aws:PrincipalTag/team, 'shared'}/*`))], action: "s3:GetObject", resource: `${BUCKET}/shared/a`, want: "Allow" },
  { name: "${*} is a literal asterisk", identity: [doc(allow("s3:GetObject", `${BUCKET}/\${*}star`))], action: "s3:GetObject", resource: `${BUCKET}/*star`, want: "Allow" },
  { name: "${*} is not a wildcard", identity: [doc(allow("s3:GetObject", `${BUCKET}/\${*}star`))], action: "s3:GetObject", resource: `${BUCKET}/a-star`, want: "ImplicitDeny" },
  { name: "Version 2008-10-17 treats ${…} as text", identity: [{ Version: "2008-10-17", Statement: [allow("s3:*", `${BUCKET}/home/\${aws:username}/*`)] }], action: "s3:PutObject", resource: `${BUCKET}/home/alice/a`, want: "ImplicitDeny" },
  { name: "principal tags as variables: matching department", tags: { department: "eng" }, identity: [doc(allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:ResourceTag/department": "${aws:PrincipalTag/department}" } } }))], resourceTags: { department: "eng" }, action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "principal tags as variables: other department", tags: { department: "eng" }, identity: [doc(allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:ResourceTag/department": "${aws:PrincipalTag/department}" } } }))], resourceTags: { department: "sales" }, action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  // String operators; keys are case-insensitive, values case-sensitive
  { name: "StringLike s3:prefix home/${aws:username}/*", identity: [doc(allow("s3:ListBucket", BUCKET, { Condition: { StringLike: { "s3:prefix": ["", "home/", "home/${aws:username}/*"] } } }))], extra: { "s3:prefix": "home/alice/photos" }, action: "s3:ListBucket", resource: BUCKET, want: "Allow" },
  { name: "StringLike s3:prefix refuses another user's prefix", identity: [doc(allow("s3:ListBucket", BUCKET, { Condition: { StringLike: { "s3:prefix": ["", "home/", "home/${aws:username}/*"] } } }))], extra: { "s3:prefix": "home/bob/" }, action: "s3:ListBucket", resource: BUCKET, want: "ImplicitDeny" },
  { name: "condition key names are case-insensitive", identity: [doc(allow("s3:GetObject", "*", { Condition: { StringEquals: { "AWS:REQUESTEDREGION": "us-east-1" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "StringEquals values are case-sensitive", identity: [doc(allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:RequestedRegion": "US-EAST-1" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "StringEqualsIgnoreCase ignores case", identity: [doc(allow("s3:GetObject", "*", { Condition: { StringEqualsIgnoreCase: { "aws:RequestedRegion": "US-EAST-1" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "aws:RequestedRegion limits regions: another region", identity: [doc(allow("lambda:*", "*", { Condition: { StringEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } } }))], action: "lambda:ListFunctions", resource: "*", want: "ImplicitDeny" },
  { name: "aws:RequestedRegion limits regions: a listed one", region: "eu-central-1", identity: [doc(allow("lambda:*", "*", { Condition: { StringEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } } }))], action: "lambda:ListFunctions", resource: "*", want: "Allow" },
  { name: "StringNotEquals with the key missing is true", identity: [doc(allow("s3:GetObject", "*", { Condition: { StringNotEquals: { "s3:x-amz-acl": "public-read" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "StringNotEquals with a listed value is false", identity: [doc(allow("s3:PutObject", "*", { Condition: { StringNotEquals: { "s3:x-amz-acl": ["public-read", "public-read-write"] } } }))], extra: { "s3:x-amz-acl": "public-read" }, action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "StringEquals with the key missing is false", identity: [doc(allow("s3:PutObject", "*", { Condition: { StringEquals: { "s3:x-amz-acl": "private" } } }))], action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "StringEqualsIfExists with the key missing is true", identity: [doc(allow("s3:PutObject", "*", { Condition: { StringEqualsIfExists: { "s3:x-amz-acl": "private" } } }))], action: "s3:PutObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "StringEqualsIfExists with another value is false", identity: [doc(allow("s3:PutObject", "*", { Condition: { StringEqualsIfExists: { "s3:x-amz-acl": "private" } } }))], extra: { "s3:x-amz-acl": "public-read" }, action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "two keys in one block are ANDed: both hold", identity: [doc(allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:PrincipalTag/team": "blue" } } }))], tags: { team: "blue" }, action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "two keys in one block are ANDed: one fails", identity: [doc(allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:PrincipalTag/team": "blue" } } }))], tags: { team: "red" }, action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  // Numeric
  { name: "NumericLessThanEquals s3:max-keys 10 allows 10", identity: [doc(allow("s3:ListBucket", BUCKET, { Condition: { NumericLessThanEquals: { "s3:max-keys": "10" } } }))], extra: { "s3:max-keys": "10" }, action: "s3:ListBucket", resource: BUCKET, want: "Allow" },
  { name: "NumericLessThanEquals s3:max-keys 10 refuses 11", identity: [doc(allow("s3:ListBucket", BUCKET, { Condition: { NumericLessThanEquals: { "s3:max-keys": "10" } } }))], extra: { "s3:max-keys": "11" }, action: "s3:ListBucket", resource: BUCKET, want: "ImplicitDeny" },
  { name: "a non-numeric request value fails a Numeric test", identity: [doc(allow("s3:ListBucket", BUCKET, { Condition: { NumericGreaterThan: { "s3:max-keys": 0 } } }))], extra: { "s3:max-keys": "ten" }, action: "s3:ListBucket", resource: BUCKET, want: "ImplicitDeny" },
  { name: "NumericNotEquals holds for another number", identity: [doc(allow("s3:ListBucket", BUCKET, { Condition: { NumericNotEquals: { "s3:max-keys": "5" } } }))], extra: { "s3:max-keys": "6" }, action: "s3:ListBucket", resource: BUCKET, want: "Allow" },
  // Date (IAM User Guide example "Allows access within specific dates")
  { name: "inside the aws:CurrentTime window", identity: [doc(allow("lambda:*", "*", { Condition: { DateGreaterThan: { "aws:CurrentTime": "2026-04-01T00:00:00Z" }, DateLessThan: { "aws:CurrentTime": "2026-06-30T23:59:59Z" } } }))], action: "lambda:ListFunctions", resource: "*", want: "Allow" },
  { name: "after the aws:CurrentTime window", now: "2026-07-01T00:00:00Z", identity: [doc(allow("lambda:*", "*", { Condition: { DateGreaterThan: { "aws:CurrentTime": "2026-04-01T00:00:00Z" }, DateLessThan: { "aws:CurrentTime": "2026-06-30T23:59:59Z" } } }))], action: "lambda:ListFunctions", resource: "*", want: "ImplicitDeny" },
  { name: "aws:EpochTime compares with an epoch value", identity: [doc(allow("lambda:*", "*", { Condition: { DateLessThan: { "aws:EpochTime": "1900000000" } } }))], action: "lambda:ListFunctions", resource: "*", want: "Allow" },
  { name: "aws:EpochTime past the limit", now: "2031-01-01T00:00:00Z", identity: [doc(allow("lambda:*", "*", { Condition: { DateLessThan: { "aws:EpochTime": "1900000000" } } }))], action: "lambda:ListFunctions", resource: "*", want: "ImplicitDeny" },
  // Bool (S3 example: deny requests that are not over TLS)
  { name: "Deny aws:SecureTransport false refuses plain HTTP", secure: false, identity: [doc(allow("s3:*"))], resourcePolicy: doc(deny("s3:*", [BUCKET, `${BUCKET}/*`], { Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  { name: "Deny aws:SecureTransport false lets TLS through", secure: true, identity: [doc(allow("s3:*"))], resourcePolicy: doc(deny("s3:*", [BUCKET, `${BUCKET}/*`], { Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "BoolIfExists aws:MultiFactorAuthPresent false: key missing denies", identity: [doc(allow("*")), doc(deny("*", "*", { Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }))], action: "lambda:ListFunctions", resource: "*", want: "ExplicitDeny" },
  { name: "BoolIfExists aws:MultiFactorAuthPresent false: MFA present passes", extra: { "aws:MultiFactorAuthPresent": "true" }, identity: [doc(allow("*")), doc(deny("*", "*", { Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }))], action: "lambda:ListFunctions", resource: "*", want: "Allow" },
  // IpAddress (IAM example "Denies access to AWS based on the source IP")
  { name: "NotIpAddress Deny refuses a caller outside the ranges", sourceIp: "198.51.100.7", identity: [doc(allow("*")), doc(deny("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  { name: "NotIpAddress Deny lets a caller inside a range through", sourceIp: "203.0.113.99", identity: [doc(allow("*")), doc(deny("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "IpAddress reads IPv4-mapped IPv6 as IPv4", sourceIp: "::ffff:192.0.2.44", identity: [doc(allow("*", "*", { Condition: { IpAddress: { "aws:SourceIp": "192.0.2.0/24" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "IpAddress with an IPv6 range", sourceIp: "2001:db8:1234:5678::9", identity: [doc(allow("*", "*", { Condition: { IpAddress: { "aws:SourceIp": "2001:DB8:1234:5678::/64" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "IpAddress with an IPv6 range refuses another prefix", sourceIp: "2001:db8:1234:9999::9", identity: [doc(allow("*", "*", { Condition: { IpAddress: { "aws:SourceIp": "2001:DB8:1234:5678::/64" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "an address without a prefix is a /32", sourceIp: "192.0.2.11", identity: [doc(allow("*", "*", { Condition: { IpAddress: { "aws:SourceIp": "192.0.2.10" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  // Null
  { name: "Null true: the key must be absent (absent)", identity: [doc(allow("s3:*", "*", { Condition: { Null: { "aws:TokenIssueTime": "true" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "Null true: the key must be absent (present)", extra: { "aws:TokenIssueTime": "2026-06-15T11:00:00Z" }, identity: [doc(allow("s3:*", "*", { Condition: { Null: { "aws:TokenIssueTime": "true" } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "Null false: requests must carry tags (carried)", requestTags: { project: "x" }, identity: [doc(allow("s3:*", "*", { Condition: { Null: { "aws:RequestTag/project": "false" } } }))], action: "s3:PutObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "Null false: requests must carry tags (missing)", identity: [doc(allow("s3:*", "*", { Condition: { Null: { "aws:RequestTag/project": "false" } } }))], action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  // Set operators (IAM User Guide, "Set operators for multivalued context keys")
  { name: "ForAllValues: every tag key is allowed", requestTags: { environment: "a", "cost-center": "b" }, identity: [doc(allow("lambda:TagResource", "*", { Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["environment", "cost-center"] } } }))], action: "lambda:TagResource", resource: FN, want: "Allow" },
  { name: "ForAllValues: one tag key is not", requestTags: { environment: "a", owner: "b" }, identity: [doc(allow("lambda:TagResource", "*", { Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["environment", "cost-center"] } } }))], action: "lambda:TagResource", resource: FN, want: "ImplicitDeny" },
  { name: "ForAllValues with no tags at all is true", identity: [doc(allow("lambda:TagResource", "*", { Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["environment"] } } }))], action: "lambda:TagResource", resource: FN, want: "Allow" },
  { name: "ForAnyValue: one listed tag key suffices", requestTags: { owner: "a", environment: "b" }, identity: [doc(allow("lambda:TagResource", "*", { Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["environment"] } } }))], action: "lambda:TagResource", resource: FN, want: "Allow" },
  { name: "ForAnyValue with no tags at all is false", identity: [doc(allow("lambda:TagResource", "*", { Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["environment"] } } }))], action: "lambda:TagResource", resource: FN, want: "ImplicitDeny" },
  { name: "ForAnyValue: no listed tag key", requestTags: { owner: "a" }, identity: [doc(allow("lambda:TagResource", "*", { Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["environment"] } } }))], action: "lambda:TagResource", resource: FN, want: "ImplicitDeny" },
  { name: "ForAnyValue:StringNotEquals: one unlisted key denies", requestTags: { environment: "a", owner: "b" }, identity: [doc(allow("*")), doc(deny("lambda:TagResource", "*", { Condition: { "ForAnyValue:StringNotEquals": { "aws:TagKeys": ["environment"] } } }))], action: "lambda:TagResource", resource: FN, want: "ExplicitDeny" },
  { name: "ForAnyValue:StringNotEquals: only listed keys pass", requestTags: { environment: "a" }, identity: [doc(allow("*")), doc(deny("lambda:TagResource", "*", { Condition: { "ForAnyValue:StringNotEquals": { "aws:TagKeys": ["environment"] } } }))], action: "lambda:TagResource", resource: FN, want: "Allow" },
  // Arn and service principals: a Lambda function policy from AddPermission for S3 notifications
  { name: "s3.amazonaws.com may invoke for the named bucket", principal: "s3", sourceArn: BUCKET, sourceAccount: ACCOUNT, resourcePolicy: doc(allow("lambda:InvokeFunction", FN, { Sid: "s3invoke", Principal: { Service: "s3.amazonaws.com" }, Condition: { ArnLike: { "AWS:SourceArn": BUCKET }, StringEquals: { "AWS:SourceAccount": ACCOUNT } } })), action: "lambda:InvokeFunction", resource: FN, want: "Allow" },
  { name: "s3.amazonaws.com may not invoke for another bucket", principal: "s3", sourceArn: "arn:aws:s3:::other-bucket", sourceAccount: ACCOUNT, resourcePolicy: doc(allow("lambda:InvokeFunction", FN, { Sid: "s3invoke", Principal: { Service: "s3.amazonaws.com" }, Condition: { ArnLike: { "AWS:SourceArn": BUCKET }, StringEquals: { "AWS:SourceAccount": ACCOUNT } } })), action: "lambda:InvokeFunction", resource: FN, want: "ImplicitDeny" },
  { name: "another service principal is not named", principal: "s3", sourceArn: BUCKET, resourcePolicy: doc(allow("lambda:InvokeFunction", FN, { Principal: { Service: "sns.amazonaws.com" } })), action: "lambda:InvokeFunction", resource: FN, want: "ImplicitDeny" },
  { name: "ArnLike wildcards in the resource part", principal: "s3", sourceArn: "arn:aws:sns:us-east-1:111122223333:alerts-prod", resourcePolicy: doc(allow("lambda:InvokeFunction", FN, { Principal: { Service: "s3.amazonaws.com" }, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:111122223333:alerts-*" } } })), action: "lambda:InvokeFunction", resource: FN, want: "Allow" },
  { name: "ArnNotEquals with the named source is false", principal: "s3", sourceArn: BUCKET, resourcePolicy: doc(allow("lambda:InvokeFunction", FN, { Principal: { Service: "s3.amazonaws.com" }, Condition: { ArnNotEquals: { "aws:SourceArn": BUCKET } } })), action: "lambda:InvokeFunction", resource: FN, want: "ImplicitDeny" },
  // Same-account resource policies (IAM User Guide, "Policy evaluation logic", same-account requests)
  { name: "a resource policy naming the user allows without identity policies", resourcePolicy: doc(allow("s3:GetObject", `${BUCKET}/*`, { Principal: { AWS: PRINCIPALS.alice.arn } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "a resource policy naming someone else does not", resourcePolicy: doc(allow("s3:GetObject", `${BUCKET}/*`, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "naming the account only delegates to identity policies (none)", resourcePolicy: doc(allow("s3:GetObject", `${BUCKET}/*`, { Principal: { AWS: ACCOUNT } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "naming the account plus an identity Allow", identity: [doc(allow("s3:GetObject"))], resourcePolicy: doc(allow("s3:GetObject", `${BUCKET}/*`, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "Principal * in a function policy lets anyone invoke", principal: "anonymous", resourcePolicy: doc(allow("lambda:InvokeFunctionUrl", FN, { Principal: "*" })), action: "lambda:InvokeFunctionUrl", resource: FN, want: "Allow" },
  { name: "an anonymous caller with no resource policy", principal: "anonymous", action: "lambda:InvokeFunctionUrl", resource: FN, want: "ImplicitDeny" },
  { name: "NotPrincipal Deny spares the named user", identity: [doc(allow("s3:*"))], resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { NotPrincipal: { AWS: PRINCIPALS.alice.arn } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "NotPrincipal Deny catches everyone else", principal: "session", identity: [doc(allow("s3:*"))], resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { NotPrincipal: { AWS: PRINCIPALS.alice.arn } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  // AWS's NotPrincipal example ([user/Bob, account root]): everyone but Bob is denied, other users of the account too.
  { name: "NotPrincipal naming a user and its account still denies another user of the account", identity: [doc(allow("s3:*"))], resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/carol`, `arn:aws:iam::${ACCOUNT}:root`] } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  { name: "NotPrincipal naming the account spares the account root", principal: "root", resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/carol`, `arn:aws:iam::${ACCOUNT}:root`] } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "NotPrincipal naming a role and its account spares the role's sessions", principal: "session", identity: [doc(allow("s3:*"))], resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { NotPrincipal: { AWS: [PRINCIPALS.session.roleArn, ACCOUNT] } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "NotPrincipal naming only the account denies the role's sessions", principal: "session", identity: [doc(allow("s3:*"))], resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { NotPrincipal: { AWS: ACCOUNT } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  { name: "NotPrincipal Deny denies a bounded principal even when it names it", identity: [doc(allow("s3:*"))], boundary: doc(allow("s3:*")), resourcePolicy: doc(deny("s3:*", `${BUCKET}/*`, { NotPrincipal: { AWS: [PRINCIPALS.alice.arn, ACCOUNT] } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ExplicitDeny" },
  // Cross-account: both sides must allow
  { name: "cross-account with both sides allowing", principal: "bob", resourceAccountId: ACCOUNT, identity: [doc(allow("s3:GetObject"))], resourcePolicy: doc(allow("s3:GetObject", `${BUCKET}/*`, { Principal: { AWS: OTHER } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "cross-account with only the identity side", principal: "bob", resourceAccountId: ACCOUNT, identity: [doc(allow("s3:GetObject"))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "cross-account with only the resource side", principal: "bob", resourceAccountId: ACCOUNT, resourcePolicy: doc(allow("s3:GetObject", `${BUCKET}/*`, { Principal: { AWS: PRINCIPALS.bob.arn } })), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  // Permissions boundaries and session policies
  { name: "a boundary caps an identity Allow", identity: [doc(allow("s3:*"))], boundary: doc(allow("s3:GetObject")), action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "inside the boundary the identity Allow holds", identity: [doc(allow("s3:*"))], boundary: doc(allow("s3:GetObject")), action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "a resource policy naming the user is not capped by the boundary", boundary: doc(allow("s3:GetObject")), resourcePolicy: doc(allow("s3:PutObject", `${BUCKET}/*`, { Principal: { AWS: PRINCIPALS.alice.arn } })), action: "s3:PutObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "a session policy caps the role's identity policy", principal: "session", identity: [doc(allow("s3:*"))], session: [doc(allow("s3:GetObject"))], action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "inside the session policy the role's Allow holds", principal: "session", identity: [doc(allow("s3:*"))], session: [doc(allow("s3:GetObject"))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "a resource policy naming the role is capped by the session policy", principal: "session", session: [doc(allow("s3:GetObject"))], resourcePolicy: doc(allow("s3:PutObject", `${BUCKET}/*`, { Principal: { AWS: PRINCIPALS.session.roleArn } })), action: "s3:PutObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
  { name: "a resource policy naming the session is not capped", principal: "session", session: [doc(allow("s3:GetObject"))], resourcePolicy: doc(allow("s3:PutObject", `${BUCKET}/*`, { Principal: { AWS: PRINCIPALS.session.arn } })), action: "s3:PutObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "aws:PrincipalArn of a session is its role", principal: "session", identity: [doc(allow("s3:*", "*", { Condition: { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/app` } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "Allow" },
  { name: "aws:PrincipalArn of a user is not a role", identity: [doc(allow("s3:*", "*", { Condition: { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/app` } } }))], action: "s3:GetObject", resource: `${BUCKET}/a`, want: "ImplicitDeny" },
];

describe("IAM policy evaluation (AWS's documented examples)", () => {
  for (const c of CASES) {
    it(`${c.want}: ${c.name}`, () => {
      assert.equal(run(c).result.decision, c.want);
    });
  }

  it("has an allowed and a denied request for the examples", () => {
    assert.ok(CASES.filter((c) => c.want === "Allow").length >= 40);
    assert.ok(CASES.filter((c) => c.want !== "Allow").length >= 40);
  });
});

describe("IAM denial messages", () => {
  const base = { action: "lambda:InvokeFunction", resource: FN } as const;
  const cases: [Case, string][] = [
    [{ ...base, name: "", want: "ImplicitDeny" }, `User: ${PRINCIPALS.alice.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FN} because no identity-based policy allows the lambda:InvokeFunction action`],
    [{ ...base, name: "", identity: [doc(deny("lambda:*"))], want: "ExplicitDeny" }, `User: ${PRINCIPALS.alice.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FN} with an explicit deny in an identity-based policy`],
    [{ ...base, name: "", resourcePolicy: doc(deny("lambda:*", FN, { Principal: "*" })), want: "ExplicitDeny" }, `User: ${PRINCIPALS.alice.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FN} with an explicit deny in a resource-based policy`],
    [{ ...base, name: "", identity: [doc(allow("*"))], boundary: doc(allow("s3:*")), want: "ImplicitDeny" }, `User: ${PRINCIPALS.alice.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FN} because no permissions boundary allows the lambda:InvokeFunction action`],
    [{ ...base, name: "", principal: "session", identity: [doc(allow("*"))], session: [doc(allow("s3:*"))], want: "ImplicitDeny" }, `User: ${PRINCIPALS.session.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FN} because no session policy allows the lambda:InvokeFunction action`],
    [{ ...base, name: "", principal: "bob", resourceAccountId: ACCOUNT, identity: [doc(allow("*"))], want: "ImplicitDeny" }, `User: ${PRINCIPALS.bob.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FN} because no resource-based policy allows the lambda:InvokeFunction action`],
  ];
  for (const [c, message] of cases) {
    it(message.slice(message.indexOf(FN) + FN.length + 1), () => {
      const { request, result } = run(c);
      assert.equal(result.decision, c.want);
      assert.ok(result.decision !== "Allow");
      assert.equal(denialMessage(request, result.reason), message);
    });
  }

  it("names the statement that decided, for decision logs", () => {
    const { result } = run({ ...base, name: "", identity: [doc(allow("*")), doc({ Sid: "NoLambda", ...deny("lambda:*") })], want: "ExplicitDeny" });
    assert.deepEqual(result.statement, { policy: "identity-1", sid: "NoLambda" });
  });
});

describe("IAM policy validation (MalformedPolicyDocument messages)", () => {
  const ok = (d: unknown, kind: PolicyKind = "managed") => parsePolicy(typeof d === "string" ? d : JSON.stringify(d), kind);
  const refused = (d: unknown, message: string, kind: PolicyKind = "managed") =>
    assert.throws(() => ok(d, kind), (e: unknown) => e instanceof MalformedPolicyError && e.message === message);
  const S = (st: Doc) => ({ Version: "2012-10-17", Statement: st });
  const cases: [string, unknown, string, PolicyKind?][] = [
    ["not JSON", "{\"Version\": ", "Syntax errors in policy."],
    ["an array document", [], "Syntax errors in policy."],
    ["an unknown top-level field", { Version: "2012-10-17", Statement: [allow("s3:*")], Extra: 1 }, "Syntax errors in policy."],
    ["an unknown version", { Version: "2012-10-18", Statement: allow("s3:*") }, "Syntax errors in policy."],
    ["a managed policy without Version", { Statement: allow("s3:*") }, "Policy document must be version 2012-10-17 or greater."],
    ["a managed policy with Version 2008-10-17", { Version: "2008-10-17", Statement: allow("s3:*") }, "Policy document must be version 2012-10-17 or greater."],
    ["no Statement", { Version: "2012-10-17" }, "Syntax errors in policy."],
    ["an empty Statement array", { Version: "2012-10-17", Statement: [] }, "Syntax errors in policy."],
    ["a Statement string", { Version: "2012-10-17", Statement: "x" }, "Syntax errors in policy."],
    ["an unknown statement field", S({ ...allow("s3:*"), Actions: "s3:*" }), "Syntax errors in policy."],
    ["both Action and NotAction", S({ ...allow("s3:*"), NotAction: "iam:*" }), "Syntax errors in policy."],
    ["Effect missing", S({ Action: "s3:*", Resource: "*" }), "Syntax errors in policy."],
    ["Effect Permit", S({ ...allow("s3:*"), Effect: "Permit" }), "Syntax errors in policy."],
    ["Effect in lower case", S({ ...allow("s3:*"), Effect: "allow" }), "The policy failed legacy parsing"],
    ["no Action", S({ Effect: "Allow", Resource: "*" }), "Policy statement must contain actions."],
    ["an empty Action list", S(allow([])), "Policy statement must contain actions."],
    ["an Action that is a number", S(allow(3)), "Syntax errors in policy."],
    ["no Resource", S({ Effect: "Allow", Action: "s3:*" }), "Policy statement must contain resources."],
    ["an empty Resource list", S(allow("s3:*", [])), "Policy statement must contain resources."],
    ["an action without a vendor", S(allow("GetObject")), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."],
    ["an action with two colons", S(allow("s3:Get:Object")), "Actions/Condition can contain only one colon."],
    ["a vendor with a space", S(allow("s 3:GetObject")), "Vendor s 3 is not valid"],
    ["a resource that is not an ARN", S(allow("s3:*", "my-bucket")), 'Resource my-bucket must be in ARN format or "*".'],
    ["an unknown partition", S(allow("s3:*", "arn:aws-mars:s3:::b")), 'Partition "aws-mars" is not valid for resource "arn:aws-mars:s3:::b".'],
    ["a wildcard vendor in a resource", S(allow("s3:*", "arn:aws:*:::b")), "Resource vendor must be fully qualified and cannot contain regexes."],
    ["an ARN with five parts", S(allow("s3:*", "arn:aws:s3::b")), "The policy failed legacy parsing"],
    ["a Principal in an identity policy", S({ ...allow("s3:*"), Principal: "*" }), "Policy document should not specify a principal."],
    ["duplicate Sids", { Version: "2012-10-17", Statement: [{ Sid: "A", ...allow("s3:*") }, { Sid: "A", ...allow("sqs:*") }] }, "Statement IDs (SID) in a single policy must be unique."],
    ["a Sid with punctuation", S({ Sid: "my-sid", ...allow("s3:*") }), "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"],
    ["an unknown condition operator", S(allow("s3:*", "*", { Condition: { StringEqualz: { "aws:username": "a" } } })), "Syntax errors in policy."],
    ["a condition key without a vendor", S(allow("s3:*", "*", { Condition: { StringEquals: { username: "a" } } })), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."],
    ["a condition value that is an object", S(allow("s3:*", "*", { Condition: { StringEquals: { "aws:username": { a: 1 } } } })), "Syntax errors in policy."],
    ["a date condition that is no date", S(allow("s3:*", "*", { Condition: { DateLessThan: { "aws:CurrentTime": "tomorrow" } } })), "The policy failed legacy parsing"],
    ["a trust policy without Principal", S({ Effect: "Allow", Action: "sts:AssumeRole" }), "Missing required field Principal", "trust"],
    ["a trust policy with a Resource", S({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*", Principal: { Service: "lambda.amazonaws.com" } }), "Has prohibited field Resource", "trust"],
    ["a trust policy naming a bad AWS principal", S({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "alice" } }), 'Invalid principal in policy: "AWS":"alice"', "trust"],
    ["a resource policy without Principal", S(allow("s3:GetObject", "arn:aws:s3:::b/*")), "Missing required field Principal", "resource"],
  ];
  for (const [name, d, message, kind] of cases) {
    it(`refuses ${name}: ${message}`, () => refused(d, message, kind));
  }

  it("accepts AWS's documented forms", () => {
    ok(S(allow(["s3:GetObject", "s3:PutObject"], [BUCKET, `${BUCKET}/*`])));
    ok({ Version: "2012-10-17", Id: "x", Statement: [{ Sid: "", ...allow("*") }] });
    ok({ Statement: allow("s3:*") }, "identity");
    ok({ Version: "2008-10-17", Statement: allow("s3:*") }, "identity");
    ok(S(allow("s3:*", "*", { Condition: { "ForAllValues:StringLikeIfExists": { "aws:TagKeys": ["a*"] }, NumericLessThan: { "s3:max-keys": 10 }, Bool: { "aws:SecureTransport": true } } })));
    const trust = ok(S({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } }), "trust");
    assert.deepEqual(trust.statements[0]?.principal, { Service: ["lambda.amazonaws.com"] });
    const lambdaPolicy = ok(S({ Sid: "s3-invoke_1", ...allow("lambda:InvokeFunction", FN, { Principal: { Service: "s3.amazonaws.com" } }) }), "resource");
    assert.equal(lambdaPolicy.statements[0]?.sid, "s3-invoke_1");
  });
});

describe("PolicyCache", () => {
  it("compiles a document once and a changed document anew", () => {
    const cache = new PolicyCache(2);
    const a = JSON.stringify(doc(allow("s3:*")));
    const b = JSON.stringify(doc(allow("sqs:*")));
    assert.equal(cache.get(a, "managed", "p"), cache.get(a, "managed", "p"));
    assert.notEqual(cache.get(a, "managed", "p"), cache.get(b, "managed", "p"));
    cache.get(JSON.stringify(doc(allow("sns:*"))), "managed", "p");
    assert.equal(cache.size, 2);
    assert.throws(() => cache.get("{", "managed", "p"), MalformedPolicyError);
  });
});

describe("AWS managed policies (real documents)", () => {
  const decide = (policyName: string, action: string, resource: string, extra: Record<string, ContextValue> = {}) => {
    const policy = findManagedPolicy(policyName);
    assert.ok(policy, `${policyName} is seeded`);
    const compiled = compilePolicy(parsePolicy(JSON.stringify(policy.document), "managed"), managedPolicyArn(policy));
    const request = requestContext({ action, resource, principal: PRINCIPALS.session, secureTransport: true, now: new Date(), region: "us-east-1", extra });
    return evaluate(request, { identity: [compiled] }).decision;
  };

  it("every seeded document passes IAM's validation for managed policies, under a unique ARN", () => {
    for (const policy of MANAGED_POLICIES) parsePolicy(JSON.stringify(policy.document), "managed");
    assert.equal(new Set(MANAGED_POLICIES.map(managedPolicyArn)).size, MANAGED_POLICIES.length);
    assert.equal(managedPolicyArn(findManagedPolicy("AWSLambdaBasicExecutionRole")!), "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
    assert.equal(findManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")?.name, "AdministratorAccess");
  });

  const cases: [string, string, string, string, Record<string, ContextValue>?][] = [
    ["AWSLambdaBasicExecutionRole", "logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/f:log-stream:s`, "Allow"],
    ["AWSLambdaBasicExecutionRole", "s3:GetObject", `${BUCKET}/a`, "ImplicitDeny"],
    ["AmazonS3ReadOnlyAccess", "s3:ListBucket", BUCKET, "Allow"],
    ["AmazonS3ReadOnlyAccess", "s3:GetObject", `${BUCKET}/a`, "Allow"],
    ["AmazonS3ReadOnlyAccess", "s3:PutObject", `${BUCKET}/a`, "ImplicitDeny"],
    ["PowerUserAccess", "lambda:CreateFunction", FN, "Allow"],
    ["PowerUserAccess", "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`, "ImplicitDeny"],
    ["PowerUserAccess", "iam:ListRoles", "*", "Allow"],
    ["AWSLambda_FullAccess", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/exec`, "Allow", { "iam:PassedToService": "lambda.amazonaws.com" }],
    ["AWSLambda_FullAccess", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/exec`, "ImplicitDeny", { "iam:PassedToService": "ec2.amazonaws.com" }],
    ["AWSLambda_ReadOnlyAccess", "lambda:GetFunction", FN, "Allow"],
    ["AWSLambda_ReadOnlyAccess", "lambda:InvokeFunction", FN, "ImplicitDeny"],
    ["AWSLambdaRole", "lambda:InvokeFunction", FN, "Allow"],
    ["AWSLambdaSQSQueueExecutionRole", "sqs:ReceiveMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, "Allow"],
    ["AWSLambdaSQSQueueExecutionRole", "sqs:SendMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, "ImplicitDeny"],
    ["AdministratorAccess", "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`, "Allow"],
  ];
  for (const [name, action, resource, want, extra] of cases) {
    it(`${name}: ${want} ${action}${extra ? ` (${JSON.stringify(extra)})` : ""}`, () => assert.equal(decide(name, action, resource, extra), want));
  }
});
